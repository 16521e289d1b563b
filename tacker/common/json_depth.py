"""How deeply a JSON document nests, measured without recursion.

Everything that walks a document recursively (``json.dumps``, the API's
views, jsonschema) fails with RecursionError somewhere below Python's
recursion limit (1000 frames, shared with the caller's own stack), so
how deep is too deep must be decided before such a walk, by a walk that
cannot fail itself.  This module only measures; the API decides what it
accepts (``tacker.api.wsgi``) and the storage what it shows
(``tacker.db.types``).
"""

#: Levels of objects and arrays a request body may have; the body itself
#: is level 1.  MariaDB's JSON columns (their ``json_valid`` CHECK) refuse
#: a document of 32 levels or more, and a stored cell (``operationParams``
#: is the whole body) is never deeper than the request it came from.
MAX_REQUEST_DEPTH = 31

#: Levels a stored cell may have and still be shown.  Far above anything
#: this project or Tacker writes, far below the recursion limit.
MAX_STORED_DEPTH = 200


def too_deep(value, limit):
    """Where the first container nested deeper than ``limit`` sits.

    None when ``value`` fits, else the keys and indices leading to it (a
    tuple, empty for the top level).  The top-level value is level 1
    when it is an object or an array.
    """
    stack = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):
            children = item.items()
        elif isinstance(item, list):
            children = enumerate(item)
        else:
            continue
        if len(path) >= limit:
            return path
        for key, child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, path + (key,)))
    return None
