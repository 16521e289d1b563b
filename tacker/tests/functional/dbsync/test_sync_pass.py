"""The periodic pass against a simulated cluster, v1 and v2, on every DB.

Each test lets Kubernetes change something behind Tacker's back (the
simulator's controls stand for node failures, an HPA, an operator), runs
one pass, and checks what an operator would: the stored pod names,
entry ids, scale levels and the log lines.
"""

import socket

import pytest

from tacker.vnfm.infra_drivers.kubernetes import outcome

BOTH = pytest.mark.parametrize('api', ['v1', 'v2'])


def _status(result, inst):
    return {o.instance_id: o for o in result.outcomes}[inst.id].status


def _messages(logs, level=None):
    return [r.getMessage() for r in logs.records
            if level is None or r.levelname == level]


@BOTH
def test_no_drift_writes_nothing(world, engine, api):
    inst = world.deploy(api)
    before = inst.raw()
    result = engine.run_pass()
    assert _status(result, inst) == outcome.UNCHANGED
    assert inst.raw() == before


@BOTH
@pytest.mark.parametrize('vdu', ['VDU1', 'VDU3', 'VDU5'])
def test_replaced_pod_is_renamed_keeping_entry_ids(world, engine, logs,
                                                   api, vdu):
    inst = world.deploy(api, vdus=[vdu])
    pods, _, ids = inst.stored()
    victim = pods[vdu][0]
    world.sim.kill_pod(inst.namespace, victim)
    world.sim.wait_settled()
    running = [p['metadata']['name'] for p in world.pods_of(
        inst.namespace, inst.docs[vdu]['kind'], inst.names[vdu])]
    assert victim not in running

    result = engine.run_pass()

    assert _status(result, inst) == outcome.CHANGED
    new_pods, _, new_ids = inst.stored()
    assert new_pods[vdu] == sorted(running)
    if api == 'v1':
        assert new_ids == ids  # v1 entries keep their ids on rename
    (new_name,) = set(running) - set(pods[vdu])
    line = ('Database synchronization succeeded. vnf: %s vdu: %s pods: '
            '%s -> %s' % (inst.id, vdu, victim, new_name))
    assert any(m.startswith(line) for m in _messages(logs, 'INFO'))


@BOTH
@pytest.mark.timeout(60)
def test_an_unreachable_lock_backend_fails_the_write_and_nothing_else(
        sqlite_world, engine, sync_conf, logs, api):
    # The drift is found, no lock can be taken: nothing is written, the
    # pass ends at once with the reason, and a later pass writes it.
    world = sqlite_world
    inst = world.deploy(api, vdus=['VDU1'])
    pods, _, _ = inst.stored()
    world.sim.kill_pod(inst.namespace, pods['VDU1'][0])
    world.sim.wait_settled()
    before = inst.raw()
    reachable = sync_conf.conf.coordination.backend_url
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]  # nothing listens there once closed
    sync_conf.config(backend_url='redis://:s3cret@127.0.0.1:%d' % port,
                     group='coordination')

    result = engine.run_pass()

    (failed,) = [o for o in result.outcomes if o.instance_id == inst.id]
    assert failed.status == outcome.FAILED
    assert 'coordination backend redis://:***@127.0.0.1:%d' % port in \
        failed.reason
    assert inst.raw() == before
    assert not any('s3cret' in m for m in _messages(logs))
    sync_conf.config(backend_url=reachable, group='coordination')
    assert _status(engine.run_pass(), inst) == outcome.CHANGED


@BOTH
def test_hpa_scale_out_and_in_moves_entries_and_level(world, engine, logs,
                                                      api):
    inst = world.deploy(api, vdus=['VDU1'])
    assert inst.stored()[1] == {'vdu1_aspect': 0}

    world.sim.scale('Deployment', inst.namespace, 'vdu1', 3)
    world.sim.wait_settled()
    engine.run_pass()
    pods, levels, _ = inst.stored()
    assert len(pods['VDU1']) == 3 and levels == {'vdu1_aspect': 2}
    assert any('scaleLevel vdu1_aspect: 0 -> 2' in m
               for m in _messages(logs, 'INFO'))

    world.sim.scale('Deployment', inst.namespace, 'vdu1', 2)
    world.sim.wait_settled()
    engine.run_pass()
    pods, levels, _ = inst.stored()
    running = world.pods_of(inst.namespace, 'Deployment', 'vdu1')
    assert pods['VDU1'] == sorted(p['metadata']['name'] for p in running)
    assert levels == {'vdu1_aspect': 1}


@BOTH
def test_statefulset_pod_recreated_same_name_writes_nothing(world, engine,
                                                            api):
    inst = world.deploy(api, vdus=['VDU2'], replicas={'VDU2': 2})
    before = inst.raw()
    old_uid = world.sim.get('pods', inst.namespace, 'vdu2-1')[
        'metadata']['uid']
    world.sim.kill_pod(inst.namespace, 'vdu2-1')
    world.sim.wait_settled()
    assert world.sim.get('pods', inst.namespace, 'vdu2-1')[
        'metadata']['uid'] != old_uid

    result = engine.run_pass()
    assert _status(result, inst) == outcome.UNCHANGED
    assert inst.raw() == before


@BOTH
def test_statefulset_scaled_changes_level(world, engine, api):
    inst = world.deploy(api, vdus=['VDU2'])
    world.sim.scale('StatefulSet', inst.namespace, 'vdu2', 3)
    world.sim.wait_settled()
    engine.run_pass()
    pods, levels, _ = inst.stored()
    assert pods['VDU2'] == ['vdu2-0', 'vdu2-1', 'vdu2-2']
    assert levels == {'vdu2_aspect': 2}


@BOTH
def test_bare_pod_deleted_is_out_of_range_and_nothing_written(
        world, engine, logs, api):
    inst = world.deploy(api, vdus=['VDU1', 'VDU4'])
    before = inst.raw()
    world.sim.kill_pod(inst.namespace, 'vdu4')
    world.sim.wait_settled()
    result = engine.run_pass()
    assert _status(result, inst) == outcome.FAILED
    assert inst.raw() == before
    assert ('Failed to update database vnf %s vdu: VDU4. Pod num is out of '
            'range. pod_num: 0' % inst.id) in _messages(logs, 'ERROR')


@BOTH
def test_count_above_max_is_out_of_range(world, engine, logs, api):
    inst = world.deploy(api, vdus=['VDU1'])
    before = inst.raw()
    world.sim.scale('Deployment', inst.namespace, 'vdu1', 4)
    world.sim.wait_settled()
    engine.run_pass()
    assert inst.raw() == before
    assert ('Failed to update database vnf %s vdu: VDU1. Pod num is out of '
            'range. pod_num: 4' % inst.id) in _messages(logs, 'ERROR')


def test_changed_instances_share_one_commit_and_a_stale_row_is_left_out(
        world, engine):
    import sqlalchemy as sa

    from tacker.db import api as db_api
    from tacker.db.instances import v2 as v2_instances

    insts = [world.deploy('v2', vdus=['VDU1']) for _ in range(4)]
    for inst in insts:
        world.sim.kill_pod(inst.namespace, inst.stored()[0]['VDU1'][0])
    world.sim.wait_settled()
    db_engine = db_api.get_engine()
    raced, writing, commits = [], set(), []

    def before(conn, cursor, statement, params, context, many):
        if not statement.lstrip().upper().startswith('UPDATE'):
            return
        writing.add(id(conn))
        if raced:
            return
        (inst,) = [i for i in insts if i.id in str(params)]
        raced.append(inst)
        # An LCM operation writes this record just before the pass does.
        v2_instances.update_instance(v2_instances.get_instance(inst.id),
                                     metadata={'written_by': 'lcm'})

    def commit(conn):
        if id(conn) in writing:
            writing.discard(id(conn))
            commits.append(conn)

    sa.event.listen(db_engine, 'before_cursor_execute', before)
    sa.event.listen(db_engine, 'commit', commit)
    try:
        result = engine.run_pass()
    finally:
        sa.event.remove(db_engine, 'before_cursor_execute', before)
        sa.event.remove(db_engine, 'commit', commit)

    (stale,) = raced
    assert _status(result, stale) == outcome.SKIPPED
    for inst in insts:
        running = sorted(p['metadata']['name'] for p in world.pods_of(
            inst.namespace, 'Deployment', inst.names['VDU1']))
        if inst is stale:
            assert inst.stored()[0]['VDU1'] != running
        else:
            assert _status(result, inst) == outcome.CHANGED
            assert inst.stored()[0]['VDU1'] == running
    # The LCM's own commit, and one for the three written by the pass.
    assert len(commits) == 2
    assert v2_instances.get_instance(stale.id).metadata == {
        'written_by': 'lcm'}
    # The next pass writes the one left out.
    engine.run_pass()
    assert stale.stored()[0]['VDU1'] == sorted(
        p['metadata']['name'] for p in world.pods_of(
            stale.namespace, 'Deployment', stale.names['VDU1']))
