"""POST /v1.0/vims: what ``openstack vim register`` sends."""

from tacker.api.schemas import common

_AUTH_CRED = {
    'type': 'object',
    'properties': {
        'bearer_token': {'type': 'string', 'minLength': 1},
        'username': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'password': {'type': 'string'},
        'ssl_ca_cert': {'type': 'string'},
        'oidc_token_url': {'type': 'string'},
        'client_id': {'type': 'string'},
        'client_secret': {'type': 'string'},
    },
    'additionalProperties': False,
    'anyOf': [{'required': ['bearer_token']},
              {'required': ['username', 'password']}],
}

CREATE = {
    'type': 'object',
    'properties': {
        'vim': {
            'type': 'object',
            'properties': {
                'name': {'type': 'string', 'minLength': 1,
                         'maxLength': 255},
                'description': common.DESCRIPTION,
                'type': {'type': 'string', 'enum': ['kubernetes']},
                'auth_url': {'type': 'string', 'minLength': 1,
                             'maxLength': 255,
                             'pattern': '^[hH][tT][tT][pP][sS]?://[^/]'},
                'vim_project': {
                    'type': 'object',
                    'properties': {'name': {'type': 'string',
                                            'maxLength': 255}},
                },
                'auth_cred': _AUTH_CRED,
                'is_default': {'type': 'boolean'},
                'tenant_id': {'type': 'string', 'minLength': 1,
                              'maxLength': 64},
                'extra': common.KEY_VALUE_PAIRS,
            },
            'required': ['name', 'type', 'auth_url', 'auth_cred'],
            'additionalProperties': False,
        },
    },
    'required': ['vim'],
    'additionalProperties': False,
}
