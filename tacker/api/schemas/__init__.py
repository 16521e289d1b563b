"""JSON schemas of request bodies, one module per API, and ``validate``.

``validate`` turns the first schema violation into ``exceptions.Invalid``
(HTTP 400) whose message names the field at fault, so a client can fix
its request without guessing.
"""

import jsonschema

from tacker.common import exceptions

_CHECKER = jsonschema.FormatChecker()


def _field(error):
    path = ''
    for part in error.absolute_path:
        if isinstance(part, int):
            path += '[%d]' % part
        else:
            path += ('.' if path else '') + str(part)
    return path


# What each kind of violation says.  Built from the schema only, never
# from the value sent: a value may be a token, a password or a CA.
_RULES = {
    'type': lambda v: 'must be of type %s' % (
        ' or '.join(v) if isinstance(v, list) else v),
    'enum': lambda v: 'must be one of %s' % ', '.join(map(str, v)),
    'const': lambda v: 'must be %s' % (v,),
    'maxLength': lambda v: 'is longer than %s characters' % v,
    'minLength': lambda v: 'is shorter than %s characters' % v,
    'pattern': lambda v: 'does not match the pattern %s' % v,
    'format': lambda v: 'is not a valid %s' % v,
    'minimum': lambda v: 'must be at least %s' % v,
    'maximum': lambda v: 'must be at most %s' % v,
    'exclusiveMinimum': lambda v: 'must be more than %s' % v,
    'exclusiveMaximum': lambda v: 'must be less than %s' % v,
    'minItems': lambda v: 'must have at least %s items' % v,
    'maxItems': lambda v: 'must have at most %s items' % v,
    'uniqueItems': lambda v: 'must not repeat items',
    'minProperties': lambda v: 'must have at least %s members' % v,
    'maxProperties': lambda v: 'must have at most %s members' % v,
    'anyOf': lambda v: 'matches none of the allowed forms',
    'oneOf': lambda v: 'matches none, or more than one, of the allowed '
                       'forms',
    'not': lambda v: 'is not allowed here',
}
# These messages name properties (the keys), never values.
_KEY_RULES = ('required', 'additionalProperties', 'dependencies',
              'dependentRequired', 'propertyNames')


def _message(error):
    if error.validator in _KEY_RULES:
        return error.message
    rule = _RULES.get(error.validator)
    if rule is None:
        return 'is not valid (%s)' % error.validator
    return rule(error.validator_value)


def _describe(error):
    field = _field(error)
    message = _message(error)
    if len(message) > 300:
        message = message[:300] + '...'
    if error.validator == 'required' and field:
        return 'Invalid input for field/attribute %s: %s' % (field, message)
    if field:
        return 'Invalid input for field/attribute %s: %s' % (field, message)
    return 'Invalid input: the request body %s' % message


def validate(schema, body):
    """Raise ``exceptions.Invalid`` naming the first field at fault."""
    validator = jsonschema.Draft7Validator(schema, format_checker=_CHECKER)
    errors = sorted(validator.iter_errors(body),
                    key=lambda e: (len(e.absolute_path), list(map(
                        str, e.absolute_path))))
    if errors:
        raise exceptions.Invalid(message=_describe(errors[0]))
    return body
