"""Skips, errors, faults, ownership corner cases and settling."""

import datetime

import pytest

from tacker.common import coordination
from tacker.db.instances import v1 as v1_instances
from tacker.vnfm.infra_drivers.kubernetes import outcome
from tacker.tests import factories

BOTH = pytest.mark.parametrize('api', ['v1', 'v2'])


def _status(result, inst):
    return {o.instance_id: o for o in result.outcomes}[inst.id].status


def _messages(logs, level):
    return [r.getMessage() for r in logs.records if r.levelname == level]


def _op_occ(inst, state, minutes_ago=0):
    factories.op_occ(inst.api_version, inst.id, state,
                     when=factories.WHEN - datetime.timedelta(
                         minutes=minutes_ago))


def _drift(world, inst):
    world.sim.scale('Deployment', inst.namespace, inst.names['VDU1'], 2)
    world.sim.wait_settled()


@BOTH
def test_non_integral_count_writes_nothing_with_exact_line(
        multi_world, engine, logs, api):
    inst = multi_world.deploy(api, vdus=['VDU1'])
    before = inst.raw()
    _drift(multi_world, inst)  # 2 pods: initial 1, delta 2 -> no level
    result = engine.run_pass()
    assert _status(result, inst) == outcome.FAILED
    assert inst.raw() == before
    assert ("Error computing 'scale_level'. current Pod num: 2 delta: 2. "
            "vnf: %s vdu: VDU1" % inst.id) in _messages(logs, 'ERROR')


def test_unequal_step_deltas_give_the_right_level(multi_world, engine):
    inst = multi_world.deploy('v2', vdus=['VDU2'])
    multi_world.sim.scale('Deployment', inst.namespace,
                          inst.names['VDU2'], 4)
    multi_world.sim.wait_settled()
    engine.run_pass()
    pods, levels, _ = inst.stored()
    assert len(pods['VDU2']) == 4 and levels == {'vdu2_aspect': 2}


def test_aspect_spanning_two_vdus_must_agree(multi_world, engine, logs):
    inst = multi_world.deploy('v2', vdus=['VDU3', 'VDU4'])
    before = inst.raw()
    multi_world.sim.scale('Deployment', inst.namespace,
                          inst.names['VDU3'], 2)
    multi_world.sim.wait_settled()
    result = engine.run_pass()
    assert _status(result, inst) == outcome.FAILED
    assert inst.raw() == before
    assert any('front_aspect' in m for m in _messages(logs, 'ERROR'))

    multi_world.sim.scale('Deployment', inst.namespace,
                          inst.names['VDU4'], 2)
    multi_world.sim.wait_settled()
    engine.run_pass()
    assert inst.stored()[1] == {'front_aspect': 1}


@BOTH
@pytest.mark.parametrize('state', ['FAILED_TEMP', 'FAILED'])
def test_failed_operation_skips_with_error_line(world, engine, logs,
                                                api, state):
    inst = world.deploy(api, vdus=['VDU1'])
    _op_occ(inst, 'COMPLETED', minutes_ago=10)
    _op_occ(inst, state)
    before = inst.raw()
    _drift(world, inst)
    result = engine.run_pass()
    assert _status(result, inst) == outcome.SKIPPED
    assert inst.raw() == before
    assert ('The LCM operation status of the vnf: %s is abnormal, so skip '
            'this DB synchronization.' % inst.id) in _messages(logs, 'ERROR')


def test_old_failed_operation_followed_by_success_does_not_skip(
        world, engine):
    inst = world.deploy('v1', vdus=['VDU1'])
    _op_occ(inst, 'FAILED', minutes_ago=10)
    _op_occ(inst, 'COMPLETED')
    _drift(world, inst)
    assert _status(engine.run_pass(), inst) == outcome.CHANGED


@BOTH
@pytest.mark.parametrize('state', ['STARTING', 'PROCESSING',
                                   'ROLLING_BACK'])
def test_operation_in_progress_skips_with_info_line(world, engine,
                                                    logs, api, state):
    inst = world.deploy(api, vdus=['VDU1'])
    _op_occ(inst, state)
    before = inst.raw()
    _drift(world, inst)
    assert _status(engine.run_pass(), inst) == outcome.SKIPPED
    assert inst.raw() == before
    assert ('There is an LCM operation in progress, so skip this DB '
            'synchronization. vnf: %s' % inst.id) in _messages(logs, 'INFO')


@BOTH
def test_lock_held_skips_then_next_pass_writes(world, engine, logs,
                                               api):
    inst = world.deploy(api, vdus=['VDU1'])
    before = inst.raw()
    _drift(world, inst)
    with coordination.instance_lock(inst.id):
        assert _status(engine.run_pass(), inst) == outcome.SKIPPED
    assert inst.raw() == before
    assert ('There is an LCM operation in progress, so skip this DB '
            'synchronization. vnf: %s' % inst.id) in _messages(logs, 'INFO')
    assert _status(engine.run_pass(), inst) == outcome.CHANGED


def test_v1_task_state_claimed_only_while_writing(world, engine):
    inst = world.deploy('v1', vdus=['VDU1'])
    v1_instances.claim_task_state(inst.id, 'SCALING')
    _drift(world, inst)
    assert _status(engine.run_pass(), inst) == outcome.SKIPPED
    assert v1_instances.get_instance(inst.id).task_state == 'SCALING'
    v1_instances.release_task_state(inst.id, 'SCALING')
    assert _status(engine.run_pass(), inst) == outcome.CHANGED
    assert v1_instances.get_instance(inst.id).task_state is None


def test_v1_foreign_sync_mark_is_left_young_and_taken_over_old(world, engine):
    # Tacker's own v1 synchronization marks the row without our lock: a
    # free lock alone does not prove its owner dead, its age does.
    inst = world.deploy('v1', vdus=['VDU1'])
    _drift(world, inst)
    v1_instances.claim_task_state(inst.id, 'DB_SYNCHRONIZING')
    assert _status(engine.run_pass(), inst) == outcome.SKIPPED
    assert v1_instances.get_instance(
        inst.id).task_state == 'DB_SYNCHRONIZING'
    v1_instances.release_task_state(inst.id, 'DB_SYNCHRONIZING')
    v1_instances.claim_task_state(inst.id, 'DB_SYNCHRONIZING',
                                  now=factories.ago(seconds=121))
    assert _status(engine.run_pass(), inst) == outcome.CHANGED
    assert v1_instances.get_instance(inst.id).task_state is None
    assert inst.stored()[1] == {'vdu1_aspect': 1}


@BOTH
@pytest.mark.parametrize('fault', ['down', '401', '503', 'slow', 'drop'])
def test_cluster_fault_writes_nothing_and_next_pass_recovers(
        world, engine, logs, api, fault):
    inst = world.deploy(api, vdus=['VDU1'])
    before = inst.raw()
    _drift(world, inst)
    sim = world.sim
    if fault == 'down':
        sim.stop()
    elif fault == '401':
        sim.refuse_tokens(count=1)
    elif fault == '503':
        sim.inject_error(503, path='replicasets')
    elif fault == 'slow':
        sim.inject_latency(4, count=1)  # request timeout is 2 s
    else:
        sim.drop_connections(count=2)
    result = engine.run_pass()
    assert _status(result, inst) == outcome.FAILED
    assert inst.raw() == before
    errors = _messages(logs, 'ERROR')
    assert len(errors) == 1
    assert world.vim.id in errors[0]
    assert 'sim-secret-token' not in ' '.join(
        r.getMessage() for r in logs.records)
    assert result.failed

    sim.reset_faults()
    if fault == 'down':
        sim.start()
    assert _status(engine.run_pass(), inst) == outcome.CHANGED


def test_names_sharing_a_prefix_are_attributed_by_owner(world, engine):
    web = world.deploy('v2', namespace='shared', vdus=['VDU1'],
                       names={'VDU1': 'web'})
    api = world.deploy('v2', namespace='shared', vdus=['VDU1'],
                       names={'VDU1': 'web-api'})
    world.sim.scale('Deployment', 'shared', 'web-api', 3)
    world.sim.wait_settled()
    result = engine.run_pass()
    assert _status(result, web) == outcome.UNCHANGED
    assert _status(result, api) == outcome.CHANGED
    assert len(api.stored()[0]['VDU1']) == 3
    assert len(web.stored()[0]['VDU1']) == 1


@pytest.mark.parametrize('name', ['my.app', 'd' * 60])
def test_dotted_and_long_names_are_attributed(world, engine, name):
    inst = world.deploy('v2', vdus=['VDU1'], names={'VDU1': name})
    victim = inst.stored()[0]['VDU1'][0]
    world.sim.kill_pod(inst.namespace, victim)
    world.sim.scale('Deployment', inst.namespace, name, 2)
    world.sim.wait_settled()
    assert _status(engine.run_pass(), inst) == outcome.CHANGED
    pods = inst.stored()[0]['VDU1']
    running = sorted(p['metadata']['name'] for p in world.pods_of(
        inst.namespace, 'Deployment', name))
    assert pods == running and victim not in pods
    if len(name) == 60:
        assert all(len(p) == 63 for p in pods)  # 58 chars + 5 suffix


def test_rolling_restart_is_deferred_then_written_once(world, engine,
                                                       logs):
    inst = world.deploy('v2', vdus=['VDU1'])
    before = inst.raw()
    sim = world.sim
    sim.hold_pending(True)
    deployment = sim.get('deployments', inst.namespace, 'vdu1')
    template = deployment['spec']['template']
    template['metadata'].setdefault('annotations', {})[
        'kubectl.kubernetes.io/restartedAt'] = '2026-11-26T00:00:00Z'
    from kubernetes import client
    client.AppsV1Api(sim.api_client()).patch_namespaced_deployment(
        'vdu1', inst.namespace, {'spec': {'template': template}})
    sim.step()
    result = engine.run_pass()
    assert _status(result, inst) == outcome.DEFERRED
    assert inst.raw() == before

    sim.hold_pending(False)
    sim.wait_settled(timeout=10)
    assert _status(engine.run_pass(), inst) == outcome.CHANGED
    running = sorted(p['metadata']['name'] for p in world.pods_of(
        inst.namespace, 'Deployment', 'vdu1'))
    assert inst.stored()[0]['VDU1'] == running
    assert _status(engine.run_pass(), inst) == outcome.UNCHANGED


def test_unsettled_past_settle_timeout_is_written_with_warning(
        world, logs, sync_conf):
    from tacker.dbsync import engine as engine_mod
    now = [1000.0]
    sync_conf.config(settle_timeout=60, group='database_sync')
    engine = engine_mod.SyncEngine(clock=lambda: now[0])
    inst = world.deploy('v2', vdus=['VDU1'], replicas={'VDU1': 2})
    sim = world.sim
    sim.hold_pending(True)
    sim.kill_pod(inst.namespace, inst.stored()[0]['VDU1'][0])
    sim.step()  # the replacement stays Pending
    assert _status(engine.run_pass(), inst) == outcome.DEFERRED
    now[0] += 30
    assert _status(engine.run_pass(), inst) == outcome.DEFERRED
    now[0] += 31
    assert _status(engine.run_pass(), inst) == outcome.CHANGED
    pods, levels, _ = inst.stored()
    assert len(pods['VDU1']) == 1 and levels == {'vdu1_aspect': 0}
    assert any('has not settled' in m for m in _messages(logs, 'WARNING'))
    engine.close()


def test_v1_tacker_object_entries_are_read_and_rewritten(world,
                                                         engine):
    inst = world.deploy('v1', vdus=['VDU1'], wrapped=True)
    pods, _, ids = inst.stored()
    world.sim.kill_pod(inst.namespace, pods['VDU1'][0])
    world.sim.wait_settled()
    assert _status(engine.run_pass(), inst) == outcome.CHANGED
    new_pods, _, new_ids = inst.stored()
    assert new_ids == ids and new_pods != pods


def test_v2_keeps_fields_it_does_not_own(world, engine):
    inst = world.deploy('v2', vdus=['VDU1'])
    world.sim.scale('Deployment', inst.namespace, 'vdu1', 2)
    world.sim.wait_settled()
    engine.run_pass()
    from tacker.db.instances import v2 as v2_instances
    info = v2_instances.get_instance(inst.id).instantiated_vnf_info
    kept = [i for i in info['vnfcInfo']
            if i.get('vnfcConfigurableProperties')]
    assert len(kept) == 1
    assert info['metadata']['vdu_reses']['VDU1']['spec']['replicas'] == 2


def test_one_unreadable_record_does_not_stop_the_pass(world, engine, logs):
    from tacker.db.instances import v2 as v2_instances
    good = world.deploy('v2', vdus=['VDU1'])
    bad = world.deploy('v2', vdus=['VDU1'])
    record = v2_instances.get_instance(bad.id)
    info = dict(record.instantiated_vnf_info)
    info['metadata'] = dict(info['metadata'], vdu_reses={
        'VDU1': {'kind': 'Job', 'metadata': {'name': 'vdu1'}}})
    v2_instances.update_instance(record, instantiatedVnfInfo=info)
    _drift(world, good)
    result = engine.run_pass()
    assert _status(result, good) == outcome.CHANGED
    assert _status(result, bad) == outcome.FAILED
    assert any(bad.id in m for m in _messages(logs, 'ERROR'))
