"""Start-up recovery: settle what a crashed process left behind.

A small table of (what a crash leaves -> what to set) per record kind;
``recover`` applies it once when tacker-conductor starts, before it takes
new work.
"""

from oslo_log import log as logging
from oslo_utils import timeutils
import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.db import v1_repository as v1_repo
from tacker.db.models import v1 as v1_models
from tacker.db.models import v2 as v2_models

LOG = logging.getLogger(__name__)

# operation state left by a crash -> the state that tells the truth
OP_OCC_RECOVERY = (
    ('STARTING', 'ROLLED_BACK'),
    ('PROCESSING', 'FAILED_TEMP'),
)
LEFTOVER_TASK_STATES = ('DB_SYNCHRONIZING',)
# v1 task states an LCM operation holds; cleared where that instance's
# op occ is being recovered (the operation died with its conductor).
LCM_TASK_STATES = ('INSTANTIATING', 'SCALING', 'HEALING', 'TERMINATING')


def _recover_op_occs(session, table, state_col, time_col, now):
    changed = 0
    for stale, settled in OP_OCC_RECOVERY:
        result = session.execute(
            sa.update(table).where(table.c[state_col] == stale)
            .values({state_col: settled, time_col: now}))
        changed += result.rowcount
    return changed


def _recover_v1_task_states(session, now):
    ops = v1_models.VnfLcmOpOcc.__table__
    instances = v1_models.VnfInstance.__table__
    crashed = (sa.select(ops.c.vnf_instance_id)
               .where(ops.c.operation_state.in_(
                   [stale for stale, _ in OP_OCC_RECOVERY]),
                   ops.c.deleted.is_(False)))
    result = session.execute(
        sa.update(instances)
        .where(instances.c.id.in_(crashed),
               instances.c.task_state.in_(LCM_TASK_STATES))
        .values(task_state=None, updated_at=now))
    return result.rowcount


def recover():
    """Apply the recovery table; returns what was changed, for the log."""
    report = {}
    for task_state in LEFTOVER_TASK_STATES:
        report['task_state ' + task_state] = \
            v1_repo.clear_task_state_everywhere(task_state)
    now = timeutils.utcnow()
    with db_api.writer_session() as session:
        # Before the op occs change state: they say which instances.
        report['v1 LCM task_state'] = _recover_v1_task_states(session, now)
        report['v1 op occs'] = _recover_op_occs(
            session, v1_models.VnfLcmOpOcc.__table__, 'operation_state',
            'state_entered_time', now)
        report['v2 op occs'] = _recover_op_occs(
            session, v2_models.VnfLcmOpOccV2.__table__, 'operationState',
            'stateEnteredTime', now)
    for what, count in sorted(report.items()):
        if count:
            LOG.warning('Start-up recovery: %(count)d %(what)s left by a '
                        'previous conductor were settled.',
                        {'count': count, 'what': what})
    return report
