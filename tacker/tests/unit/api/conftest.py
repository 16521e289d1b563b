"""Fixtures of the API unit tests: the WSGI app on a test database."""

import pytest

from tacker.api import app as app_mod
from tacker.common import coordination
from tacker.tests.unit.api import fakes
from tacker.vnfpkgm import vnfd


@pytest.fixture
def api_conf(conf, tmp_path):
    """File locks and the package store under the test's directory."""
    conf.config(backend_url='file://%s' % (tmp_path / 'locks'),
                group='coordination')
    conf.config(vnf_package_csar_path=str(tmp_path / 'csar'),
                group='vnf_package')
    vnfd.CACHE.clear()
    yield conf
    coordination.stop()
    vnfd.CACHE.clear()


@pytest.fixture
def conductor():
    return fakes.RecordingConductor()


@pytest.fixture
def app(api_conf, db, conductor):
    """tacker-server's app (noauth) on each of the three databases."""
    return app_mod.make_app(auth_strategy='noauth', conductor=conductor)


@pytest.fixture
def sqlite_app(api_conf, sqlite_db, conductor):
    """The same on SQLite only, for input-hammering tests."""
    return app_mod.make_app(auth_strategy='noauth', conductor=conductor)
