"""``sync_db``: synchronize one instance with its namespace's snapshot.

The flow is the same for v1 and v2; the candidate's version adapter
(``tacker.versions``) supplies the three version-specific steps: read the
stored record into the core model, guard the write (v1 also claims
``task_state``), and write the plan.

Decide, then act: the plan comes from the pure ``reconcile``; only a
plan with changes takes the instance lock and writes, so a pass without
drift writes nothing and takes no lock.  The write is a compare-and-swap
against the record read at the start of the pass, so an LCM operation
that wrote in between wins and this instance is retried next pass.
"""

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


def sync_db(candidate, snapshot, *, settle_clock, now, settle_timeout,
            dry_run=False):
    """Synchronize one instance; returns an ``outcome.Outcome``."""
    instance_id = candidate.instance_id
    adapter = candidate.adapter

    def result(status, reason=None):
        return outcome.Outcome(instance_id, adapter.api_version, status,
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
    try:
        with coordination.instance_lock(instance_id):
            with adapter.guard(candidate):
                adapter.write_plan(candidate.record, plan,
                                   vim_connection_id=candidate.vim.vim_id)
    except exceptions.LockHeld:
        LOG.info(IN_PROGRESS_MSG, {'id': instance_id})
        return result(outcome.SKIPPED, LOCK_HELD)
    except exceptions.StaleRecord:
        LOG.info('vnf %(id)s was changed by an LCM operation during the '
                 'synchronization; nothing was written, the next pass '
                 'checks it again.', {'id': instance_id})
        return result(outcome.SKIPPED, 'changed during the pass')
    for line in plan.log_lines():
        LOG.info(line)
    notifications.db_sync_update(stored, plan, observed_at)
    return result(outcome.CHANGED)
