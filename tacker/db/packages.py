"""VNF packages: ``vnf_packages``, ``vnf_package_vnfd`` and user data.

Which state changes a request may make is decided here, inside the
transaction that makes them (row locked with ``FOR UPDATE``), so two
requests racing on one package cannot both pass a check.  The files of
an onboarded package belong to ``tacker.vnfpkgm.store``, which writes
them inside the transaction ``onboarding`` holds open, so the row lock
covers them too.

``userDefinedData`` is kept as Tacker keeps it, one
``vnf_packages_user_data`` row per key, written in the transaction that
writes the package row; a package dict carries it as ``user_data``.
"""

import contextlib
import uuid

from oslo_utils import timeutils
import sqlalchemy as sa

from tacker.common import exceptions
from tacker.db import api as db_api
from tacker.db.models import v1 as models
from tacker.db.models import v2 as v2_models

CREATED = 'CREATED'
ONBOARDED = 'ONBOARDED'
ENABLED = 'ENABLED'
DISABLED = 'DISABLED'
IN_USE = 'IN_USE'
NOT_IN_USE = 'NOT_IN_USE'

_PACKAGE_COLUMNS = ('id', 'tenant_id', 'onboarding_state',
                    'operational_state', 'usage_state', 'algorithm', 'hash',
                    'size')
_VNFD_COLUMNS = ('vnfd_id', 'vnf_provider', 'vnf_product_name',
                 'vnf_software_version', 'vnfd_version')


def _select():
    p, d = models.VnfPackage, models.VnfPackageVnfd
    return (sa.select(*[getattr(p, c) for c in _PACKAGE_COLUMNS],
                      *[getattr(d, c) for c in _VNFD_COLUMNS])
            .select_from(p)
            .outerjoin(d, sa.and_(d.package_uuid == p.id, d.deleted == '0'))
            .where(models.live(p.deleted)))


def _row(row, user_data):
    package = dict(row._mapping)
    package['user_data'] = user_data.get(package['id'], {})
    return package


def _rows(session, query):
    """Package dicts of ``query``'s rows, each with its user data."""
    rows = session.execute(query).all()
    user_data = user_data_of(session, [row.id for row in rows])
    return [_row(row, user_data) for row in rows]


def user_data_of(session, package_ids):
    """{package id: {key: value}} of the live user data of packages."""
    if not package_ids:
        return {}
    u = models.VnfPackageUserData
    found = {}
    query = (sa.select(u.package_uuid, u.key, u.value)
             .where(u.package_uuid.in_(list(package_ids)),
                    models.live(u.deleted))
             .order_by(u.id))
    for package_id, key, value in session.execute(query):
        found.setdefault(package_id, {})[key] = value
    return found


def _write_user_data(session, package_id, user_data):
    """Set ``user_data``'s keys on a package (others are kept)."""
    u = models.VnfPackageUserData
    rows = {row.key: row for row in session.execute(
        sa.select(u).where(u.package_uuid == package_id,
                           models.live(u.deleted))).scalars()}
    for key, value in user_data.items():
        if key in rows:
            rows[key].value = value
        else:
            session.add(u(package_uuid=package_id, key=key, value=value,
                          deleted=False))


def delete_user_data(session, package_id, when):
    """Soft-delete a package's user data, as Tacker's package deletion."""
    u = models.VnfPackageUserData
    session.execute(
        sa.update(u)
        .where(u.package_uuid == package_id, models.live(u.deleted))
        .values(deleted=True, deleted_at=when))


def _not_found(package_id):
    return exceptions.NotFound(what='VNF package', id=package_id)


def create(*, tenant_id, user_data):
    package_id = str(uuid.uuid4())
    with db_api.writer_session() as session:
        session.add(models.VnfPackage(
            id=package_id, tenant_id=tenant_id, onboarding_state=CREATED,
            operational_state=DISABLED, usage_state=NOT_IN_USE, size=0))
        # The rows reference the package: it goes first.
        session.flush()
        _write_user_data(session, package_id, user_data or {})
    return get(package_id)


def get(package_id, tenant_id=None):
    """The package as a dict; NotFound when missing or not visible."""
    query = _select().where(models.VnfPackage.id == package_id)
    if tenant_id is not None:
        query = query.where(models.VnfPackage.tenant_id == tenant_id)
    with db_api.reader_session() as session:
        rows = _rows(session, query)
    if not rows:
        raise _not_found(package_id)
    return rows[0]


def list_all(tenant_id=None):
    query = _select().order_by(models.VnfPackage.created_at,
                               models.VnfPackage.id)
    if tenant_id is not None:
        query = query.where(models.VnfPackage.tenant_id == tenant_id)
    with db_api.reader_session() as session:
        return _rows(session, query)


def _lock(session, package_id, tenant_id):
    query = (sa.select(models.VnfPackage)
             .where(models.VnfPackage.id == package_id,
                    models.live(models.VnfPackage.deleted))
             .with_for_update())
    if tenant_id is not None:
        query = query.where(models.VnfPackage.tenant_id == tenant_id)
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise _not_found(package_id)
    return row


def update(package_id, *, tenant_id=None, operational_state=None,
           user_data=None):
    """Apply a PATCH; returns the modifications as SOL005 shows them."""
    changes = {}
    with db_api.writer_session() as session:
        row = _lock(session, package_id, tenant_id)
        if operational_state is not None:
            if row.onboarding_state != ONBOARDED:
                raise exceptions.Conflict(message=(
                    'VNF package %s is in onboarding_state %s; its '
                    'operational state can only change once it is %s.'
                    % (package_id, row.onboarding_state, ONBOARDED)))
            if row.operational_state == operational_state:
                raise exceptions.Conflict(message=(
                    'VNF package %s is already in operational state %s.'
                    % (package_id, operational_state)))
            row.operational_state = operational_state
            changes['operationalState'] = operational_state
        if user_data is not None:
            _write_user_data(session, package_id, user_data)
            changes['userDefinedData'] = user_data
    return changes


def check_upload(package_id, tenant_id=None):
    """Raise unless the package exists and is waiting for its content."""
    row = get(package_id, tenant_id)
    if row['onboarding_state'] != CREATED:
        raise exceptions.Conflict(message=(
            'VNF package %s is in onboarding_state %s; content can only be '
            'uploaded to a package in onboarding_state %s.'
            % (package_id, row['onboarding_state'], CREATED)))
    return row


def check_deletable(package_id, tenant_id=None):
    """Raise unless the package may be deleted (DISABLED, NOT_IN_USE)."""
    row = get(package_id, tenant_id)
    if row['operational_state'] == ENABLED:
        raise exceptions.Conflict(message=(
            'VNF package %s is in operational state %s; disable it '
            '(operationalState %s) before deleting it.'
            % (package_id, ENABLED, DISABLED)))
    if row['usage_state'] == IN_USE:
        raise exceptions.Conflict(message=(
            'VNF package %s is in usage state %s by VNF instances; delete '
            'them first.' % (package_id, IN_USE)))
    return row


def find_for_vnfd(vnfd_id, tenant_id=None):
    """The onboarded package (dict with its VNFD facts) of ``vnfd_id``.

    None when no live, onboarded package visible to ``tenant_id``
    (None: any project) carries that VNFD.
    """
    query = (_select().where(
        models.VnfPackageVnfd.vnfd_id == vnfd_id,
        models.VnfPackage.onboarding_state == ONBOARDED)
        .order_by(models.VnfPackageVnfd.created_at))
    if tenant_id is not None:
        query = query.where(models.VnfPackage.tenant_id == tenant_id)
    with db_api.reader_session() as session:
        rows = _rows(session, query.limit(1))
    return rows[0] if rows else None


def mark_in_use(session, package_id):
    session.execute(
        sa.update(models.VnfPackage.__table__)
        .where(models.VnfPackage.id == package_id)
        .values(usage_state=IN_USE))


def release_if_unused(session, package_id):
    """NOT_IN_USE once no live v1 or v2 instance uses the package."""
    vnfd_ids = sa.select(models.VnfPackageVnfd.vnfd_id).where(
        models.VnfPackageVnfd.package_uuid == package_id,
        models.VnfPackageVnfd.deleted == '0').scalar_subquery()
    v1_users = session.execute(
        sa.select(sa.func.count()).select_from(models.VnfInstance)
        .where(models.VnfInstance.vnf_pkg_id == package_id,
               models.live(models.VnfInstance.deleted))).scalar()
    v2_users = session.execute(
        sa.select(sa.func.count()).select_from(v2_models.VnfInstanceV2)
        .where(v2_models.VnfInstanceV2.vnfdId.in_(vnfd_ids))).scalar()
    if not v1_users and not v2_users:
        session.execute(
            sa.update(models.VnfPackage.__table__)
            .where(models.VnfPackage.id == package_id)
            .values(usage_state=NOT_IN_USE))


def packages_for_vnfds(vnfd_ids=None):
    """``{vnfd_id: package id}`` of live, onboarded packages (one query).

    Of every such package when ``vnfd_ids`` is None.
    """
    p, d = models.VnfPackage, models.VnfPackageVnfd
    query = (sa.select(d.vnfd_id, d.package_uuid)
             .join(p, p.id == d.package_uuid)
             .where(d.deleted == '0', models.live(p.deleted),
                    p.onboarding_state == ONBOARDED)
             .order_by(d.created_at))
    if vnfd_ids is not None:
        query = query.where(d.vnfd_id.in_(list(vnfd_ids)))
    with db_api.reader_session() as session:
        return {row.vnfd_id: row.package_uuid
                for row in session.execute(query)}


def onboarded_ids():
    """Ids of the live, ONBOARDED packages."""
    with db_api.reader_session() as session:
        return set(session.execute(
            sa.select(models.VnfPackage.id).where(
                models.live(models.VnfPackage.deleted),
                models.VnfPackage.onboarding_state == ONBOARDED))
            .scalars())


# --- onboarding and deleting, with the store's files

def _has_live_vnfd(session, package_id):
    return session.execute(
        sa.select(models.VnfPackageVnfd.id)
        .where(models.VnfPackageVnfd.package_uuid == package_id,
               models.VnfPackageVnfd.deleted == '0')).first() is not None


def _record_onboarded(session, package_id, vnfd, *, tenant_id, size,
                      algorithm, digest):
    row = session.execute(
        sa.select(models.VnfPackage)
        .where(models.VnfPackage.id == package_id)
        .with_for_update()).scalar_one_or_none()
    if row is None:
        if tenant_id is None:
            raise exceptions.PackageNotFound(id=package_id)
        row = models.VnfPackage(id=package_id, tenant_id=tenant_id)
        session.add(row)
    elif row.deleted:
        raise exceptions.PackageNotFound(id=package_id)
    elif row.onboarding_state == ONBOARDED or _has_live_vnfd(session,
                                                             package_id):
        # Tacker's schema allows one live VNFD row per VNFD id, not per
        # package: a package that has one is already onboarded.
        raise exceptions.PackageStateConflict(
            id=package_id, state=row.onboarding_state, action='onboard')
    row.onboarding_state = ONBOARDED
    row.operational_state = ENABLED
    row.usage_state = NOT_IN_USE
    row.algorithm = algorithm
    row.hash = digest
    row.size = size
    session.add(models.VnfPackageVnfd(
        id=str(uuid.uuid4()), package_uuid=package_id,
        vnfd_id=vnfd.vnfd_id, vnf_provider=vnfd.provider,
        vnf_product_name=vnfd.product_name,
        vnf_software_version=vnfd.software_version,
        vnfd_version=vnfd.vnfd_version, deleted='0'))


@contextlib.contextmanager
def onboarding(package_id, vnfd, *, tenant_id, size, algorithm, digest):
    """Record the package ONBOARDED; commits when the block ends.

    The package row is created (with ``tenant_id``) when it does not
    exist, and stays locked for the block, where the caller moves the
    files into place; an exception in the block rolls the rows back.
    Raises ``PackageNotFound`` for a deleted row (or a missing one
    without ``tenant_id``), ``PackageStateConflict`` when it is already
    onboarded.
    """
    with db_api.writer_session() as session:
        _record_onboarded(session, package_id, vnfd, tenant_id=tenant_id,
                          size=size, algorithm=algorithm, digest=digest)
        # Write now: takes the row lock and surfaces constraint errors
        # before any file is moved into place.
        session.flush()
        yield


def soft_delete(package_id):
    """Mark the package, its VNFD and user data rows deleted.

    Refuses (``PackageStateConflict``) while the package is IN_USE.
    """
    now = timeutils.utcnow()
    with db_api.writer_session() as session:
        row = session.execute(
            sa.select(models.VnfPackage)
            .where(models.VnfPackage.id == package_id,
                   models.live(models.VnfPackage.deleted))
            .with_for_update()).scalar_one_or_none()
        if row is None:
            raise exceptions.PackageNotFound(id=package_id)
        if row.usage_state == IN_USE:
            raise exceptions.PackageStateConflict(
                id=package_id, state=row.onboarding_state,
                action='delete while IN_USE')
        row.deleted = True
        row.deleted_at = now
        session.execute(
            sa.update(models.VnfPackageVnfd)
            .where(models.VnfPackageVnfd.package_uuid == package_id,
                   models.VnfPackageVnfd.deleted == '0')
            .values(deleted=models.VnfPackageVnfd.id, deleted_at=now))
        delete_user_data(session, package_id, now)
