"""The alembic migrations build exactly the schema the models declare."""

from alembic import autogenerate
from alembic import migration as alembic_migration
import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.db import migration
from tacker.db import models

TABLES = {
    'vnf_instances', 'vnf_instantiated_info', 'vnf_lcm_op_occs', 'vims',
    'vimauths', 'vnf_packages', 'vnf_package_vnfd', 'VnfInstanceV2',
    'VnfLcmOpOccV2',
}


def test_models_and_migrations_agree(db):
    engine = db_api.get_engine()
    with engine.connect() as conn:
        context = alembic_migration.MigrationContext.configure(
            conn, opts={'compare_type': True,
                        'compare_server_default': False})
        diff = autogenerate.compare_metadata(context, models.BASE.metadata)
    assert diff == []


def test_upgrade_creates_the_nine_tables_and_records_head(db):
    engine = db_api.get_engine()
    tables = set(sa.inspect(engine).get_table_names())
    assert TABLES <= tables
    assert migration.current(engine) == migration.head()


def test_v2_instance_has_tacker_column_names(db):
    columns = {c['name'] for c in
               sa.inspect(db_api.get_engine()).get_columns('VnfInstanceV2')}
    assert {'vnfdId', 'instantiationState', 'instantiatedVnfInfo',
            'vimConnectionInfo', 'metadata'} <= columns
