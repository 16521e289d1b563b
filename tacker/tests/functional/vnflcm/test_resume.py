"""Retry, rollback and modify against the simulated cluster.

Each FAILED_TEMP here comes from a real fault of the Kubernetes API (the
simulator's fault injection) or from pods that never start; the checks
are what an operator would look at: the op occ's state and error, the
record, and what runs in the cluster.
"""

from tacker.common import coordination
from tacker.db.instances import v1 as v1_instances
from tacker.db.instances import v2 as v2_instances
from tacker.dbsync import engine as sync_engine
from tacker.tests import factories
from tacker.tests.functional.vnflcm import helpers
from tacker import versions
from tacker.vnflcm import begin
from tacker.vnflcm import runner


def _v2_instance(env):
    return factories.v2_instance(state='NOT_INSTANTIATED',
                                 vnfd_id=env.vnfd_id)


def _v1_instance(env):
    return factories.v1_instance(state='NOT_INSTANTIATED',
                                 package_id=env.package_id,
                                 vnfd_id=env.vnfd_id, metadata={},
                                 tenant_id='project-a')


def _instantiate(version, inst):
    return helpers.run(version, inst, 'INSTANTIATE', {
        'flavourId': 'simple', 'additionalParams': {'namespace': 'default'}})


def _resume(version, occ_id, mode):
    """What the conductor does for a retry or rollback the API took."""
    state = runner.resume_operation(version, occ_id, mode)
    return state, versions.get(version).op_occs.get(occ_id)


def _failed_instantiate(env, version):
    """An instantiate that created some objects, then failed."""
    inst = _v2_instance(env) if version == 'v2' else _v1_instance(env)
    env.cluster.inject_error(503, verb='post', path='statefulsets')
    state, occ = _instantiate(version, inst)
    assert state == 'FAILED_TEMP', occ
    assert 'HTTP 503' in occ.error['detail']
    # The Deployment made before the StatefulSet is there.
    assert env.cluster.get('Deployment', 'default', 'vdu1') is not None
    env.cluster.reset_faults()
    return inst, occ


def _state(version, inst):
    return versions.get(version).load(inst).instantiation_state


def test_retry_of_a_failed_instantiate_completes_with_the_same_op_occ(env):
    for version in ('v2', 'v1'):
        inst, occ = _failed_instantiate(env, version)
        state, retried = _resume(version, occ.id, 'retry')
        assert state == 'COMPLETED', retried.error
        assert retried.id == occ.id and retried.state == 'COMPLETED'
        assert retried.error is None
        assert _state(version, inst) == 'INSTANTIATED'
        helpers.assert_labelled(env.cluster, inst)
        helpers.assert_sync_unchanged(inst)
        # Free the namespace for the other version.
        helpers.assert_completed(helpers.run(version, inst, 'TERMINATE',
                                             {'terminationType': 'FORCEFUL'}))
        helpers.assert_nothing_left(env.cluster)


def test_rollback_of_a_failed_instantiate_deletes_what_it_created(env):
    for version in ('v2', 'v1'):
        inst, occ = _failed_instantiate(env, version)
        state, rolled = _resume(version, occ.id, 'rollback')
        assert state == 'ROLLED_BACK', rolled.error
        assert rolled.state == 'ROLLED_BACK'
        helpers.assert_nothing_left(env.cluster)
        assert _state(version, inst) == 'NOT_INSTANTIATED'
        if version == 'v1':
            assert v1_instances.get_instance(inst).task_state is None
        # The instance is free again: a new instantiate completes.
        helpers.assert_completed(_instantiate(version, inst))
        helpers.assert_completed(helpers.run(version, inst, 'TERMINATE',
                                             {'terminationType': 'FORCEFUL'}))


def test_rollback_of_a_failed_scale_out_returns_to_the_level(env, lcm_conf):
    inst = _v1_instance(env)
    helpers.assert_completed(_instantiate('v1', inst))
    before = helpers.running_pods_by_vdu(env.cluster)['VDU1']
    level = versions.get('v1').scale_levels(v1_instances.get_instance(inst))
    # The new pod never runs: the Deployment is scaled, the wait fails.
    lcm_conf.config(operation_timeout=1, group='vnf_lcm')
    env.cluster.fail_new_pods()
    state, occ = helpers.run('v1', inst, 'SCALE', {
        'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect'})
    assert state == 'FAILED_TEMP'
    assert env.cluster.get('Deployment', 'default', 'vdu1')['spec'][
        'replicas'] == len(before) + 1
    env.cluster.fail_new_pods(False)
    lcm_conf.config(operation_timeout=20, group='vnf_lcm')
    state, rolled = _resume('v1', occ.id, 'rollback')
    assert state == 'ROLLED_BACK', rolled.error
    assert env.cluster.get('Deployment', 'default', 'vdu1')['spec'][
        'replicas'] == len(before)
    env.cluster.wait_settled(timeout=10)
    assert helpers.running_pods_by_vdu(env.cluster)['VDU1'] == before
    record = v1_instances.get_instance(inst)
    assert versions.get('v1').scale_levels(record) == level
    assert helpers.v1_pods_by_vdu(record.instantiated.vnfc_resource_info)[
        'VDU1'] == before


def test_a_rollback_that_fails_is_failed_temp_again(env):
    inst, occ = _failed_instantiate(env, 'v2')
    env.cluster.inject_error(500, verb='delete')
    state, again = _resume('v2', occ.id, 'rollback')
    assert state == 'FAILED_TEMP'
    assert again.state == 'FAILED_TEMP'
    assert 'HTTP 500' in again.error['detail']
    env.cluster.reset_faults()
    state, rolled = _resume('v2', occ.id, 'rollback')
    assert state == 'ROLLED_BACK', rolled.error
    helpers.assert_nothing_left(env.cluster)


def test_resume_of_an_op_occ_no_longer_failed_temp_does_nothing(env):
    inst, occ = _failed_instantiate(env, 'v2')
    versions.get('v2').op_occs.transition(
        occ.id, from_states=['FAILED_TEMP'], to_state='FAILED')
    assert runner.resume_operation('v2', occ.id, 'retry') == 'FAILED'
    assert env.cluster.get('StatefulSet', 'default', 'vdu2') is None


def test_a_duplicate_retry_runs_once_and_a_v1_claim_is_released(env):
    inst, occ = _failed_instantiate(env, 'v1')
    assert runner.resume_operation('v1', occ.id, 'retry') == 'COMPLETED'
    # The second request the API also accepted finds it COMPLETED.
    assert runner.resume_operation('v1', occ.id, 'rollback') == 'COMPLETED'
    assert _state('v1', inst) == 'INSTANTIATED'
    helpers.assert_labelled(env.cluster, inst)
    assert v1_instances.get_instance(inst).task_state is None


def test_a_v1_resume_waits_its_turn_behind_another_task(env):
    inst, occ = _failed_instantiate(env, 'v1')
    assert v1_instances.claim_task_state(inst, 'TERMINATING')
    assert runner.resume_operation('v1', occ.id, 'retry') == 'FAILED_TEMP'
    # Not ours: the other task's claim stays.
    assert v1_instances.get_instance(inst).task_state == 'TERMINATING'
    v1_instances.release_task_state(inst, 'TERMINATING')
    assert runner.resume_operation('v1', occ.id, 'retry') == 'COMPLETED'


def test_resume_waits_for_the_lock_and_leaves_failed_temp_if_it_never_frees(
        env):
    inst, occ = _failed_instantiate(env, 'v2')
    with coordination.instance_lock(inst):
        state = runner.resume_operation('v2', occ.id, 'retry',
                                        lock_wait_timeout=0.3)
    assert state == 'FAILED_TEMP'
    assert versions.get('v2').op_occs.get(occ.id).state == 'FAILED_TEMP'


def test_v2_modify_merges_into_the_record(env):
    inst = factories.v2_instance(
        state='NOT_INSTANTIATED', vnfd_id=env.vnfd_id,
        metadata={'owner': 'a', 'tier': 'gold'})
    helpers.assert_completed(helpers.run('v2', inst, 'MODIFY_INFO', {
        'vnfInstanceName': 'renamed', 'vnfInstanceDescription': 'now',
        'metadata': {'tier': None, 'zone': 'z'},
        'extensions': {'e': 1}, 'vnfConfigurableProperties': {'p': True}}))
    shown = v2_instances.view(inst)
    assert shown['vnfInstanceName'] == 'renamed'
    assert shown['vnfInstanceDescription'] == 'now'
    assert shown['metadata'] == {'owner': 'a', 'zone': 'z'}
    assert shown['extensions'] == {'e': 1}
    assert shown['vnfConfigurableProperties'] == {'p': True}


def test_v2_modify_of_an_instantiated_instance_keeps_it_in_sync(env):
    inst = _v2_instance(env)
    helpers.assert_completed(_instantiate('v2', inst))
    record = v2_instances.get_instance(inst)
    (key,) = record.vim_connection_info
    helpers.assert_completed(helpers.run('v2', inst, 'MODIFY_INFO', {
        'vimConnectionInfo': {key: {'vimType': 'ETSINFV.KUBERNETES.V_1',
                                    'extra': {'note': 'x'}},
                              'unused': None}}))
    after = v2_instances.get_instance(inst)
    assert after.vim_connection_info[key]['extra'] == {'note': 'x'}
    assert after.vim_connection_info[key]['vimId'] == \
        record.vim_connection_info[key]['vimId']
    assert after.instantiated_vnf_info == record.instantiated_vnf_info
    helpers.assert_sync_unchanged(inst)
    # A VNFC's configurable properties, kept by the next synchronization.
    vnfc = after.instantiated_vnf_info['vnfcInfo'][0]['id']
    helpers.assert_completed(helpers.run('v2', inst, 'MODIFY_INFO', {
        'vnfcInfoModifications': [{'id': vnfc, 'vnfcConfigurableProperties':
                                   {'role': 'primary'}}]}))
    helpers.assert_sync_unchanged(inst)
    (entry,) = [e for e in v2_instances.get_instance(
        inst).instantiated_vnf_info['vnfcInfo'] if e['id'] == vnfc]
    assert entry['vnfcConfigurableProperties'] == {'role': 'primary'}


def test_v1_modify_merges_connections_and_metadata(env):
    inst = _v1_instance(env)
    helpers.assert_completed(_instantiate('v1', inst))
    (conn,) = v1_instances.get_instance(inst).vim_connection_info
    helpers.assert_completed(helpers.run('v1', inst, 'MODIFY_INFO', {
        'vnfInstanceName': 'renamed', 'metadata': {'team': 'b'},
        'vimConnectionInfo': [{'id': conn['id'], 'vimType': 'kubernetes',
                               'extra': {'note': 'x'}}]}))
    record = v1_instances.get_instance(inst)
    assert record.vnf_metadata == {'namespace': 'default', 'team': 'b'}
    (after,) = record.vim_connection_info
    assert after['vim_id'] == conn['vim_id'] and after['extra'] == {
        'note': 'x'}
    row, _info = v1_instances.view(inst)
    assert row['vnf_instance_name'] == 'renamed'
    # The namespace it runs in still comes from the record: in sync.
    helpers.assert_sync_unchanged(inst)


def _sync_outcomes(inst):
    sync = sync_engine.SyncEngine()
    try:
        result = sync.run_pass(instance_ids=[inst])
    finally:
        sync.close()
    return [(o.instance_id, o.status, o.reason) for o in result.outcomes]


def test_the_sync_skips_an_instance_while_a_modify_or_retry_runs(env):
    inst = _v2_instance(env)
    helpers.assert_completed(_instantiate('v2', inst))
    env.cluster.inject_error(422, verb='patch')
    state, occ = helpers.run('v2', inst, 'SCALE', {
        'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect'})
    assert state == 'FAILED_TEMP'
    env.cluster.reset_faults()
    adapter = versions.get('v2')
    # PROCESSING (a retry) and STARTING (a modify) count as in progress.
    for state in ('PROCESSING', 'ROLLING_BACK'):
        adapter.op_occs.transition(occ.id, from_states=['FAILED_TEMP'],
                                   to_state=state)
        assert _sync_outcomes(inst) == [
            (inst, 'skipped', 'LCM operation in progress')]
        adapter.op_occs.transition(occ.id, from_states=[state],
                                   to_state='FAILED_TEMP')
    helpers.assert_completed(_resume('v2', occ.id, 'retry'))
    modify_id = begin.begin_operation(
        api_version='v2', instance_id=inst, operation='MODIFY_INFO',
        params={'vnfInstanceName': 'x'})
    assert _sync_outcomes(inst) == [
        (inst, 'skipped', 'LCM operation in progress')]
    assert runner.run_operation('v2', modify_id) == 'COMPLETED'
    helpers.assert_sync_unchanged(inst)


def test_v2_modify_to_another_vnfd_takes_its_package(env):
    from tacker.db import packages

    other = factories.onboarded_package(sample='sample_cnf_multi')
    inst = factories.v2_instance(state='NOT_INSTANTIATED',
                                 vnfd_id=env.vnfd_id)
    helpers.assert_completed(helpers.run('v2', inst, 'MODIFY_INFO', {
        'vnfdId': other.vnfd.vnfd_id}))
    shown = v2_instances.view(inst)
    assert shown['vnfdId'] == other.vnfd.vnfd_id
    assert (shown['vnfProvider'], shown['vnfProductName'],
            shown['vnfSoftwareVersion'], shown['vnfdVersion']) == (
        other.vnfd.provider, other.vnfd.product_name,
        other.vnfd.software_version, other.vnfd.vnfd_version)
    assert packages.get(other.id)['usage_state'] == 'IN_USE'


def test_rollback_leaves_an_object_that_was_not_the_instances(env):
    env.cluster.create({
        'apiVersion': 'apps/v1', 'kind': 'StatefulSet',
        'metadata': {'name': 'vdu2', 'namespace': 'default'},
        'spec': {'replicas': 1, 'serviceName': 'other',
                 'selector': {'matchLabels': {'app': 'other'}},
                 'template': {'metadata': {'labels': {'app': 'other'}},
                              'spec': {'containers': [
                                  {'name': 'c', 'image': 'nginx'}]}}}})
    inst = _v2_instance(env)
    state, occ = _instantiate('v2', inst)
    assert state == 'FAILED_TEMP'
    assert 'create StatefulSet vdu2: it already exists and is not vnf' in \
        occ.error['detail']
    # A retry meets the same object and fails the same way.
    state, again = _resume('v2', occ.id, 'retry')
    assert state == 'FAILED_TEMP'
    assert 'is not vnf' in again.error['detail']
    state, rolled = _resume('v2', occ.id, 'rollback')
    assert state == 'ROLLED_BACK', rolled.error
    assert env.cluster.get('Deployment', 'default', 'vdu1') is None
    foreign = env.cluster.get('StatefulSet', 'default', 'vdu2')
    assert foreign is not None and 'tacker_vnf_instance_id' not in (
        foreign['metadata'].get('labels') or {})
    assert _state('v2', inst) == 'NOT_INSTANTIATED'
