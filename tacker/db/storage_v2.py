"""How Tacker 16 stores a v2 record, column by column.

Tacker's v2 objects turn a field that holds an object (``ObjectField``),
a list of objects or a map of objects into JSON text before the row is
written, and the column's type is JSON, so the cell holds a JSON *string*
whose content is the object's JSON: ``"{\\"flavourId\\": ...}"``.  Its
loader expects exactly that and fails on a plain JSON object.  Key-value
fields (``metadata``, ``extensions``, ``vnfConfigurableProperties``) and
``operationParams`` hold plain JSON.

``ObjectJson`` is the column type of the object fields: it always writes
Tacker's form and reads both forms, since rows written by earlier builds
of this project hold plain JSON objects.  Everything else in the project
sees decoded Python values.
"""

import json

from tacker.db import types

# Tacker 16's object-valued fields, per table (checked against its
# VnfInstanceV2 and VnfLcmOpOccV2 object classes).
OBJECT_FIELDS = {
    'VnfInstanceV2': ('vimConnectionInfo', 'instantiatedVnfInfo'),
    'VnfLcmOpOccV2': ('error', 'resourceChanges', 'changedInfo',
                      'changedExtConnectivity',
                      'modificationsTriggeredByVnfPkgChange'),
}


class ObjectJson(types.Json):
    """An object field: the object's JSON text, stored as a JSON string."""

    cache_ok = True

    def process_bind_param(self, value, dialect):
        return encode(value)

    def process_result_value(self, value, dialect):
        return decode(value)


def encode(value):
    """The stored text of an object field holding ``value``."""
    if value is None:
        return None
    return types.dump(json.dumps(value))


def decode(text):
    """The object a stored cell holds, in either form, or ``Unreadable``."""
    value = types.load(text)
    if isinstance(value, str):
        # Tacker's form: the JSON string holds the object's JSON text.
        value = types.load(value)
        if isinstance(value, str):
            return types.Unreadable('a JSON string that holds a string, '
                                    'not an object')
    return value
