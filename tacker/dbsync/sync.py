"""Synchronize instances with their namespaces: ``decide``, then ``write``.

The flow is the same for v1 and v2; the candidate's version adapter
(``tacker.versions``) supplies the three version-specific steps: read the
stored record into the core model, guard the write (v1 also claims
``task_state``), and write the plan.

Decide, then act: the plan comes from the pure ``reconcile``; only a
plan with changes takes the instance lock and writes, so a pass without
drift writes nothing and takes no lock.  A pass decides every instance
first (``decide``) and then writes the changed ones in batches
(``write``).  The write is a compare-and-swap against the record read
at the start of the pass, so an LCM operation that wrote in between
wins and this instance is retried next pass.
"""

import contextlib
import dataclasses
import threading

from oslo_log import log as logging
from oslo_utils import timeutils

from tacker.common import coordination
from tacker.common import exceptions
from tacker.common import notifications
from tacker.vnfm.infra_drivers.kubernetes import outcome
from tacker.vnfm.infra_drivers.kubernetes import ownership
from tacker.vnfm.infra_drivers.kubernetes import reconcile
from tacker.vnfpkgm import errors as package_errors

LOG = logging.getLogger(__name__)

IN_PROGRESS_MSG = ('There is an LCM operation in progress, so skip this DB '
                   'synchronization. vnf: %(id)s')
# The reason of a write given up because the instance was held (its lock,
# or a v1 task_state): what the metrics count as a lock conflict.
LOCK_HELD = 'LCM operation in progress (instance locked)'


class SettleClock:
    """Since when each (instance, VDU) has been seen unsettled."""

    def __init__(self):
        self._since = {}
        self._lock = threading.Lock()

    def since(self, instance_id):
        with self._lock:
            return dict(self._since.get(instance_id, {}))

    def update(self, instance_id, unsettled_vdus, now):
        with self._lock:
            old = self._since.get(instance_id, {})
            new = {vdu: old.get(vdu, now) for vdu in unsettled_vdus}
            if new:
                self._since[instance_id] = new
            else:
                self._since.pop(instance_id, None)


def _scaling(candidate):
    scaling = {}
    for vdu_id in candidate.targets:
        try:
            scaling[vdu_id] = candidate.flavour.vdu_scaling(vdu_id)
        except package_errors.VduNotFound:
            scaling[vdu_id] = None
    return scaling


def plan_for(candidate, snapshot, *, settle_clock, now, settle_timeout):
    """``(stored record in the model's terms, reconcile plan)`` (no I/O)."""
    stored = candidate.adapter.stored(candidate.record, candidate.targets)
    observations = ownership.observe_vdus(snapshot,
                                          candidate.targets.values())
    plan = reconcile.reconcile(
        stored, observations, _scaling(candidate), now=now,
        unsettled_since=settle_clock.since(candidate.instance_id),
        settle_timeout=settle_timeout)
    settle_clock.update(candidate.instance_id, plan.unsettled_vdus, now)
    return stored, plan


@dataclasses.dataclass(frozen=True)
class Pending:
    """A plan with changes, decided, to be written (see ``write``)."""

    # The record is not kept: the candidate unpacks it again to write
    # (decoded, a pass's pending records would all be held at once).
    candidate: object
    stored: object
    plan: object
    observed_at: object

    def outcome(self, status, reason=None):
        return outcome.Outcome(self.candidate.instance_id,
                               self.candidate.api_version, status, reason,
                               self.plan)


def decide(candidate, snapshot, *, settle_clock, now, settle_timeout,
           dry_run=False):
    """An ``outcome.Outcome``, or a ``Pending`` write (no I/O)."""
    instance_id = candidate.instance_id

    def result(status, reason=None):
        return outcome.Outcome(instance_id, candidate.api_version, status,
                               reason, plan)

    observed_at = timeutils.utcnow()
    stored, plan = plan_for(
        candidate, snapshot, settle_clock=settle_clock, now=now,
        settle_timeout=settle_timeout)
    if plan.outcome == outcome.FAILED:
        for error in plan.errors:
            LOG.error(error.message)
        return result(outcome.FAILED, '; '.join(e.message
                                                for e in plan.errors))
    if plan.outcome == outcome.DEFERRED:
        reason = '; '.join(plan.deferred_reasons)
        LOG.info('Database synchronization of vnf %(id)s deferred until '
                 'its workloads settle: %(reason)s',
                 {'id': instance_id, 'reason': reason})
        return result(outcome.DEFERRED, reason)
    if plan.is_empty:
        return result(outcome.UNCHANGED)
    for warning in plan.warnings:
        LOG.warning(warning)
    if dry_run:
        return result(outcome.CHANGED, 'dry run: nothing written')
    return Pending(candidate, stored, plan, observed_at)


def write(pendings):
    """Write decided plans; their Outcomes, in the same order.

    Each instance is written under its lock and as a compare-and-swap
    against the record read.  Where the version allows it (v2) the
    writes of one adapter share one transaction, so a batch costs one
    commit rather than one per instance; a row that changed in between
    is left out of the batch and the others are written.  If the batch
    itself cannot be committed, none of it is written and each of its
    instances fails for this pass.
    """
    results = {}
    by_adapter = {}
    for index, pending in enumerate(pendings):
        by_adapter.setdefault(pending.candidate.adapter, []).append(
            (index, pending))
    for adapter, items in by_adapter.items():
        results.update(_write_batch(adapter, items))
    return [results[index] for index in range(len(pendings))]


def _write_batch(adapter, items):
    results, written = {}, []
    with contextlib.ExitStack() as locks:
        held = []
        for index, pending in items:
            try:
                locks.enter_context(coordination.instance_lock(
                    pending.candidate.instance_id))
            except exceptions.LockHeld:
                LOG.info(IN_PROGRESS_MSG,
                         {'id': pending.candidate.instance_id})
                results[index] = pending.outcome(outcome.SKIPPED, LOCK_HELD)
            except exceptions.CoordinationUnavailable as exc:
                # Said once by coordination; each instance fails alone
                # (the next ones fail at once) and the next pass retries.
                results[index] = pending.outcome(outcome.FAILED,
                                                 exc.message)
            else:
                held.append((index, pending))
        try:
            with adapter.batch() as session:
                for index, pending in held:
                    status = _write_one(adapter, pending, session)
                    if status is None:
                        written.append((index, pending))
                    else:
                        results[index] = status
        except Exception as exc:  # noqa: a failed batch fails its instances
            unwritten = [(i, p) for i, p in held if i not in results]
            LOG.exception('Writing the synchronization of %(n)d vnf '
                          'instances in one transaction failed; none of '
                          'them was written, the next pass tries again: '
                          '%(err)s', {'n': len(unwritten), 'err': exc})
            for index, pending in unwritten:
                results[index] = pending.outcome(
                    outcome.FAILED, '%s: %s' % (type(exc).__name__, exc))
            return results
    for index, pending in written:
        for line in pending.plan.log_lines():
            LOG.info(line)
        notifications.db_sync_update(pending.stored, pending.plan,
                                     pending.observed_at)
        results[index] = pending.outcome(outcome.CHANGED)
    return results


def _write_one(adapter, pending, session):
    """None when written (pending the batch's commit), else an Outcome."""
    candidate = pending.candidate
    try:
        with adapter.guard(candidate):
            adapter.write_plan(candidate.record, pending.plan,
                               vim_connection_id=candidate.vim.vim_id,
                               session=session)
    except exceptions.LockHeld:
        LOG.info(IN_PROGRESS_MSG, {'id': candidate.instance_id})
        return pending.outcome(outcome.SKIPPED, LOCK_HELD)
    except exceptions.StaleRecord:
        LOG.info('vnf %(id)s was changed by an LCM operation during the '
                 'synchronization; nothing was written, the next pass '
                 'checks it again.', {'id': candidate.instance_id})
        return pending.outcome(outcome.SKIPPED, 'changed during the pass')
    except Exception as exc:  # noqa: see below
        if session is not None:
            raise  # the shared transaction is no longer sound
        LOG.exception('Database synchronization of vnf %(id)s failed: '
                      '%(err)s', {'id': candidate.instance_id, 'err': exc})
        return pending.outcome(outcome.FAILED,
                               '%s: %s' % (type(exc).__name__, exc))
    return None
