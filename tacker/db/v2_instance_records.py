"""The API's reads and writes of v2 records.

``VnfInstanceV2`` and ``VnfLcmOpOccV2`` as plain dicts for ``views``
(the ``metadata`` column under its own name).  v2 tables carry no
project, so v2 records are visible to every project, as in Tacker.
Deleting is guarded in SQL (``WHERE instantiationState =
'NOT_INSTANTIATED'``) and by the instance's LCM lock.
"""

import uuid

import sqlalchemy as sa

from tacker.db import package_records
from tacker.common import coordination
from tacker.common import exceptions
from tacker.db import api as db_api
from tacker.db.models import v2 as models
from tacker.db import types

NOT_INSTANTIATED = 'NOT_INSTANTIATED'
# An op occ in one of these states still owns its instance.
BUSY_STATES = ('STARTING', 'PROCESSING', 'ROLLING_BACK', 'FAILED_TEMP')


def _dict(obj):
    values = types.readable_columns(obj)
    if 'metadata_' in values:
        values['metadata'] = values.pop('metadata_')
    return values


def _not_found(instance_id):
    return exceptions.NotFound(what='VNF instance', id=instance_id)


def create(*, package, name, description, metadata):
    instance_id = str(uuid.uuid4())
    with db_api.writer_session() as session:
        session.add(models.VnfInstanceV2(
            id=instance_id, vnfInstanceName=name,
            vnfInstanceDescription=description,
            vnfdId=package['vnfd_id'],
            vnfProvider=package['vnf_provider'],
            vnfProductName=package['vnf_product_name'],
            vnfSoftwareVersion=package['vnf_software_version'],
            vnfdVersion=package['vnfd_version'],
            instantiationState=NOT_INSTANTIATED, metadata_=metadata))
        package_records.mark_in_use(session, package['id'])
    return get(instance_id)


def _get(session, instance_id):
    row = session.get(models.VnfInstanceV2, instance_id)
    if row is None:
        raise _not_found(instance_id)
    return _dict(row)


def get(instance_id):
    with db_api.reader_session() as session:
        return _get(session, instance_id)


def list_all():
    m = models.VnfInstanceV2
    with db_api.reader_session() as session:
        return [_dict(r) for r in session.execute(
            sa.select(m).order_by(m.id)).scalars()]


def _busy_op(session, instance_id):
    m = models.VnfLcmOpOccV2
    return session.execute(
        sa.select(m.id).where(m.vnfInstanceId == instance_id,
                              m.operationState.in_(BUSY_STATES))).first()


def delete(instance_id):
    """Delete a NOT_INSTANTIATED instance no LCM operation holds."""
    table = models.VnfInstanceV2.__table__
    row = get(instance_id)
    package = package_records.find_for_vnfd(row['vnfdId'])
    with coordination.instance_lock(instance_id):
        with db_api.writer_session() as session:
            row = _get(session, instance_id)
            if _busy_op(session, instance_id) is not None:
                raise exceptions.LockHeld(id=instance_id)
            result = session.execute(
                sa.delete(table).where(
                    table.c.id == instance_id,
                    table.c.instantiationState == NOT_INSTANTIATED))
            if result.rowcount != 1:
                raise exceptions.Conflict(message=(
                    'VnfInstance %s is instantiated.'
                    % instance_id))
            if package is not None:
                package_records.release_if_unused(session, package['id'])


# --- op occs

def list_op_occs():
    m = models.VnfLcmOpOccV2
    with db_api.reader_session() as session:
        return [_dict(r) for r in session.execute(
            sa.select(m).order_by(m.startTime, m.id)).scalars()]


def get_op_occ(op_occ_id):
    with db_api.reader_session() as session:
        row = session.get(models.VnfLcmOpOccV2, op_occ_id)
        if row is None:
            raise exceptions.NotFound(what='VNF LCM operation occurrence',
                                      id=op_occ_id)
        return _dict(row)
