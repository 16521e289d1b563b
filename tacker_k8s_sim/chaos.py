"""API faults injected on request: latency, errors, drops, 401s, LIST
answers with a corrupted item, truncated answers and HTML answers.

A fault is a rule with a kind, an optional path pattern and verb, and a
budget in seconds and/or number of matching requests.  The HTTP layer
asks ``FaultInjector.match`` once per API request; the first live rule
that matches is consumed and applied.
"""

import copy
import itertools
import json
import re
import threading
import time

LATENCY = "latency"
ERROR = "error"
DROP = "drop"
UNAUTHORIZED = "unauthorized"
CORRUPT = "corrupt"
TRUNCATE = "truncate"
HTML = "html"
KINDS = (LATENCY, ERROR, DROP, UNAUTHORIZED, CORRUPT, TRUNCATE, HTML)

# What a proxy or a login portal in front of an API server answers.
HTML_BODY = (b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
             b"<body><h1>Sign in</h1><form method=\"post\"></form>"
             b"</body></html>\n")


class Fault(object):
    """One rule; ``count``/``seconds`` of None mean unlimited."""

    def __init__(self, fault_id, kind, *, status=None, delay=0.0,
                 seconds=None, count=None, path=None, verb=None,
                 item=0, field=None, value=None, size=None,
                 clock=time.monotonic):
        if kind not in KINDS:
            raise ValueError("fault kind must be one of %s" % (KINDS,))
        self.id = fault_id
        self.kind = kind
        self.status = int(status or (503 if kind == ERROR else 0))
        self.delay = float(delay or 0.0)
        self.count = None if count is None else int(count)
        self.seconds = None if seconds is None else float(seconds)
        self.path = path
        self._path_re = re.compile(path) if path else None
        self.verb = verb.lower() if verb else None
        self._until = None if seconds is None else clock() + float(seconds)
        self.hits = 0
        # CORRUPT: which item of a LIST answer, and what to do to it.
        self.item = int(item or 0)
        self.field = field
        self.value = value
        # TRUNCATE: how many bytes of the body are sent (None: half).
        self.size = None if size is None else int(size)

    def live(self, now):
        if self._until is not None and now >= self._until:
            return False
        return self.count is None or self.hits < self.count

    def applies(self, method, verb, path):
        if self.verb and self.verb not in (method.lower(), verb):
            return False
        return self._path_re is None or bool(self._path_re.search(path))

    def describe(self):
        return {"id": self.id, "kind": self.kind, "status": self.status,
                "delay": self.delay, "count": self.count,
                "seconds": self.seconds, "path": self.path,
                "verb": self.verb, "hits": self.hits, "item": self.item,
                "field": self.field, "value": self.value,
                "size": self.size}

    def truncate(self, body):
        """The first ``size`` bytes of ``body`` (half without a size)."""
        size = len(body) // 2 if self.size is None else self.size
        return body[:max(0, min(size, len(body) - 1))]

    def corrupt(self, body):
        """``body`` (JSON bytes) with item ``item`` of its list corrupted.

        Without ``field`` the item becomes ``value`` (null by default);
        with a dotted ``field`` ("metadata", "metadata.ownerReferences")
        that key of the item is set to ``value``, or removed when
        ``value`` is None.  A body that is no LIST answer, or whose list
        has no such item, is returned as it is.
        """
        try:
            data = json.loads(body)
        except ValueError:
            return body
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list) or not -len(items) <= self.item \
                < len(items):
            return body
        if self.field is None:
            items[self.item] = copy.deepcopy(self.value)
        elif not isinstance(items[self.item], dict):
            return body
        else:
            _set_path(items[self.item], self.field.split("."),
                      copy.deepcopy(self.value))
        return json.dumps(data, separators=(",", ":")).encode("utf-8")

    def corrupt_stream(self, blocks):
        """A watch stream whose first ADDED or MODIFIED object is corrupted.

        The object is changed as ``corrupt`` changes a LIST item (``item``
        does not apply: one event carries one object); every other line
        passes unchanged.
        """
        done = False
        try:
            for block in blocks:
                if not done:
                    block, done = self._corrupt_block(block)
                yield block
        finally:
            close = getattr(blocks, "close", None)
            if close is not None:
                close()

    def _corrupt_block(self, block):
        lines = block.split(b"\n")
        for position, line in enumerate(lines):
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if not isinstance(event, dict) or event.get("type") not in (
                    "ADDED", "MODIFIED"):
                continue
            if self.field is None:
                event["object"] = copy.deepcopy(self.value)
            else:
                _set_path(event["object"], self.field.split("."),
                          copy.deepcopy(self.value))
            lines[position] = json.dumps(
                event, separators=(",", ":")).encode("utf-8")
            return b"\n".join(lines), True
        return block, False


def _set_path(obj, keys, value):
    for key in keys[:-1]:
        if not isinstance(obj.get(key), dict):
            obj[key] = {}
        obj = obj[key]
    if value is None:
        obj.pop(keys[-1], None)
    else:
        obj[keys[-1]] = value


class FaultInjector(object):
    def __init__(self, clock=time.monotonic):
        self._lock = threading.Lock()
        self._faults = []
        self._ids = itertools.count(1)
        self._clock = clock

    def add(self, kind, **kwargs):
        with self._lock:
            fault = Fault(next(self._ids), kind, clock=self._clock,
                          **kwargs)
            self._faults.append(fault)
            return fault

    def remove(self, fault_id):
        with self._lock:
            self._faults = [f for f in self._faults if f.id != fault_id]

    def reset(self):
        with self._lock:
            self._faults = []

    def active(self):
        with self._lock:
            now = self._clock()
            self._faults = [f for f in self._faults if f.live(now)]
            return list(self._faults)

    def match(self, method, verb, path):
        """Consume and return the first live matching fault, or None."""
        with self._lock:
            now = self._clock()
            self._faults = [f for f in self._faults if f.live(now)]
            for fault in self._faults:
                if fault.applies(method, verb, path):
                    fault.hits += 1
                    return fault
        return None
