"""Request bodies of /vnflcm/v1 and /vnflcm/v2 (SOL003 shapes).

The two versions differ only in ``vimConnectionInfo`` (a list in v1, a
map in v2) and in a few v2-only fields; unknown fields are refused in
both, as Tacker does.
"""

import copy

from tacker.api.schemas import common

_VIM_CONNECTION_V1 = {
    'type': 'object',
    'properties': {
        'id': common.IDENTIFIER,
        'vimId': common.IDENTIFIER,
        'vimType': common.IDENTIFIER,
        'interfaceInfo': common.KEY_VALUE_PAIRS,
        'accessInfo': common.KEY_VALUE_PAIRS,
        'extra': common.KEY_VALUE_PAIRS,
    },
    'required': ['id', 'vimType'],
    'additionalProperties': False,
}

_VIM_CONNECTION_V2 = {
    'type': 'object',
    'properties': {
        'vimId': common.IDENTIFIER,
        'vimType': common.IDENTIFIER,
        'interfaceInfo': common.KEY_VALUE_PAIRS,
        'accessInfo': common.KEY_VALUE_PAIRS,
        'extra': common.KEY_VALUE_PAIRS,
    },
    'required': ['vimType'],
    'additionalProperties': False,
}

_LIST = {'type': 'array', 'maxItems': 1024}

CREATE_V1 = {
    'type': 'object',
    'properties': {
        'vnfdId': common.UUID,
        'vnfInstanceName': common.NAME,
        'vnfInstanceDescription': common.DESCRIPTION,
        'metadata': common.KEY_VALUE_PAIRS,
    },
    'required': ['vnfdId'],
    'additionalProperties': False,
}

CREATE_V2 = copy.deepcopy(CREATE_V1)

INSTANTIATE_V1 = {
    'type': 'object',
    'properties': {
        'flavourId': common.IDENTIFIER,
        'instantiationLevelId': common.IDENTIFIER,
        'extVirtualLinks': _LIST,
        'extManagedVirtualLinks': _LIST,
        'vimConnectionInfo': {'type': 'array', 'maxItems': 64,
                              'items': _VIM_CONNECTION_V1},
        'localizationLanguage': {'type': 'string', 'maxLength': 255},
        'additionalParams': common.KEY_VALUE_PAIRS,
    },
    'required': ['flavourId'],
    'additionalProperties': False,
}

INSTANTIATE_V2 = copy.deepcopy(INSTANTIATE_V1)
INSTANTIATE_V2['properties'].update({
    'vimConnectionInfo': {'type': 'object', 'maxProperties': 64,
                          'additionalProperties': _VIM_CONNECTION_V2},
    'extensions': common.KEY_VALUE_PAIRS,
    'vnfConfigurableProperties': common.KEY_VALUE_PAIRS,
})

SCALE = {
    'type': 'object',
    'properties': {
        'type': {'type': 'string', 'enum': ['SCALE_OUT', 'SCALE_IN']},
        'aspectId': common.IDENTIFIER,
        'numberOfSteps': {'type': 'integer', 'minimum': 1,
                          'maximum': 1000000},
        'additionalParams': common.KEY_VALUE_PAIRS,
    },
    'required': ['type', 'aspectId'],
    'additionalProperties': False,
}

HEAL = {
    'type': 'object',
    'properties': {
        'cause': {'type': 'string', 'maxLength': 255},
        'vnfcInstanceId': {'type': 'array', 'maxItems': 1024,
                           'items': common.IDENTIFIER},
        'additionalParams': common.KEY_VALUE_PAIRS,
    },
    'additionalProperties': False,
}

TERMINATE = {
    'type': 'object',
    'properties': {
        'terminationType': {'type': 'string',
                            'enum': ['FORCEFUL', 'GRACEFUL']},
        'gracefulTerminationTimeout': {'type': 'integer', 'minimum': 0,
                                       'maximum': 86400},
        'additionalParams': common.KEY_VALUE_PAIRS,
    },
    'required': ['terminationType'],
    'additionalProperties': False,
}

ACTIONS_V1 = {'instantiate': INSTANTIATE_V1, 'scale': SCALE, 'heal': HEAL,
              'terminate': TERMINATE}
ACTIONS_V2 = {'instantiate': INSTANTIATE_V2, 'scale': SCALE, 'heal': HEAL,
              'terminate': TERMINATE}

# POST /vnflcm/v2/vnf_instances/{id}/change_vnfpkg (v2 only, as in Tacker).
# vimConnectionInfo is not taken: the rollout runs on the instance's VIM.
CHANGE_VNFPKG_V2 = {
    'type': 'object',
    'properties': {
        'vnfdId': common.IDENTIFIER,
        'extVirtualLinks': _LIST,
        'extManagedVirtualLinks': _LIST,
        'additionalParams': common.KEY_VALUE_PAIRS,
        'extensions': common.KEY_VALUE_PAIRS,
        'vnfConfigurableProperties': common.KEY_VALUE_PAIRS,
    },
    'required': ['vnfdId'],
    'additionalProperties': False,
}

# --- Modify VNF information (PATCH of an instance, a JSON merge patch)

MODIFY_V2 = {
    'type': 'object',
    'properties': {
        'vnfInstanceName': common.NAME,
        'vnfInstanceDescription': common.DESCRIPTION,
        'vnfdId': common.IDENTIFIER,
        'vnfConfigurableProperties': common.KEY_VALUE_PAIRS,
        'metadata': common.KEY_VALUE_PAIRS,
        'extensions': common.KEY_VALUE_PAIRS,
        # Merged per key: null removes a connection.
        'vimConnectionInfo': {
            'type': 'object', 'maxProperties': 64,
            'additionalProperties': dict(_VIM_CONNECTION_V2,
                                         type=['object', 'null'])},
        'vnfcInfoModifications': {
            'type': 'array', 'maxItems': 1024,
            'items': {
                'type': 'object',
                'properties': {
                    'id': common.IDENTIFIER,
                    'vnfcConfigurableProperties': common.KEY_VALUE_PAIRS,
                },
                'required': ['id', 'vnfcConfigurableProperties'],
                'additionalProperties': False,
            }},
    },
    'additionalProperties': False,
}

MODIFY_V1 = {
    'type': 'object',
    'properties': {
        'vnfInstanceName': common.NAME,
        'vnfInstanceDescription': common.DESCRIPTION,
        'vnfdId': common.UUID,
        'vnfPkgId': common.UUID,
        # Tacker's v1 keeps metadata as a map of strings; null removes.
        'metadata': {'type': 'object', 'maxProperties': 256,
                     'additionalProperties': {
                         'type': ['string', 'null'], 'maxLength': 4096}},
        'vimConnectionInfo': {'type': 'array', 'maxItems': 64,
                              'items': _VIM_CONNECTION_V1},
    },
    'additionalProperties': False,
}
