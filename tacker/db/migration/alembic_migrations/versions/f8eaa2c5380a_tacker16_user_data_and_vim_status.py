"""Package user data in its own table, and no stored VIM status.

Tacker 16 keeps a package's ``userDefinedData`` as one row per key in
``vnf_packages_user_data`` and has no ``vims.status`` (its API shows a
constant).  This revision makes ours the same: the JSON documents of
``vnf_packages.user_data`` become rows, then that column and
``vims.status`` go.

The table is built as Tacker's migrations build it on MariaDB and
PostgreSQL (unique key on package, key and ``deleted``; indexes on key
and on value) and as its models build it on SQLite, where Tacker has
neither.  Tacker's ``key`` and ``value`` hold 255 characters: a
document with a longer key or value, or one that is not a JSON object,
stops the upgrade before anything changes, naming the package, rather
than being cut short.

Revision ID: f8eaa2c5380a
Revises: 28c23806bc07
Create Date: 2026-12-02
"""

import json

from alembic import op
from oslo_utils import timeutils
import sqlalchemy as sa

from tacker.db import types

revision = 'f8eaa2c5380a'
down_revision = '28c23806bc07'
branch_labels = None
depends_on = None

TABLE = 'vnf_packages_user_data'
MAX_LENGTH = 255
SERVER_BACKENDS = ('mysql', 'mariadb', 'postgresql')


def _backend():
    return op.get_bind().dialect.name


def _sqlite_foreign_keys_off():
    # As in 28c23806bc07: rebuilding a parent table (vims, vnf_packages)
    # by copy, drop and rename fails while foreign keys are enforced.
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        bind.exec_driver_sql('PRAGMA foreign_keys=OFF')


def _entries(package_id, text):
    """The (key, value) pairs of one package's document, checked."""
    if text is None:
        return []
    try:
        document = json.loads(text)
    except ValueError:
        raise RuntimeError(
            'vnf_packages.user_data of package %s is not JSON; fix or '
            'clear it before upgrading' % package_id)
    if document is None:
        return []
    if not isinstance(document, dict):
        raise RuntimeError(
            'vnf_packages.user_data of package %s is a JSON %s, not an '
            'object of key and value' % (package_id, type(document).__name__))
    entries = []
    for key, value in document.items():
        if not isinstance(value, str):
            # userDefinedData is a map of strings; keep anything else as
            # its JSON text rather than lose it.
            value = json.dumps(value)
        for what, text_ in (('key', key), ('value', value)):
            if len(text_) > MAX_LENGTH:
                raise RuntimeError(
                    'vnf_packages.user_data of package %s has a %s of %d '
                    'characters (key %r); Tacker stores at most %d: '
                    'shorten it before upgrading'
                    % (package_id, what, len(text_), key[:40], MAX_LENGTH))
        entries.append((key, value))
    return entries


def _read_user_data():
    packages = sa.table(
        'vnf_packages', sa.column('id', sa.String()),
        sa.column('user_data', sa.Text()),
        sa.column('created_at', sa.DateTime()),
        sa.column('deleted_at', sa.DateTime()),
        sa.column('deleted', types.Flag()))
    rows = op.get_bind().execute(
        sa.select(packages).where(packages.c.user_data.is_not(None))
        .order_by(packages.c.id))
    now = timeutils.utcnow()
    out = []
    for row in rows:
        for key, value in _entries(row.id, row.user_data):
            # The entries live and die with their package, as Tacker's
            # package deletion soft-deletes them.
            out.append({'package_uuid': row.id, 'key': key, 'value': value,
                        'created_at': row.created_at or now,
                        'deleted_at': row.deleted_at,
                        'deleted': bool(row.deleted)})
    return out


def _table_arguments():
    if _backend() not in SERVER_BACKENDS:
        return ()
    return (
        sa.UniqueConstraint(
            'package_uuid', 'key', 'deleted',
            name='uniq_vnf_packages_user_data0package_uuid0key0deleted'),
        sa.Index('vnf_packages_user_data_key_idx', 'key'),
        sa.Index('vnf_packages_user_data_value_idx', 'value'),
    )


def _create_user_data_table():
    return op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('package_uuid', sa.String(36), nullable=False),
        sa.Column('key', sa.String(MAX_LENGTH), nullable=False),
        sa.Column('value', sa.String(MAX_LENGTH), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('deleted', types.Flag(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.ForeignKeyConstraint(['package_uuid'], ['vnf_packages.id']),
        *_table_arguments())


def upgrade():
    # Read and check first: a document that cannot move stops the
    # upgrade while the schema is still the old one.
    entries = _read_user_data()
    _sqlite_foreign_keys_off()
    table = _create_user_data_table()
    if entries:
        op.bulk_insert(table, entries)
    with op.batch_alter_table('vnf_packages') as batch:
        batch.drop_column('user_data')
    with op.batch_alter_table('vims') as batch:
        batch.drop_column('status')
