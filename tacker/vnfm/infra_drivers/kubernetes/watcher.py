"""Event-driven synchronization: a pod change reaches TackerDB in seconds.

With ``[database_sync] watch = true`` the conductor keeps one list+watch
of pods per (VIM, namespace) that holds instances (the set is refreshed
after every periodic pass).  Any pod event in a namespace marks that
namespace dirty; a worker waits ``watch_debounce`` seconds to gather a
burst (a rollout is many events), then runs the ordinary pass restricted
to the dirty namespaces.  The periodic pass stays the safety net: an
event missed while a watch reconnects is caught by it, and a watch that
restarts (410 Gone, a broken stream) also marks its namespace dirty.

A watch always has a server-side timeout and a client read timeout; a
failing cluster is retried with exponential backoff and jitter.
"""

import random
import threading
import time

from kubernetes import client as k8s_client
from kubernetes import watch as k8s_watch
from kubernetes.client import exceptions as k8s_exc
from oslo_log import log as logging

from tacker.vnfm.infra_drivers.kubernetes import vim_access
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

WATCH_SECONDS = 60  # one watch request; the loop opens the next one
MAX_BACKOFF = 30.0


class NamespaceWatch(threading.Thread):
    """List+watch the pods of one namespace of one VIM."""

    def __init__(self, vim, namespace, on_change, resource_version=None):
        super().__init__(name='k8s-watch-%s' % namespace, daemon=True)
        self._start_version = resource_version
        self.vim = vim
        self.namespace = namespace
        self._on_change = on_change
        self._stopped = threading.Event()
        self._watch = None
        self._api = k8s_client.ApiClient(vim_access.configuration(vim))
        self.restarts = 0

    def stop(self):
        self._stopped.set()
        if self._watch is not None:
            self._watch.stop()

    def _list_version(self, core):
        response = core.list_namespaced_pod(
            self.namespace, limit=1,
            _request_timeout=CONF.database_sync.kubernetes_request_timeout)
        return response.metadata.resource_version

    def run(self):
        core = k8s_client.CoreV1Api(self._api)
        timeout = CONF.database_sync.kubernetes_request_timeout
        version, backoff = self._start_version, 1.0
        try:
            while not self._stopped.is_set():
                try:
                    if version is None:
                        version = self._list_version(core)
                        # Whatever happened before this list is unknown.
                        self._on_change(self.vim, self.namespace)
                    self._watch = k8s_watch.Watch()
                    for event in self._watch.stream(
                            core.list_namespaced_pod, self.namespace,
                            resource_version=version,
                            allow_watch_bookmarks=True,
                            timeout_seconds=WATCH_SECONDS,
                            _request_timeout=(timeout,
                                              WATCH_SECONDS + timeout)):
                        version = self._watch.resource_version
                        if event['type'] != 'BOOKMARK':
                            self._on_change(self.vim, self.namespace)
                        if self._stopped.is_set():
                            break
                    backoff = 1.0
                except k8s_exc.ApiException as exc:
                    if exc.status == 410:
                        # Too old to resume: list again.
                        version = None
                        self.restarts += 1
                        continue
                    backoff = self._pause(exc, backoff)
                    version = None
                except Exception as exc:  # noqa: a watch must not die
                    backoff = self._pause(exc, backoff)
                    version = None
        finally:
            self._api.close()

    def _pause(self, exc, backoff):
        self.restarts += 1
        if self._stopped.is_set():
            return backoff
        LOG.warning('Watch of pods in namespace %(ns)s on VIM %(vim)s '
                    'failed (%(err)s); retrying in %(secs).0fs.',
                    {'ns': self.namespace, 'vim': self.vim.vim_id,
                     'err': getattr(exc, 'status', None)
                     or type(exc).__name__, 'secs': backoff})
        self._stopped.wait(backoff * random.uniform(0.5, 1.0))
        return min(backoff * 2, MAX_BACKOFF)


class WatchManager:
    """One NamespaceWatch per watched (VIM, namespace), and the passes.

    Events mark namespaces dirty; one worker thread runs the restricted
    passes they ask for.
    """

    def __init__(self, engine, *, debounce=None):
        self._engine = engine
        self._debounce = debounce
        self._watches = {}
        self._dirty = set()
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
            for pair in set(self._watches) - pairs:
                self._watches.pop(pair).stop()
            for vim, namespace in pairs - set(self._watches):
                watch = NamespaceWatch(vim, namespace, self._changed)
                self._watches[(vim, namespace)] = watch
                watch.start()

    def watched(self):
        with self._cond:
            return set(self._watches)

    def _changed(self, vim, namespace):
        with self._cond:
            self._dirty.add((vim, namespace))
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
            if dirty:
                self._sync(dirty)

    def _sync(self, dirty):
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
                self._cond.wait_for(lambda: self._stopped, 1.0)
            return
        self.passes += 1

    def stop(self):
        with self._cond:
            self._stopped = True
            watches, self._watches = list(self._watches.values()), {}
            self._cond.notify_all()
        for watch in watches:
            watch.stop()
        # Daemon threads: give them a few seconds in all to end their
        # stream, then leave the rest to process exit.
        deadline = time.monotonic() + 5
        for watch in watches:
            watch.join(max(0.0, deadline - time.monotonic()))
        self._worker.join(max(0.1, deadline - time.monotonic()))
