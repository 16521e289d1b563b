"""Watch streams: replay from a resourceVersion, then follow.

A stream yields blocks of newline-delimited JSON events.  Without a
resourceVersion (or with "0") it first sends the current objects as
ADDED, like the API server; from a given version it replays history
and answers a forgotten version with an ERROR event carrying a 410
Status.  Selectors turn a change into or out of the selection into an
ADDED or DELETED event, as Kubernetes does.  An ``encode`` callable, when
given, writes each event's object (kubectl's watch asks for Tables).
"""

import json
import time

from tacker_k8s_sim import errors
from tacker_k8s_sim import store as store_mod

# How often an idle stream wakes to check for stop and client loss.
_POLL = 0.25


def _line(kind, raw):
    return b'{"type":"' + kind.encode("ascii") + b'","object":' + raw \
        + b"}\n"


class WatchStream(object):
    """Iterate ``blocks()`` to get the bytes to send, block by block."""

    def __init__(self, store, resource, namespace, *, resource_version=None,
                 labels_ok=None, fields_ok=None, timeout=1800.0,
                 bookmarks=False, bookmark_interval=1.0,
                 initial_events_end=False, client_gone=None,
                 clock=time.monotonic, encode=None):
        self.store = store
        self.resource = resource
        self.namespace = namespace
        self.resource_version = resource_version
        self.labels_ok = labels_ok
        self.fields_ok = fields_ok
        self.timeout = timeout
        self.bookmarks = bookmarks
        self.bookmark_interval = bookmark_interval
        self.initial_events_end = initial_events_end
        self.client_gone = client_gone or (lambda: False)
        self.clock = clock
        self.encode = encode or (lambda entry: entry.raw)

    def _selected(self, obj):
        if obj is None:
            return False
        meta = obj["metadata"]
        if self.namespace is not None and \
                meta.get("namespace", "") != self.namespace:
            return False
        if self.labels_ok is not None and not self.labels_ok(
                meta.get("labels")):
            return False
        return self.fields_ok is None or self.fields_ok(obj)

    def _translate(self, event):
        if event.resource is not self.resource:
            return None
        now_in = self._selected(event.entry.obj)
        if event.type == store_mod.ADDED:
            kind = "ADDED" if now_in else None
        else:
            was_in = self._selected(event.prev)
            if event.type == store_mod.DELETED:
                kind = "DELETED" if was_in else None
            elif now_in and was_in:
                kind = "MODIFIED"
            elif now_in:
                kind = "ADDED"
            else:
                kind = "DELETED" if was_in else None
        return _line(kind, self.encode(event.entry)) if kind else None

    def _bookmark(self, cursor, annotate=False):
        meta = {"resourceVersion": str(cursor)}
        if annotate:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        obj = {"kind": self.resource.kind,
               "apiVersion": self.resource.api_version, "metadata": meta}
        return _line("BOOKMARK", json.dumps(obj, separators=(",", ":"))
                     .encode("utf-8"))

    def _expired(self, exc):
        return _line("ERROR", store_mod.encode(exc.status()))

    def blocks(self):
        end = self.clock() + self.timeout
        rv = self.resource_version
        failure = None
        with self.store.lock:
            if rv in (None, "", "0"):
                cursor = self.store.resource_version
                initial = [
                    _line("ADDED", self.encode(entry)) for _, entry in
                    self.store.entries(self.resource, self.namespace)
                    if self._selected(entry.obj)]
            else:
                try:
                    cursor = int(rv)
                except ValueError:
                    raise errors.BadRequest(
                        "invalid resource version %r" % rv)
                initial = []
                try:
                    self.store.events_after(cursor)
                except errors.Expired as exc:
                    failure = self._expired(exc)
        if failure is not None:
            yield failure
            return
        if self.initial_events_end and self.bookmarks:
            initial.append(self._bookmark(cursor, annotate=True))
        if initial:
            yield b"".join(initial)
        next_bookmark = self.clock() + self.bookmark_interval
        while True:
            with self.store.lock:
                if self.store.closed:
                    return
                try:
                    events = self.store.events_after(cursor)
                    if not events:
                        wait = min(_POLL, max(0.0, end - self.clock()))
                        if self.bookmarks:
                            wait = min(wait, max(
                                0.0, next_bookmark - self.clock()))
                        self.store.changed.wait(wait)
                        events = self.store.events_after(cursor)
                except errors.Expired as exc:
                    failure = self._expired(exc)
                    events = []
                if events:
                    cursor = events[-1].rv
            if failure is not None:
                yield failure
                return
            lines = [line for line in map(self._translate, events) if line]
            now = self.clock()
            if self.bookmarks and now >= next_bookmark:
                lines.append(self._bookmark(cursor))
                next_bookmark = now + self.bookmark_interval
            if lines:
                yield b"".join(lines)
            if now >= end or self.client_gone():
                return
