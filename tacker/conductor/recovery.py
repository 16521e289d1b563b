"""Recovery: settle what a crashed process left behind.

A small table of (state a crash leaves -> state that tells the truth) for
op occs, plus the v1 ``task_state`` values such a crash leaves.  It runs
when tacker-conductor starts and again before every periodic pass, and
it is safe while other conductors work: a record is only settled while
its instance lock can be taken, and every live owner of such a record
holds that lock (an LCM run from PROCESSING to its end, a synchronization
while it writes).  A STARTING op occ is not under the lock while its
request waits for a conductor, so it only counts as lost once it is
older than ``starting_grace()``.
"""

import collections
import datetime

from oslo_log import log as logging
from oslo_utils import timeutils
import sqlalchemy as sa

from tacker.common import coordination
from tacker.common import exceptions
from tacker.db import api as db_api
from tacker.db.models import v1 as v1_models
from tacker.db.models import v2 as v2_models
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

# operation state left by a crash -> the state that tells the truth
OP_OCC_RECOVERY = {
    'STARTING': 'ROLLED_BACK',
    'PROCESSING': 'FAILED_TEMP',
}
# v1 task states an LCM operation holds; cleared with its op occ.
LCM_TASK_STATES = ('INSTANTIATING', 'SCALING', 'HEALING', 'TERMINATING')
SYNC_TASK_STATE = 'DB_SYNCHRONIZING'

_OpOccTable = collections.namedtuple(
    '_OpOccTable', 'label table state instance entered deleted')


def _tables():
    v1 = v1_models.VnfLcmOpOcc.__table__
    v2 = v2_models.VnfLcmOpOccV2.__table__
    return (
        _OpOccTable('v1 op occs', v1, v1.c.operation_state,
                    v1.c.vnf_instance_id, v1.c.state_entered_time,
                    v1.c.deleted),
        _OpOccTable('v2 op occs', v2, v2.c.operationState,
                    v2.c.vnfInstanceId, v2.c.stateEnteredTime, None),
    )


def starting_grace():
    """Seconds after which a STARTING op occ counts as lost.

    Long enough for a request to wait in the conductor's queue behind
    other operations and for the instance lock.
    """
    lcm = CONF.vnf_lcm
    return lcm.lock_wait_timeout + 2 * lcm.operation_timeout


def _suspects(table, now):
    cutoff = now - datetime.timedelta(seconds=starting_grace())
    query = sa.select(table.table.c.id, table.state, table.instance,
                      table.entered).where(
        table.state.in_(list(OP_OCC_RECOVERY)))
    if table.deleted is not None:
        query = query.where(v1_models.live(table.deleted))
    with db_api.reader_session() as session:
        rows = session.execute(query).all()
    return [row for row in rows
            if row[1] == 'PROCESSING' or row[3] is None or row[3] < cutoff]


def _settle_op_occ(table, row, now):
    op_id, state, instance_id, _entered = row
    with db_api.writer_session() as session:
        result = session.execute(
            sa.update(table.table)
            .where(table.table.c.id == op_id, table.state == state)
            .values({table.state.key: OP_OCC_RECOVERY[state],
                     table.entered.key: now}))
        if result.rowcount and table.label.startswith('v1'):
            instances = v1_models.VnfInstance.__table__
            session.execute(
                sa.update(instances)
                .where(instances.c.id == instance_id,
                       instances.c.task_state.in_(LCM_TASK_STATES))
                .values(task_state=None, updated_at=now))
    return result.rowcount


def _sync_leftovers():
    instances = v1_models.VnfInstance.__table__
    with db_api.reader_session() as session:
        return [r.id for r in session.execute(
            sa.select(instances.c.id).where(
                instances.c.task_state == SYNC_TASK_STATE))]


def _clear_sync_leftover(instance_id, now):
    instances = v1_models.VnfInstance.__table__
    with db_api.writer_session() as session:
        return session.execute(
            sa.update(instances)
            .where(instances.c.id == instance_id,
                   instances.c.task_state == SYNC_TASK_STATE)
            .values(task_state=None, updated_at=now)).rowcount


def _under_lock(instance_id, action):
    """``action()`` while holding the instance lock; 0 if it is held."""
    try:
        with coordination.instance_lock(instance_id):
            return action()
    except exceptions.LockHeld:
        return 0  # a live owner: not ours to settle


def recover(now=None):
    """Settle dead owners' leftovers; returns counts for the log."""
    now = now or timeutils.utcnow()
    report = collections.Counter()
    for table in _tables():
        for row in _suspects(table, now):
            report[table.label] += _under_lock(
                row[2], lambda: _settle_op_occ(table, row, now))
    for instance_id in _sync_leftovers():
        report['task_state ' + SYNC_TASK_STATE] += _under_lock(
            instance_id, lambda: _clear_sync_leftover(instance_id, now))
    for what, count in sorted(report.items()):
        if count:
            LOG.warning('Recovery: %(count)d %(what)s left by a conductor '
                        'that died were settled.',
                        {'count': count, 'what': what})
    return report
