"""Upgrading a populated database keeps its rows and their values.

The revision after c1979d477a33 rebuilds tables on SQLite (batch mode)
and retypes columns on MariaDB and PostgreSQL; rows written at the old
revision must read the same afterwards.  The one after it moves package
user data from a JSON column into rows of its own table.
"""

import json

import pytest
import sqlalchemy as sa

from tacker.db import migration
from tacker.tests import db_backends

OLD = 'c1979d477a33'
NOW = '2026-01-01 00:00:00'


USER_DATA = {'origin': 'sandbox', 'owner': 'team-a'}


def _package(conn, package_id, user_data, deleted=False):
    conn.execute(sa.text(
        "INSERT INTO vnf_packages (id, tenant_id, onboarding_state, "
        "operational_state, usage_state, size, user_data, created_at, "
        "deleted) VALUES (:id, 't', 'CREATED', 'DISABLED', 'NOT_IN_USE', "
        "0, :user_data, :now, :deleted)"),
        {'id': package_id, 'now': NOW, 'deleted': deleted,
         'user_data': None if user_data is None else json.dumps(user_data)})


def _seed_packages_and_vim(conn):
    _package(conn, 'pk', USER_DATA)
    _package(conn, 'gone', {'origin': 'old'}, deleted=True)
    _package(conn, 'bare', None)
    conn.execute(sa.text(
        "INSERT INTO vims (id, tenant_id, type, name, shared, is_default, "
        "status, created_at) VALUES ('v1', 't', 'kubernetes', 'k8s', "
        ":false, :true, 'ACTIVE', :now)"),
        {'now': NOW, 'false': False, 'true': True})


def _seed(conn):
    _seed_packages_and_vim(conn)
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


def _user_data_rows(conn):
    return sorted(
        (r.package_uuid, r.key, r.value, bool(r.deleted))
        for r in conn.execute(sa.text(
            'SELECT package_uuid, "key", value, deleted '
            'FROM vnf_packages_user_data'
            if conn.dialect.name != 'mysql' else
            'SELECT package_uuid, `key`, value, deleted '
            'FROM vnf_packages_user_data')))


def test_upgrade_moves_user_data_into_rows(old_database):
    migration.upgrade('head', engine=old_database)
    inspector = sa.inspect(old_database)
    with old_database.connect() as conn:
        rows = _user_data_rows(conn)
    assert rows == [('gone', 'origin', 'old', True),
                    ('pk', 'origin', 'sandbox', False),
                    ('pk', 'owner', 'team-a', False)]
    assert 'user_data' not in {
        c['name'] for c in inspector.get_columns('vnf_packages')}
    assert 'status' not in {c['name'] for c in inspector.get_columns('vims')}


def test_upgrade_refuses_user_data_tacker_cannot_hold(old_database):
    with old_database.begin() as conn:
        _package(conn, 'long', {'note': 'x' * 256})
    with pytest.raises(RuntimeError, match='package long has a value of '
                                           '256 characters'):
        migration.upgrade('head', engine=old_database)
