"""Fixtures of the LCM tests."""

import pytest

from tacker.common import coordination
from tacker.conf import vnflcm as vnflcm_conf
from tacker.vnfpkgm import vnfd


@pytest.fixture
def lcm_conf(conf, tmp_path):
    """Fast timings, file locks and a package store in the test's dir."""
    vnflcm_conf.register_opts(conf.conf)
    conf.config(backend_url='file://%s' % (tmp_path / 'locks'),
                group='coordination')
    conf.config(vnf_package_csar_path=str(tmp_path / 'csar'),
                group='vnf_package')
    conf.config(operation_timeout=20, poll_interval=0.05,
                lock_wait_timeout=2, kubernetes_request_timeout=5,
                group='vnf_lcm')
    vnfd.CACHE.clear()
    yield conf
    coordination.stop()
    vnfd.CACHE.clear()
