"""How Tacker 16 stores the object lists of a v1 record.

Tacker's v1 objects write each element of ``vnf_instances
.vim_connection_info`` and of ``vnf_instantiated_info.vnfc_resource_info``
/ ``scale_status`` / ``vnfc_info`` as an oslo.versionedobjects primitive:
``{"tacker_object.name": "VnfcResourceInfo", "tacker_object.namespace":
"tacker", "tacker_object.version": "1.0", "tacker_object.data": {...},
"tacker_object.changes": [...]}``, with nested objects (a VNFC's
``compute_resource``) wrapped the same way and ``"deleted": 0`` in every
object's data.

Reading (``decode_list``) accepts primitives and plain dicts (rows of
earlier builds of this project, or hand-written ones) and returns plain
dicts.  Writing (``encode_list``) always produces primitives: an element
that was stored before is written back as that stored primitive with
only the changed values replaced, so whatever Tacker keeps in it that
this project does not use survives; a new element is wrapped afresh.
"""

import copy

NAME = 'tacker_object.name'
NAMESPACE = 'tacker_object.namespace'
VERSION = 'tacker_object.version'
DATA = 'tacker_object.data'
CHANGES = 'tacker_object.changes'

# column -> (object name of each element, the key that identifies one)
LIST_COLUMNS = {
    'vim_connection_info': ('VimConnectionInfo', 'id'),
    'vnfc_resource_info': ('VnfcResourceInfo', 'id'),
    'scale_status': ('ScaleInfo', 'aspect_id'),
    'vnfc_info': ('VnfcInfo', 'id'),
}
# object -> {field: nested object}
_NESTED = {'VnfcResourceInfo': {'compute_resource': 'ResourceHandle'}}
# What Tacker's classes put in a new object's data besides our values.
_DEFAULTS = {
    'VimConnectionInfo': {'interface_info': {}, 'access_info': {},
                          'extra': {}},
    'VnfcResourceInfo': {'storage_resource_ids': [], 'vnfc_cp_info': [],
                         'metadata': {}},
}


# Keys of Tacker's persistent objects that are bookkeeping, not values:
# left out of the plain form, kept in the stored one.
_BOOKKEEPING = frozenset({'deleted', 'deleted_at', 'created_at',
                          'updated_at'})


class BadPrimitive(ValueError):
    """A stored element that is neither a primitive nor a plain object."""


def is_primitive(value):
    return isinstance(value, dict) and DATA in value


def to_plain(value):
    """Plain JSON values from primitives, recursively; new containers.

    Raises BadPrimitive when a primitive's data is not an object.
    """
    if isinstance(value, dict):
        if DATA in value:
            data = value[DATA]
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise BadPrimitive('the data of a %s is not an object'
                                   % value.get(NAME, 'versioned object'))
            return {key: to_plain(item) for key, item in data.items()
                    if key not in _BOOKKEEPING}
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    return copy.deepcopy(value)


def decode_list(column, stored):
    """``(plain dicts, problem or None)`` of a stored object list."""
    if stored is None:
        return [], None
    if not isinstance(stored, list):
        return [], '%s: a JSON array was expected' % column
    try:
        plain = [to_plain(item) for item in stored]
    except BadPrimitive as exc:
        return [], '%s: %s' % (column, exc)
    if not all(isinstance(item, dict) for item in plain):
        return [], '%s: an element is not a JSON object' % column
    return plain, None


def encode(name, plain, stored=None):
    """The primitive of object ``name`` holding ``plain``.

    ``stored``, the primitive this element was read from (if any), is
    the starting point: its other keys are kept and ``changes`` lists
    what it had plus what changed now.
    """
    if is_primitive(stored) and stored.get(NAME) == name:
        result = copy.deepcopy(stored)
        data = result[DATA] = dict(result.get(DATA) or {})
        changed = set(result.get(CHANGES) or ())
    else:
        data = copy.deepcopy(_DEFAULTS.get(name, {}))
        data['deleted'] = 0
        result = {NAME: name, NAMESPACE: 'tacker', VERSION: '1.0',
                  DATA: data}
        changed = set(data)
    nested = _NESTED.get(name, {})
    for key, value in plain.items():
        if key in data and _holds(data[key], value):
            continue  # unchanged: keep it exactly as stored
        if key in nested and isinstance(value, dict):
            value = encode(nested[key], value, data.get(key))
        data[key] = copy.deepcopy(value)
        changed.add(key)
    result[CHANGES] = sorted(changed)
    return result


def _holds(stored, plain):
    try:
        return to_plain(stored) == plain
    except BadPrimitive:
        return False


def encode_list(column, plain_items, stored=None):
    """The stored form of ``column`` holding ``plain_items``.

    ``stored`` is the list as read; elements are matched to it by their
    identifying key (``id``, or ``aspect_id`` for scale_status).
    """
    name, key = LIST_COLUMNS[column]
    before = {}
    for item in stored or ():
        if is_primitive(item) and isinstance(item.get(DATA), dict):
            before.setdefault(item[DATA].get(key), item)
    return [encode(name, item, before.get(item.get(key)))
            for item in plain_items]
