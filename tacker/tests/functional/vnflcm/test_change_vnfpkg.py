"""change_vnfpkg (v2) of the sample CNF to sample_cnf_v2 on a simulated
cluster: the rolling update, the record written once at the end, the
refusals, a rollout that times out, and the rollback."""

import threading
import time

import pytest

from tacker.common import exceptions
from tacker.db import packages
from tacker.db.instances import v2 as v2_instances
from tacker.dbsync import engine
from tacker.tests import db_counts
from tacker.tests import factories
from tacker.tests.functional.vnflcm import helpers
from tacker.vnflcm import begin
from tacker.vnflcm import operations
from tacker.vnflcm import runner
from tacker import versions

OLD_IMAGE = 'nginx:1.25'
NEW_IMAGE = 'nginx:1.27'
FILES = ['Files/kubernetes/vdu1-deployment.yaml',
         'Files/kubernetes/vdu2-statefulset.yaml',
         'Files/kubernetes/vdu3-daemonset.yaml',
         'Files/kubernetes/vdu4-pod.yaml',
         'Files/kubernetes/vdu5-replicaset.yaml']


@pytest.fixture
def new_package(env):
    return factories.onboarded_package(sample='sample_cnf_v2')


def request(vnfd_id, **additional):
    params = {'upgrade_type': 'RollingUpdate',
              'lcm-kubernetes-def-files': FILES,
              'vdu_params': [{'vdu_id': 'VDU1'}]}
    params.update(additional)
    return {'vnfdId': vnfd_id, 'additionalParams': params}


def instantiated(env):
    # Created as the API does, so the package is IN_USE.
    inst = v2_instances.create(
        package=packages.find_for_vnfd(env.vnfd_id), name='cnf',
        description=None, metadata=None)['id']
    assert usage(env.package_id) == 'IN_USE'
    helpers.assert_completed(helpers.run('v2', inst, 'INSTANTIATE', {
        'flavourId': 'simple',
        'vimConnectionInfo': factories.v2_vim_connection(env.cluster.url)}))
    return inst


def image(sim, name='vdu1'):
    spec = sim.get('Deployment', 'default', name)['spec']
    return spec['template']['spec']['containers'][0]['image']


def usage(package_id):
    return packages.get(package_id)['usage_state']


def test_rolling_update_records_the_new_package_and_pods(env, new_package):
    sim = env.cluster
    inst = instantiated(env)
    helpers.assert_completed(helpers.run('v2', inst, 'SCALE', {
        'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect'}))
    before = v2_instances.get_instance(inst).instantiated_vnf_info
    old_vdu1 = helpers.v2_pods_by_vdu(before)['VDU1']
    assert len(old_vdu1) == 2 and image(sim) == OLD_IMAGE

    occ = helpers.assert_completed(helpers.run(
        'v2', inst, 'CHANGE_VNFPKG', dict(
            request(new_package.vnfd.vnfd_id),
            vnfConfigurableProperties={'isAutoscaleEnabled': True})))
    assert occ.operation == 'CHANGE_VNFPKG'

    assert image(sim) == NEW_IMAGE
    assert sim.get('Deployment', 'default', 'vdu1')['spec']['replicas'] == 2
    view = v2_instances.view(inst)
    assert view['vnfdId'] == new_package.vnfd.vnfd_id
    assert (view['vnfSoftwareVersion'], view['vnfdVersion']) == ('2.0',
                                                                 '2.0')
    assert view['vnfConfigurableProperties'] == {'isAutoscaleEnabled': True}
    info = v2_instances.get_instance(inst).instantiated_vnf_info
    pods = helpers.v2_pods_by_vdu(info)
    assert pods == helpers.running_pods_by_vdu(sim)
    assert len(pods['VDU1']) == 2 and not set(pods['VDU1']) & set(old_vdu1)
    # The other VDUs were not touched.
    for vdu in ('VDU2', 'VDU3', 'VDU4', 'VDU5'):
        assert pods[vdu] == helpers.v2_pods_by_vdu(before)[vdu]
    vdu1 = info['metadata']['vdu_reses']['VDU1']
    assert vdu1['spec']['template']['spec']['containers'][0]['image'] == \
        NEW_IMAGE
    assert vdu1['spec']['replicas'] == 2
    assert info['metadata']['lcm-kubernetes-def-files'] == FILES
    # Kept, unlike Tacker, which rebuilds instantiatedVnfInfo without them.
    assert info['scaleStatus'] == before['scaleStatus']
    assert info['maxScaleLevels'] == before['maxScaleLevels']
    assert usage(new_package.id) == 'IN_USE'
    assert usage(env.package_id) == 'NOT_IN_USE'
    helpers.assert_sync_unchanged(inst)

    # The instance now lives on the new package: a scale uses it.
    helpers.assert_completed(helpers.run('v2', inst, 'SCALE', {
        'type': 'SCALE_IN', 'aspectId': 'vdu1_aspect'}))
    assert len(helpers.v2_pods_by_vdu(v2_instances.get_instance(
        inst).instantiated_vnf_info)['VDU1']) == 1


def _begin(inst, params):
    return begin.begin_operation(api_version='v2', instance_id=inst,
                                 operation='CHANGE_VNFPKG', params=params)


@pytest.mark.parametrize('change, code, detail', [
    (lambda r: r.pop('additionalParams'), 400,
     "Change Current VNF Package operation must have 'additionalParams'"),
    (lambda r: r['additionalParams'].update(upgrade_type='BlueGreen'), 400,
     'not support upgrade_type BlueGreen'),
    (lambda r: r['additionalParams'].pop('vdu_params'), 400,
     "'vdu_params' must exist in additionalParams"),
    (lambda r: r['additionalParams'].update(vdu_params=[{}]), 400,
     'If you set vdu_params in additionalParams, you must set vdu_id for '
     'each element.'),
    (lambda r: r['additionalParams'].update(vdu_params=[
        {'vdu_id': 'VDU9'}]), 400, "vdu_id 'VDU9' does not exist."),
    (lambda r: r['additionalParams'].update(vdu_params=[
        {'vdu_id': 'VDU2'}]), 400,
     'VDU VDU2 is a StatefulSet; a RollingUpdate rolls Deployments only'),
    (lambda r: r['additionalParams'].pop('lcm-kubernetes-def-files'), 400,
     "'lcm-kubernetes-def-files' must be specified"),
    (lambda r: r['additionalParams'].update({
        'lcm-kubernetes-def-files': ['Files/kubernetes/none.yaml']}), 400,
     None),
    (lambda r: r.update(vnfdId='0e7b8a63-5f0c-4c61-93f3-3f8e0ad2b0aa'), 422,
     'VnfPackage of vnfdId 0e7b8a63-5f0c-4c61-93f3-3f8e0ad2b0aa is not '
     'found or not operational.'),
])
def test_refused_requests_change_nothing(env, new_package, change, code,
                                         detail):
    inst = instantiated(env)
    before = v2_instances.view(inst)
    params = request(new_package.vnfd.vnfd_id)
    change(params)
    with pytest.raises(exceptions.TackerError) as caught:
        _begin(inst, params)
    assert caught.value.code == code
    if detail is not None:
        assert caught.value.message == detail
    assert v2_instances.view(inst) == before
    assert [o.operation for o in versions.get('v2').op_occs.for_instances(
        [inst])] == ['INSTANTIATE']


def test_disabled_package_and_not_instantiated(env, new_package):
    inst = instantiated(env)
    packages.update(new_package.id, operational_state='DISABLED')
    with pytest.raises(exceptions.TackerError) as caught:
        _begin(inst, request(new_package.vnfd.vnfd_id))
    assert (caught.value.code, caught.value.message) == (
        422, 'VnfId %s not ENABLED.' % new_package.vnfd.vnfd_id)
    idle = factories.v2_instance(state='NOT_INSTANTIATED',
                                 vnfd_id=env.vnfd_id)
    with pytest.raises(exceptions.TackerError) as caught:
        _begin(idle, request(new_package.vnfd.vnfd_id))
    assert (caught.value.code, caught.value.message) == (
        409, "VnfInstance %s isn't instantiated." % idle)


def test_v1_has_no_change_vnfpkg(env, new_package):
    inst = factories.v1_instance(vnfd_id=env.vnfd_id)
    with pytest.raises(exceptions.Invalid) as caught:
        begin.begin_operation(api_version='v1', instance_id=inst,
                              operation='CHANGE_VNFPKG',
                              params=request(new_package.vnfd.vnfd_id))
    assert "'CHANGE_VNFPKG' is not one of" in caught.value.message


def test_rollout_timeout_is_failed_temp_and_rollback_restores(
        env, new_package, lcm_conf):
    sim = env.cluster
    inst = instantiated(env)
    before = v2_instances.view(inst)
    old_info = v2_instances.get_instance(inst).instantiated_vnf_info
    lcm_conf.config(operation_timeout=1, group='vnf_lcm')
    # New pods never start: the rollout cannot finish.
    sim.hold_pending(True)
    state, occ = helpers.run('v2', inst, 'CHANGE_VNFPKG',
                             request(new_package.vnfd.vnfd_id))
    assert state == 'FAILED_TEMP'
    assert occ.error['status'] == 504
    assert 'did not reach the wanted state' in occ.error['detail']
    # Nothing was recorded: the record still names the old package.
    assert v2_instances.view(inst) == before
    assert image(sim) == NEW_IMAGE
    assert usage(env.package_id) == 'IN_USE'

    sim.hold_pending(False)
    lcm_conf.config(operation_timeout=20, group='vnf_lcm')
    # The op occ rollback of the API runs the change_vnfpkg undo step.
    assert operations.rollback_refusal('CHANGE_VNFPKG', occ.params) is None
    assert runner.resume_operation('v2', occ.id, 'rollback') == \
        'ROLLED_BACK'
    rolled = versions.get('v2').op_occs.get(occ.id)
    assert rolled.state == 'ROLLED_BACK'
    assert image(sim) == OLD_IMAGE
    info = v2_instances.get_instance(inst).instantiated_vnf_info
    assert helpers.v2_pods_by_vdu(info) == helpers.running_pods_by_vdu(sim)
    assert v2_instances.view(inst)['vnfdId'] == env.vnfd_id
    assert info['metadata']['vdu_reses'] == old_info['metadata']['vdu_reses']
    helpers.assert_sync_unchanged(inst)


def test_a_timed_out_change_vnfpkg_is_retried_to_completed(
        env, new_package, lcm_conf):
    sim = env.cluster
    inst = instantiated(env)
    lcm_conf.config(operation_timeout=1, group='vnf_lcm')
    sim.hold_pending(True)
    state, occ = helpers.run('v2', inst, 'CHANGE_VNFPKG',
                             request(new_package.vnfd.vnfd_id))
    assert state == 'FAILED_TEMP'
    sim.hold_pending(False)
    lcm_conf.config(operation_timeout=20, group='vnf_lcm')
    assert runner.resume_operation('v2', occ.id, 'retry') == 'COMPLETED'
    assert versions.get('v2').op_occs.get(occ.id).error is None
    assert image(sim) == NEW_IMAGE
    assert v2_instances.view(inst)['vnfdId'] == new_package.vnfd.vnfd_id
    info = v2_instances.get_instance(inst).instantiated_vnf_info
    assert helpers.v2_pods_by_vdu(info) == helpers.running_pods_by_vdu(sim)
    assert usage(new_package.id) == 'IN_USE'
    assert usage(env.package_id) == 'NOT_IN_USE'
    helpers.assert_sync_unchanged(inst)


def _wait_for(check, timeout=10):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, 'timed out'
        time.sleep(0.05)


def test_sync_during_change_writes_nothing_then_once(env, new_package):
    """A pod healed mid-rollout; the record is written once, at the end.

    The synchronization skips the instance while the op occ runs.
    """
    sim = env.cluster
    inst = instantiated(env)
    helpers.assert_completed(helpers.run('v2', inst, 'SCALE', {
        'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect'}))
    old_vdu1 = helpers.v2_pods_by_vdu(v2_instances.get_instance(
        inst).instantiated_vnf_info)['VDU1']
    before = v2_instances.view(inst)
    sim.hold_pending(True)
    result = {}
    worker = threading.Thread(target=lambda: result.update(
        done=helpers.run('v2', inst, 'CHANGE_VNFPKG',
                         request(new_package.vnfd.vnfd_id))))
    with db_counts.InstanceUpdates(inst) as updates:
        worker.start()
        _wait_for(lambda: image(sim) == NEW_IMAGE and any(
            p['status'].get('phase') == 'Pending'
            for p in sim.pods('default')))
        # An old pod dies mid-rollout; its ReplicaSet replaces it.
        sim.kill_pod('default', old_vdu1[0])
        sim.step()
        sync = engine.SyncEngine()
        try:
            passed = sync.run_pass(instance_ids=[inst])
            assert [(o.status, o.reason) for o in passed.outcomes] == [
                ('skipped', 'LCM operation in progress')]
            assert v2_instances.view(inst) == before
            assert updates.count == 0
            sim.hold_pending(False)
            worker.join(30)
            assert not worker.is_alive()
            occ = helpers.assert_completed(result['done'])
            assert occ.operation == 'CHANGE_VNFPKG'
            assert updates.count == 1
            passed = sync.run_pass(instance_ids=[inst])
            assert [o.status for o in passed.outcomes] == ['unchanged']
        finally:
            sync.close()
            sim.hold_pending(False)
        assert updates.count == 1
    info = v2_instances.get_instance(inst).instantiated_vnf_info
    pods = helpers.v2_pods_by_vdu(info)
    assert pods == helpers.running_pods_by_vdu(sim)
    assert len(pods['VDU1']) == 2 and not set(pods['VDU1']) & set(old_vdu1)
    assert image(sim) == NEW_IMAGE
