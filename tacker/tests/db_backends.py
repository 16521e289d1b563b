"""Fresh, migrated test databases on SQLite, MariaDB and PostgreSQL.

Each backend gets a database of its own, created for the test session
and dropped at its end.  A server that cannot be reached makes its tests
skip; under ``CI=true`` that skip is turned into a failure, because CI
machines run every server.
"""

import os
import socket
import uuid

import pytest
import sqlalchemy as sa

SERVERS = {
    'mysql': {
        'port': 3306,
        'admin_url': 'mysql+pymysql://root@127.0.0.1:3306/',
        'url': 'mysql+pymysql://root@127.0.0.1:3306/%s?charset=utf8mb4',
    },
    'postgresql': {
        'port': 5432,
        'admin_url': 'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres',
        'url': 'postgresql+psycopg2://postgres@127.0.0.1:5432/%s',
    },
}

BACKENDS = ('sqlite', 'mysql', 'postgresql')


def in_ci():
    return os.environ.get('CI', '').lower() in ('1', 'true', 'yes')


def require_service(name, host, port):
    """Skip (or fail under CI) when ``host:port`` does not answer."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as exc:
        message = '%s is not reachable on %s:%s (%s)' % (name, host, port,
                                                         exc)
    if in_ci():
        pytest.fail('CI=true but ' + message + '; .ci/run must start it',
                    pytrace=False)
    pytest.skip(message)


class TestDatabase:
    """One created database; ``url`` for the product, ``drop()`` at end."""

    def __init__(self, backend, tmp_dir):
        self.backend = backend
        self.name = 'tacker_test_%s' % uuid.uuid4().hex[:12]
        if backend == 'sqlite':
            path = os.path.join(tmp_dir, self.name + '.sqlite')
            self.url = 'sqlite:///%s' % path
            return
        server = SERVERS[backend]
        require_service(backend, '127.0.0.1', server['port'])
        self._admin = sa.create_engine(server['admin_url'],
                                       isolation_level='AUTOCOMMIT')
        with self._admin.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE %s' % self.name))
        self.url = server['url'] % self.name

    def drop(self):
        if self.backend == 'sqlite':
            return
        with self._admin.connect() as conn:
            if self.backend == 'postgresql':
                conn.execute(sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = '%s' AND pid <> pg_backend_pid()"
                    % self.name))
            conn.execute(sa.text('DROP DATABASE IF EXISTS %s' % self.name))
        self._admin.dispose()


def delete_all_rows(engine, metadata):
    """Empty every table, children first."""
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
