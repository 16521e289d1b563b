"""Root pytest configuration: fixtures every test package may use."""

from tacker.common import service_backend  # noqa: F401  (first of all)

import pytest  # noqa: E402

from oslo_config import fixture as config_fixture  # noqa: E402

from tacker.db import api as db_api  # noqa: E402
from tacker.db import migration  # noqa: E402
from tacker.db import models  # noqa: E402
from tacker.tests import db_backends  # noqa: E402
import tacker.conf  # noqa: E402

CONF = tacker.conf.CONF

pytest_plugins = ['tacker_k8s_sim.pytest_plugin', 'tacker.tests.logging_guard']


@pytest.fixture
def conf(tmp_path):
    """The global CONF with overrides undone after the test.

    ``state_path`` points at the test's own directory, so nothing is
    written under the user's home.
    """
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    fixture.config(state_path=str(tmp_path))
    yield fixture
    fixture.cleanUp()


@pytest.fixture(scope='session')
def etcd(tmp_path_factory):
    """A private etcd server for this test process (see etcd_server)."""
    from benchmarks import etcd_server
    if not etcd_server.available():
        message = ('etcd is not installed (Debian package etcd-server)')
        if db_backends.in_ci():
            pytest.fail('CI=true but ' + message + '; .ci/run must '
                        'install it', pytrace=False)
        pytest.skip(message)
    with etcd_server.EtcdServer(tmp_path_factory.mktemp('etcd')) as server:
        yield server


_DATABASES = {}


@pytest.fixture(scope='session')
def _session_tmp(tmp_path_factory):
    return str(tmp_path_factory.mktemp('databases'))


def _database(backend, tmp_dir):
    if backend not in _DATABASES:
        database = db_backends.TestDatabase(backend, tmp_dir)
        _DATABASES[backend] = database
        engine = _engine_for(database.url)
        try:
            migration.upgrade('head', engine=engine)
        finally:
            engine.dispose()
    return _DATABASES[backend]


def _engine_for(url):
    import sqlalchemy as sa
    return sa.create_engine(url)


def pytest_sessionfinish(session, exitstatus):
    for database in _DATABASES.values():
        database.drop()
    _DATABASES.clear()


def _use_database(conf, backend, tmp_dir):
    database = _database(backend, tmp_dir)
    conf.config(connection=database.url, group='database')
    conf.config(max_retries=0, group='database')
    db_api.reset()
    engine = db_api.get_engine()
    db_backends.delete_all_rows(engine, models.BASE.metadata)
    return database


@pytest.fixture(params=db_backends.BACKENDS)
def db(request, conf, _session_tmp):
    """A migrated, empty TackerDB on each of SQLite, MariaDB, PostgreSQL.

    Tests using it run three times; CONF points at the database.
    """
    database = _use_database(conf, request.param, _session_tmp)
    yield database
    db_api.reset()


@pytest.fixture
def sqlite_db(conf, _session_tmp):
    """A migrated, empty TackerDB on SQLite only."""
    database = _use_database(conf, 'sqlite', _session_tmp)
    yield database
    db_api.reset()
