"""Instantiate, scale, heal and terminate the sample CNF on a simulated
cluster, v1 and v2, and check the records against the cluster and the
synchronization."""

import pytest

from tacker.db import api as db_api
from tacker.db.instances import v1 as v1_instances
from tacker.db.instances import v2 as v2_instances
from tacker.db.models import v1 as v1_models
from tacker.tests import factories
from tacker.tests.functional.vnflcm import helpers

SCALE_OUT = {'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect'}
SCALE_IN = {'type': 'SCALE_IN', 'aspectId': 'vdu1_aspect'}


def _v2(env, **params):
    inst = factories.v2_instance(state='NOT_INSTANTIATED',
                                 vnfd_id=env.vnfd_id)
    body = {'flavourId': 'simple',
            'vimConnectionInfo': factories.v2_vim_connection(
                env.cluster.url)}
    body.update(params)
    helpers.assert_completed(helpers.run('v2', inst, 'INSTANTIATE', body))
    return inst


def _v2_info(inst):
    return v2_instances.get_instance(inst).instantiated_vnf_info


def _v1_record(inst):
    return v1_instances.get_instance(inst)


def test_v2_lifecycle(env):
    sim = env.cluster
    inst = _v2(env)
    record = v2_instances.get_instance(inst)
    assert record.instantiation_state == 'INSTANTIATED'
    assert record.vim_connection_info['vim1']['accessInfo'] == {
        'bearer_token': factories.TOKEN}
    info = record.instantiated_vnf_info
    helpers.assert_labelled(sim, inst)
    assert helpers.v2_pods_by_vdu(info) == helpers.running_pods_by_vdu(sim)
    assert len(helpers.running_pods_by_vdu(sim)['VDU3']) == 2  # 2 nodes
    assert info['flavourId'] == 'simple'
    assert info['vnfState'] == 'STARTED'
    assert info['scaleStatus'] == [
        {'aspectId': a, 'scaleLevel': 0}
        for a in ('vdu1_aspect', 'vdu2_aspect', 'vdu5_aspect')]
    assert info['maxScaleLevels'] == [
        {'aspectId': a, 'scaleLevel': 2}
        for a in ('vdu1_aspect', 'vdu2_aspect', 'vdu5_aspect')]
    metadata = info['metadata']
    assert metadata['namespace'] == 'default'
    assert len(metadata['lcm-kubernetes-def-files']) == 5
    assert sorted(metadata['vdu_reses']) == ['VDU1', 'VDU2', 'VDU3',
                                             'VDU4', 'VDU5']
    vdu1 = metadata['vdu_reses']['VDU1']
    assert vdu1['kind'] == 'Deployment'
    assert vdu1['spec']['replicas'] == 1
    assert vdu1['metadata']['labels'] == {'tacker_vnf_instance_id': inst}
    kinds = {e['vduId']: e['computeResource']['vimLevelResourceType']
             for e in info['vnfcResourceInfo']}
    assert kinds == {'VDU1': 'Deployment', 'VDU2': 'StatefulSet',
                     'VDU3': 'DaemonSet', 'VDU4': 'Pod',
                     'VDU5': 'ReplicaSet'}
    helpers.assert_sync_unchanged(inst)

    # scale out twice in one request, then in by one
    helpers.assert_completed(helpers.run(
        'v2', inst, 'SCALE', dict(SCALE_OUT, numberOfSteps=2)))
    assert sim.get('Deployment', 'default', 'vdu1')['spec']['replicas'] == 3
    info = _v2_info(inst)
    assert helpers.v2_pods_by_vdu(info) == helpers.running_pods_by_vdu(sim)
    assert len(helpers.v2_pods_by_vdu(info)['VDU1']) == 3
    assert info['scaleStatus'][0] == {'aspectId': 'vdu1_aspect',
                                      'scaleLevel': 2}
    assert info['metadata']['vdu_reses']['VDU1']['spec']['replicas'] == 3
    helpers.assert_sync_unchanged(inst)

    helpers.assert_completed(helpers.run('v2', inst, 'SCALE', SCALE_IN))
    assert sim.get('Deployment', 'default', 'vdu1')['spec']['replicas'] == 2
    info = _v2_info(inst)
    assert len(helpers.v2_pods_by_vdu(info)['VDU1']) == 2
    assert info['scaleStatus'][0]['scaleLevel'] == 1
    assert helpers.v2_pods_by_vdu(info) == helpers.running_pods_by_vdu(sim)
    helpers.assert_sync_unchanged(inst)

    # heal one Deployment pod, the StatefulSet pod and the bare pod
    before = helpers.v2_pods_by_vdu(info)
    old_vdu1 = before['VDU1'][0]
    old_uids = {p['metadata']['name']: p['metadata']['uid']
                for p in sim.pods('default')}
    helpers.assert_completed(helpers.run('v2', inst, 'HEAL', {
        'vnfcInstanceId': ['VDU1-' + old_vdu1, 'VDU2-vdu2-0',
                           'VDU4-vdu4']}))
    info = _v2_info(inst)
    after = helpers.v2_pods_by_vdu(info)
    assert after == helpers.running_pods_by_vdu(sim)
    assert old_vdu1 not in after['VDU1']
    assert before['VDU1'][1] in after['VDU1']
    assert after['VDU2'] == ['vdu2-0'] and after['VDU4'] == ['vdu4']
    new_uids = {p['metadata']['name']: p['metadata']['uid']
                for p in sim.pods('default')}
    assert new_uids['vdu2-0'] != old_uids['vdu2-0']
    assert new_uids['vdu4'] != old_uids['vdu4']
    assert after['VDU5'] == before['VDU5']
    helpers.assert_sync_unchanged(inst)

    helpers.assert_completed(helpers.run(
        'v2', inst, 'TERMINATE', {'terminationType': 'GRACEFUL'}))
    helpers.assert_nothing_left(sim)
    record = v2_instances.get_instance(inst)
    assert record.instantiation_state == 'NOT_INSTANTIATED'
    assert record.instantiated_vnf_info is None


@pytest.mark.parametrize('api', ['v1', 'v2'])
def test_heal_creates_a_bare_pod_that_is_already_gone(env, api):
    # Found by the soak: a heal that failed after deleting the bare pod
    # left it gone, and every later heal failed waiting for it, so the
    # instance could never be healed again.
    sim = env.cluster
    if api == 'v2':
        inst = _v2(env)
    else:
        inst = factories.v1_instance(state='NOT_INSTANTIATED',
                                     vnfd_id=env.vnfd_id,
                                     package_id=env.package_id, metadata={})
        helpers.assert_completed(helpers.run('v1', inst, 'INSTANTIATE', {
            'flavourId': 'simple'}))
    sim.kill_pod('default', 'vdu4')
    sim.wait_settled()
    assert 'VDU4' not in helpers.running_pods_by_vdu(sim)
    helpers.assert_completed(helpers.run(api, inst, 'HEAL', {}))
    pods = helpers.running_pods_by_vdu(sim)
    assert pods['VDU4'] == ['vdu4']
    if api == 'v2':
        assert helpers.v2_pods_by_vdu(_v2_info(inst)) == pods
    else:
        assert helpers.v1_pods_by_vdu(
            _v1_record(inst).instantiated.vnfc_resource_info) == pods
    helpers.assert_sync_unchanged(inst)


def test_v2_instantiation_level_and_default_vim(env):
    inst = factories.v2_instance(state='NOT_INSTANTIATED',
                                 vnfd_id=env.vnfd_id)
    helpers.assert_completed(helpers.run('v2', inst, 'INSTANTIATE', {
        'flavourId': 'simple',
        'instantiationLevelId': 'instantiation_level_2'}))
    sim = env.cluster
    for kind, name in (('Deployment', 'vdu1'), ('StatefulSet', 'vdu2'),
                       ('ReplicaSet', 'vdu5')):
        assert sim.get(kind, 'default', name)['spec']['replicas'] == 2
    record = v2_instances.get_instance(inst)
    assert list(record.vim_connection_info.values()) == [
        {'vimId': env.vim.id, 'vimType': 'ETSINFV.KUBERNETES.V_1'}]
    info = record.instantiated_vnf_info
    assert [s['scaleLevel'] for s in info['scaleStatus']] == [1, 1, 1]
    assert helpers.v2_pods_by_vdu(info) == helpers.running_pods_by_vdu(sim)
    helpers.assert_sync_unchanged(inst)


def test_v1_lifecycle(env):
    sim = env.cluster
    inst = factories.v1_instance(
        state='NOT_INSTANTIATED', package_id=env.package_id,
        vnfd_id=env.vnfd_id, metadata={})
    helpers.assert_completed(helpers.run(
        'v1', inst, 'INSTANTIATE', {'flavourId': 'simple'}))
    record = _v1_record(inst)
    assert record.instantiation_state == 'INSTANTIATED'
    assert record.task_state is None
    (connection,) = record.vim_connection_info
    assert {k: connection[k] for k in ('id', 'vim_id', 'vim_type')} == {
        'id': env.vim.id, 'vim_id': env.vim.id, 'vim_type': 'kubernetes'}
    assert record.vnf_metadata == {'namespace': 'default'}
    info = record.instantiated
    assert info.flavour_id == 'simple'
    assert info.additional_params['namespace'] == 'default'
    assert len(info.additional_params['lcm-kubernetes-def-files']) == 5
    assert info.scale_status == [
        {'aspect_id': a, 'scale_level': 0}
        for a in ('vdu1_aspect', 'vdu2_aspect', 'vdu5_aspect')]
    helpers.assert_labelled(sim, inst)
    assert helpers.v1_pods_by_vdu(info.vnfc_resource_info) == \
        helpers.running_pods_by_vdu(sim)
    entry = info.vnfc_resource_info[0]
    assert entry['compute_resource']['vim_connection_id'] == env.vim.id
    assert entry['storage_resource_ids'] == []
    assert entry['vnfc_cp_info'] == []
    helpers.assert_sync_unchanged(inst)

    helpers.assert_completed(helpers.run('v1', inst, 'SCALE', dict(
        SCALE_OUT, aspectId='vdu2_aspect')))
    assert sim.get('StatefulSet', 'default', 'vdu2')['spec']['replicas'] \
        == 2
    record = _v1_record(inst)
    assert record.task_state is None
    pods = helpers.v1_pods_by_vdu(record.instantiated.vnfc_resource_info)
    assert pods['VDU2'] == ['vdu2-0', 'vdu2-1']
    assert pods == helpers.running_pods_by_vdu(sim)
    assert {s['aspect_id']: s['scale_level']
            for s in record.instantiated.scale_status}['vdu2_aspect'] == 1
    helpers.assert_sync_unchanged(inst)

    # heal the ReplicaSet pod: the entry keeps its id, names the new pod
    vnfcs = record.instantiated.vnfc_resource_info
    vdu5 = [e for e in vnfcs if e['vdu_id'] == 'VDU5'][0]
    helpers.assert_completed(helpers.run('v1', inst, 'HEAL', {
        'vnfcInstanceId': [vdu5['id']]}))
    record = _v1_record(inst)
    healed = [e for e in record.instantiated.vnfc_resource_info
              if e['id'] == vdu5['id']][0]
    assert healed['compute_resource']['resource_id'] != \
        vdu5['compute_resource']['resource_id']
    assert helpers.v1_pods_by_vdu(record.instantiated.vnfc_resource_info) \
        == helpers.running_pods_by_vdu(sim)
    assert record.task_state is None
    helpers.assert_sync_unchanged(inst)

    helpers.assert_completed(helpers.run(
        'v1', inst, 'TERMINATE', {'terminationType': 'FORCEFUL'}))
    helpers.assert_nothing_left(sim)
    record = _v1_record(inst)
    assert record.instantiation_state == 'NOT_INSTANTIATED'
    assert record.instantiated is None
    assert record.task_state is None
    with db_api.reader_session() as session:
        rows = session.query(v1_models.VnfInstantiatedInfo).filter_by(
            vnf_instance_id=inst).all()
        assert [r.deleted for r in rows] == [True]


def test_v1_instantiate_then_instantiate_again_after_terminate(env):
    inst = factories.v1_instance(
        state='NOT_INSTANTIATED', package_id=env.package_id,
        vnfd_id=env.vnfd_id, metadata={})
    for _ in range(2):
        helpers.assert_completed(helpers.run(
            'v1', inst, 'INSTANTIATE', {
                'flavourId': 'simple',
                'vimConnectionInfo': [{'id': 'c1', 'vimId': env.vim.id,
                                       'vimType': 'kubernetes'}]}))
        (connection,) = _v1_record(inst).vim_connection_info
        assert {k: connection[k] for k in ('id', 'vim_id', 'vim_type')} == {
            'id': 'c1', 'vim_id': env.vim.id, 'vim_type': 'kubernetes'}
        helpers.assert_sync_unchanged(inst)
        helpers.assert_completed(helpers.run('v1', inst, 'TERMINATE', {}))
    helpers.assert_nothing_left(env.cluster)


@pytest.mark.parametrize('api_version', ['v1', 'v2'])
def test_on_mariadb_and_postgresql_too(lcm_conf, db, cluster,
                                       api_version):
    package = factories.onboarded_package()
    factories.vim(url=cluster.url)
    if api_version == 'v1':
        inst = factories.v1_instance(
            state='NOT_INSTANTIATED', package_id=package.id,
            vnfd_id=package.vnfd.vnfd_id, metadata={})
    else:
        inst = factories.v2_instance(state='NOT_INSTANTIATED',
                                     vnfd_id=package.vnfd.vnfd_id)
    helpers.assert_completed(helpers.run(
        api_version, inst, 'INSTANTIATE', {'flavourId': 'simple'}))
    helpers.assert_completed(helpers.run(api_version, inst, 'SCALE',
                                         SCALE_OUT))
    helpers.assert_sync_unchanged(inst)
    helpers.assert_completed(helpers.run(api_version, inst, 'TERMINATE',
                                         {}))
    helpers.assert_nothing_left(cluster)


def test_v2_in_another_namespace(env):
    sim = env.cluster
    sim.create({'apiVersion': 'v1', 'kind': 'Namespace',
                'metadata': {'name': 'cnf'}})
    inst = _v2(env, additionalParams={'namespace': 'cnf'})
    helpers.assert_labelled(sim, inst, namespace='cnf')
    assert sim.pods('default') == []
    info = _v2_info(inst)
    assert info['metadata']['namespace'] == 'cnf'
    assert helpers.v2_pods_by_vdu(info) == helpers.running_pods_by_vdu(
        sim, 'cnf')
    helpers.assert_sync_unchanged(inst)
    helpers.assert_completed(helpers.run('v2', inst, 'SCALE', SCALE_OUT))
    helpers.assert_sync_unchanged(inst)
    helpers.assert_completed(helpers.run('v2', inst, 'TERMINATE', {}))
    helpers.assert_nothing_left(sim, 'cnf')
