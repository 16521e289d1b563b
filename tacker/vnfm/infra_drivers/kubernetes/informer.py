"""A watch-fed cache of one namespace, so that a pass asks the cluster nothing.

``NamespaceInformer`` keeps, for one (VIM, namespace), the five kinds the
synchronization reads (pods, replicasets, deployments, statefulsets,
daemonsets).  Per kind one thread LISTs (paginated, raw JSON, every item
checked by ``list_shape`` as the observer does), then WATCHes from the
list's resourceVersion with bookmarks: ADDED / MODIFIED / DELETED change
the cache, BOOKMARK only moves the version, 410 Gone lists again, a
broken stream resumes from the last version after a backoff with
jitter, and a full relist every ``resync_interval`` seconds verifies
what the watch built.  Items are cut down to the fields ``ownership``
and ``model.ObservedPod`` read.

``serve`` decides whether a pass may use the cache: only when every kind
has listed and its watch is healthy; a kind that saw a malformed answer
fails the VIM for the pass (as a malformed LIST does); anything else
(not yet listed, a watch that broke, 401, unreachable) returns None and
the observer LISTs as it does without a cache, so a failing cluster is
reported exactly as before.  ``Informers`` holds one informer per wanted
(VIM, namespace); it decides nothing about TackerDB.
"""

import dataclasses
import itertools
import json
import random
import threading
import time

from kubernetes import client as k8s_client
from kubernetes.client import exceptions as k8s_exc
from kubernetes.watch import watch as k8s_watch
from oslo_log import log as logging

from tacker.vnfm.infra_drivers.kubernetes import kept as kept_mod
from tacker.vnfm.infra_drivers.kubernetes import list_shape
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import observer
from tacker.vnfm.infra_drivers.kubernetes import ownership
from tacker.vnfm.infra_drivers.kubernetes import vim_access
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

WATCH_SECONDS = 60  # one watch request; the loop opens the next one
PAGE_SIZE = 200
MAX_BACKOFF = 30.0

# Numbers the snapshots the caches hand out (``generation``).
_GENERATIONS = itertools.count(1)

_KINDS = {'deployments': model.DEPLOYMENT, 'statefulsets': model.STATEFUL_SET,
          'daemonsets': model.DAEMON_SET}


class Expired(Exception):
    """The version (or continue token) is too old: list again."""


class WatchFailed(Exception):
    """An ERROR event other than 410."""


@dataclasses.dataclass(frozen=True)
class Served:
    """What ``serve`` gives a pass: a snapshot, or a failure reason."""

    snapshot: object = None
    failure: str = None


class KindInformer(threading.Thread):
    """List, then watch, one kind of one namespace."""

    def __init__(self, owner, field, group, resource, kind):
        super().__init__(name='k8s-informer-%s-%s' % (owner.namespace,
                                                      field), daemon=True)
        self._owner = owner
        self.field = field
        self._path = (group, resource)
        self._kind = kind
        self._lock = threading.Lock()
        self._objects = {}
        self._response = None
        # None until listed; the version the watch resumes from.
        self.version = None
        self.listed = False
        self.healthy = False
        # Why the last answer was malformed (fails the VIM), or None.
        self.malformed = None
        # 'LIST' or 'WATCH': what the thread is doing (for the reason).
        self.doing = 'LIST'
        self.listed_at = None
        self.changes = 0
        self.lists = 0
        self.restarts = 0

    # -- what the pass reads ---------------------------------------------

    def items(self):
        with self._lock:
            return tuple(self._objects.values()), self.changes

    def get(self, name):
        """The cached object of that name, or None."""
        with self._lock:
            return self._objects.get(name)

    @property
    def synced(self):
        return self.listed and self.healthy and self.malformed is None

    # -- the loop ---------------------------------------------------------

    def stop(self):
        response = self._response
        if response is not None:
            try:
                # Unblocks a read waiting on an idle stream.
                response.shutdown()
            except Exception:  # noqa: the stream may be gone already
                pass

    def run(self):
        backoff, expired = 1.0, 0
        stopped = self._owner.stopped
        while not stopped.is_set():
            try:
                if self.version is None or self._resync_due():
                    self._relist()
                self._watch()
                backoff, expired = 1.0, 0
            except Expired:
                # Events may be lost between the version and now: the
                # passes list until this kind has listed again.
                self.healthy = False
                self.restarts += 1
                self.version = None
                expired += 1
                if expired > 1:
                    # A fresh list expired at once: do not hammer.
                    stopped.wait(backoff * random.uniform(0.5, 1.0))
                    backoff = min(backoff * 2, MAX_BACKOFF)
            except Exception as exc:  # noqa: an informer must not die
                self.healthy = False
                self.restarts += 1
                if isinstance(exc, WatchFailed):
                    reason = str(exc)
                else:
                    reason = observer.reason(exc, self._owner.timeout)
                if isinstance(exc, observer.MalformedAnswer):
                    self.malformed = reason
                    self.version = None
                if stopped.is_set():
                    break
                # One WARNING per streak of failures; the passes log the
                # VIM's failure each time.
                (LOG.warning if backoff == 1.0 else LOG.debug)(
                    '%(doing)s of %(kind)s in namespace %(ns)s on VIM '
                    '%(vim)s failed (%(err)s); retrying in %(secs).0fs.',
                    {'doing': self.doing, 'kind': self.field,
                     'ns': self._owner.namespace,
                     'vim': self._owner.vim.vim_id, 'err': reason,
                     'secs': backoff})
                stopped.wait(backoff * random.uniform(0.5, 1.0))
                backoff = min(backoff * 2, MAX_BACKOFF)

    def _get(self, timeout, **query):
        return observer.get_namespaced(
            self._owner.api_client, *self._path, self._owner.namespace,
            timeout=timeout, **query)

    def _resync_due(self):
        resync = self._owner.resync_interval
        return resync > 0 and self.listed_at is not None and \
            time.monotonic() - self.listed_at >= resync

    def _relist(self):
        self.doing = 'LIST'
        objects, version, token = {}, None, None
        timeout = self._owner.timeout
        while True:
            with self._owner.list_slots:
                try:
                    response = self._get(timeout, limit=self._owner.page_size,
                                         **{'continue': token or None})
                except k8s_exc.ApiException as exc:
                    if exc.status == 410:
                        raise Expired() from exc
                    raise
                try:
                    data = observer.read_json(response)
                finally:
                    response.release_conn()
                del response
                # Slimmed while the slot is held, and let go before the
                # next one is waited for: at most one parsed page per
                # slot is alive, not one per kind and namespace.
                observer.check_list(data, self._kind)
                for item in data['items']:
                    kept = kept_mod.slim(item)
                    # Keyed by the kept name, not the parsed one: the
                    # cache then holds one copy of each name, not two.
                    objects[kept['metadata']['name']] = kept
                meta = data.get('metadata') or {}
                del data
            if version is None:
                version = meta.get('resourceVersion')
            token = meta.get('continue')
            if not token:
                break
        if not isinstance(version, str) or not version:
            raise observer.MalformedAnswer(
                'Kubernetes answered a %s without a resourceVersion'
                % self._kind)
        with self._lock:
            differs = not self.listed or objects != self._objects
            self._objects = objects
            if differs:
                self.changes += 1
        self.version = version
        self.listed_at = time.monotonic()
        self.listed = True
        self.healthy = True
        self.malformed = None
        self.lists += 1
        if differs:
            self._owner.changed(self)

    def _watch(self):
        self.doing = 'WATCH'
        timeout = self._owner.timeout
        seconds = self._owner.watch_seconds
        resync = self._owner.resync_interval
        if resync > 0:
            left = resync - (time.monotonic() - self.listed_at)
            seconds = max(1, min(seconds, int(left) + 1))
        try:
            response = self._get(
                (timeout, seconds + timeout), watch=True,
                resourceVersion=self.version, allowWatchBookmarks=True,
                timeoutSeconds=seconds)
        except k8s_exc.ApiException as exc:
            if exc.status == 410:
                raise Expired() from exc
            raise
        self._response = response
        self.healthy = True
        # Lines are read here rather than through Watch.stream: with
        # deserialize=False (kubernetes 37) an ERROR event there raises
        # KeyError instead of telling 410 from the rest, and its
        # resource_version then follows no event at all.
        try:
            for line in k8s_watch.iter_resp_lines(response):
                if self._owner.stopped.is_set():
                    return
                if line:
                    self.apply_event(line)
        finally:
            self._response = None
            response.release_conn()

    def apply_event(self, line):
        """Apply one line of a watch stream to the cache."""
        try:
            event = json.loads(line)
        except ValueError:
            raise observer.MalformedAnswer(
                'Kubernetes sent an unreadable %s watch event' % self.field)
        kind = event.get('type') if isinstance(event, dict) else None
        obj = event.get('object') if isinstance(event, dict) else None
        if kind == 'ERROR':
            code = obj.get('code') if isinstance(obj, dict) else None
            if code == 410:
                raise Expired()
            raise WatchFailed('HTTP %s %s' % (
                code, (obj or {}).get('reason') or ''))
        if kind == 'BOOKMARK':
            version = ((obj or {}).get('metadata') or {}).get(
                'resourceVersion') if isinstance(obj, dict) else None
            if isinstance(version, str) and version:
                self.version = version
            return
        if kind not in ('ADDED', 'MODIFIED', 'DELETED'):
            raise observer.MalformedAnswer(
                'Kubernetes sent a %s watch event of type %r'
                % (self.field, kind))
        problem = list_shape.problem(obj)
        if problem is not None:
            raise observer.MalformedAnswer(
                'Kubernetes sent a malformed %s watch event: the object %s'
                % (self.field, problem))
        kept = kept_mod.slim(obj)
        name = kept['metadata']['name']
        with self._lock:
            if kind == 'DELETED':
                self._objects.pop(name, None)
            else:
                self._objects[name] = kept
            self.changes += 1
        version = obj['metadata'].get('resourceVersion')
        if version:
            self.version = version
        self._owner.changed(self, kept)


class NamespaceInformer:
    """The five kinds of one (VIM, namespace), each fed by its watch."""

    def __init__(self, vim, namespace, on_change, *, timeout,
                 resync_interval, page_size=PAGE_SIZE,
                 watch_seconds=WATCH_SECONDS, instrument=None,
                 list_slots=None):
        self.vim = vim
        # Shared by the caches of one VIM: bounds their LISTs in flight.
        self.list_slots = list_slots or threading.BoundedSemaphore(
            len(observer.LISTS))
        self.watch_seconds = watch_seconds
        self.namespace = namespace
        self.timeout = timeout
        self.resync_interval = resync_interval
        self.page_size = page_size
        self.stopped = threading.Event()
        self._on_change = on_change
        self._memo = None
        configuration = vim_access.configuration(vim)
        # One connection per watch, and one spare.
        configuration.connection_pool_maxsize = len(observer.LISTS) + 1
        self.api_client = k8s_client.ApiClient(configuration)
        if instrument is not None:
            # The metrics count the LISTs and WATCHes of the cache.
            instrument(self.api_client, vim)
        self.kinds = [KindInformer(self, field, group, resource, kind)
                      for field, group, resource, kind in observer.LISTS]

    def start(self):
        for kind in self.kinds:
            kind.start()

    def stop(self):
        self.stopped.set()
        for kind in self.kinds:
            kind.stop()

    def join(self, timeout):
        deadline = time.monotonic() + timeout
        for kind in self.kinds:
            kind.join(max(0.0, deadline - time.monotonic()))
        self.api_client.close()

    @property
    def synced(self):
        return all(kind.synced for kind in self.kinds)

    @property
    def first_listing(self):
        """Some kind is still on its first LIST, and none has failed yet."""
        return (not self.synced
                and all(kind.restarts == 0 for kind in self.kinds)
                and any(not kind.listed for kind in self.kinds))

    def wait_synced(self, deadline):
        """Wait (until ``deadline``, monotonic) for the first LISTs.

        Returns early as soon as a kind fails: a cluster that does not
        answer is then observed (and reported) by the pass's own LIST.
        """
        while self.first_listing and time.monotonic() < deadline and \
                not self.stopped.is_set():
            time.sleep(0.02)
        return self.synced

    def changed(self, kind, obj=None):
        """Tell the owner; ``obj`` is the object one event changed.

        The owner hears which workloads the object may belong to (see
        ``workloads_of``), or None when it cannot be told (a relist, an
        owner not in the cache yet): then the whole namespace counts as
        changed.
        """
        # Until every kind is listed, passes LIST; the moment the last
        # one is counts as a change (what happened before is unknown).
        if self.synced:
            self._on_change(self.vim, self.namespace,
                            None if obj is None
                            else self.workloads_of(kind.field, obj))

    def _kind(self, field):
        for kind in self.kinds:
            if kind.field == field:
                return kind
        raise KeyError(field)

    def workloads_of(self, field, obj):
        """``((kind, name), ...)`` a VDU naming ``obj`` could stand for.

        A pod goes up its controller chain through the cached
        ReplicaSets (pod -> ReplicaSet -> Deployment); the answer lists
        every level, since a VDU may be the ReplicaSet itself.  None when
        a link of the chain is not in the cache (yet).
        """
        ref = ownership.controller_ref(obj)
        name = (obj.get('metadata') or {}).get('name')
        if field == 'pods':
            if ref is None:
                return ((model.POD, name),)
            if ref.get('kind') != model.REPLICA_SET:
                return ((ref.get('kind'), ref.get('name')),)
            owner = self._kind('replicasets').get(ref.get('name'))
            if owner is None:
                return None
            return self.workloads_of('replicasets', owner)
        if field == 'replicasets':
            found = ((model.REPLICA_SET, name),)
            if ref is not None:
                found += ((ref.get('kind'), ref.get('name')),)
            return found
        return ((_KINDS[field], name),)

    def serve(self):
        """A ``Served`` snapshot or failure, or None (LIST instead)."""
        for kind in self.kinds:
            if kind.malformed is not None:
                return Served(failure='%s %s in namespace %s: %s' % (
                    kind.doing, kind.field, self.namespace,
                    kind.malformed))
        if not self.synced:
            return None
        # (changes per kind, snapshot), swapped as one value.
        memo = self._memo
        if memo is not None and memo[0] == tuple(
                kind.changes for kind in self.kinds):
            # Nothing changed: the same snapshot object, so its ownership
            # index is built once, not once per pass.
            return Served(snapshot=memo[1])
        answers, key = {}, []
        for kind in self.kinds:
            # Each kind is copied under its own lock: consistent per kind.
            items, changes = kind.items()
            answers[kind.field] = items
            key.append(changes)
        snapshot = model.NamespaceSnapshot(
            namespace=self.namespace, generation=next(_GENERATIONS),
            **answers)
        self._memo = (tuple(key), snapshot)
        return Served(snapshot=snapshot)


class Informers:
    """One NamespaceInformer per watched (VIM, namespace)."""

    def __init__(self, on_change, *, page_size=PAGE_SIZE,
                 watch_seconds=WATCH_SECONDS, instrument=None):
        self._on_change = on_change
        self._instrument = instrument
        self._page_size = page_size
        self._watch_seconds = watch_seconds
        self._informers = {}
        # VimAccess -> the semaphore its caches' LISTs share.
        self._list_slots = {}
        self._lock = threading.Lock()
        self._stopped = False

    def _new(self, vim, namespace):
        sync_conf = CONF.database_sync
        informer = NamespaceInformer(
            vim, namespace, self._on_change,
            timeout=sync_conf.kubernetes_request_timeout,
            resync_interval=sync_conf.resync_interval,
            page_size=self._page_size, watch_seconds=self._watch_seconds,
            instrument=self._instrument,
            list_slots=self._list_slots.setdefault(
                vim, threading.BoundedSemaphore(
                    sync_conf.max_concurrent_lists)))
        self._informers[(vim, namespace)] = informer
        informer.start()
        return informer

    def get(self, vim, namespace):
        with self._lock:
            return self._informers.get((vim, namespace))

    def serve(self, vim, namespace, deadline=None):
        """``Served`` or None; starts an informer for a new namespace.

        With ``deadline`` (monotonic) an informer that is still listing
        for the first time is waited for until then, so that the first
        pass of a conductor reads the cache rather than listing the
        namespace a second time.
        """
        with self._lock:
            if self._stopped:
                return None
            informer = self._informers.get((vim, namespace))
            if informer is None:
                informer = self._new(vim, namespace)
        if deadline is not None:
            informer.wait_synced(deadline)
        return informer.serve()

    def ensure(self, pairs):
        """Keep exactly the informers of ``pairs`` ((vim, ns) set)."""
        with self._lock:
            if self._stopped:
                return
            gone = [self._informers.pop(p) for p in
                    set(self._informers) - set(pairs)]
            for vim, namespace in set(pairs) - set(self._informers):
                self._new(vim, namespace)
            vims = {vim for vim, _ns in self._informers}
            self._list_slots = {vim: slots for vim, slots
                                in self._list_slots.items() if vim in vims}
        self._end(gone, 5)

    def watched(self):
        with self._lock:
            return set(self._informers)

    def stop(self, timeout=5):
        with self._lock:
            self._stopped = True
            gone, self._informers = list(self._informers.values()), {}
        self._end(gone, timeout)

    @staticmethod
    def _end(informers, timeout):
        for informer in informers:
            informer.stop()
        # Daemon threads: give them a few seconds in all to end their
        # stream, then leave the rest to process exit.
        deadline = time.monotonic() + timeout
        for informer in informers:
            informer.join(max(0.0, deadline - time.monotonic()))
