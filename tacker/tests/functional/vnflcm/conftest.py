"""Fixtures of the LCM functional tests: a simulated cluster and a VIM."""

import pytest

from tacker.tests import factories
from tacker.tests.unit.vnflcm.conftest import lcm_conf  # noqa: F401
from tacker_k8s_sim import simulator


@pytest.fixture
def cluster():
    """A Kubernetes simulator that wants the test token."""
    with simulator.Simulator(token=factories.TOKEN) as sim:
        yield sim


@pytest.fixture
def env(lcm_conf, sqlite_db, cluster):  # noqa: F811
    """The sample CNF onboarded, the cluster registered as default VIM."""
    package = factories.onboarded_package()
    vim = factories.vim(url=cluster.url)
    return _Env(cluster, package.id, package.vnfd.vnfd_id, vim)


class _Env:
    def __init__(self, cluster, package_id, vnfd_id, vim):
        self.cluster = cluster
        self.package_id = package_id
        self.vnfd_id = vnfd_id
        self.vim = vim
