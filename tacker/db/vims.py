"""VIMs (``vims`` + ``vimauths``): registration, lookup, use, deletion.

Secrets (bearer token, password, CA data) stay in ``vimauths.auth_cred``;
``VimRecord``'s repr hides them, and the API never returns them.

A live VIM has ``deleted_at`` set to the earliest datetime, as Tacker
writes it (so that its unique key on tenant, name and ``deleted_at``
holds); rows of earlier builds of this project hold NULL there, and both
are read as live.
"""

import dataclasses
import datetime
import uuid

import sqlalchemy as sa

from tacker.common import exceptions
from tacker.db import api as db_api
from tacker.db.models import v1 as models
from tacker.db.models import v2 as v2_models
from tacker.db import storage_v1


# Tacker's "not deleted" value of vims.deleted_at.
LIVE = datetime.datetime.min


def _live():
    deleted_at = models.Vim.deleted_at
    return sa.or_(deleted_at.is_(None), deleted_at == LIVE)


@dataclasses.dataclass(frozen=True)
class VimRecord:
    id: str
    name: str
    type: str
    tenant_id: str | None
    description: str | None
    is_default: bool
    auth_url: str
    auth_cred: dict = dataclasses.field(repr=False)
    vim_project: dict = dataclasses.field(default_factory=dict)
    extra: dict = dataclasses.field(default_factory=dict)
    created_at: object = None


def _select():
    v, a = models.Vim, models.VimAuth
    return (sa.select(v.id, v.name, v.type, v.tenant_id, v.description,
                      v.is_default, v.extra, v.created_at, a.auth_url,
                      a.auth_cred, a.vim_project)
            .join(a, a.vim_id == v.id)
            .where(_live()))


def _record(row):
    return VimRecord(id=row.id, name=row.name, type=row.type,
                     tenant_id=row.tenant_id, description=row.description,
                     is_default=bool(row.is_default),
                     auth_url=row.auth_url, auth_cred=row.auth_cred or {},
                     vim_project=row.vim_project or {},
                     extra=row.extra or {}, created_at=row.created_at)


def get_vims(ids):
    """{id: VimRecord} of the live VIMs among ``ids``, in one query."""
    query = _select().where(models.Vim.id.in_(list(ids)))
    with db_api.reader_session() as session:
        return {row.id: _record(row) for row in session.execute(query)}


def get_vim(vim_id, tenant_id=None):
    query = _select().where(models.Vim.id == vim_id)
    if tenant_id is not None:
        query = query.where(sa.or_(models.Vim.tenant_id == tenant_id,
                                   models.Vim.shared.is_(True)))
    with db_api.reader_session() as session:
        row = session.execute(query).first()
    if row is None:
        raise exceptions.NotFound(what='VIM', id=vim_id)
    return _record(row)


def default_vims():
    """{tenant_id: VimRecord} of each project's default VIM."""
    query = _select().where(models.Vim.is_default.is_(True))
    with db_api.reader_session() as session:
        return {row.tenant_id: _record(row)
                for row in session.execute(query)}


def list_vims(tenant_id=None):
    query = _select().order_by(models.Vim.created_at, models.Vim.id)
    if tenant_id is not None:
        query = query.where(models.Vim.tenant_id == tenant_id)
    with db_api.reader_session() as session:
        return [_record(row) for row in session.execute(query)]


def create_vim(*, name, tenant_id, auth_url, auth_cred, description=None,
               is_default=False, vim_project=None, extra=None,
               vim_type='kubernetes', vim_id=None):
    vim_id = vim_id or str(uuid.uuid4())
    with db_api.writer_session() as session:
        clash = session.execute(
            sa.select(models.Vim.id).where(
                models.Vim.tenant_id == tenant_id,
                models.Vim.name == name, _live())).first()
        if clash is not None:
            raise exceptions.Conflict(
                reason='a VIM named %s already exists in project %s'
                % (name, tenant_id))
        if is_default:
            session.execute(
                sa.update(models.Vim.__table__)
                .where(models.Vim.tenant_id == tenant_id)
                .values(is_default=False))
        session.add(models.Vim(
            id=vim_id, tenant_id=tenant_id, type=vim_type, name=name,
            description=description, placement_attr={}, shared=False,
            is_default=is_default, extra=extra or {},
            deleted_at=LIVE))
        session.flush()
        session.add(models.VimAuth(
            id=str(uuid.uuid4()), vim_id=vim_id, password='',
            auth_url=auth_url, vim_project=vim_project or {},
            auth_cred=auth_cred))
    return get_vim(vim_id)


def delete_vim(vim_id, tenant_id=None):
    get_vim(vim_id, tenant_id)
    with db_api.writer_session() as session:
        session.execute(sa.delete(models.VimAuth.__table__).where(
            models.VimAuth.vim_id == vim_id))
        session.execute(sa.delete(models.Vim.__table__).where(
            models.Vim.id == vim_id))


# --- which instances use a VIM (a VIM in use may not be deleted)

def _vim_ids(connections):
    connections = storage_v1.to_plain(connections or [])
    if isinstance(connections, dict):
        connections = list(connections.values())
    return {entry.get('vimId') or entry.get('vim_id')
            for entry in connections if isinstance(entry, dict)}


def instances_using(vim_id):
    """Ids of live v1 and v2 instances connected to ``vim_id``.

    The id sits inside JSON columns (v1 ``vim_connection_info``, v2
    ``vimConnectionInfo``): a ``LIKE`` on their text narrows the rows in
    SQL, and the parsed JSON decides, so an id that merely appears
    elsewhere in the text does not count.
    """
    pattern = '%' + vim_id + '%'
    v1, v2 = models.VnfInstance, v2_models.VnfInstanceV2
    # A cast, not a type coercion: PostgreSQL has no LIKE on json.
    queries = (
        sa.select(v1.id, v1.vim_connection_info)
        .where(models.live(v1.deleted),
               sa.cast(v1.vim_connection_info, sa.Text).like(pattern)),
        sa.select(v2.id, v2.vimConnectionInfo)
        .where(sa.cast(v2.vimConnectionInfo, sa.Text).like(pattern)))
    with db_api.reader_session() as session:
        return sorted(row[0] for query in queries
                      for row in session.execute(query)
                      if vim_id in _vim_ids(row[1]))
