"""The whole life cycle through the real CLI, v1 and v2.

instantiate → scale out → (scale refused while the synchronization holds
the instance) → heal one VNFC → terminate → delete, with the conductor's
real RPC server in-process and the Kubernetes simulator as the VIM.
"""

import pytest

from tacker.common import coordination
from tacker.db.instances import v1 as v1_instances
from tacker.dbsync import engine as sync_engine
from tacker.tests.functional.api import conftest

pytestmark = pytest.mark.slow

VNFD_ID = '7f3d3b0e-6a55-4b7c-9f0e-5d7c2a1e9b01'


def _vdu1(info, version):
    key = 'vduId'
    return [e for e in info['vnfcResourceInfo'] if e[key] == 'VDU1']


def _heal_target(info, version):
    """The id a heal request names for VDU1's first VNFC, its pod."""
    entry = _vdu1(info, version)[0]
    pod = entry['computeResource']['resourceId']
    if version == 'v1':
        return entry['id'], pod
    vnfc = [c for c in info['vnfcInfo']
            if c['vnfcResourceInfoId'] == entry['id']][0]
    return vnfc['id'], pod


def _level(info):
    return {s['aspectId']: s['scaleLevel']
            for s in info['scaleStatus']}['vdu1_aspect']


def _hold_sync(version, instance_id):
    """What the synchronization holds while it works on an instance."""
    if version == 'v2':
        return coordination.instance_lock(instance_id)
    return _V1SyncMark(instance_id)


class _V1SyncMark:
    def __init__(self, instance_id):
        self.instance_id = instance_id

    def __enter__(self):
        assert v1_instances.claim_task_state(self.instance_id,
                                             'DB_SYNCHRONIZING')

    def __exit__(self, *exc_info):
        v1_instances.release_task_state(self.instance_id,
                                        'DB_SYNCHRONIZING')


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_life_cycle(cli, server, conductor, cluster, csar, version):
    cli.run('vim', 'register', '--is-default', '--config-file', cli.file(
        'vim.yaml', 'auth_url: %s\nbearer_token: %s\nproject_name: '
        'default\ntype: kubernetes\n' % (cluster.url, conftest.TOKEN)),
        'sim')
    pkg = cli.json('vnf', 'package', 'create')
    cli.run('vnf', 'package', 'upload', '--path', csar, pkg['ID'])
    inst = cli.json('vnflcm', 'create', VNFD_ID, '--name', 'cnf',
                    version=version)['ID']

    def run_and_wait(operation, *args):
        known = conftest.op_ids(server, version)
        out = cli.run('vnflcm', *args, version=version).stdout
        assert 'accepted' in out
        occ = conftest.wait_for_op(server, version, inst, operation,
                                   known=known)
        assert occ['operationState'] == 'COMPLETED', occ
        return occ

    def info():
        shown = cli.json('vnflcm', 'show', inst, version=version)
        return shown, shown.get('Instantiated Vnf Info')

    request = cli.file('instantiate.json', {
        'flavourId': 'simple',
        'additionalParams': {'namespace': 'default'}})
    occ = run_and_wait('INSTANTIATE', 'instantiate', inst, request)
    shown, before = info()
    assert shown['Instantiation State'] == 'INSTANTIATED'
    assert before['flavourId'] == 'simple'
    level, pods = _level(before), len(_vdu1(before, version))
    shown_occ = cli.json('vnflcm', 'op', 'show', occ['id'],
                         version=version)
    assert shown_occ['Operation State'] == 'COMPLETED'
    assert shown_occ['Operation'] == 'INSTANTIATE'

    run_and_wait('SCALE', 'scale', inst, '--type', 'SCALE_OUT',
                 '--aspect-id', 'vdu1_aspect')
    _shown, scaled = info()
    assert _level(scaled) == level + 1
    assert len(_vdu1(scaled, version)) == pods + 1

    with _hold_sync(version, inst):
        proc = cli.run('vnflcm', 'scale', inst, '--type', 'SCALE_IN',
                       '--aspect-id', 'vdu1_aspect', version=version,
                       check=False)
    assert proc.returncode == 1
    if version == 'v2':
        expected = ('Other LCM operation of vnfInstance %s is in progress.'
                    % inst)
    else:
        expected = ('Vnf instance %s in task_state DB_SYNCHRONIZING. '
                    'Cannot scale while the vnf instance is in this state.'
                    % inst)
    assert expected in proc.stderr
    _shown, after_409 = info()
    assert after_409 == scaled  # the refused request changed nothing

    # Kubernetes heals a pod and an HPA scales VDU1 behind Tacker's back;
    # after one synchronization pass the API shows what really runs.
    stale_pod = _vdu1(scaled, version)[0]['computeResource']['resourceId']
    cluster.kill_pod('default', stale_pod)
    cluster.scale('Deployment', 'default', 'vdu1', pods + 2)
    cluster.wait_settled(timeout=10)
    engine = sync_engine.SyncEngine()
    try:
        engine.run_pass()
    finally:
        engine.close()
    _shown, synced = info()
    running = sorted(
        p['metadata']['name'] for p in cluster.pods('default', running=True)
        if p['metadata']['name'].startswith('vdu1-'))
    assert sorted(e['computeResource']['resourceId']
                  for e in _vdu1(synced, version)) == running
    assert stale_pod not in running and _level(synced) == level + 2

    # A scale in now starts from the synchronized level, not the stale one.
    run_and_wait('SCALE', 'scale', inst, '--type', 'SCALE_IN',
                 '--aspect-id', 'vdu1_aspect')
    _shown, scaled = info()
    assert _level(scaled) == level + 1
    assert len(_vdu1(scaled, version)) == pods + 1

    vnfc_id, pod = _heal_target(scaled, version)
    run_and_wait('HEAL', 'heal', inst, '--vnfc-instance', vnfc_id)
    _shown, healed = info()
    names = [e['computeResource']['resourceId']
             for e in _vdu1(healed, version)]
    assert pod not in names and len(names) == pods + 1

    run_and_wait('TERMINATE', 'terminate', inst)
    shown, _info = info()
    assert shown['Instantiation State'] == 'NOT_INSTANTIATED'
    listed = cli.json('vnflcm', 'op', 'list', version=version)
    assert {o['Operation'] for o in listed} == {
        'INSTANTIATE', 'SCALE', 'HEAL', 'TERMINATE'}
    assert 'deleted successfully' in cli.run(
        'vnflcm', 'delete', inst, version=version).stdout
