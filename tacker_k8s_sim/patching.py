"""PATCH bodies: JSON merge patch, strategic merge patch, JSON patch.

Strategic merge is approximated: maps merge recursively, and lists of
objects whose elements carry a well-known merge key (``name`` for
containers, volumes, env...; ``containerPort`` for ports) merge element
by element; other lists are replaced.  ``$patch: delete`` on a list
element and ``$patch: replace`` on a map are honoured; other ``$``
directives are dropped.
"""

import copy

from tacker_k8s_sim import errors

MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

# Field name -> merge key, as the Kubernetes OpenAPI declares them.
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "env": "name",
    "ports": "containerPort",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "tolerations": "key",
    "conditions": "type",
    "ownerReferences": "uid",
    "volumeClaimTemplates": None,
}


def merge_patch(target, patch):
    """RFC 7386: ``null`` deletes, maps merge, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _strip_directives(value):
    if isinstance(value, dict):
        return {k: _strip_directives(v) for k, v in value.items()
                if not k.startswith("$")}
    if isinstance(value, list):
        return [_strip_directives(v) for v in value]
    return value


def _merge_list(field, target, patch):
    key = _MERGE_KEYS.get(field)
    if (key is None or not isinstance(target, list)
            or not all(isinstance(item, dict) for item in patch)):
        return _strip_directives(patch)
    result = [dict(item) for item in target]
    for item in patch:
        ident = item.get(key)
        position = next((i for i, have in enumerate(result)
                         if isinstance(have, dict)
                         and have.get(key) == ident), None)
        if item.get("$patch") == "delete":
            if position is not None:
                del result[position]
            continue
        if position is None:
            result.append(_strip_directives(item))
        else:
            result[position] = strategic_merge(result[position], item)
    return result


def strategic_merge(target, patch):
    """Approximate strategic merge patch (see module docstring)."""
    if not isinstance(patch, dict):
        return _strip_directives(patch)
    if patch.get("$patch") == "replace":
        return _strip_directives(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list):
            result[key] = _merge_list(key, result.get(key), value)
        elif isinstance(value, dict):
            result[key] = strategic_merge(result.get(key), value)
        else:
            result[key] = value
    return result


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise errors.BadRequest("invalid JSON pointer %r" % path)
    return [p.replace("~1", "/").replace("~0", "~")
            for p in path[1:].split("/")]


def _container(doc, parts, path):
    node = doc
    for part in parts[:-1]:
        if isinstance(node, list):
            try:
                node = node[int(part)]
            except (ValueError, IndexError):
                raise errors.Invalid("path %s not found" % path)
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise errors.Invalid(
                "doc is missing path: %s" % path)
    return node


def _index(node, token, path, *, adding=False):
    if token == "-" and adding:
        return len(node)
    try:
        index = int(token)
    except ValueError:
        raise errors.Invalid("invalid index %r in %s" % (token, path))
    limit = len(node) if adding else len(node) - 1
    if index < 0 or index > limit:
        raise errors.Invalid("index out of range in %s" % path)
    return index


def _get(doc, path):
    parts = _pointer(path)
    if not parts:
        return doc
    node = _container(doc, parts, path)
    last = parts[-1]
    if isinstance(node, list):
        return node[_index(node, last, path)]
    if isinstance(node, dict) and last in node:
        return node[last]
    raise errors.Invalid("doc is missing key: %s" % path)


def _remove(doc, path):
    parts = _pointer(path)
    node = _container(doc, parts, path)
    last = parts[-1]
    if isinstance(node, list):
        return node.pop(_index(node, last, path))
    if isinstance(node, dict) and last in node:
        return node.pop(last)
    raise errors.Invalid("unable to remove nonexistent key: %s" % path)


def _add(doc, path, value):
    parts = _pointer(path)
    if not parts:
        return value
    node = _container(doc, parts, path)
    last = parts[-1]
    if isinstance(node, list):
        node.insert(_index(node, last, path, adding=True), value)
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise errors.Invalid("cannot add at %s" % path)
    return doc


def json_patch(target, operations):
    """RFC 6902 operations applied to a copy of ``target``."""
    if not isinstance(operations, list):
        raise errors.BadRequest("json patch body must be a list")
    doc = copy.deepcopy(target)
    for op in operations:
        kind, path = op.get("op"), op.get("path", "")
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)
            _remove(doc, path)
            doc = _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "move":
            value = _remove(doc, op.get("from", ""))
            doc = _add(doc, path, value)
        elif kind == "copy":
            value = copy.deepcopy(_get(doc, op.get("from", "")))
            doc = _add(doc, path, value)
        elif kind == "test":
            if _get(doc, path) != op.get("value"):
                raise errors.Invalid("testing value %s failed" % path)
        else:
            raise errors.BadRequest("unknown json patch op %r" % kind)
    return doc


def apply(content_type, target, patch):
    """Dispatch on the request's Content-Type."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media == JSON_PATCH:
        return json_patch(target, patch)
    if not isinstance(patch, dict):
        raise errors.BadRequest("patch body must be a JSON object")
    if media == MERGE_PATCH:
        return merge_patch(target, patch)
    if media in (STRATEGIC_PATCH, APPLY_PATCH):
        return strategic_merge(target, patch)
    raise errors.UnsupportedMediaType(
        "the body of the request was in an unknown format - accepted "
        "media types include: %s, %s, %s, %s"
        % (JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH))
