"""API faults injected on request: latency, errors, drops, 401s.

A fault is a rule with a kind, an optional path pattern and verb, and a
budget in seconds and/or number of matching requests.  The HTTP layer
asks ``FaultInjector.match`` once per API request; the first live rule
that matches is consumed and applied.
"""

import itertools
import re
import threading
import time

LATENCY = "latency"
ERROR = "error"
DROP = "drop"
UNAUTHORIZED = "unauthorized"
KINDS = (LATENCY, ERROR, DROP, UNAUTHORIZED)


class Fault(object):
    """One rule; ``count``/``seconds`` of None mean unlimited."""

    def __init__(self, fault_id, kind, *, status=None, delay=0.0,
                 seconds=None, count=None, path=None, verb=None,
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
                "verb": self.verb, "hits": self.hits}


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
