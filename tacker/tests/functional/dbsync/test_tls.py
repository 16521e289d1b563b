"""A VIM behind HTTPS with its CA certificate given as data."""

import os
import tempfile

import pytest

from tacker.vnfm.infra_drivers.kubernetes import outcome
from tacker.tests.functional.dbsync import cnf
from tacker_k8s_sim import simulator
from tacker_k8s_sim import tls


@pytest.fixture
def tls_world(tmp_path, sqlite_db, sync_conf):
    cert, key, ca_pem = tls.make_certificates(str(tmp_path))
    with simulator.Simulator(token=cnf.TOKEN, tls=(cert, key)) as sim:
        yield cnf.World(sim, ca_pem=ca_pem)


def _open_fds():
    return len(os.listdir('/proc/self/fd'))


def test_ca_data_verifies_the_cluster_and_leaks_nothing(tls_world, engine,
                                                        tmp_path,
                                                        monkeypatch):
    # A temporary directory of this test's own: other processes on the
    # machine write into the shared one.
    private_tmp = tmp_path / 'tmp'
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, 'tempdir', str(private_tmp))
    inst = tls_world.deploy('v2', vdus=['VDU1'])
    assert tls_world.sim.url.startswith('https://')
    assert engine.run_pass().counts()[outcome.UNCHANGED] == 1
    fds = _open_fds()
    for replicas in (2, 3, 2, 1) * 3:
        tls_world.sim.scale('Deployment', inst.namespace, 'vdu1', replicas)
        tls_world.sim.wait_settled()
        result = engine.run_pass()
        assert result.counts()[outcome.CHANGED] == 1
    # Tacker wrote the CA to a new temporary file on every call and kept
    # its descriptor open; here neither grows.
    assert _open_fds() <= fds + 2
    assert os.listdir(private_tmp) == []


def test_a_wrong_ca_is_a_vim_failure_and_writes_nothing(tls_world, engine,
                                                        tmp_path, logs):
    _cert, _key, other_ca = tls.make_certificates(str(tmp_path / '..'))
    tls_world.ca_pem = other_ca
    inst = tls_world.deploy('v2', vdus=['VDU1'])
    before = inst.raw()
    tls_world.sim.scale('Deployment', inst.namespace, 'vdu1', 2)
    tls_world.sim.wait_settled()
    result = engine.run_pass()
    assert result.counts()[outcome.FAILED] == 1 and inst.raw() == before
    (error,) = [r.getMessage() for r in logs.records
                if r.levelname == 'ERROR']
    assert 'cannot observe VIM' in error and 'TLS failed' in error
    assert 'certificate verify failed' in error
