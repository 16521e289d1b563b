"""LCM operation occurrences: create one, read them, move one along.

One table per API version (v1 ``vnf_lcm_op_occs``, v2 ``VnfLcmOpOccV2``)
with the same facts under other column names; an ``OpOccTable`` knows one
table's names, and ``V1`` and ``V2`` are the two.  A state change is a
compare-and-swap on the state the caller expects (``UPDATE ... WHERE
operationState IN (...)``), so two conductors, or a conductor and the
start-up recovery, can never both move one occurrence.
"""

import dataclasses
import uuid

from oslo_utils import timeutils
import sqlalchemy as sa

from tacker.common import exceptions
from tacker.common import states
from tacker.db import api as db_api
from tacker.db.models import v1 as v1_models
from tacker.db.models import v2 as v2_models
from tacker.db import types


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


def problem(status, title, detail):
    """The ProblemDetails-like dict stored in an occurrence's ``error``."""
    return {'status': status, 'title': title, 'detail': detail}


class OpOccTable:
    """The op occ table of one API version, under its column names."""

    def __init__(self, api_version, model, *, instance_id, state, entered,
                 start, params, automatic, cancel_pending, tenant=None,
                 soft_deleted=False):
        self.api_version = api_version
        self.model = model
        self.table = model.__table__
        c = self.table.c
        self.instance_id, self.state = c[instance_id], c[state]
        self.entered, self.start = c[entered], c[start]
        self.params = c[params]
        self._automatic, self._cancel_pending = automatic, cancel_pending
        # v1 rows carry their project and are soft-deleted; v2 rows have
        # no project and are removed for real.
        self.tenant = c[tenant] if tenant else None
        self._live = [v1_models.live(c.deleted)] if soft_deleted else []

    # --- writing

    def create(self, session, *, instance_id, operation, params,
               tenant_id=None, now=None):
        """Insert a STARTING occurrence in ``session``; returns its id."""
        now = now or timeutils.utcnow()
        op_id = str(uuid.uuid4())
        values = {'id': op_id, self.instance_id.key: instance_id,
                  self.state.key: states.STARTING, self.entered.key: now,
                  self.start.key: now, 'operation': operation,
                  self.params.key: params, self._automatic: False,
                  self._cancel_pending: False}
        if self.tenant is not None:
            values[self.tenant.key] = tenant_id
        session.execute(sa.insert(self.table).values(**values))
        return op_id

    def transition(self, op_occ_id, *, from_states, to_state, error=None,
                   now=None, then=None, clear_error=False):
        """Move the occurrence to ``to_state`` if it is in ``from_states``.

        Returns True when it moved, False when it was in another state.
        ``error`` (a ProblemDetails dict) is written with the state, or
        with ``clear_error`` the error is removed (SQL NULL);
        ``then(session)`` runs in the same transaction once it moved.
        """
        values = {self.state.key: to_state,
                  self.entered.key: now or timeutils.utcnow()}
        if error is not None:
            values['error'] = error
        elif clear_error:
            values['error'] = sa.null()
        if 'updated_at' in self.table.c:
            values['updated_at'] = values[self.entered.key]
        with db_api.writer_session() as session:
            moved = session.execute(
                sa.update(self.table)
                .where(self.table.c.id == op_occ_id,
                       self.state.in_(list(from_states)))
                .values(**values)).rowcount == 1
            if moved and then is not None:
                then(session)
        return moved

    # --- reading, as records

    @property
    def _oldest_first(self):
        # Tacker's DATETIME columns keep whole seconds on MariaDB, so two
        # operations of one instance often share a start time.  One only
        # starts once the one before has ended (or was failed), so the
        # time each entered its state orders them; the id, a random UUID,
        # is the last resort and says nothing about age.
        return (self.start, self.entered, self.table.c.id)

    def _select(self):
        c = self.table.c
        wanted = [c.id, self.instance_id, c.operation, self.state,
                  self.params, self.start, self.entered, c.error]
        if self.tenant is not None:
            wanted.append(self.tenant)
        return sa.select(*wanted).where(*self._live)

    def _record(self, row):
        values = row._mapping
        return OpOcc(
            id=row.id, api_version=self.api_version,
            instance_id=values[self.instance_id.key],
            operation=row.operation, state=values[self.state.key],
            params=values[self.params.key] or {},
            tenant_id=(values[self.tenant.key]
                       if self.tenant is not None else None),
            start_time=values[self.start.key],
            state_entered_time=values[self.entered.key], error=row.error)

    def get(self, op_occ_id):
        with db_api.reader_session() as session:
            row = session.execute(self._select().where(
                self.table.c.id == op_occ_id)).first()
        if row is None:
            raise exceptions.NotFound(what='VnfLcmOpOcc', id=op_occ_id)
        return self._record(row)

    def for_instance(self, session, instance_id):
        """The instance's occurrences, oldest first, read in ``session``."""
        query = self._select().where(self.instance_id == instance_id)
        return [self._record(row) for row in session.execute(
            query.order_by(*self._oldest_first))]

    def for_instances(self, instance_ids):
        """The occurrences of many instances, oldest first, one query."""
        query = self._select().where(self.instance_id.in_(
            list(instance_ids)))
        with db_api.reader_session() as session:
            return [self._record(row) for row in session.execute(
                query.order_by(*self._oldest_first))]

    def in_states(self, wanted):
        """Every live occurrence in one of the ``wanted`` states."""
        query = self._select().where(self.state.in_(list(wanted)))
        with db_api.reader_session() as session:
            return [self._record(row) for row in session.execute(query)]

    # --- reading, as the API shows them

    def _rows(self, tenant_id):
        query = sa.select(self.model).where(*self._live)
        if tenant_id is not None and self.tenant is not None:
            query = query.where(self.tenant == tenant_id)
        return query

    def list_views(self, tenant_id=None):
        """Every occurrence as a dict of its columns, oldest first."""
        query = self._rows(tenant_id).order_by(*self._oldest_first)
        with db_api.reader_session() as session:
            return [types.readable_columns(row)
                    for row in session.execute(query).scalars()]

    def view(self, op_occ_id, tenant_id=None):
        query = self._rows(tenant_id).where(self.table.c.id == op_occ_id)
        with db_api.reader_session() as session:
            row = session.execute(query).scalar_one_or_none()
            if row is None:
                raise exceptions.NotFound(
                    what='VNF LCM operation occurrence', id=op_occ_id)
            return types.readable_columns(row)


V1 = OpOccTable(
    'v1', v1_models.VnfLcmOpOcc, instance_id='vnf_instance_id',
    state='operation_state', entered='state_entered_time',
    start='start_time', params='operation_params',
    automatic='is_automatic_invocation', cancel_pending='is_cancel_pending',
    tenant='tenant_id', soft_deleted=True)

V2 = OpOccTable(
    'v2', v2_models.VnfLcmOpOccV2, instance_id='vnfInstanceId',
    state='operationState', entered='stateEnteredTime', start='startTime',
    params='operationParams', automatic='isAutomaticInvocation',
    cancel_pending='isCancelPending')
