"""One synchronization pass over every instantiated CNF.

1. Read the candidates from TackerDB (``candidates``): a few queries for
   the whole pass; instances with an LCM operation in progress or failed
   are skipped here.
2. Observe the cluster: one snapshot per (VIM, namespace) that holds a
   candidate, VIMs in parallel (``observer``), from the watch-fed caches
   where they are synced (watch mode); a VIM that cannot be observed,
   for whatever reason, fails its own instances only.
3. For each candidate, ``sync.decide``, which asks the candidate's
   version adapter what differs between v1 and v2; then the changed
   ones are written, ``WRITE_BATCH`` per transaction (``sync.write``).

A pass never raises: an unexpected error on one instance is logged and
counted as failed, and the others go on.  Two passes never overlap in
one engine: a pass that finds another running returns at once.
"""

import threading
import time

from oslo_log import log as logging

from tacker.common import coordination
from tacker.dbsync import candidates as candidates_mod
from tacker.dbsync import metrics as metrics_mod
from tacker.dbsync import status
from tacker.dbsync import sync
from tacker.vnfm.infra_drivers.kubernetes import outcome
from tacker.vnfm.infra_drivers.kubernetes import observer
from tacker.vnfm.infra_drivers.kubernetes import ownership
from tacker.vnfm.infra_drivers.kubernetes import vim_access
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

# Changed instances written per transaction (where the version allows).
WRITE_BATCH = 100


def _scrubbed(exc):
    """An error's text without the backend URL's password, if it has one."""
    return coordination.scrubbed('%s: %s' % (type(exc).__name__, exc))


class SyncEngine:
    """Runs passes; keeps what must outlive one (clients, settle clock)."""

    def __init__(self, *, clock=time.monotonic, store=None, partition=None):
        self._clock = clock
        self._store = store
        # A coordination.SyncPartition when several conductors share the
        # instances; None synchronizes every instance.
        self.partition = partition
        # Its own registry: engines in one process never count together.
        self.metrics = metrics_mod.SyncMetrics()
        self.status = status.SyncStatus()
        self._clients = vim_access.ClientCache(
            instrument=self.metrics.instrument)
        self._settle = sync.SettleClock()
        self._running = threading.Lock()
        # (VimAccess -> namespaces) of the last full pass: what to watch.
        self.last_wanted = {}
        self._partition_lost = False
        # The watch-fed caches (an informer.Informers) in watch mode.
        self.informers = None
        # api_version -> the records of earlier passes and their
        # candidates, read and built again only when their row changed
        # (see ``candidates.Collector``).
        self._record_memo = {}
        # id -> _Quiet: an instance found in step with the cluster, and
        # what that finding rested on.
        self._quiet = {}
        # (VimAccess, namespace, kind, name) -> instance id.
        self._owners = {}
        self.locks_connected = None

    def connect_locks(self):
        """Reach the lock backend now, in the background; the thread.

        A service calls this when it starts (in the process that runs
        the passes: never before a fork, which would share the backend's
        connection), so the first write of a pass does not pay for
        loading the driver and connecting.  Start-up does not wait: tooz
        retries an unreachable Redis for about a minute.
        """
        if self.locks_connected is None:
            self.locks_connected = threading.Thread(
                target=self._connect_locks, name='dbsync-lock-backend',
                daemon=True)
            self.locks_connected.start()
        return self.locks_connected

    @staticmethod
    def _connect_locks():
        """Reach the lock backend; a failure waits for the first lock."""
        try:
            coordination.connect()
        except Exception as exc:  # noqa: the first write will try again
            LOG.error('Cannot reach the coordination backend for instance '
                      'locks (%s); the synchronization tries again when it '
                      'first writes.', _scrubbed(exc))

    def close(self):
        self._clients.close()

    @property
    def busy(self):
        """True while a pass runs."""
        return self._running.locked()

    def run_pass(self, *, dry_run=False, instance_ids=None, namespaces=None,
                 wait=0, event=None):
        """Run one pass; returns an ``outcome.PassResult``.

        ``instance_ids`` limits it to those instances; ``namespaces``, a
        set of (VimAccess, namespace), to the instances there (the
        event-driven passes).  ``wait`` is how many seconds to wait for a
        pass already running (the periodic pass waits for event-driven
        ones, so that a busy namespace cannot starve the others).
        ``event`` marks an event-driven pass (the default: one restricted
        to namespaces), which logs its summary only when it did something.
        """
        if event is None:
            event = namespaces is not None
        if not self._running.acquire(timeout=wait if wait > 0 else -1,
                                     blocking=wait > 0):
            LOG.warning('A database synchronization pass is still '
                        'running; this one is skipped.')
            return outcome.PassResult((), (), 0.0, dry_run, overlapped=True)
        try:
            return self._run(dry_run, instance_ids, namespaces, event)
        finally:
            self._running.release()

    def _run(self, dry_run, instance_ids, namespaces, event):
        started = self._clock()
        try:
            collector = candidates_mod.Collector(
                self._store, self._owner_filter(),
                None if namespaces is None else {ns for _v, ns in namespaces},
                memos=self._record_memo)
            found, outcomes = collector.collect(instance_ids)
            if namespaces is not None:
                found = [c for c in found
                         if (c.vim, c.namespace) in namespaces]
        except Exception:  # noqa: the pass must survive a DB outage
            LOG.exception('Database synchronization pass could not read '
                          'TackerDB; the next pass retries.')
            result = outcome.PassResult(
                (outcome.Outcome('*', '-', outcome.FAILED,
                                 'TackerDB unreadable'),), (),
                self._clock() - started, dry_run)
            self.status.record(result, full=instance_ids is None
                               and namespaces is None, event=event)
            return result
        found = self._observable(found, outcomes)
        full = instance_ids is None and namespaces is None
        try:
            observation = self._observe(found, full=full)
        except Exception:  # noqa: the pass must report what it could not do
            # observe() fails VIM by VIM; this is a defect outside them.
            LOG.exception('Database synchronization pass could not observe '
                          'the cluster; the next pass retries.')
            outcomes.extend(outcome.Outcome(
                c.instance_id, c.api_version, outcome.FAILED,
                'the cluster could not be observed') for c in found)
            found, observation = [], observer.Observation({}, {})
            full = False  # what is not observed is not gone
        self.metrics.observed(observation, full=full)
        for failure in observation.failures.values():
            LOG.error('Database synchronization cannot observe VIM '
                      '%(vim)s (%(endpoint)s): %(reason)s. Its instances '
                      'are not synchronized this pass.',
                      {'vim': failure.vim_id, 'endpoint': failure.endpoint,
                       'reason': failure.reason})
        decided = [self._decide(candidate, observation, dry_run)
                   for candidate in found]
        pending = [(i, d) for i, d in enumerate(decided)
                   if isinstance(d, sync.Pending)]
        for start in range(0, len(pending), WRITE_BATCH):
            batch = pending[start:start + WRITE_BATCH]
            written = sync.write([d for _i, d in batch])
            for (index, _d), result in zip(batch, written):
                decided[index] = result
        outcomes.extend(decided)
        self._learn_workloads(found, full=instance_ids is None
                              and namespaces is None)
        result = outcome.PassResult(tuple(outcomes),
                                    tuple(observation.failures.values()),
                                    self._clock() - started, dry_run,
                                    not_owned=collector.not_owned)
        self.status.record(result, found, full=instance_ids is None
                           and namespaces is None, event=event)
        counts = result.counts()
        quiet = (event and not result.vim_failures
                 and counts[outcome.CHANGED] + counts[outcome.FAILED] == 0)
        # An event-driven pass that found nothing is not worth a line.
        (LOG.debug if quiet else LOG.info)(result.summary())
        return result

    def _learn_workloads(self, found, full):
        """Remember which instance each checked workload is a VDU of.

        A full pass builds the map anew and swaps it in with one
        assignment; an event-driven pass sets its few keys in place (the
        watch threads only ``get`` from it, which a concurrent setting of
        another key does not disturb), so it costs what it checked, not
        the size of the map.
        """
        owners = {} if full else self._owners
        for candidate in found:
            for target in candidate.targets.values():
                owners[(candidate.vim, candidate.namespace, target.kind,
                        target.name)] = candidate.instance_id
        self._owners = owners
        if full:
            checked = {c.instance_id for c in found}
            for gone in set(self._quiet) - checked:
                del self._quiet[gone]

    def owner_of(self, vim, namespace, kind, name):
        """The instance whose VDU is that workload, as the passes saw it."""
        return self._owners.get((vim, namespace, kind, name))

    def _owner_filter(self):
        """Which instances are this conductor's, for one pass.

        Without an answer from the coordination backend this conductor
        cannot tell its share from the others': it takes no instance
        (the others, or itself once the backend answers, catch up at
        their next pass), says so once per outage, and says when it
        resumes.
        """
        if self.partition is None:
            return None
        try:
            owns = self.partition.owner_filter()
        except Exception as exc:  # noqa: a backend outage must not stop us
            if not self._partition_lost:
                LOG.error('Cannot read the synchronization group from the '
                          'coordination backend (%s): this conductor '
                          'cannot tell which instances are its own, so it '
                          'synchronizes none until the backend answers '
                          'again.', _scrubbed(exc))
            self._partition_lost = True
            return lambda instance_id: False
        if self._partition_lost:
            self._partition_lost = False
            LOG.info('The coordination backend answers again; this '
                     'conductor synchronizes its share of the instances.')
        return owns

    def _observable(self, found, outcomes):
        """The candidates whose VimAccess can key the observation.

        The adapters build only VimAccess values of text fields; one that
        is not fails its instance here rather than the whole pass.
        """
        usable = []
        for candidate in found:
            try:
                hash(candidate.vim)
            except TypeError:
                LOG.error('Cannot synchronize vnf %(id)s: its VIM access '
                          'holds a value that is not text',
                          {'id': candidate.instance_id})
                outcomes.append(outcome.Outcome(
                    candidate.instance_id, candidate.api_version,
                    outcome.FAILED, 'VIM access holds a value that is not '
                    'text'))
            else:
                usable.append(candidate)
        return usable

    def _observe(self, found, full=True):
        wanted = {}
        for candidate in found:
            wanted.setdefault(candidate.vim, set()).add(candidate.namespace)
        if full:
            self.last_wanted = wanted
            self._clients.retain(wanted)
        sync_conf = CONF.database_sync
        return observer.observe(
            wanted, self._clients,
            timeout=sync_conf.kubernetes_request_timeout,
            max_workers=sync_conf.max_concurrent_vims,
            max_lists=sync_conf.max_concurrent_lists,
            informers=self.informers)

    def _decide(self, candidate, observation, dry_run):
        """An Outcome, or a ``sync.Pending`` write."""
        failure = observation.failures.get(candidate.vim)
        if failure is not None:
            return outcome.Outcome(candidate.instance_id,
                                   candidate.api_version, outcome.FAILED,
                                   'VIM %s: %s' % (failure.vim_id,
                                                   failure.reason))
        snapshot = observation.snapshot(candidate.vim, candidate.namespace)
        quiet = self._quiet.pop(candidate.instance_id, None)
        if quiet is not None and quiet.holds(candidate, snapshot):
            # The same record and the same cached snapshot as when the
            # instance was last found in step: so it still is.
            self._quiet[candidate.instance_id] = quiet
            return quiet.outcome
        try:
            result = sync.decide(
                candidate, snapshot, settle_clock=self._settle,
                now=self._clock(),
                settle_timeout=CONF.database_sync.settle_timeout,
                dry_run=dry_run)
        except Exception as exc:  # noqa: one instance never stops a pass
            LOG.exception('Database synchronization of vnf %(id)s failed: '
                          '%(err)s', {'id': candidate.instance_id,
                                      'err': exc})
            return outcome.Outcome(candidate.instance_id,
                                   candidate.api_version, outcome.FAILED,
                                   '%s: %s' % (type(exc).__name__, exc))
        if isinstance(result, sync.Pending):
            return result
        if getattr(snapshot, 'generation', None) is not None and \
                _Quiet.settled(result):
            self._quiet[candidate.instance_id] = _Quiet(
                candidate.source, snapshot, candidate.flavour,
                candidate.targets, result)
        return result


class _Quiet:
    """What an "unchanged" finding rested on, to reuse it while it holds.

    The plan of an instance is a pure function of its record, its
    package's flavour and targets, and what its VDUs read of the
    namespace snapshot (``ownership.inputs_of``); once the VDUs have
    settled it does not depend on the time.  The records are the
    ``Packed`` objects ``Reader`` keeps while their row is unchanged, so
    their identity is the test.  A watch-fed cache numbers each version
    of its namespace (``generation``): under the same number the finding
    holds at once; under a new one it holds if the instance's own
    objects are still the ones it was found with (an event elsewhere in
    the namespace does not make every instance there be planned again).
    The objects are the cache's own, so keeping them costs a reference
    each.  A snapshot LISTed for one pass has no number and is never
    reused: its objects would be kept alive beside the next pass's.
    """

    __slots__ = ('source', 'generation', 'inputs', 'flavour', 'targets',
                 'outcome')

    def __init__(self, source, snapshot, flavour, targets, result):
        self.source, self.generation = source, snapshot.generation
        self.inputs = ownership.inputs_of(snapshot, targets.values())
        self.flavour, self.targets, self.outcome = flavour, targets, result

    @staticmethod
    def settled(result):
        plan = result.plan
        return (result.status == outcome.UNCHANGED and plan is not None
                and not plan.unsettled_vdus and not plan.warnings)

    def holds(self, candidate, snapshot):
        generation = getattr(snapshot, 'generation', None)
        if generation is None or self.source is not candidate.source \
                or self.flavour is not candidate.flavour \
                or self.targets != candidate.targets:
            return False
        if generation == self.generation:
            return True
        # Equal tuples of the same objects compare by identity, at once.
        if ownership.inputs_of(snapshot, candidate.targets.values()) != \
                self.inputs:
            return False
        self.generation = generation
        return True
