"""The part of a Kubernetes object the synchronization keeps.

A pod in a LIST answer carries its whole spec and status, container by
container; ``ownership`` and ``model.ObservedPod`` read a dozen of its
fields.  ``slim`` keeps those, so that what a watch-fed cache holds for
as long as it lives, and what a pass listed without one holds until the
pass ends, is a small fraction of what was parsed.

What is left repeats itself: the pods of one ReplicaSet have equal
``labels`` and ``ownerReferences``, almost every pod's ``status`` is
``{"phase": "Running"}``, and a small dict or list costs more than the
texts in it.  ``slim`` therefore hands out one shared object per content
(``SHARED``) for every container below ``metadata`` and for ``spec`` and
``status``; what is left per object is its two dicts and its own texts
(name, uid, resourceVersion).  A shared container must never be changed:
every reader of a snapshot only reads (``model`` says so of every raw
object), and the table keeps copies of its own, never an object a
caller was given or still holds.
"""

import sys
import threading

from tacker.vnfm.infra_drivers.kubernetes import ownership

_METADATA_KEYS = frozenset(ownership.POD_METADATA_KEYS) | {
    'deletionTimestamp', 'generation'}
# Texts that differ from one object to the next: interning them would
# only grow the interpreter's table of interned texts.
_OWN_TEXTS = frozenset(('name', 'uid', 'resourceVersion',
                        'deletionTimestamp'))
_SPEC_KEYS = ('replicas',)
_STATUS_KEYS = ('phase', 'replicas', 'updatedReplicas',
                'observedGeneration', 'desiredNumberScheduled',
                'updatedNumberScheduled', 'currentNumberScheduled')


# Texts up to this long are interned (see ``_interned``).
_INTERN_UP_TO = 64


def _interned(value):
    """A copy of ``value`` (JSON) with its keys and short texts interned.

    The shared containers repeat keys and values of one another (label
    names, ``apps/v1``, the owner's name in a ReplicaSet's labels and in
    its pods' ``ownerReferences``); interned, the copies are one object.
    """
    if isinstance(value, dict):
        return {sys.intern(k) if isinstance(k, str) else k: _interned(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_interned(v) for v in value]
    if isinstance(value, str) and len(value) <= _INTERN_UP_TO:
        return sys.intern(value)
    return value


class _Unshareable(Exception):
    """A value holds something that is not plain JSON."""


_SCALARS = frozenset((int, bool, type(None)))


def _signature(value):
    """A tuple equal for two values exactly when their JSON is the same.

    ``==`` is not enough: ``True == 1`` and ``0.0 == -0.0``, and ``{"a":
    1, "b": 2}`` equals the dict of the other key order; shared in place
    of one another, they would be written as other JSON.  So each value
    carries its exact type, a float its exact digits, and keys keep
    their order.
    """
    kind = type(value)
    if kind is dict:
        parts = [dict]
        for key, item in value.items():
            tag = type(item)
            if tag is str:
                parts += (key, item)
            else:
                parts += (key, tag, _part(tag, item))
        return tuple(parts)
    if kind is list:
        parts = [list]
        for item in value:
            tag = type(item)
            if tag is str:
                parts.append(item)
            else:
                parts += (tag, _part(tag, item))
        return tuple(parts)
    raise _Unshareable()


def _part(tag, item):
    # A text stands for itself (no type follows it: nothing else is a
    # str); anything else follows its type.
    if tag in _SCALARS:
        return item
    if tag is dict or tag is list:
        return _signature(item)
    if tag is float:
        return item.hex()
    raise _Unshareable()


# How many references ``_users`` counts for an object only the table
# holds: measured on this interpreter rather than assumed.
def _users(table, key):
    return sys.getrefcount(table[key])


_ALONE = _users({0: []}, 0)


class SharedContainers:
    """One container per content, forgotten when nothing else uses it.

    The table maps the hash of a content's ``_signature`` to the one
    container of that content; a hit is checked against the stored
    container's own signature, so two contents whose hashes collide are
    never confused (the later one is just not shared).  The signatures
    themselves are not kept: they would cost more than the sharing saves.

    ReplicaSets come and go (each brings new ``pod-template-hash``
    labels and ``ownerReferences``), so entries outlive their users.
    Whenever the table has doubled since it was last swept, it drops
    the entries nothing but the table refers to (``sys.getrefcount``):
    the table stays within twice what the caches use, at an amortized
    constant cost per insertion, whatever a cluster's churn, and without
    waiting for a relist.

    Informer threads and the observer's LISTs call ``share`` at once.  A
    lookup takes no lock; inserting and sweeping take one, so that a
    sweep never iterates a table another thread is changing.  The races
    left only lose sharing, never correctness: a container a sweep drops
    while another thread has just found it is still a valid, unchanged
    value; it is simply no longer handed out.
    """

    def __init__(self, floor=4096):
        self._table = {}
        self._lock = threading.Lock()
        self._floor = floor
        self._limit = floor

    def __len__(self):
        return len(self._table)

    def share(self, value):
        """A container equal to ``value`` (a JSON dict or list), shared.

        ``value`` itself is never kept, so its owner may still change it;
        on a first sight the table keeps an interned copy.
        """
        try:
            signature = _signature(value)
        except _Unshareable:
            return _interned(value)
        key = hash(signature)
        found = self._table.get(key)
        if found is None:
            copy = _interned(value)
            with self._lock:
                if len(self._table) >= self._limit:
                    self._sweep()
                found = self._table.setdefault(key, copy)
            if found is copy:
                return copy
        if _signature(found) == signature:
            return found
        # Another content with the same hash holds the slot.
        return _interned(value)

    def sweep(self):
        """Forget every container nothing but the table refers to."""
        with self._lock:
            self._sweep()

    def _sweep(self):
        table = self._table
        for key in list(table):
            if _users(table, key) <= _ALONE:
                del table[key]
        self._limit = max(self._floor, 2 * len(table))


#: The containers ``slim`` shares, across every cache and LIST.
SHARED = SharedContainers()


class _MetadataKeys:
    """Lends ``slim`` its metadata dicts (see ``_keyed_dict``)."""


class _ObjectKeys:
    """Lends ``slim`` its object dicts (see ``_keyed_dict``)."""


def _keyed_dict(holder):
    """An empty dict whose key table all dicts of ``holder`` share.

    CPython keeps one table of keys for the attribute dicts of all
    instances of a class (key-sharing dictionaries, PEP 412); each dict
    then holds only its values.  Every kept object has the same few keys
    (``metadata``, ``spec``, ``status``; ``name``, ``uid``, ...), so its
    two dicts take about half the memory a dict of its own keys would.
    It is an ordinary ``dict`` in every way a reader sees (type,
    equality, key order, JSON); an interpreter without key sharing makes
    it an ordinary dict in memory too.
    """
    return holder().__dict__


def slim(item):
    """The part of a checked item the synchronization reads (a new dict).

    Its two dicts (the item and its ``metadata``) are its own, and share
    their key tables (see ``_keyed_dict``); every container in them is
    shared with equal ones (see ``SHARED``) and must not be changed.
    """
    meta = item.get('metadata') or {}
    share = SHARED.share
    kept = _keyed_dict(_MetadataKeys)
    for key, value in meta.items():
        if key not in _METADATA_KEYS:
            continue
        kind = type(value)
        if kind is dict or kind is list:
            value = share(value)
        elif kind is str and key not in _OWN_TEXTS and \
                len(value) <= _INTERN_UP_TO:
            value = sys.intern(value)
        kept[sys.intern(key)] = value
    revision = (meta.get('annotations') or {}).get(
        ownership.REVISION_ANNOTATION)
    if revision is not None:
        kept['annotations'] = share(
            {ownership.REVISION_ANNOTATION: revision})
    result = _keyed_dict(_ObjectKeys)
    result['metadata'] = kept
    for part, keys in (('spec', _SPEC_KEYS), ('status', _STATUS_KEYS)):
        given = item.get(part) or {}
        found = {key: given[key] for key in keys if key in given}
        if found:
            result[part] = share(found)
    return result
