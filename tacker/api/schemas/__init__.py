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


def _describe(error):
    field = _field(error)
    message = error.message
    if len(message) > 300:
        message = message[:300] + '...'
    if error.validator == 'required' and field:
        return 'Invalid input for field/attribute %s: %s' % (field, message)
    if field:
        return 'Invalid input for field/attribute %s. %s' % (field, message)
    return 'Invalid input: %s' % message


def validate(schema, body):
    """Raise ``exceptions.Invalid`` naming the first field at fault."""
    validator = jsonschema.Draft7Validator(schema, format_checker=_CHECKER)
    errors = sorted(validator.iter_errors(body),
                    key=lambda e: (len(e.absolute_path), list(map(
                        str, e.absolute_path))))
    if errors:
        raise exceptions.Invalid(message=_describe(errors[0]))
    return body
