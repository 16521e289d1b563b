import logging

import pytest

from tacker.common import coordination
from tacker.dbsync import engine as engine_mod
from tacker.tests.functional.dbsync import cnf
from tacker.vnfpkgm import vnfd
from tacker_k8s_sim import simulator


@pytest.fixture
def sim():
    with simulator.Simulator(token=cnf.TOKEN, nodes=2) as running:
        yield running


@pytest.fixture
def sync_conf(conf):
    conf.config(settle_timeout=30, kubernetes_request_timeout=2,
                group='database_sync')
    yield conf
    coordination.stop()
    vnfd.CACHE.clear()


@pytest.fixture
def world(sim, db, sync_conf):
    """Simulator + onboarded sample + VIM, on each database backend."""
    return cnf.World(sim)


@pytest.fixture
def sqlite_world(sim, sqlite_db, sync_conf):
    """The same world on SQLite only, for the cheaper cases."""
    return cnf.World(sim)


@pytest.fixture
def engine():
    sync_engine = engine_mod.SyncEngine()
    yield sync_engine
    sync_engine.close()


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO, logger='tacker')
    return caplog


@pytest.fixture
def multi_world(sim, db, sync_conf):
    """The second sample: delta 2, unequal steps, a two-VDU aspect."""
    return cnf.World(sim, sample='sample_cnf_multi')
