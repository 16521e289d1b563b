"""LCM operation occurrences: create one, read one, move it along.

One table per API version (v1 ``vnf_lcm_op_occs``, v2
``VnfLcmOpOccV2``); the functions here take ``api_version`` and hide the
column names.  A state change is a compare-and-swap on the state the
caller expects (``UPDATE ... WHERE operationState IN (...)``), so two
conductors, or a conductor and the start-up recovery, can never both
move one occurrence.
"""

import dataclasses
import uuid

from oslo_utils import timeutils
import sqlalchemy as sa

from tacker.common import exceptions
from tacker.db import api as db_api
from tacker.db.models import v1 as v1_models
from tacker.db.models import v2 as v2_models

STARTING = 'STARTING'
PROCESSING = 'PROCESSING'
COMPLETED = 'COMPLETED'
FAILED_TEMP = 'FAILED_TEMP'
FAILED = 'FAILED'
ROLLING_BACK = 'ROLLING_BACK'
ROLLED_BACK = 'ROLLED_BACK'

#: States in which an occurrence blocks every other LCM operation.
IN_PROGRESS = (STARTING, PROCESSING, ROLLING_BACK)

API_VERSIONS = ('v1', 'v2')


@dataclasses.dataclass(frozen=True)
class OpOcc:
    id: str
    api_version: str
    instance_id: str
    operation: str
    state: str
    params: dict
    tenant_id: str | None
    start_time: object
    state_entered_time: object
    error: dict | None


@dataclasses.dataclass(frozen=True)
class _Columns:
    model: type
    instance_id: str
    state: str
    entered: str
    start: str
    params: str
    automatic: str
    cancel_pending: str


_COLUMNS = {
    'v1': _Columns(v1_models.VnfLcmOpOcc, 'vnf_instance_id',
                   'operation_state', 'state_entered_time', 'start_time',
                   'operation_params', 'is_automatic_invocation',
                   'is_cancel_pending'),
    'v2': _Columns(v2_models.VnfLcmOpOccV2, 'vnfInstanceId',
                   'operationState', 'stateEnteredTime', 'startTime',
                   'operationParams', 'isAutomaticInvocation',
                   'isCancelPending'),
}


def _columns(api_version):
    try:
        return _COLUMNS[api_version]
    except KeyError:
        raise exceptions.Invalid(reason='unknown API version %r'
                                 % (api_version,))


def _live(cols, table):
    # v1 rows are soft-deleted; v2 rows are removed for real.
    if 'deleted' in table.c:
        return [v1_models.live(table.c.deleted)]
    return []


def create(session, api_version, *, instance_id, operation, params,
           tenant_id=None, now=None):
    """Insert a STARTING occurrence in ``session``; returns its id."""
    cols = _columns(api_version)
    now = now or timeutils.utcnow()
    op_id = str(uuid.uuid4())
    values = {'id': op_id, cols.instance_id: instance_id,
              cols.state: STARTING, cols.entered: now, cols.start: now,
              'operation': operation, cols.params: params,
              cols.automatic: False, cols.cancel_pending: False}
    if api_version == 'v1':
        values['tenant_id'] = tenant_id
    session.execute(sa.insert(cols.model.__table__).values(**values))
    return op_id


def _to_op_occ(api_version, cols, row):
    return OpOcc(id=row.id, api_version=api_version,
                 instance_id=row._mapping[cols.instance_id],
                 operation=row.operation,
                 state=row._mapping[cols.state],
                 params=row._mapping[cols.params] or {},
                 tenant_id=(row._mapping['tenant_id']
                            if api_version == 'v1' else None),
                 start_time=row._mapping[cols.start],
                 state_entered_time=row._mapping[cols.entered],
                 error=row.error)


def _select(api_version):
    cols = _columns(api_version)
    table = cols.model.__table__
    wanted = [table.c.id, table.c[cols.instance_id], table.c.operation,
              table.c[cols.state], table.c[cols.params], table.c[cols.start],
              table.c[cols.entered], table.c.error]
    if api_version == 'v1':
        wanted.append(table.c.tenant_id)
    return cols, table, sa.select(*wanted).where(*_live(cols, table))


def get(api_version, op_occ_id):
    cols, table, query = _select(api_version)
    with db_api.reader_session() as session:
        row = session.execute(query.where(table.c.id == op_occ_id)).first()
    if row is None:
        raise exceptions.NotFound(what='VnfLcmOpOcc', id=op_occ_id)
    return _to_op_occ(api_version, cols, row)


def for_instance(session, api_version, instance_id):
    """The instance's occurrences, oldest first, read in ``session``."""
    cols, table, query = _select(api_version)
    query = query.where(table.c[cols.instance_id] == instance_id).order_by(
        table.c[cols.start], table.c.id)
    return [_to_op_occ(api_version, cols, row)
            for row in session.execute(query)]


def transition(api_version, op_occ_id, *, from_states, to_state,
               error=None, now=None):
    """Move the occurrence to ``to_state`` if it is in ``from_states``.

    Returns True when it moved, False when it was in another state.
    ``error`` (a ProblemDetails dict) is written with the state.
    """
    cols = _columns(api_version)
    table = cols.model.__table__
    values = {cols.state: to_state, cols.entered: now or timeutils.utcnow()}
    if error is not None:
        values['error'] = error
    if 'updated_at' in table.c:
        values['updated_at'] = values[cols.entered]
    with db_api.writer_session() as session:
        result = session.execute(
            sa.update(table)
            .where(table.c.id == op_occ_id,
                   table.c[cols.state].in_(list(from_states)))
            .values(**values))
    return result.rowcount == 1


def problem(status, title, detail):
    """The ProblemDetails-like dict stored in an occurrence's ``error``."""
    return {'status': status, 'title': title, 'detail': detail}
