"""Event-driven synchronization: a change reaches TackerDB within a second.

With ``[database_sync] watch = true`` the conductor keeps a watch-fed
cache (``informer``) of pods, replicasets, deployments, statefulsets and
daemonsets per (VIM, namespace) that holds instances (the set is
refreshed after every periodic pass).  An event names the workloads its
object may belong to (a pod through its ReplicaSet up to a Deployment);
the engine knows, from its last passes, which instance each workload is
a VDU of, and only those instances are queued.  An event that cannot be
placed (its owner not in the cache yet, a workload no known instance
has, a relist) queues its whole namespace instead.  A worker waits
``watch_debounce`` seconds to gather a burst (a rollout is many events),
then runs the ordinary pass restricted to what is queued, which reads
the caches and so asks the cluster nothing, and reads from TackerDB only
the queued instances.  The periodic pass stays the safety net, and each
cache lists again every ``resync_interval`` seconds so it is verified,
never trusted forever.

An instance that an event-driven pass could not bring in step (it
failed, was deferred while a rollout settles, or was skipped because an
LCM operation held its lock) is queued again by itself after a backoff
that doubles with each such pass in a row, from ``RETRY_FIRST`` up to
``RETRY_MAX`` seconds (or the periodic ``interval``, when that is
shorter); events for it wait for the same moment, so an instance that
keeps failing cannot take every pass.  The first pass that finds it
changed or unchanged forgets the backoff.

The staleness the metrics report is measured here, from the first event
that queued an instance (or its namespace) to the end of the
event-driven pass that wrote it: one value per instance written by an
instance pass, one per namespace of a namespace pass that wrote a change.
"""

import collections
import threading
import time

from oslo_log import log as logging

from tacker.vnfm.infra_drivers.kubernetes import informer
from tacker.vnfm.infra_drivers.kubernetes import outcome
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

# Backoff of an instance whose event-driven pass failed or deferred it.
RETRY_FIRST = 0.5
RETRY_MAX = 300.0
_IN_STEP = (outcome.CHANGED, outcome.UNCHANGED)


class WatchManager:
    """The caches of the watched (VIM, namespace) pairs, and the passes.

    Events mark namespaces dirty; one worker thread runs the restricted
    passes they ask for.  While it runs, the engine's passes read the
    caches (``engine.informers``).
    """

    def __init__(self, engine, *, debounce=None,
                 page_size=informer.PAGE_SIZE,
                 watch_seconds=informer.WATCH_SECONDS):
        self._engine = engine
        self._debounce = debounce
        self.informers = informer.Informers(
            self._changed, page_size=page_size, watch_seconds=watch_seconds,
            instrument=engine.metrics.instrument)
        engine.informers = self.informers
        # Queued: whole (VIM, namespace) pairs, and single instances.
        self._dirty = set()
        self._instances = set()
        # Queued pair or instance id -> monotonic time of its first event.
        self._since = {}
        # Instance id -> _Backoff, while its latest passes failed.
        self._backoff = {}
        self._cond = threading.Condition()
        self._stopped = False
        self.passes = 0
        # The PassResults of the latest event-driven passes.
        self.recent = collections.deque(maxlen=16)
        self._worker = threading.Thread(target=self._work,
                                        name='k8s-watch-sync', daemon=True)
        self._worker.start()

    def ensure(self, wanted):
        """Watch exactly the (VIM, namespace) pairs of ``wanted``."""
        pairs = {(vim, ns) for vim, namespaces in wanted.items()
                 for ns in namespaces}
        with self._cond:
            if self._stopped:
                return
        self.informers.ensure(pairs)

    def watched(self):
        return self.informers.watched()

    def _changed(self, vim, namespace, workloads=None):
        owners = set()
        for kind, name in workloads or ():
            owner = self._engine.owner_of(vim, namespace, kind, name)
            if owner is not None:
                owners.add(owner)
        with self._cond:
            now = time.monotonic()
            if owners:
                for owner in owners:
                    backoff = self._backoff.get(owner)
                    if backoff is not None and backoff.due > now:
                        backoff.first_event = min(backoff.first_event, now)
                        continue
                    self._instances.add(owner)
                    self._since.setdefault(owner, now)
            else:
                self._dirty.add((vim, namespace))
                self._since.setdefault((vim, namespace), now)
            self._cond.notify()

    def _release_due(self):
        """Queue the instances whose backoff has passed; the next due."""
        now = time.monotonic()
        nearest = None
        for instance_id, backoff in list(self._backoff.items()):
            if backoff.due > now:
                if nearest is None or backoff.due < nearest:
                    nearest = backoff.due
            elif backoff.waiting:
                backoff.waiting = False
                self._instances.add(instance_id)
                self._since.setdefault(instance_id, backoff.first_event)
            elif backoff.due + RETRY_MAX < now:
                # Retried long ago and heard of no more (skipped since,
                # or gone): forget it.
                del self._backoff[instance_id]
        return nearest

    def _work(self):
        while True:
            with self._cond:
                while not self._stopped:
                    nearest = self._release_due()
                    if self._dirty or self._instances:
                        break
                    self._cond.wait(None if nearest is None
                                    else max(0.0, nearest - time.monotonic()))
                if self._stopped:
                    return
            # Let a burst of events (a rollout, a scale) arrive first:
            # until ``debounce`` after the oldest queued event, which may
            # have come while the previous pass ran.
            debounce = (CONF.database_sync.watch_debounce
                        if self._debounce is None else self._debounce)
            with self._cond:
                oldest = min(self._since.values(), default=time.monotonic())
                wait = max(0.0, oldest + debounce - time.monotonic())
                if self._cond.wait_for(lambda: self._stopped, wait):
                    # Stopping: the caches are going, and a pass now would
                    # list every queued namespace instead.
                    return
                dirty, self._dirty = self._dirty, set()
                instances, self._instances = self._instances, set()
                since, self._since = self._since, {}
            if dirty:
                self._sync(dirty, since, namespaces=dirty)
            if instances:
                self._sync(instances, since, instance_ids=instances)

    def _sync(self, queued, since, **restriction):
        try:
            result = self._engine.run_pass(event=True, **restriction)
        except Exception:  # noqa: the worker must outlive any failure
            LOG.exception('Event-driven synchronization failed; the '
                          'periodic pass will catch up.')
            return
        if result.overlapped:
            # The periodic pass is running; try again after it.
            with self._cond:
                if 'namespaces' in restriction:
                    self._dirty |= queued
                else:
                    self._instances |= queued
                for key in queued:
                    if key in since:
                        self._since[key] = min(
                            since[key], self._since.get(key, since[key]))
                self._cond.wait_for(lambda: self._stopped, 1.0)
            return
        self.recent.append(result)
        self.passes += 1
        self._back_off(result)
        try:
            self._count(result, since, queued, restriction)
        except Exception:  # noqa: the worker must outlive any failure
            LOG.exception('Counting an event-driven pass failed.')

    def _back_off(self, result):
        """Requeue what this pass left out of step, later each time."""
        cap = min(RETRY_MAX, float(CONF.database_sync.interval or RETRY_MAX))
        now = time.monotonic()
        with self._cond:
            for found in result.outcomes:
                if found.status in _IN_STEP:
                    self._backoff.pop(found.instance_id, None)
                    continue
                backoff = self._backoff.get(found.instance_id)
                if backoff is None:
                    backoff = self._backoff[found.instance_id] = _Backoff()
                backoff.failures += 1
                backoff.due = now + min(
                    cap, RETRY_FIRST * 2 ** (backoff.failures - 1))
                backoff.waiting = True
                backoff.first_event = now
            self._cond.notify()

    def backoff_of(self, instance_id):
        """(passes failed in a row, seconds until the retry), or None."""
        with self._cond:
            backoff = self._backoff.get(instance_id)
            if backoff is None:
                return None
            return backoff.failures, max(0.0, backoff.due - time.monotonic())

    def _count(self, result, since, queued, restriction):
        metrics = self._engine.metrics
        metrics.pass_done(result, kind='event', full=False)
        if not result.counts()[outcome.CHANGED] or result.dry_run:
            return
        now = time.monotonic()
        if 'namespaces' in restriction:
            firsts = [since[pair] for pair in queued if pair in since]
        else:
            firsts = [since[o.instance_id] for o in result.outcomes
                      if o.status == outcome.CHANGED
                      and o.instance_id in since]
        for first in firsts:
            metrics.event_written(now - first)

    def stop(self):
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._engine.informers is self.informers:
            self._engine.informers = None
        deadline = time.monotonic() + 5
        self.informers.stop(timeout=4)
        self._worker.join(max(0.1, deadline - time.monotonic()))


class _Backoff:
    """How often in a row an instance was left out of step; its retry."""

    __slots__ = ('failures', 'due', 'waiting', 'first_event')

    def __init__(self):
        self.failures = 0
        self.due = 0.0
        # True until the retry is queued; an event meanwhile only waits.
        self.waiting = False
        self.first_event = 0.0
