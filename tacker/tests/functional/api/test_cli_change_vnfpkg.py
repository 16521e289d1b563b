"""``openstack vnflcm change-vnfpkg`` (v2) through the real CLI.

The sample CNF is instantiated, then moved to ``sample_cnf_v2`` (VDU1 on
a newer image) by a rolling update while Kubernetes heals one of its
pods: the request is refused while the synchronization holds the
instance, a synchronization pass during the rollout writes nothing, the
operation writes the record once, and ``openstack vnflcm show`` then
names the new vnfdId and exactly the pods that run.
"""

import subprocess
import sys
import time

import pytest

from tacker.common import coordination
from tacker.dbsync import engine as sync_engine
from tacker.tests import db_counts
from tacker.tests.functional.api import conftest
from tacker.vnfpkgm import build

pytestmark = pytest.mark.slow

OLD_VNFD = '7f3d3b0e-6a55-4b7c-9f0e-5d7c2a1e9b01'
NEW_VNFD = 'c2f1a8d4-3b6e-4f0a-9d57-8e2b6a4c1f02'
NEW_IMAGE = 'nginx:1.27'


@pytest.fixture
def csar_v2(tmp_path):
    path = tmp_path / 'sample_cnf_v2.zip'
    subprocess.run([sys.executable, '-m', 'tacker.vnfpkgm.build',
                    str(build.SAMPLES_DIR / 'sample_cnf_v2'), str(path)],
                   check=True, capture_output=True, timeout=60)
    return path


def _vdu1_pods(info):
    return sorted(e['computeResource']['resourceId']
                  for e in info['vnfcResourceInfo'] if e['vduId'] == 'VDU1')


def _running_vdu1(cluster):
    return sorted(p['metadata']['name']
                  for p in cluster.pods('default', running=True)
                  if p['metadata']['name'].startswith('vdu1-'))


def _image(cluster):
    return cluster.get('Deployment', 'default', 'vdu1')['spec'][
        'template']['spec']['containers'][0]['image']


def _occ_state(server, op_id):
    return conftest.get_json(server, '/vnflcm/v2/vnf_lcm_op_occs/%s'
                             % op_id)['operationState']


def test_change_vnfpkg(cli, server, conductor, cluster, csar, csar_v2):
    cli.run('vim', 'register', '--is-default', '--config-file', cli.file(
        'vim.yaml', 'auth_url: %s\nbearer_token: %s\nproject_name: '
        'default\ntype: kubernetes\n' % (cluster.url, conftest.TOKEN)),
        'sim')
    for path in (csar, csar_v2):
        pkg = cli.json('vnf', 'package', 'create')
        cli.run('vnf', 'package', 'upload', '--path', path, pkg['ID'])
    inst = cli.json('vnflcm', 'create', OLD_VNFD, '--name', 'cnf',
                    version='v2')['ID']
    known = conftest.op_ids(server, 'v2')
    cli.run('vnflcm', 'instantiate', inst, cli.file('instantiate.json', {
        'flavourId': 'simple',
        'additionalParams': {'namespace': 'default'}}), version='v2')
    occ = conftest.wait_for_op(server, 'v2', inst, 'INSTANTIATE',
                               known=known)
    assert occ['operationState'] == 'COMPLETED', occ
    old_pods = _running_vdu1(cluster)
    assert len(old_pods) == 1 and _image(cluster) == 'nginx:1.25'

    request = cli.file('change_vnfpkg.json', {
        'vnfdId': NEW_VNFD,
        'additionalParams': {
            'upgrade_type': 'RollingUpdate',
            'lcm-operation-coordinate-old-vnf': 'none',
            'lcm-operation-coordinate-new-vnf': 'none',
            'lcm-kubernetes-def-files': [
                'Files/kubernetes/vdu1-deployment.yaml',
                'Files/kubernetes/vdu2-statefulset.yaml',
                'Files/kubernetes/vdu3-daemonset.yaml',
                'Files/kubernetes/vdu4-pod.yaml',
                'Files/kubernetes/vdu5-replicaset.yaml'],
            'vdu_params': [{'vdu_id': 'VDU1'}]}})

    # Refused while the synchronization holds the instance.
    with coordination.instance_lock(inst):
        proc = cli.run('vnflcm', 'change-vnfpkg', inst, request,
                       version='v2', check=False)
    assert proc.returncode == 1
    assert ('Other LCM operation of vnfInstance %s is in progress.'
            % inst) in proc.stderr
    assert cli.json('vnflcm', 'show', inst, version='v2')[
        'VNFD ID'] == OLD_VNFD

    # New pods take a while to start, so the rollout can be watched.
    cluster.hold_pending(True)
    known = conftest.op_ids(server, 'v2')
    with db_counts.InstanceUpdates(inst) as updates:
        out = cli.run('vnflcm', 'change-vnfpkg', inst, request,
                      version='v2').stdout
        assert ('Change Current VNF Package for VNF Instance %s has been '
                'accepted.' % inst) in out
        deadline = time.monotonic() + 20
        while _image(cluster) != NEW_IMAGE:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # Kubernetes heals the old pod in the middle of the rollout.
        cluster.kill_pod('default', old_pods[0])
        cluster.step()
        engine = sync_engine.SyncEngine()
        try:
            passed = engine.run_pass()
            assert [(o.instance_id, o.status) for o in passed.outcomes] == [
                (inst, 'skipped')]
            assert updates.count == 0
            cluster.hold_pending(False)
            occ = conftest.wait_for_op(server, 'v2', inst, 'CHANGE_VNFPKG',
                                       known=known)
            assert occ['operationState'] == 'COMPLETED', occ
            assert updates.count == 1
            passed = engine.run_pass()
            assert [(o.instance_id, o.status) for o in passed.outcomes] == [
                (inst, 'unchanged')]
        finally:
            engine.close()
            cluster.hold_pending(False)
        assert updates.count == 1

    shown = cli.json('vnflcm', 'show', inst, version='v2')
    assert shown['VNFD ID'] == NEW_VNFD
    assert shown['VNF Software Version'] == '2.0'
    info = shown['Instantiated Vnf Info']
    new_pods = _running_vdu1(cluster)
    assert _vdu1_pods(info) == new_pods
    assert len(new_pods) == 1 and not set(new_pods) & set(old_pods)
    assert _image(cluster) == NEW_IMAGE
    assert info['metadata']['vdu_reses']['VDU1']['spec']['template'][
        'spec']['containers'][0]['image'] == NEW_IMAGE
    shown_occ = cli.json('vnflcm', 'op', 'show', occ['id'], version='v2')
    assert shown_occ['Operation'] == 'CHANGE_VNFPKG'
    assert shown_occ['Operation State'] == 'COMPLETED'
    # The old package is free again; the new one is in use.
    usage = {p['vnfdId']: p['usageState'] for p in conftest.get_json(
        server, '/vnfpkgm/v1/vnf_packages')}
    assert usage == {OLD_VNFD: 'NOT_IN_USE', NEW_VNFD: 'IN_USE'}
