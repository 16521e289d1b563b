"""The alembic migrations build exactly the schema the models declare.

A constraint or index a model builds on some backends only (``ddl_if``)
is expected on those backends only.
"""

from alembic import autogenerate
from alembic import migration as alembic_migration
import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.db import migration
from tacker.db import models

TABLES = {
    'vnf_instances', 'vnf_instantiated_info', 'vnf_lcm_op_occs', 'vims',
    'vimauths', 'vnf_packages', 'vnf_package_vnfd', 'VnfInstanceV2',
    'VnfLcmOpOccV2', 'vnf_packages_user_data',
}


def _built_here(dialect):
    def include(obj, name, type_, reflected, compare_to):
        if reflected or type_ not in ('index', 'unique_constraint'):
            return True
        ddl_if = getattr(obj, '_ddl_if', None)
        if ddl_if is None or ddl_if.dialect is None:
            return True
        wanted = ddl_if.dialect
        return dialect.name in ((wanted,) if isinstance(wanted, str)
                                else wanted)
    return include


def test_models_and_migrations_agree(db):
    engine = db_api.get_engine()
    with engine.connect() as conn:
        context = alembic_migration.MigrationContext.configure(
            conn, opts={'compare_type': True,
                        'compare_server_default': False,
                        'include_object': _built_here(conn.dialect)})
        diff = autogenerate.compare_metadata(context, models.BASE.metadata)
    assert diff == []


def test_upgrade_creates_the_ten_tables_and_records_head(db):
    engine = db_api.get_engine()
    tables = set(sa.inspect(engine).get_table_names())
    assert TABLES <= tables
    assert migration.current(engine) == migration.head()


def test_v2_instance_has_tacker_column_names(db):
    columns = {c['name'] for c in
               sa.inspect(db_api.get_engine()).get_columns('VnfInstanceV2')}
    assert {'vnfdId', 'instantiationState', 'instantiatedVnfInfo',
            'vimConnectionInfo', 'metadata'} <= columns
