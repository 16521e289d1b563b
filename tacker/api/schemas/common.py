"""Schema pieces shared by several APIs."""

UUID = {
    'type': 'string',
    'pattern': '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
               '[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
}

NAME = {'type': 'string', 'maxLength': 255}

DESCRIPTION = {'type': 'string', 'maxLength': 1024}

IDENTIFIER = {'type': 'string', 'minLength': 1, 'maxLength': 255}

KEY_VALUE_PAIRS = {'type': 'object', 'maxProperties': 256}

STRING_MAP = {
    'type': 'object',
    'maxProperties': 256,
    'additionalProperties': {'type': 'string', 'maxLength': 1024},
}
