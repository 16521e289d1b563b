"""Tacker 16's schema for the tables we use.

A database built by c1979d477a33 becomes the one Tacker 16.0.0's own
migrations build (its head ca2ad037c320), table by table, so one
database can be used by either.  Where Tacker's migrations and its
models disagree, the migrations win: they made the databases that
exist.

Revision ID: 28c23806bc07
Revises: c1979d477a33
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

from tacker.db import types

revision = '28c23806bc07'
down_revision = 'c1979d477a33'
branch_labels = None
depends_on = None

MARIADB = ('mysql', 'mariadb')
JSON_BACKENDS = MARIADB + ('postgresql',)

# Columns Tacker's migrations made sa.JSON: table -> (column, nullable).
JSON_COLUMNS = {
    'vnf_instances': ('vim_connection_info', 'vnf_metadata'),
    'vnf_instantiated_info': (
        'ext_cp_info', 'ext_virtual_link_info',
        'ext_managed_virtual_link_info', 'vnfc_resource_info',
        'vnf_virtual_link_resource_info', 'virtual_storage_resource_info',
        'vnfc_info', 'additional_params', 'scale_status'),
    'vnf_lcm_op_occs': ('operation_params', 'error', 'resource_changes',
                        'changed_info', 'changed_ext_connectivity'),
    'vims': ('extra',),
    'VnfInstanceV2': ('vnfConfigurableProperties', 'vimConnectionInfo',
                      'instantiatedVnfInfo',
                      'metadata', 'extensions'),
    'VnfLcmOpOccV2': ('operationParams', 'error', 'resourceChanges',
                      'changedInfo', 'changedExtConnectivity',
                      'modificationsTriggeredByVnfPkgChange'),
}
# Tacker's enums: (table, column, nullable, values); the PostgreSQL
# type is named after the column.
ENUMS = (
    ('VnfInstanceV2', 'instantiationState', False,
     ('NOT_INSTANTIATED', 'INSTANTIATED')),
    ('VnfLcmOpOccV2', 'operationState', False,
     ('STARTING', 'PROCESSING', 'COMPLETED', 'FAILED_TEMP', 'FAILED',
      'ROLLING_BACK', 'ROLLED_BACK')),
    ('VnfLcmOpOccV2', 'operation', False,
     ('INSTANTIATE', 'SCALE', 'SCALE_TO_LEVEL', 'CHANGE_FLAVOUR',
      'TERMINATE', 'HEAL', 'OPERATE', 'CHANGE_EXT_CONN', 'MODIFY_INFO',
      'CREATE_SNAPSHOT', 'REVERT_TO_SNAPSHOT', 'CHANGE_VNFPKG')),
    ('VnfLcmOpOccV2', 'cancelMode', True, ('GRACEFUL', 'FORCEFUL')),
)
SOFT_DELETE_TABLES = ('vnf_instances', 'vnf_instantiated_info',
                      'vnf_lcm_op_occs', 'vnf_packages')
V1_OP_OCC_FLAGS = ('is_automatic_invocation', 'is_cancel_pending')


def _backend():
    return op.get_bind().dialect.name


def _is_postgresql():
    return _backend() == 'postgresql'


def _flag(batch, name, nullable):
    """``name`` becomes a ``types.Flag``: SMALLINT on PostgreSQL."""
    if _is_postgresql():
        batch.alter_column(name, existing_type=sa.Boolean(),
                           type_=sa.SmallInteger(), nullable=nullable,
                           postgresql_using='%s::integer' % name)
    else:
        batch.alter_column(name, existing_type=sa.Boolean(),
                           nullable=nullable)


def _flags():
    for table in SOFT_DELETE_TABLES:
        with op.batch_alter_table(table) as batch:
            _flag(batch, 'deleted', nullable=True)
    with op.batch_alter_table('vnf_lcm_op_occs') as batch:
        for name in V1_OP_OCC_FLAGS:
            _flag(batch, name, nullable=False)


def _json_columns(table):
    backend = _backend()
    if backend not in JSON_BACKENDS:
        return ()
    return JSON_COLUMNS.get(table, ())


def _to_json(batch, table, not_null_now):
    """TEXT (LONGTEXT on MariaDB) becomes JSON, nullable as in Tacker.

    ``not_null_now`` names the columns that are NOT NULL before.
    """
    for name in _json_columns(table):
        batch.alter_column(name, existing_type=types.Json(),
                           type_=types.JsonColumn(),
                           existing_nullable=name not in not_null_now,
                           nullable=True,
                           postgresql_using='"%s"::json' % name)


def _enum_type(name, values):
    if _is_postgresql():
        sa.Enum(*values, name=name).create(op.get_bind())
        return sa.Enum(*values, name=name, create_type=False)
    return sa.Enum(*values, create_constraint=True)


def _enums():
    # One batch per table: a SQLite rebuild drops the unnamed CHECKs
    # an earlier rebuild of the same table added.
    for table in ('VnfInstanceV2', 'VnfLcmOpOccV2'):
        with op.batch_alter_table(table) as batch:
            for _table, name, nullable, values in ENUMS:
                if _table != table:
                    continue
                batch.alter_column(
                    name, existing_type=sa.String(255),
                    type_=_enum_type(name, values),
                    existing_nullable=nullable,
                    postgresql_using='"%s"::"%s"' % (name, name))


def _v1_instance_tables():
    op.execute(sa.text(
        'UPDATE vnf_instances SET vnf_instance_description = '
        'SUBSTR(vnf_instance_description, 1, 1024) '
        'WHERE LENGTH(vnf_instance_description) > 1024'))
    with op.batch_alter_table('vnf_instances') as batch:
        batch.alter_column('vnf_instance_description',
                           existing_type=sa.Text(), type_=sa.String(1024))
        batch.alter_column('vnfd_id', existing_type=sa.String(36),
                           type_=sa.String(255), existing_nullable=False)
        _to_json(batch, 'vnf_instances', ())
    with op.batch_alter_table('vnf_instantiated_info') as batch:
        _to_json(batch, 'vnf_instantiated_info', ('ext_cp_info',))
        if _backend() not in JSON_BACKENDS:
            batch.alter_column('ext_cp_info', existing_type=types.Json(),
                               nullable=True)
    # Tacker requires these; a row of ours may have left them empty.
    op.execute(sa.text(
        'UPDATE vnf_lcm_op_occs SET state_entered_time = created_at '
        'WHERE state_entered_time IS NULL'))
    op.execute(sa.text(
        'UPDATE vnf_lcm_op_occs SET start_time = created_at '
        'WHERE start_time IS NULL'))
    # tenant_id stays nullable (Tacker: NOT NULL) until our writers
    # always set it.
    with op.batch_alter_table('vnf_lcm_op_occs') as batch:
        for name in ('state_entered_time', 'start_time'):
            batch.alter_column(name, existing_type=sa.DateTime(),
                               nullable=False)
        _to_json(batch, 'vnf_lcm_op_occs', ())


def _vim_tables():
    op.execute(sa.text("UPDATE vims SET tenant_id = '' "
                       "WHERE tenant_id IS NULL"))
    with op.batch_alter_table('vims') as batch:
        batch.alter_column('tenant_id', existing_type=sa.String(64),
                           nullable=False)
        batch.alter_column('created_at', existing_type=sa.DateTime(),
                           nullable=True)
        for name in ('shared', 'is_default'):
            batch.alter_column(name, existing_type=sa.Boolean(),
                               existing_nullable=False,
                               server_default=sa.false())
        batch.alter_column('placement_attr', existing_type=types.Json(),
                           type_=types.TextJson())
        _to_json(batch, 'vims', ())
    _drop_vimauths_unique()
    with op.batch_alter_table('vimauths') as batch:
        for name in ('vim_project', 'auth_cred'):
            batch.alter_column(name, existing_type=types.Json(),
                               type_=types.TextJson(),
                               existing_nullable=False)


def _drop_vimauths_unique():
    backend = _backend()
    if backend in MARIADB:
        # The unique index on vim_id is the one the foreign key uses;
        # re-adding the key makes MariaDB create its own plain index,
        # named after the key as in Tacker.
        op.drop_constraint('vimauths_ibfk_1', 'vimauths',
                           type_='foreignkey')
        op.drop_index('vim_id', 'vimauths')
        op.create_foreign_key('vimauths_ibfk_1', 'vimauths', 'vims',
                              ['vim_id'], ['id'])
    elif backend == 'postgresql':
        op.drop_constraint('vimauths_vim_id_key', 'vimauths',
                           type_='unique')
    else:
        # SQLite's constraint has no name: the convention gives it one.
        with op.batch_alter_table(
                'vimauths', naming_convention={
                    'uq': 'uq_%(table_name)s_%(column_0_name)s'}) as batch:
            batch.drop_constraint('uq_vimauths_vim_id', type_='unique')


def _package_tables():
    op.execute(sa.text('UPDATE vnf_packages SET downloading = 0 '
                       'WHERE downloading IS NULL'))
    with op.batch_alter_table('vnf_packages') as batch:
        batch.alter_column('size', existing_type=sa.BigInteger(),
                           existing_nullable=False, server_default='0')
        batch.alter_column('downloading', existing_type=sa.Integer(),
                           nullable=False, server_default='0')
    if _backend() in MARIADB:
        # The old unique key is the foreign key's index; Tacker has a
        # plain one of its own.
        op.create_index('package_uuid', 'vnf_package_vnfd',
                        ['package_uuid'])
    with op.batch_alter_table('vnf_package_vnfd') as batch:
        batch.drop_constraint('uniq_vnf_package_vnfd0package_uuid0deleted',
                              type_='unique')
        batch.alter_column('vnfd_id', existing_type=sa.String(36),
                           type_=sa.String(255), existing_nullable=False)
        batch.alter_column('deleted', existing_type=sa.String(36),
                           nullable=True)
        batch.create_unique_constraint(
            'uniq_vnf_package_vnfd0vnfd_id0deleted', ['vnfd_id', 'deleted'])


def _v2_tables():
    for table in ('VnfInstanceV2', 'VnfLcmOpOccV2'):
        with op.batch_alter_table(table) as batch:
            _to_json(batch, table, ())
    with op.batch_alter_table('VnfLcmOpOccV2') as batch:
        batch.drop_index('ix_VnfLcmOpOccV2_vnfInstanceId')
    _enums()


def _sqlite_foreign_keys_off():
    # Batch mode rebuilds a SQLite table by copy, drop and rename; with
    # foreign keys enforced, dropping a parent table that has children
    # fails.  The pragma is a no-op inside a transaction, and alembic's
    # connection has not started one yet (pysqlite begins before DML).
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        bind.exec_driver_sql('PRAGMA foreign_keys=OFF')


def upgrade():
    _sqlite_foreign_keys_off()
    _flags()
    _v1_instance_tables()
    _vim_tables()
    _package_tables()
    _v2_tables()
