"""v1 instances: ``vnf_instances`` with its live ``vnf_instantiated_info``.

Two kinds of guarded write exist: the ``task_state`` claim, one atomic
``UPDATE ... WHERE task_state IS NULL``, and the compare-and-swap of the
instantiated info columns against the version read.  Instantiate only
turns a NOT_INSTANTIATED row INSTANTIATED, terminate only the reverse,
and the API deletes only a NOT_INSTANTIATED row no task holds.

Records hold plain dicts (``storage_v1`` decodes Tacker's primitives);
writes encode them back into Tacker's form.  A column that cannot be
read is listed in the record's ``problems`` (field and reason, never the
value), and the record is still returned: one bad row never hides the
others.
"""

import dataclasses
import uuid

from oslo_utils import timeutils

import sqlalchemy as sa

from tacker.common import exceptions
from tacker.common import states
from tacker.db import api as db_api
from tacker.db import cas
from tacker.db import instances
from tacker.db.models import v1 as models
from tacker.db import packages
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
        version = cas.version(
            models.VnfInstantiatedInfo, (row.info_id,),
            [(n, getattr(row, 'raw_' + n)) for n in INFO_GUARDED])
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


_READER = instances.Reader(
    _instance_select, _to_instance, id_column=models.VnfInstance.id,
    state_column=models.VnfInstance.instantiation_state, what='VnfInstance')
list_instances = _READER.list_instances
packed_instances = _READER.packed_instances
get_instance = _READER.get_instance


# The instantiated info row is not soft-deleted (one expression, so that
# ``cas.swap`` builds its statement once).
_INFO_LIVE = (models.live(models.VnfInstantiatedInfo.__table__.c.deleted),)


def update_instantiated_info(instance, **values):
    """Write ``values`` into the instantiated info if it is as read."""
    if instance.instantiated is None:
        raise exceptions.StaleRecord(table='vnf_instantiated_info',
                                     id=instance.id)
    values = encode(values, instance.instantiated.stored)
    with db_api.writer_session() as session:
        # A terminate soft-deletes the row without touching the guarded
        # columns; a deleted row is no longer the one that was read.
        cas.swap(session, instance.instantiated.version, values,
                 also=_INFO_LIVE)


def encode(values, stored=None):
    """``values`` with every object list in Tacker's stored form."""
    stored = stored or {}
    return {column: (storage_v1.encode_list(column, value,
                                            stored.get(column))
                     if column in storage_v1.LIST_COLUMNS
                     and value is not None else value)
            for column, value in values.items()}


def _claimed_before(table, before):
    """The claim is older than ``before`` (or has no time at all)."""
    return sa.or_(table.c.updated_at.is_(None), table.c.updated_at < before)


def claim_task_state(instance_id, task_state, *, reclaim_before=None,
                     instantiation_state=None, now=None):
    """Set ``task_state`` if it is NULL; False when someone else holds it.

    ``updated_at`` is set with it, so the row tells how old a claim is.
    ``reclaim_before`` also takes the state over when it already is
    ``task_state`` and was set before that time: for a caller that holds
    the instance lock, which every one of our setters of that state takes
    first, such a value was left by a holder that died, or belongs to a
    setter that takes no lock (Tacker's own v1 synchronization), and the
    age tells the two apart.  ``instantiation_state`` also requires that
    state.
    """
    table = models.VnfInstance.__table__
    where = [table.c.id == instance_id, models.live(table.c.deleted)]
    free = table.c.task_state.is_(None)
    if reclaim_before is not None:
        where.append(sa.or_(free, sa.and_(
            table.c.task_state == task_state,
            _claimed_before(table, reclaim_before))))
    else:
        where.append(free)
    if instantiation_state is not None:
        where.append(table.c.instantiation_state == instantiation_state)
    with db_api.writer_session() as session:
        result = session.execute(
            sa.update(table).where(*where).values(
                task_state=task_state,
                updated_at=now or timeutils.utcnow()))
    return result.rowcount == 1


def release_task_state(instance_id, task_state, *, session=None, now=None,
                       claimed_before=None):
    """Clear ``task_state`` if it still is it (one of them, for a tuple).

    ``now`` also sets ``updated_at``; ``session`` writes in the caller's
    transaction; ``claimed_before`` clears only a claim older than that.
    """
    table = models.VnfInstance.__table__
    held = task_state if isinstance(task_state, tuple) else (task_state,)
    values = {'task_state': None}
    if now is not None:
        values['updated_at'] = now
    where = [table.c.id == instance_id, table.c.task_state.in_(list(held))]
    if claimed_before is not None:
        where.append(_claimed_before(table, claimed_before))
    query = sa.update(table).where(*where).values(**values)
    if session is not None:
        return session.execute(query).rowcount == 1
    with db_api.writer_session() as own:
        return own.execute(query).rowcount == 1


def holding_task_state(task_state, *, claimed_before=None):
    """Ids of the live instances whose task_state is ``task_state``.

    ``claimed_before`` keeps only the claims older than that.
    """
    table = models.VnfInstance.__table__
    where = [table.c.task_state == task_state, models.live(table.c.deleted)]
    if claimed_before is not None:
        where.append(_claimed_before(table, claimed_before))
    with db_api.reader_session() as session:
        return [row.id for row in session.execute(
            sa.select(table.c.id).where(*where))]


def mark_instantiated(record, *, metadata, connections, info):
    """NOT_INSTANTIATED -> INSTANTIATED, with a new instantiated info row.

    ``info`` holds the row's columns (plain lists, encoded here).
    Raises StaleRecord when the instance is no longer NOT_INSTANTIATED.
    """
    now = timeutils.utcnow()
    table = models.VnfInstance.__table__
    infos = models.VnfInstantiatedInfo.__table__
    with db_api.writer_session() as session:
        result = session.execute(
            sa.update(table)
            .where(table.c.id == record.id, models.live(table.c.deleted),
                   table.c.instantiation_state == states.NOT_INSTANTIATED)
            .values(instantiation_state=states.INSTANTIATED,
                    vnf_metadata=metadata, updated_at=now,
                    **encode({'vim_connection_info': connections})))
        if result.rowcount != 1:
            raise exceptions.StaleRecord(table='vnf_instances', id=record.id)
        # A leftover row of an earlier life of the instance must not be
        # read as this one.
        session.execute(
            sa.update(infos)
            .where(infos.c.vnf_instance_id == record.id,
                   models.live(infos.c.deleted))
            .values(deleted=True, deleted_at=now))
        session.execute(sa.insert(infos).values(
            vnf_instance_id=record.id, created_at=now, deleted=False,
            **encode(info)))


def mark_terminated(record):
    """INSTANTIATED -> NOT_INSTANTIATED, soft-deleting the info row.

    Raises StaleRecord when the instance or its instantiated info is no
    longer as read.
    """
    now = timeutils.utcnow()
    table = models.VnfInstance.__table__
    with db_api.writer_session() as session:
        if record.instantiated is not None:
            cas.swap(session, record.instantiated.version,
                     {'deleted': True, 'deleted_at': now, 'updated_at': now})
        result = session.execute(
            sa.update(table)
            .where(table.c.id == record.id, models.live(table.c.deleted),
                   table.c.instantiation_state == states.INSTANTIATED)
            .values(instantiation_state=states.NOT_INSTANTIATED,
                    updated_at=now))
        if result.rowcount != 1:
            raise exceptions.StaleRecord(table='vnf_instances', id=record.id)


# --- the API's rows, as dicts of their columns

def _dict(obj):
    return types.readable_columns(obj)


def _not_found(instance_id):
    return exceptions.NotFound(what='VNF instance', id=instance_id)


def create(*, tenant_id, package, name, description, metadata):
    instance_id = str(uuid.uuid4())
    with db_api.writer_session() as session:
        session.add(models.VnfInstance(
            id=instance_id, vnf_instance_name=name,
            vnf_instance_description=description,
            vnf_provider=package['vnf_provider'],
            vnf_product_name=package['vnf_product_name'],
            vnf_software_version=package['vnf_software_version'],
            vnfd_version=package['vnfd_version'],
            vnfd_id=package['vnfd_id'],
            instantiation_state=states.NOT_INSTANTIATED, task_state=None,
            vim_connection_info=[], tenant_id=tenant_id,
            vnf_pkg_id=package['id'], vnf_metadata=metadata or {}))
        packages.mark_in_use(session, package['id'])
    return view(instance_id)


def _info(session, instance_id):
    info = session.execute(
        sa.select(models.VnfInstantiatedInfo)
        .where(models.VnfInstantiatedInfo.vnf_instance_id == instance_id,
               models.live(models.VnfInstantiatedInfo.deleted))
        .order_by(models.VnfInstantiatedInfo.id.desc())).scalars().first()
    return None if info is None else _dict(info)


def _get(session, instance_id, tenant_id):
    query = sa.select(models.VnfInstance).where(
        models.VnfInstance.id == instance_id,
        models.live(models.VnfInstance.deleted))
    if tenant_id is not None:
        query = query.where(models.VnfInstance.tenant_id == tenant_id)
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise _not_found(instance_id)
    return _dict(row)


def view(instance_id, tenant_id=None):
    """(instance dict, instantiated info dict or None)."""
    with db_api.reader_session() as session:
        return (_get(session, instance_id, tenant_id),
                _info(session, instance_id))


def list_views(tenant_id=None):
    """[(instance dict, info dict or None)], oldest first."""
    i, info = models.VnfInstance, models.VnfInstantiatedInfo
    query = (sa.select(i).where(models.live(i.deleted))
             .order_by(i.created_at, i.id))
    if tenant_id is not None:
        query = query.where(i.tenant_id == tenant_id)
    with db_api.reader_session() as session:
        rows = [_dict(r) for r in session.execute(query).scalars()]
        infos = {}
        if rows:
            for r in session.execute(
                    sa.select(info).where(
                        info.vnf_instance_id.in_([r['id'] for r in rows]),
                        models.live(info.deleted))
                    .order_by(info.id)).scalars():
                infos[r.vnf_instance_id] = _dict(r)
    return [(r, infos.get(r['id'])) for r in rows]


def delete(instance_id, tenant_id=None):
    """Soft-delete a NOT_INSTANTIATED instance that no task holds."""
    table = models.VnfInstance.__table__
    now = timeutils.utcnow()
    with db_api.writer_session() as session:
        row = _get(session, instance_id, tenant_id)
        result = session.execute(
            sa.update(table)
            .where(table.c.id == instance_id, models.live(table.c.deleted),
                   table.c.instantiation_state == states.NOT_INSTANTIATED,
                   table.c.task_state.is_(None))
            .values(deleted=True, deleted_at=now))
        if result.rowcount != 1:
            session.expire_all()
            current = _get(session, instance_id, tenant_id)
            if current['task_state']:
                what = 'task_state %s' % current['task_state']
            else:
                what = 'instantiation_state %s' % (
                    current['instantiation_state'],)
            raise exceptions.Conflict(message=(
                'Vnf instance %s in %s. Cannot delete while the vnf '
                'instance is in this state.' % (instance_id, what)))
        packages.release_if_unused(session, row['vnf_pkg_id'])


# --- modify (SOL003 "Modify VNF information")

#: The columns a modify reads and may write.
MODIFIABLE = ('vnf_instance_name', 'vnf_instance_description', 'vnfd_id',
              'vnf_pkg_id', 'vnf_provider', 'vnf_product_name',
              'vnf_software_version', 'vnfd_version', 'vnf_metadata',
              'vim_connection_info')


def modify(instance_id, decide):
    """Write ``decide(current columns)`` (a dict of changes) in one go.

    ``vim_connection_info`` reaches ``decide`` as plain dicts and is
    written back in Tacker's object form.  A new package is marked
    IN_USE and the old one released when nothing else uses it, as
    Tacker does.  Returns the changes written.
    """
    table = models.VnfInstance.__table__
    with db_api.writer_session() as session:
        row = session.execute(
            sa.select(*[table.c[c] for c in MODIFIABLE])
            .where(table.c.id == instance_id, models.live(table.c.deleted))
            .with_for_update()).one_or_none()
        if row is None:
            raise _not_found(instance_id)
        current = dict(row._mapping)
        stored_connections = current['vim_connection_info']
        current['vim_connection_info'], _ = storage_v1.decode_list(
            'vim_connection_info', stored_connections or [])
        current['vnf_metadata'] = current['vnf_metadata'] or {}
        changes = decide(current)
        if changes:
            values = dict(changes, updated_at=timeutils.utcnow())
            if 'vim_connection_info' in values:
                values['vim_connection_info'] = storage_v1.encode_list(
                    'vim_connection_info', values['vim_connection_info'],
                    stored_connections)
            session.execute(sa.update(table).where(
                table.c.id == instance_id).values(**values))
            if 'vnf_pkg_id' in changes:
                packages.mark_in_use(session, changes['vnf_pkg_id'])
                packages.release_if_unused(session, current['vnf_pkg_id'])
    return changes
