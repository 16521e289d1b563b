"""In-memory object storage with etcd-like versions and history.

The store keeps one dict per resource, a global resourceVersion counter
and the recent event history that watches replay.  Stored objects are
never mutated after they are written: a write replaces the dict, so
readers may hand out stored dicts (and their cached JSON encoding)
without copying.  Verb semantics (defaults, generation, grace) belong
to ``objects.py``; this module only stores, versions and indexes.
"""

import bisect
import json
import threading

from tacker_k8s_sim import errors

ADDED = "ADDED"
MODIFIED = "MODIFIED"
DELETED = "DELETED"


def encode(obj):
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


class Entry(object):
    """A stored object and, once asked for, its JSON encoding."""

    __slots__ = ("obj", "_raw")

    def __init__(self, obj):
        self.obj = obj
        self._raw = None

    @property
    def raw(self):
        if self._raw is None:
            self._raw = encode(self.obj)
        return self._raw


class Event(object):
    """One change; ``prev`` is the object before a MODIFIED/DELETED."""

    __slots__ = ("rv", "type", "resource", "entry", "prev")

    def __init__(self, rv, etype, resource, entry, prev):
        self.rv = rv
        self.type = etype
        self.resource = resource
        self.entry = entry
        self.prev = prev


def _owner_uids(obj):
    return {ref.get("uid") for ref in
            obj.get("metadata", {}).get("ownerReferences") or ()
            if ref.get("uid")}


class Store(object):
    """Objects by resource key, plus versions, history and indexes."""

    def __init__(self, *, history_window=50000):
        self.lock = threading.RLock()
        # Notified on every write, under ``lock``; watches wait on it.
        self.changed = threading.Condition(self.lock)
        self.history_window = max(0, int(history_window))
        self.closed = False
        self._rv = 0
        self._compacted = 0
        self._objects = {}
        self._sorted_keys = {}
        self._history = []
        self._history_base = 1
        self._by_uid = {}
        self._owned = {}
        # Monotonic deadlines of graceful deletions, keyed by uid.
        self.deadlines = {}
        self._hooks = []

    # -- versions ---------------------------------------------------------

    @property
    def resource_version(self):
        return self._rv

    def oldest_watchable(self):
        """Smallest resourceVersion a watch may still resume from."""
        first = max(self._history_base,
                    self._rv - self.history_window + 1,
                    self._compacted + 1)
        return first - 1

    def compact(self):
        """Forget all history, as an etcd compaction at 'now' would."""
        with self.lock:
            self._compacted = self._rv
            self._history = []
            self._history_base = self._rv + 1

    def add_hook(self, hook):
        """``hook(event)`` runs under the lock after every write."""
        self._hooks.append(hook)

    # -- reads ------------------------------------------------------------

    def get(self, resource, namespace, name):
        entry = self._objects.get(resource.key, {}).get(
            (namespace or "", name))
        return entry.obj if entry else None

    def entry(self, resource, namespace, name):
        return self._objects.get(resource.key, {}).get(
            (namespace or "", name))

    def sorted_keys(self, resource):
        keys = self._sorted_keys.get(resource.key)
        if keys is None:
            keys = sorted(self._objects.get(resource.key, {}))
            self._sorted_keys[resource.key] = keys
        return keys

    def entries(self, resource, namespace=None, *, after=None):
        """Entries in (namespace, name) order, optionally after a key."""
        table = self._objects.get(resource.key, {})
        keys = self.sorted_keys(resource)
        start = 0
        if namespace is not None:
            start = bisect.bisect_left(keys, (namespace, ""))
        if after is not None:
            start = max(start, bisect.bisect_right(keys, tuple(after)))
        for index in range(start, len(keys)):
            key = keys[index]
            if namespace is not None and key[0] != namespace:
                break
            yield key, table[key]

    def objects(self, resource, namespace=None):
        return [entry.obj for _, entry in
                self.entries(resource, namespace)]

    def count(self, resource):
        return len(self._objects.get(resource.key, {}))

    def locate_uid(self, uid):
        """``(resource, namespace, name)`` of a live object, or None."""
        return self._by_uid.get(uid)

    def dependents(self, owner_uid):
        """Keys of objects listing ``owner_uid`` in ownerReferences."""
        return list(self._owned.get(owner_uid, ()))

    def owner_uids(self):
        return list(self._owned)

    # -- writes -----------------------------------------------------------

    def _commit(self, etype, resource, key, obj, prev_entry):
        self._rv += 1
        obj["metadata"]["resourceVersion"] = str(self._rv)
        entry = Entry(obj)
        table = self._objects.setdefault(resource.key, {})
        prev = prev_entry.obj if prev_entry else None
        uid = obj["metadata"].get("uid")
        location = (resource, key[0], key[1])
        if etype == DELETED:
            del table[key]
            self._sorted_keys.pop(resource.key, None)
            self._by_uid.pop(uid, None)
            self.deadlines.pop(uid, None)
            self._unindex_owners(prev or obj, location)
        else:
            if key not in table:
                self._sorted_keys.pop(resource.key, None)
            table[key] = entry
            self._by_uid[uid] = location
            if prev is not None:
                self._unindex_owners(prev, location)
            for owner in _owner_uids(obj):
                self._owned.setdefault(owner, set()).add(location)
        event = Event(self._rv, etype, resource, entry, prev)
        self._history.append(event)
        self._trim_history()
        for hook in self._hooks:
            hook(event)
        self.changed.notify_all()
        return obj

    def _unindex_owners(self, obj, location):
        for owner in _owner_uids(obj):
            bucket = self._owned.get(owner)
            if bucket is not None:
                bucket.discard(location)
                if not bucket:
                    del self._owned[owner]

    def _trim_history(self):
        keep = self.history_window
        if len(self._history) > 2 * keep + 1000:
            drop = len(self._history) - keep
            del self._history[:drop]
            self._history_base += drop

    def insert(self, resource, namespace, name, obj):
        """Store a new object (caller checked it does not exist)."""
        with self.lock:
            key = (namespace or "", name)
            if key in self._objects.get(resource.key, {}):
                raise errors.already_exists(resource, name)
            return self._commit(ADDED, resource, key, obj, None)

    def replace(self, resource, namespace, name, obj):
        with self.lock:
            key = (namespace or "", name)
            prev = self._objects.get(resource.key, {}).get(key)
            if prev is None:
                raise errors.not_found(resource, name)
            return self._commit(MODIFIED, resource, key, obj, prev)

    def remove(self, resource, namespace, name):
        """Delete now; the DELETED event carries a fresh version."""
        with self.lock:
            key = (namespace or "", name)
            prev = self._objects.get(resource.key, {}).get(key)
            if prev is None:
                raise errors.not_found(resource, name)
            final = dict(prev.obj)
            final["metadata"] = dict(prev.obj["metadata"])
            return self._commit(DELETED, resource, key, final, prev)

    # -- history ----------------------------------------------------------

    def events_after(self, resource_version):
        """Events newer than ``resource_version``; Expired if forgotten."""
        oldest = self.oldest_watchable()
        if resource_version < oldest:
            raise errors.too_old(resource_version, oldest)
        start = resource_version + 1 - self._history_base
        return self._history[max(start, 0):]

    def close(self):
        with self.lock:
            self.closed = True
            self.changed.notify_all()
