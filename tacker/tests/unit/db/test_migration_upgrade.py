"""Upgrading a populated database keeps its rows and their values.

The revision after c1979d477a33 rebuilds tables on SQLite (batch mode)
and retypes columns on MariaDB and PostgreSQL; rows written at the old
revision must read the same afterwards.
"""

import json

import pytest
import sqlalchemy as sa

from tacker.db import migration
from tacker.tests import db_backends

OLD = 'c1979d477a33'
NOW = '2026-01-01 00:00:00'


def _seed(conn):
    conn.execute(sa.text(
        "INSERT INTO vnf_instances (id, vnf_provider, vnf_product_name, "
        "vnf_software_version, vnfd_version, vnfd_id, instantiation_state, "
        "tenant_id, vnf_pkg_id, vnf_metadata, created_at, deleted) VALUES "
        "('i1', 'p', 'n', '1', '1', 'd', 'INSTANTIATED', 't', 'pk', "
        ":meta, :now, :false)"),
        {'meta': json.dumps({'namespace': 'a'}), 'now': NOW, 'false': False})
    conn.execute(sa.text(
        "INSERT INTO vnf_instantiated_info (vnf_instance_id, flavour_id, "
        "ext_cp_info, vnf_state, created_at, deleted) VALUES "
        "('i1', 'simple', '[]', 'STARTED', :now, :false)"),
        {'now': NOW, 'false': False})
    conn.execute(sa.text(
        "INSERT INTO vnf_lcm_op_occs (id, vnf_instance_id, operation_state, "
        "operation, is_automatic_invocation, is_cancel_pending, tenant_id, "
        "created_at, deleted) VALUES ('o1', 'i1', 'COMPLETED', "
        "'INSTANTIATE', :false, :true, 't', :now, :true)"),
        {'now': NOW, 'false': False, 'true': True})
    conn.execute(sa.text(
        'INSERT INTO "VnfLcmOpOccV2" (id, "operationState", '
        '"stateEnteredTime", "startTime", "vnfInstanceId", operation, '
        '"isAutomaticInvocation", "isCancelPending", error) VALUES '
        "('o2', 'FAILED_TEMP', :now, :now, 'v2', 'SCALE', :false, :false, "
        ":error)"),
        {'now': NOW, 'false': False, 'error': json.dumps('{"status": 500}')})


@pytest.fixture(params=db_backends.BACKENDS)
def old_database(request, tmp_path):
    database = db_backends.TestDatabase(request.param, str(tmp_path))
    engine = sa.create_engine(database.url)
    if request.param == 'sqlite':
        # As tacker-db-manage connects: foreign keys enforced.
        sa.event.listen(engine, 'connect', lambda dbapi, _: dbapi.execute(
            'PRAGMA foreign_keys=ON'))
    migration.upgrade(OLD, engine=engine)
    with engine.begin() as conn:
        if request.param == 'mysql':
            conn.execute(sa.text("SET sql_mode='ANSI_QUOTES'"))
        _seed(conn)
    engine.dispose()  # no connection keeps the ANSI_QUOTES session mode
    yield engine
    engine.dispose()
    database.drop()


def test_upgrade_keeps_rows_and_values(old_database):
    migration.upgrade('head', engine=old_database)
    assert migration.current(old_database) == migration.head()
    with old_database.connect() as conn:
        flags = conn.execute(sa.text(
            'SELECT is_automatic_invocation, is_cancel_pending, deleted '
            'FROM vnf_lcm_op_occs')).one()
        meta = conn.execute(sa.text(
            'SELECT vnf_metadata FROM vnf_instances')).scalar_one()
        info_count = conn.execute(sa.text(
            'SELECT COUNT(*) FROM vnf_instantiated_info')).scalar_one()
        v2 = conn.execute(sa.text(
            'SELECT "operationState", error FROM "VnfLcmOpOccV2"'
            if old_database.dialect.name != 'mysql' else
            'SELECT operationState, error FROM VnfLcmOpOccV2')).one()
    assert [bool(f) for f in flags] == [False, True, True]
    assert json.loads(meta) == {'namespace': 'a'}
    assert info_count == 1
    assert v2[0] == 'FAILED_TEMP'
    assert json.loads(v2[1]) == '{"status": 500}'
