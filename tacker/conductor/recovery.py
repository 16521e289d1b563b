"""Recovery: settle what a crashed process left behind.

A small table of (state a crash leaves -> state that tells the truth) for
op occs, plus the v1 ``task_state`` values such a crash leaves.  It runs
when tacker-conductor starts and again before every periodic pass, and
it is safe while other conductors work: a record is only settled while
its instance lock can be taken, and every live owner of such a record
holds that lock (an LCM run from PROCESSING to its end, a synchronization
while it writes).  A STARTING op occ is not under the lock while its
request waits for a conductor, so it only counts as lost once it is
older than ``starting_grace()``.  A v1 ``DB_SYNCHRONIZING`` is not always
under the lock either (Tacker's own synchronization sets it without), so
it only counts as left once it is older than ``[database_sync]
stale_claim_age``.
"""

import collections
import datetime

from oslo_log import log as logging
from oslo_utils import timeutils

from tacker.common import coordination
from tacker.common import exceptions
from tacker.common import states
from tacker import versions
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

# operation state left by a crash -> the state that tells the truth
OP_OCC_RECOVERY = {
    states.STARTING: states.ROLLED_BACK,
    states.PROCESSING: states.FAILED_TEMP,
    states.ROLLING_BACK: states.FAILED_TEMP,
}


def starting_grace():
    """Seconds after which a STARTING op occ counts as lost.

    Long enough for a request to wait in the conductor's queue behind
    other operations and for the instance lock.
    """
    lcm = CONF.vnf_lcm
    return lcm.lock_wait_timeout + 2 * lcm.operation_timeout


def _suspects(adapter, now):
    cutoff = now - datetime.timedelta(seconds=starting_grace())
    return [occ for occ in adapter.op_occs.in_states(OP_OCC_RECOVERY)
            if occ.state in (states.PROCESSING, states.ROLLING_BACK)
            or occ.state_entered_time is None
            or occ.state_entered_time < cutoff]


def _settle_op_occ(adapter, occ, now):
    return int(adapter.op_occs.transition(
        occ.id, from_states=[occ.state], to_state=OP_OCC_RECOVERY[occ.state],
        now=now, then=adapter.after_lost_op_occ(occ.instance_id, now)))


def _under_lock(instance_id, action):
    """``action()`` while holding the instance lock; 0 if it is held."""
    try:
        with coordination.instance_lock(instance_id):
            return action()
    except exceptions.LockHeld:
        return 0  # a live owner: not ours to settle


def recover(now=None, *, op_occs=True):
    """Settle dead owners' leftovers; returns counts for the log.

    ``op_occs=False`` leaves op occs alone and clears only what a
    synchronization left: for a synchronization that runs beside another
    conductor (Tacker's), which owns the LCM operations.
    """
    now = now or timeutils.utcnow()
    report = collections.Counter()
    for adapter in versions.ALL:
        label = '%s op occs' % adapter.api_version
        for occ in _suspects(adapter, now) if op_occs else ():
            report[label] += _under_lock(
                occ.instance_id, lambda: _settle_op_occ(adapter, occ, now))
        for instance_id in adapter.sync_leftovers(now):
            report['task_state ' + states.DB_SYNCHRONIZING] += _under_lock(
                instance_id,
                lambda: adapter.clear_sync_leftover(instance_id, now))
    for what, count in sorted(report.items()):
        if count:
            LOG.warning('Recovery: %(count)d %(what)s left by a conductor '
                        'that died were settled.',
                        {'count': count, 'what': what})
    return report
