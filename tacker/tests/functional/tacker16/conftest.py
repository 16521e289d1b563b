"""Fixtures for the tests against Tacker 16.0.0 itself.

``tacker16`` runs ``peer.py`` with the interpreter of the side virtualenv
that ``tools/tacker16-venv.sh`` creates (``$TACKER16_VENV``, by default
``~/.cache/tacker-k8s-sync/tacker16-venv``).  Without that virtualenv the
tests skip, and fail under ``CI=true``.  ``tacker_db`` is an empty
database per backend whose schema Tacker 16 built itself.
"""

import json
import os
import pathlib
import subprocess
import tempfile

import pytest
import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.tests import db_backends
# Real Keystone and Barbican, for VIMs registered the way Tacker does.
from tacker.tests.functional.keymgr.conftest import \
    openstack_services  # noqa: F401

PEER = pathlib.Path(__file__).with_name('peer.py')
DEFAULT_VENV = pathlib.Path.home() / '.cache' / 'tacker-k8s-sync' / \
    'tacker16-venv'


class Peer:
    """Tacker 16's own code, one subprocess per call."""

    def __init__(self, python):
        self.python = python
        # Outside our tree, so that 'tacker' is Tacker's there.
        self._cwd = tempfile.mkdtemp(prefix='tacker16-peer-')

    def run(self, command, url, *args, spec=None):
        return self._call(command, ['--db-url', url, *args], spec)

    def check_packages(self, packages):
        """Tacker's onboarding and v2 manifest lookup of zips on disk.

        ``packages``: ``[{"zip": path, "flavours": {id: [def file...]}}]``;
        the answer is peer.py's ``check-package`` output.
        """
        return self._call('check-package', [], {'packages': packages})

    def _call(self, command, args, spec):
        argv = [str(self.python), str(PEER), command]
        if spec is not None:
            path = os.path.join(self._cwd, 'spec-%s.json' % os.getpid())
            with open(path, 'w') as f:
                json.dump(spec, f)
            argv += ['--spec', path]
        argv += args
        done = subprocess.run(argv, cwd=self._cwd, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, (
            'Tacker 16 peer %s failed:\n%s' % (command, done.stderr[-3000:]))
        return json.loads(done.stdout)

    def read(self, url, *, v1=(), v2=()):
        args = []
        for instance_id in v1:
            args += ['--v1', instance_id]
        for instance_id in v2:
            args += ['--v2', instance_id]
        return self.run('read', url, *args)


@pytest.fixture(scope='session')
def tacker16():
    venv = pathlib.Path(os.environ.get('TACKER16_VENV') or DEFAULT_VENV)
    python = venv / 'bin' / 'python'
    if not python.exists():
        message = ('Tacker 16 side virtualenv %s is missing; run '
                   'tools/tacker16-venv.sh' % venv)
        if db_backends.in_ci():
            pytest.fail('CI=true but ' + message + ' (.ci/run must)',
                        pytrace=False)
        pytest.skip(message)
    return Peer(python)


# backend -> database whose schema Tacker 16 built, once per session:
# its 72 migrations take longer than most tests.
_BUILT = {}


def _built(backend, tacker16, tmp_path_factory):
    if backend not in _BUILT:
        database = db_backends.TestDatabase(
            backend, str(tmp_path_factory.mktemp('tacker16-' + backend)))
        database.built = tacker16.run('schema', database.url)
        _BUILT[backend] = database
    return _BUILT[backend]


def _empty(url):
    """Delete every row Tacker or a test wrote; the schema stays."""
    engine = sa.create_engine(url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                if table.name != 'alembic_version':
                    connection.execute(table.delete())
    finally:
        engine.dispose()


def pytest_sessionfinish(session, exitstatus):
    for database in _BUILT.values():
        database.drop()
    _BUILT.clear()


@pytest.fixture(params=db_backends.BACKENDS)
def tacker_db(request, conf, tacker16, tmp_path_factory):
    """An empty database with Tacker 16's schema; CONF points at it."""
    database = _built(request.param, tacker16, tmp_path_factory)
    _empty(database.url)
    conf.config(connection=database.url, group='database')
    conf.config(max_retries=0, group='database')
    db_api.reset()
    yield database
    db_api.reset()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test that ran Tacker's processes reports their log ends."""
    outcome = yield
    report = outcome.get_result()
    services = getattr(item, 'funcargs', {}).get('tacker_services')
    if report.failed and services is not None:
        for name in services.logs:
            report.sections.append(
                ('%s (%s)' % (name, services.logs[name]),
                 services.log_tail(name)))
