"""Reads and guarded writes of v2 records (VnfInstanceV2, VnfLcmOpOccV2).

Readers return plain frozen dataclasses, never live ORM objects, so
nothing outside this module can write by accident.  Writes go through
``cas.swap`` against the version read.

Object fields are decoded and encoded by their column type
(``storage_v2``); a column that cannot be read, or holds the wrong kind
of JSON, is listed in the record's ``problems`` (field and reason, never
the value) and the record is still returned.
"""

import dataclasses

import sqlalchemy as sa

from tacker.common import exceptions
from tacker.db import api as db_api
from tacker.db import cas
from tacker.db.models import v2 as models
from tacker.db import types

# The columns an instance write may change, guarded by compare-and-swap.
GUARDED = ('instantiationState', 'instantiatedVnfInfo', 'metadata')


@dataclasses.dataclass(frozen=True)
class InstanceV2:
    id: str
    vnfd_id: str
    instantiation_state: str
    vim_connection_info: dict
    instantiated_vnf_info: dict | None
    metadata: dict | None
    version: cas.RowVersion = dataclasses.field(repr=False, compare=False)
    # One line per column that could not be read ("field: reason").
    problems: tuple = ()


@dataclasses.dataclass(frozen=True)
class OpOccV2:
    id: str
    vnf_instance_id: str
    operation: str
    operation_state: str
    start_time: object
    state_entered_time: object


def _instance_select():
    m = models.VnfInstanceV2
    return sa.select(m.id, m.vnfdId, m.instantiationState,
                     m.vimConnectionInfo, m.instantiatedVnfInfo,
                     m.metadata_, *cas.raw_columns(m, GUARDED))


def _to_instance(row):
    problems = []

    def checked(field, value):
        problem = types.field_problem(field, value, dict)
        if problem:
            problems.append(problem)
            return None
        return value

    return InstanceV2(
        id=row.id, vnfd_id=row.vnfdId,
        instantiation_state=row.instantiationState,
        vim_connection_info=checked('vimConnectionInfo',
                                    row.vimConnectionInfo) or {},
        instantiated_vnf_info=checked('instantiatedVnfInfo',
                                      row.instantiatedVnfInfo),
        metadata=checked('metadata', row.metadata_),
        version=cas.version_from_row(models.VnfInstanceV2, row, GUARDED),
        problems=tuple(problems))


def list_instances(instantiation_state=None, ids=None):
    query = _instance_select().order_by(models.VnfInstanceV2.id)
    if instantiation_state is not None:
        query = query.where(
            models.VnfInstanceV2.instantiationState == instantiation_state)
    if ids is not None:
        query = query.where(models.VnfInstanceV2.id.in_(list(ids)))
    with db_api.reader_session() as session:
        return [_to_instance(row) for row in session.execute(query)]


def get_instance(instance_id):
    query = _instance_select().where(models.VnfInstanceV2.id == instance_id)
    with db_api.reader_session() as session:
        row = session.execute(query).first()
    if row is None:
        raise exceptions.NotFound(what='VnfInstanceV2', id=instance_id)
    return _to_instance(row)


def update_instance(instance, **values):
    """Write ``values`` (column names) if the instance is as read."""
    with db_api.writer_session() as session:
        cas.swap(session, instance.version, _columns(values))


def _columns(values):
    # The attribute for the 'metadata' column is metadata_; callers may
    # use the column name.
    return {('metadata' if k == 'metadata_' else k): v
            for k, v in values.items()}


def _to_op_occ(row):
    return OpOccV2(id=row.id, vnf_instance_id=row.vnfInstanceId,
                   operation=row.operation,
                   operation_state=row.operationState,
                   start_time=row.startTime,
                   state_entered_time=row.stateEnteredTime)


def list_op_occs(instance_ids):
    """Op occs of the given instances, oldest first, in one query."""
    m = models.VnfLcmOpOccV2
    query = (sa.select(m.id, m.vnfInstanceId, m.operation,
                       m.operationState, m.startTime, m.stateEnteredTime)
             .where(m.vnfInstanceId.in_(list(instance_ids)))
             .order_by(m.startTime, m.id))
    with db_api.reader_session() as session:
        return [_to_op_occ(row) for row in session.execute(query)]
