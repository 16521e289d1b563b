"""tacker-db-sync and the conductor's periodic pass."""

import json
import threading
import time

from oslo_service import service as os_service

from tacker.cmd import db_sync
from tacker.conductor import service as conductor_service
from tacker.db.instances import v1 as v1_instances
from tacker.dbsync import engine as engine_mod
import tacker.conf
from tacker.tests import factories


def _scale(world, inst, replicas):
    world.sim.scale('Deployment', inst.namespace, 'vdu1', replicas)
    world.sim.wait_settled()


def _run_cli(argv, capsys):
    # The CLI parses the global CONF: keep the test's overrides by
    # giving no config file, and restore parsed state afterwards.
    status = db_sync.main(argv)
    out = capsys.readouterr().out
    return status, out


def test_dry_run_prints_the_diff_and_writes_nothing(world, capsys):
    inst = world.deploy('v2', vdus=['VDU1'])
    before = inst.raw()
    old_pod = inst.stored()[0]['VDU1'][0]
    world.sim.kill_pod(inst.namespace, old_pod)
    _scale(world, inst, 2)

    status, out = _run_cli(['--dry-run', '--format', 'json'], capsys)
    assert status == 0
    assert inst.raw() == before
    report = json.loads(out)
    (item,) = report['outcomes']
    assert item['instance_id'] == inst.id and item['status'] == 'changed'
    (change,) = item['vdu_changes']
    assert change['vdu_id'] == 'VDU1'
    renamed = change['renamed'] + [{'old_pod_name': None,
                                    'new_pod_name': n}
                                   for n in change['added']]
    assert len(renamed) == 2
    assert change['renamed'][0]['old_pod_name'] == old_pod
    assert item['level_changes'] == [{'aspect_id': 'vdu1_aspect',
                                      'old_level': 0, 'new_level': 1}]

    status, out = _run_cli(['--dry-run'], capsys)
    assert old_pod in out and 'vdu1_aspect: 0 -> 1' in out
    assert inst.raw() == before


def test_once_writes_and_exit_status_reports_failure(sqlite_world, capsys):
    inst = sqlite_world.deploy('v1', vdus=['VDU1'])
    _scale(sqlite_world, inst, 2)
    status, out = _run_cli(['--instance', inst.id], capsys)
    assert status == 0
    assert inst.stored()[1] == {'vdu1_aspect': 1}

    _scale(sqlite_world, inst, 4)  # out of range
    status, out = _run_cli(['--instance', inst.id], capsys)
    assert status == 1 and 'failed' in out


def test_conductor_runs_passes_on_its_timer_and_survives_errors(
        sqlite_world, sync_conf):
    sync_conf.config(interval=1, initial_delay=0, group='database_sync')
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    _scale(sqlite_world, inst, 3)

    class FlakyEngine(engine_mod.SyncEngine):
        calls = 0

        def run_pass(self, **kwargs):
            FlakyEngine.calls += 1
            if FlakyEngine.calls == 1:
                raise RuntimeError('first pass blows up')
            return super().run_pass(**kwargs)

    svc = conductor_service.ConductorService(engine=FlakyEngine())
    launcher = os_service.Launcher(tacker.conf.CONF)
    launcher.launch_service(svc)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and inst.stored()[1] != {
                'vdu1_aspect': 2}:
            time.sleep(0.2)
    finally:
        launcher.stop()
    assert FlakyEngine.calls >= 2
    assert inst.stored()[1] == {'vdu1_aspect': 2}


def test_passes_never_overlap(sqlite_world):
    engine = engine_mod.SyncEngine()
    sqlite_world.deploy('v2', vdus=['VDU1'])
    sqlite_world.sim.inject_latency(1.5, count=1)
    results = []
    first = threading.Thread(target=lambda: results.append(
        engine.run_pass()))
    first.start()
    deadline = time.monotonic() + 10
    while not engine._running.locked() and time.monotonic() < deadline:
        time.sleep(0.01)
    second = engine.run_pass()
    first.join()
    engine.close()
    assert second.overlapped and not results[0].overlapped


def test_conductor_start_clears_leftover_sync_claims(sqlite_world, sync_conf):
    sync_conf.config(interval=0, group='database_sync')
    inst = sqlite_world.deploy('v1', vdus=['VDU1'])
    # Marked by a synchronization that died three minutes ago.
    v1_instances.claim_task_state(inst.id, 'DB_SYNCHRONIZING',
                                  now=factories.ago(minutes=3))
    svc = conductor_service.ConductorService()
    svc.start()
    svc.stop()
    assert v1_instances.get_instance(inst.id).task_state is None
