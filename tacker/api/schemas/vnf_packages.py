"""Request bodies of /vnfpkgm/v1/vnf_packages."""

from tacker.api.schemas import common

CREATE = {
    'type': 'object',
    'properties': {
        'userDefinedData': common.STRING_MAP,
    },
    'additionalProperties': False,
}

UPDATE = {
    'type': 'object',
    'properties': {
        'operationalState': {'type': 'string',
                             'enum': ['ENABLED', 'DISABLED']},
        'userDefinedData': common.STRING_MAP,
    },
    'anyOf': [{'required': ['operationalState']},
              {'required': ['userDefinedData']}],
    'additionalProperties': False,
}
