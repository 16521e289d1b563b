"""Event-driven synchronization: a change reaches TackerDB in seconds.

With ``[database_sync] watch = true`` the conductor keeps a watch-fed
cache (``informer``) of pods, replicasets, deployments, statefulsets and
daemonsets per (VIM, namespace) that holds instances (the set is
refreshed after every periodic pass).  Any change in a namespace marks
it dirty; a worker waits ``watch_debounce`` seconds to gather a burst (a
rollout is many events), then runs the ordinary pass restricted to the
dirty namespaces, which reads the caches and so asks the cluster
nothing.  The periodic pass stays the safety net, and each cache lists
again every ``resync_interval`` seconds so it is verified, never trusted
forever.

The staleness the metrics report is measured here, where it can be
without reaching into the informers: from the first event that marked a
namespace dirty to the end of the event-driven pass that wrote a change:
one value per namespace of that pass (a pass that wrote nothing reports
none).
"""

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
        self._dirty = set()
        # (VIM, namespace) -> monotonic time of its first unsynced event.
        self._dirty_since = {}
        self._cond = threading.Condition()
        self._stopped = False
        self.passes = 0
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

    def _changed(self, vim, namespace):
        with self._cond:
            self._dirty.add((vim, namespace))
            self._dirty_since.setdefault((vim, namespace), time.monotonic())
            self._cond.notify()

    def _work(self):
        while True:
            with self._cond:
                while not self._dirty and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
            # Let a burst of events (a rollout, a scale) arrive first.
            debounce = (CONF.database_sync.watch_debounce
                        if self._debounce is None else self._debounce)
            with self._cond:
                self._cond.wait_for(lambda: self._stopped, debounce)
                dirty, self._dirty = self._dirty, set()
                since, self._dirty_since = self._dirty_since, {}
            if dirty:
                self._sync(dirty, since)

    def _sync(self, dirty, since):
        try:
            result = self._engine.run_pass(namespaces=dirty)
        except Exception:  # noqa: the worker must outlive any failure
            LOG.exception('Event-driven synchronization failed; the '
                          'periodic pass will catch up.')
            return
        if result.overlapped:
            # The periodic pass is running; try again after it.
            with self._cond:
                self._dirty |= dirty
                for pair, first in since.items():
                    self._dirty_since[pair] = min(
                        first, self._dirty_since.get(pair, first))
                self._cond.wait_for(lambda: self._stopped, 1.0)
            return
        self.passes += 1
        try:
            self._count(result, since)
        except Exception:  # noqa: the worker must outlive any failure
            LOG.exception('Counting an event-driven pass failed.')

    def _count(self, result, since):
        metrics = self._engine.metrics
        metrics.pass_done(result, kind='event', full=False)
        if result.counts()[outcome.CHANGED] and not result.dry_run:
            now = time.monotonic()
            for first in since.values():
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
