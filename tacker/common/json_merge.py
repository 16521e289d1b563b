"""JSON merge patch (RFC 7396, which obsoletes RFC 7386)."""

import copy


def merge_patch(target, patch):
    """``target`` with ``patch`` applied; neither input is changed.

    An object patch merges member by member, ``null`` removing a member;
    anything else replaces the target whole.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
