"""Assertions shared by the LCM functional tests."""

import collections
import json

from tacker.dbsync import engine
from tacker.vnflcm import begin
from tacker.vnfm.infra_drivers.kubernetes import k8s_resources
from tacker import versions
from tacker.vnflcm import runner

NAMESPACE = 'default'
WORKLOADS = (('Deployment', 'vdu1'), ('StatefulSet', 'vdu2'),
             ('DaemonSet', 'vdu3'), ('Pod', 'vdu4'), ('ReplicaSet', 'vdu5'))
VDU_OF_NAME = {'vdu1': 'VDU1', 'vdu2': 'VDU2', 'vdu3': 'VDU3',
               'vdu4': 'VDU4', 'vdu5': 'VDU5'}


def run(api_version, instance_id, operation, params, **kwargs):
    """begin + run; returns (final state, op occ)."""
    occ_id = begin.begin_operation(api_version=api_version,
                                   instance_id=instance_id,
                                   operation=operation, params=params,
                                   tenant_id='project-a')
    state = runner.run_operation(api_version, occ_id, **kwargs)
    return state, versions.get(api_version).op_occs.get(occ_id)


def assert_completed(result):
    state, occ = result
    assert state == 'COMPLETED', occ.error
    assert occ.state == 'COMPLETED'
    assert occ.error is None
    return occ


def running_pods_by_vdu(sim, namespace=NAMESPACE):
    """{VDU id: sorted Running pod names}.

    The owner is found by the pod's controller chain (through the
    ReplicaSet for a Deployment).
    """
    rs_owner = {}
    for rs in sim.list('ReplicaSet', namespace):
        refs = rs['metadata'].get('ownerReferences') or []
        rs_owner[rs['metadata']['name']] = (
            refs[0]['name'] if refs else rs['metadata']['name'])
    found = collections.defaultdict(list)
    for pod in sim.pods(namespace, running=True):
        refs = pod['metadata'].get('ownerReferences') or []
        if not refs:
            owner = pod['metadata']['name']
        elif refs[0]['kind'] == 'ReplicaSet':
            owner = rs_owner[refs[0]['name']]
        else:
            owner = refs[0]['name']
        found[VDU_OF_NAME[owner]].append(pod['metadata']['name'])
    return {vdu: sorted(names) for vdu, names in found.items()}


def v2_pods_by_vdu(info):
    found = collections.defaultdict(list)
    for entry in info['vnfcResourceInfo']:
        assert entry['id'] == entry['computeResource']['resourceId']
        found[entry['vduId']].append(entry['id'])
    names = {e['id'] for e in info['vnfcResourceInfo']}
    assert {e['vnfcResourceInfoId'] for e in info['vnfcInfo']} == names
    for entry in info['vnfcInfo']:
        assert entry['id'] == '%s-%s' % (entry['vduId'],
                                         entry['vnfcResourceInfoId'])
    return {vdu: sorted(names) for vdu, names in found.items()}


def v1_pods_by_vdu(vnfc_resource_info):
    found = collections.defaultdict(list)
    for entry in vnfc_resource_info:
        found[entry['vdu_id']].append(
            entry['compute_resource']['resource_id'])
        pod_meta = json.loads(entry['metadata']['Pod'])
        assert pod_meta['name'] == entry['compute_resource']['resource_id']
    return {vdu: sorted(names) for vdu, names in found.items()}


def assert_sync_unchanged(instance_id):
    sync = engine.SyncEngine()
    try:
        result = sync.run_pass(instance_ids=[instance_id])
    finally:
        sync.close()
    assert [(o.instance_id, o.status) for o in result.outcomes] == [
        (instance_id, 'unchanged')], result.to_dict()


def assert_labelled(sim, instance_id, namespace=NAMESPACE):
    for kind, name in WORKLOADS:
        obj = sim.get(kind, namespace, name)
        assert obj is not None, (kind, name)
        assert obj['metadata']['labels'][
            k8s_resources.INSTANCE_LABEL] == instance_id
        assert obj['metadata']['namespace'] == namespace


def assert_nothing_left(sim, namespace=NAMESPACE):
    for kind, name in WORKLOADS:
        assert sim.get(kind, namespace, name) is None, (kind, name)
    assert sim.pods(namespace) == []
