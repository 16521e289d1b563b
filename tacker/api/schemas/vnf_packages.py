"""Request bodies of /vnfpkgm/v1/vnf_packages.

``userDefinedData`` is a map of strings whose keys and values fit the
255 characters of Tacker's ``vnf_packages_user_data`` columns: a longer
one is refused here (400) rather than failing, or being cut short, in
the database.
"""

USER_DATA_MAX_LENGTH = 255

USER_DEFINED_DATA = {
    'type': 'object',
    'maxProperties': 256,
    'propertyNames': {'minLength': 1, 'maxLength': USER_DATA_MAX_LENGTH},
    'additionalProperties': {'type': 'string',
                             'maxLength': USER_DATA_MAX_LENGTH},
}

CREATE = {
    'type': 'object',
    'properties': {
        'userDefinedData': USER_DEFINED_DATA,
    },
    'additionalProperties': False,
}

UPDATE = {
    'type': 'object',
    'properties': {
        'operationalState': {'type': 'string',
                             'enum': ['ENABLED', 'DISABLED']},
        'userDefinedData': USER_DEFINED_DATA,
    },
    'anyOf': [{'required': ['operationalState']},
              {'required': ['userDefinedData']}],
    'additionalProperties': False,
}
