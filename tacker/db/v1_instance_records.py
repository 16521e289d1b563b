"""The API's reads and writes of v1 records.

``vnf_instances`` (+ the live ``vnf_instantiated_info`` row) and
``vnf_lcm_op_occs``, as plain dicts for ``views``.  Creating and deleting
an instance also moves its package's usage state, in the same
transaction.  Deleting is guarded in SQL: the soft delete only happens
``WHERE instantiation_state = 'NOT_INSTANTIATED' AND task_state IS NULL``.
"""

import uuid

from oslo_utils import timeutils
import sqlalchemy as sa

from tacker.db import package_records
from tacker.common import exceptions
from tacker.db import api as db_api
from tacker.db.models import v1 as models
from tacker.db import types

NOT_INSTANTIATED = 'NOT_INSTANTIATED'


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
            instantiation_state=NOT_INSTANTIATED, task_state=None,
            vim_connection_info=[], tenant_id=tenant_id,
            vnf_pkg_id=package['id'], vnf_metadata=metadata or {}))
        package_records.mark_in_use(session, package['id'])
    return get(instance_id)


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


def get(instance_id, tenant_id=None):
    """(instance dict, instantiated info dict or None)."""
    with db_api.reader_session() as session:
        return (_get(session, instance_id, tenant_id),
                _info(session, instance_id))


def list_all(tenant_id=None):
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
                   table.c.instantiation_state == NOT_INSTANTIATED,
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
        package_records.release_if_unused(session, row['vnf_pkg_id'])


# --- op occs

def _op_select(tenant_id):
    m = models.VnfLcmOpOcc
    query = sa.select(m).where(models.live(m.deleted))
    if tenant_id is not None:
        query = query.where(m.tenant_id == tenant_id)
    return query


def list_op_occs(tenant_id=None):
    m = models.VnfLcmOpOcc
    query = _op_select(tenant_id).order_by(m.start_time, m.id)
    with db_api.reader_session() as session:
        return [_dict(r) for r in session.execute(query).scalars()]


def get_op_occ(op_occ_id, tenant_id=None):
    query = _op_select(tenant_id).where(models.VnfLcmOpOcc.id == op_occ_id)
    with db_api.reader_session() as session:
        row = session.execute(query).scalar_one_or_none()
        if row is None:
            raise exceptions.NotFound(what='VNF LCM operation occurrence',
                                      id=op_occ_id)
        return _dict(row)
