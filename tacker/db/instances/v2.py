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
import uuid

import sqlalchemy as sa

from tacker.common import coordination
from tacker.common import exceptions
from tacker.common import json_merge
from tacker.common import states
from tacker.db import api as db_api
from tacker.db import cas
from tacker.db import instances
from tacker.db import op_occs
from tacker.db import packages
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


_READER = instances.Reader(
    _instance_select, _to_instance, id_column=models.VnfInstanceV2.id,
    state_column=models.VnfInstanceV2.instantiationState,
    what='VnfInstanceV2')
list_instances = _READER.list_instances
packed_instances = _READER.packed_instances
get_instance = _READER.get_instance


def update_instance(instance, *, session=None, **values):
    """Write ``values`` (column names) if the instance is as read.

    ``session`` writes in the caller's transaction (a batch).
    """
    if session is not None:
        cas.swap(session, instance.version, _columns(values))
        return
    with db_api.writer_session() as own:
        cas.swap(own, instance.version, _columns(values))


def change_package(instance, *, new_package_id, old_package_id,
                   merge=None, **values):
    """Move ``instance`` to another package in one transaction.

    Writes ``values`` (a compare-and-swap, as ``update_instance``), each
    of ``merge`` (``{column: JSON merge patch}``, RFC 7386) onto what the
    column holds, marks the new package IN_USE and releases the old one
    when no instance uses it any more.
    """
    m = models.VnfInstanceV2
    with db_api.writer_session() as session:
        values = dict(values)
        if merge:
            row = session.execute(sa.select(*[
                getattr(m, column) for column in sorted(merge)]).where(
                    m.id == instance.id)).one_or_none()
            if row is None:
                raise _not_found(instance.id)
            for column, current in zip(sorted(merge), row):
                values[column] = json_merge.merge_patch(current, merge[column])
        cas.swap(session, instance.version, _columns(values))
        packages.mark_in_use(session, new_package_id)
        if old_package_id and old_package_id != new_package_id:
            packages.release_if_unused(session, old_package_id)


def _columns(values):
    # The attribute for the 'metadata' column is metadata_; callers may
    # use the column name.
    return {('metadata' if k == 'metadata_' else k): v
            for k, v in values.items()}


# --- the API's rows, as dicts of their columns

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
            instantiationState=states.NOT_INSTANTIATED, metadata_=metadata))
        packages.mark_in_use(session, package['id'])
    return view(instance_id)


def _get(session, instance_id):
    row = session.get(models.VnfInstanceV2, instance_id)
    if row is None:
        raise _not_found(instance_id)
    return _dict(row)


def view(instance_id):
    with db_api.reader_session() as session:
        return _get(session, instance_id)


def list_views():
    m = models.VnfInstanceV2
    with db_api.reader_session() as session:
        return [_dict(r) for r in session.execute(
            sa.select(m).order_by(m.id)).scalars()]


def _busy(session, instance_id):
    # An op occ that must still be retried, rolled back or failed owns
    # its instance, as one that runs does.
    return any(occ.state in states.IN_PROGRESS + (states.FAILED_TEMP,)
               for occ in op_occs.V2.for_instance(session, instance_id))


def delete(instance_id):
    """Delete a NOT_INSTANTIATED instance no LCM operation holds."""
    table = models.VnfInstanceV2.__table__
    row = view(instance_id)
    package = packages.find_for_vnfd(row['vnfdId'])
    with coordination.instance_lock(instance_id):
        with db_api.writer_session() as session:
            row = _get(session, instance_id)
            if _busy(session, instance_id):
                raise exceptions.LockHeld(id=instance_id)
            result = session.execute(
                sa.delete(table).where(
                    table.c.id == instance_id,
                    table.c.instantiationState == states.NOT_INSTANTIATED))
            if result.rowcount != 1:
                raise exceptions.Conflict(message=(
                    'VnfInstance %s is instantiated.'
                    % instance_id))
            if package is not None:
                packages.release_if_unused(session, package['id'])


# --- modify (SOL003 "Modify VNF information")

#: The columns a modify reads and may write.
MODIFIABLE = ('vnfInstanceName', 'vnfInstanceDescription', 'vnfdId',
              'vnfProvider', 'vnfProductName', 'vnfSoftwareVersion',
              'vnfdVersion', 'vnfConfigurableProperties',
              'vimConnectionInfo', 'metadata', 'extensions',
              'instantiatedVnfInfo')


def modify(instance_id, decide, *, package_ids=None):
    """Write ``decide(current columns)`` (a dict of changes) in one go.

    The row is read and written in one transaction, locked for update
    where the database can, so no write in between is lost.  When the
    vnfdId changes, ``package_ids`` (old package id, new package id)
    marks the new package IN_USE and releases the old one if nothing else
    uses it.  Returns the changes written.
    """
    m = models.VnfInstanceV2
    with db_api.writer_session() as session:
        row = session.execute(
            sa.select(m).where(m.id == instance_id).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            raise _not_found(instance_id)
        current = {column: getattr(row, 'metadata_' if column == 'metadata'
                                   else column) for column in MODIFIABLE}
        changes = decide(current)
        if changes:
            table = m.__table__
            session.execute(sa.update(table).where(
                table.c.id == instance_id).values(**_columns(changes)))
            if 'vnfdId' in changes and package_ids:
                old, new = package_ids
                packages.mark_in_use(session, new)
                if old and old != new:
                    packages.release_if_unused(session, old)
    return changes
