"""Reads and guarded writes of v1 records.

An instance is read together with its live ``vnf_instantiated_info`` row.
Two kinds of guarded write exist: the ``task_state`` claim, one atomic
``UPDATE ... WHERE task_state IS NULL``, and the compare-and-swap of the
instantiated info columns against the version read.

Records hold plain dicts (``storage_v1`` decodes Tacker's primitives);
writes encode them back into Tacker's form.  A column that cannot be
read is listed in the record's ``problems`` (field and reason, never the
value), and the record is still returned: one bad row never hides the
others.
"""

import dataclasses

import sqlalchemy as sa

from tacker.common import exceptions
from tacker.db import api as db_api
from tacker.db import cas
from tacker.db.models import v1 as models
from tacker.db import storage_v1
from tacker.db import types

INFO_GUARDED = ('vnfc_resource_info', 'scale_status', 'vnfc_info')


@dataclasses.dataclass(frozen=True)
class InstantiatedInfoV1:
    id: int
    flavour_id: str
    vnfc_resource_info: list
    scale_status: list
    vnfc_info: list
    instantiation_level_id: str | None
    additional_params: dict | None
    version: cas.RowVersion = dataclasses.field(repr=False, compare=False)
    # The lists as stored, for writing back in Tacker's form.
    stored: dict = dataclasses.field(repr=False, compare=False,
                                     default_factory=dict)


@dataclasses.dataclass(frozen=True)
class InstanceV1:
    id: str
    vnfd_id: str
    vnf_pkg_id: str
    tenant_id: str
    instantiation_state: str
    task_state: str | None
    vim_connection_info: list
    vnf_metadata: dict
    instantiated: InstantiatedInfoV1 | None
    # One line per column that could not be read ("field: reason").
    problems: tuple = ()


@dataclasses.dataclass(frozen=True)
class OpOccV1:
    id: str
    vnf_instance_id: str
    operation: str
    operation_state: str
    start_time: object
    state_entered_time: object
    created_at: object


def _instance_select():
    i = models.VnfInstance
    info = models.VnfInstantiatedInfo
    return (sa.select(i.id, i.vnfd_id, i.vnf_pkg_id, i.tenant_id,
                      i.instantiation_state, i.task_state,
                      i.vim_connection_info, i.vnf_metadata,
                      info.id.label('info_id'), info.flavour_id,
                      info.vnfc_resource_info, info.scale_status,
                      info.vnfc_info, info.instantiation_level_id,
                      info.additional_params,
                      *cas.raw_columns(info, INFO_GUARDED))
            .select_from(i)
            .outerjoin(info, sa.and_(info.vnf_instance_id == i.id,
                                     models.live(info.deleted)))
            .where(models.live(i.deleted)))


def _decoded_lists(row, columns, problems):
    plain, stored = {}, {}
    for column in columns:
        value = getattr(row, column)
        problem = types.field_problem(column, value, list)
        if problem is None:
            plain[column], problem = storage_v1.decode_list(column, value)
            stored[column] = value
        else:
            plain[column] = []
        if problem:
            problems.append(problem)
    return plain, stored


def _object(row, column, problems):
    value = getattr(row, column)
    problem = types.field_problem(column, value, dict)
    if problem:
        problems.append(problem)
        return {}
    return value or {}


def _to_instance(row):
    problems = []
    instantiated = None
    if row.info_id is not None:
        version = cas.RowVersion(
            model=models.VnfInstantiatedInfo, key=(row.info_id,),
            stored=tuple((n, getattr(row, 'raw_' + n))
                         for n in INFO_GUARDED))
        lists, stored = _decoded_lists(row, INFO_GUARDED, problems)
        instantiated = InstantiatedInfoV1(
            id=row.info_id, flavour_id=row.flavour_id,
            vnfc_resource_info=lists['vnfc_resource_info'],
            scale_status=lists['scale_status'],
            vnfc_info=lists['vnfc_info'],
            instantiation_level_id=row.instantiation_level_id,
            additional_params=_object(row, 'additional_params', problems),
            version=version, stored=stored)
    connections, _ = _decoded_lists(row, ('vim_connection_info',),
                                    problems)
    return InstanceV1(
        id=row.id, vnfd_id=row.vnfd_id, vnf_pkg_id=row.vnf_pkg_id,
        tenant_id=row.tenant_id,
        instantiation_state=row.instantiation_state,
        task_state=row.task_state,
        vim_connection_info=connections['vim_connection_info'],
        vnf_metadata=_object(row, 'vnf_metadata', problems),
        instantiated=instantiated, problems=tuple(problems))


def list_instances(instantiation_state=None, ids=None):
    query = _instance_select().order_by(models.VnfInstance.id)
    if instantiation_state is not None:
        query = query.where(
            models.VnfInstance.instantiation_state == instantiation_state)
    if ids is not None:
        query = query.where(models.VnfInstance.id.in_(list(ids)))
    with db_api.reader_session() as session:
        return [_to_instance(row) for row in session.execute(query)]


def get_instance(instance_id):
    query = _instance_select().where(models.VnfInstance.id == instance_id)
    with db_api.reader_session() as session:
        row = session.execute(query).first()
    if row is None:
        raise exceptions.NotFound(what='VnfInstance', id=instance_id)
    return _to_instance(row)


def update_instantiated_info(instance, **values):
    """Write ``values`` into the instantiated info if it is as read."""
    if instance.instantiated is None:
        raise exceptions.StaleRecord(table='vnf_instantiated_info',
                                     id=instance.id)
    info = models.VnfInstantiatedInfo.__table__
    values = encode(values, instance.instantiated.stored)
    with db_api.writer_session() as session:
        # A terminate soft-deletes the row without touching the guarded
        # columns; a deleted row is no longer the one that was read.
        cas.swap(session, instance.instantiated.version, values,
                 also=[models.live(info.c.deleted)])


def encode(values, stored=None):
    """``values`` with every object list in Tacker's stored form."""
    stored = stored or {}
    return {column: (storage_v1.encode_list(column, value,
                                            stored.get(column))
                     if column in storage_v1.LIST_COLUMNS
                     and value is not None else value)
            for column, value in values.items()}


def claim_task_state(instance_id, task_state, *, reclaim=False,
                     instantiation_state=None):
    """Set ``task_state`` if it is NULL; False when someone else holds it.

    ``reclaim`` also takes it over when it already is ``task_state``: for
    a caller that holds the instance lock, which every setter of that
    state takes first, such a value can only be left by a holder that
    died.  ``instantiation_state`` also requires that state.
    """
    table = models.VnfInstance.__table__
    where = [table.c.id == instance_id, models.live(table.c.deleted)]
    if reclaim:
        where.append(sa.or_(table.c.task_state.is_(None),
                            table.c.task_state == task_state))
    else:
        where.append(table.c.task_state.is_(None))
    if instantiation_state is not None:
        where.append(table.c.instantiation_state == instantiation_state)
    with db_api.writer_session() as session:
        result = session.execute(
            sa.update(table).where(*where).values(task_state=task_state))
    return result.rowcount == 1


def release_task_state(instance_id, task_state):
    """Clear ``task_state`` if it still is ``task_state``."""
    table = models.VnfInstance.__table__
    with db_api.writer_session() as session:
        result = session.execute(
            sa.update(table)
            .where(table.c.id == instance_id,
                   table.c.task_state == task_state)
            .values(task_state=None))
    return result.rowcount == 1


def _to_op_occ(row):
    return OpOccV1(id=row.id, vnf_instance_id=row.vnf_instance_id,
                   operation=row.operation,
                   operation_state=row.operation_state,
                   start_time=row.start_time,
                   state_entered_time=row.state_entered_time,
                   created_at=row.created_at)


def list_op_occs(instance_ids):
    """Live op occs of the given instances, oldest first, in one query."""
    m = models.VnfLcmOpOcc
    query = (sa.select(m.id, m.vnf_instance_id, m.operation,
                       m.operation_state, m.start_time,
                       m.state_entered_time, m.created_at)
             .where(m.vnf_instance_id.in_(list(instance_ids)),
                    models.live(m.deleted))
             .order_by(m.created_at, m.id))
    with db_api.reader_session() as session:
        return [_to_op_occ(row) for row in session.execute(query)]
