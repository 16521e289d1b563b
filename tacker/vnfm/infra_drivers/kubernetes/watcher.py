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
                self._instances |= owners
                for owner in owners:
                    self._since.setdefault(owner, now)
            else:
                self._dirty.add((vim, namespace))
                self._since.setdefault((vim, namespace), now)
            self._cond.notify()

    def _work(self):
        while True:
            with self._cond:
                while not (self._dirty or self._instances) and \
                        not self._stopped:
                    self._cond.wait()
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
        try:
            self._count(result, since, queued, restriction)
        except Exception:  # noqa: the worker must outlive any failure
            LOG.exception('Counting an event-driven pass failed.')

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
