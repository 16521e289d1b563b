"""Pure parts of the LCM operations: request checks, readiness checks,
manifest labelling."""

import pytest

from tacker.common import exceptions
from tacker.tests import factories
from tacker.vnfm.infra_drivers.kubernetes import deployment
from tacker.vnfm.infra_drivers.kubernetes import k8s_resources
from tacker.vnflcm import operations
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfpkgm import vnfd


@pytest.fixture(scope='module')
def flavour():
    return vnfd.load_vnfd(str(factories.SAMPLE_CNF)).flavour('simple')


@pytest.mark.parametrize('params, levels, expected', [
    ({'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect'}, {}, 1),
    ({'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect', 'numberOfSteps': 2},
     {}, 2),
    ({'type': 'SCALE_IN', 'aspectId': 'vdu1_aspect'}, {'vdu1_aspect': 2},
     1),
])
def test_scale_target_level(flavour, params, levels, expected):
    assert operations.scale_target_level(flavour, levels, params) == (
        'vdu1_aspect', expected)


def test_scale_in_below_zero_names_the_levels(flavour):
    with pytest.raises(exceptions.Invalid) as caught:
        operations.scale_target_level(
            flavour, {}, {'type': 'SCALE_IN', 'aspectId': 'vdu1_aspect'})
    assert 'from scale level 0 to -1, outside [0, 2]' in \
        caught.value.message


def test_heal_pods():
    vnfcs = {'a': 'pod-a', 'b': 'pod-b'}
    assert operations.heal_pods(vnfcs, {'vnfcInstanceId': ['b']},
                                'vnfcInstanceId') == ['pod-b']
    assert operations.heal_pods(vnfcs, {}, 'vnfcInstanceId') == [
        'pod-a', 'pod-b']
    with pytest.raises(exceptions.Invalid):
        operations.heal_pods(vnfcs, {'vnfcInstanceId': 'a'}, 'x')


def test_labelled_copies_and_keeps_labels():
    doc = {'kind': 'Deployment', 'metadata': {'name': 'x',
                                              'labels': {'app': 'x'}}}
    out = k8s_resources.labelled(doc, instance_id='i', namespace='ns')
    assert out['metadata'] == {'name': 'x', 'namespace': 'ns', 'labels': {
        'app': 'x', 'tacker_vnf_instance_id': 'i'}}
    assert doc['metadata'] == {'name': 'x', 'labels': {'app': 'x'}}


def test_files_and_namespace_defaults(flavour):
    assert deployment.files_of(flavour, {}) == flavour.kubernetes_files
    assert deployment.namespace_of({}) == 'default'
    with pytest.raises(exceptions.Invalid):
        deployment.files_of(flavour, {'lcm-kubernetes-def-files': 'a.yaml'})


def _pod(name, uid, phase='Running', owner=None):
    meta = {'name': name, 'uid': uid, 'namespace': 'ns'}
    if owner:
        meta['ownerReferences'] = [{'kind': 'ReplicaSet', 'name': owner[0],
                                    'uid': owner[1], 'controller': True}]
    return {'metadata': meta, 'status': {'phase': phase}}


def test_readiness_checks():
    rs = {'metadata': {'name': 'rs', 'uid': 'rs-uid', 'namespace': 'ns',
                       'generation': 1},
          'spec': {'replicas': 2},
          'status': {'replicas': 2, 'observedGeneration': 1}}
    target = model.VduTarget('VDU1', 'ReplicaSet', 'rs')
    snapshot = model.NamespaceSnapshot(
        'ns', pods=[_pod('a', 'ua', owner=('rs', 'rs-uid')),
                    _pod('b', 'ub', 'Pending', owner=('rs', 'rs-uid'))],
        replicasets=[rs])
    assert 'Pending' in k8s_resources.vdus_ready([target])(snapshot)
    assert k8s_resources.owned_pods(snapshot, [target]) == {'ua': 'a',
                                                            'ub': 'b'}
    assert k8s_resources.pods_gone(['ua'])(snapshot) == \
        'pods still present: a'
    assert k8s_resources.pods_gone(['zz'])(snapshot) is None
    missing = model.VduTarget('VDU2', 'Deployment', 'nope')
    assert k8s_resources.vdus_ready([missing])(snapshot) == \
        'VDU2: no Deployment yet'
