"""The part of a Kubernetes object the synchronization keeps.

A pod in a LIST answer carries its whole spec and status, container by
container; ``ownership`` and ``model.ObservedPod`` read a dozen of its
fields.  ``slim`` keeps those, so that what a watch-fed cache holds for
as long as it lives, and what a pass listed without one holds until the
pass ends, is a small fraction of what was parsed.
"""

import sys

from tacker.vnfm.infra_drivers.kubernetes import ownership

_METADATA_KEYS = frozenset(ownership.POD_METADATA_KEYS) | {
    'deletionTimestamp', 'generation'}
_SPEC_KEYS = ('replicas',)
_STATUS_KEYS = ('phase', 'replicas', 'updatedReplicas',
                'observedGeneration', 'desiredNumberScheduled',
                'updatedNumberScheduled', 'currentNumberScheduled')


# Texts up to this long are interned (see ``_interned``).
_INTERN_UP_TO = 64


def _interned(value):
    """``value`` (JSON) with its keys and short texts interned.

    A cached pod repeats the keys and most values of every other pod
    (``ownerReferences``, label names, phase, namespace, the owner's
    name); each event parses new copies.  Interned, the copies are one
    object: a cached pod takes less than half the memory.
    """
    if isinstance(value, dict):
        return {sys.intern(k) if isinstance(k, str) else k: _interned(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_interned(v) for v in value]
    if isinstance(value, str) and len(value) <= _INTERN_UP_TO:
        return sys.intern(value)
    return value


def slim(item):
    """The part of a checked item the synchronization reads (a new dict)."""
    meta = item.get('metadata') or {}
    kept = {sys.intern(key): _interned(value) for key, value in meta.items()
            if key in _METADATA_KEYS}
    revision = (meta.get('annotations') or {}).get(
        ownership.REVISION_ANNOTATION)
    if revision is not None:
        kept['annotations'] = {ownership.REVISION_ANNOTATION: revision}
    result = {'metadata': kept}
    for part, keys in (('spec', _SPEC_KEYS), ('status', _STATUS_KEYS)):
        found = {key: _interned((item.get(part) or {})[key])
                 for key in keys if key in (item.get(part) or {})}
        if found:
            result[part] = found
    return result
