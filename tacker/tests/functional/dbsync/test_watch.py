"""Event-driven synchronization: pod events reach TackerDB in seconds."""

import time

from oslo_service import service as os_service
import pytest

from tacker.conductor import service as conductor_service
from tacker.vnfm.infra_drivers.kubernetes import watcher
from tacker.tests.functional.dbsync import cnf
from tacker.vnfm.infra_drivers.kubernetes import vim_access
import tacker.conf


def _wait(predicate, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.fixture
def watching_conductor(sqlite_world, sync_conf):
    # The periodic pass is far away: only events can explain a write.
    sync_conf.config(interval=3600, initial_delay=0, watch=True,
                     watch_debounce=0.2, group='database_sync')
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    svc = conductor_service.ConductorService()
    launcher = os_service.Launcher(tacker.conf.CONF)
    launcher.launch_service(svc)
    assert _wait(lambda: svc.passes >= 1 and svc.watches is not None
                 and svc.watches.watched())
    yield svc, inst
    launcher.stop()


def _pods(inst):
    return inst.stored()[0]['VDU1']


def test_a_killed_pod_is_synchronized_without_waiting_for_the_pass(
        sqlite_world, watching_conductor):
    svc, inst = watching_conductor
    (old,) = _pods(inst)
    sqlite_world.sim.kill_pod(inst.namespace, old)
    assert _wait(lambda: _pods(inst) != [old])
    running = [p['metadata']['name'] for p in sqlite_world.pods_of(
        inst.namespace, 'Deployment', 'vdu1')]
    assert _wait(lambda: _pods(inst) == sorted(running))
    assert svc.passes == 1  # still only the first periodic pass


def test_an_expired_resource_version_makes_the_watch_list_again(
        sqlite_world, sync_conf):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    sqlite_world.sim.scale('Deployment', inst.namespace, 'vdu1', 2)
    sqlite_world.sim.wait_settled()
    sqlite_world.sim.compact()  # resuming from '1' now answers 410 Gone
    events = []
    vim = vim_access.from_v1_vim(sqlite_world.vim.id, sqlite_world.sim.url,
                                 {'bearer_token': cnf.TOKEN})
    watch = watcher.NamespaceWatch(vim, inst.namespace,
                                   lambda v, ns: events.append(ns),
                                   resource_version='1')
    watch.start()
    try:
        assert _wait(lambda: watch.restarts == 1 and events)
        seen = len(events)
        sqlite_world.sim.scale('Deployment', inst.namespace, 'vdu1', 1)
        assert _wait(lambda: len(events) > seen)
    finally:
        watch.stop()
        watch.join(5)
    assert not watch.is_alive()


def test_watch_survives_a_cluster_outage(sqlite_world, watching_conductor):
    svc, inst = watching_conductor
    sim = sqlite_world.sim
    sim.drop_connections(seconds=2)
    time.sleep(2.5)
    sim.scale('Deployment', inst.namespace, 'vdu1', 2)
    assert _wait(lambda: inst.stored()[1] == {'vdu1_aspect': 1}, 40)
