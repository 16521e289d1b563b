"""Modify, retry and rollback through the real CLI, v1 and v2.

``openstack vnflcm update`` renames the instance and merges its
metadata; a scale out that fails for real (the simulator answers 503 to
the PATCH) is retried with ``openstack vnflcm op retry`` to COMPLETED;
another (its new pod never starts) is undone with ``openstack vnflcm op
rollback``: the Deployment is back at its replicas and the op occ
ROLLED_BACK.  While the synchronization holds the instance, update,
retry and rollback each answer 409.  The conductor's real RPC server
runs in-process and the Kubernetes simulator is the VIM.
"""

import time

import pytest

from tacker.tests.functional.api import conftest
from tacker.tests.functional.api import test_cli_lifecycle as lifecycle

pytestmark = pytest.mark.slow


def _conflict(version, inst, action):
    if version == 'v2':
        return 'Other LCM operation of vnfInstance %s is in progress.' % inst
    return ('Vnf instance %s in task_state DB_SYNCHRONIZING. Cannot %s while '
            'the vnf instance is in this state.' % (inst, action))


def _wait_state(server, version, occ_id, wanted, timeout=60):
    """The op occ once it is ``wanted``.

    A retried or rolled back op occ starts FAILED_TEMP: the conductor
    moves it on.
    """
    deadline = time.monotonic() + timeout
    while True:
        occ = conftest.get_json(server, '/vnflcm/%s/vnf_lcm_op_occs/%s'
                                % (version, occ_id))
        if occ['operationState'] == wanted or time.monotonic() > deadline:
            return occ
        time.sleep(0.1)


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_update_retry_and_rollback(cli, server, conductor, cluster, csar,
                                   fapi_conf, version):
    cli.run('vim', 'register', '--is-default', '--config-file', cli.file(
        'vim.yaml', 'auth_url: %s\nbearer_token: %s\nproject_name: '
        'default\ntype: kubernetes\n' % (cluster.url, conftest.TOKEN)),
        'sim')
    pkg = cli.json('vnf', 'package', 'create')
    cli.run('vnf', 'package', 'upload', '--path', csar, pkg['ID'])
    inst = cli.json('vnflcm', 'create', lifecycle.VNFD_ID, '--name', 'cnf',
                    version=version)['ID']

    def request(operation, *args, check=True):
        known = conftest.op_ids(server, version)
        cli.run('vnflcm', *args, version=version)
        occ = conftest.wait_for_op(server, version, inst, operation,
                                   known=known)
        if check:
            assert occ['operationState'] == 'COMPLETED', occ
        return occ

    def show():
        return cli.json('vnflcm', 'show', inst, version=version)

    def replicas():
        return cluster.get('Deployment', 'default', 'vdu1')['spec'][
            'replicas']

    request('INSTANTIATE', 'instantiate', inst, cli.file(
        'instantiate.json', {'flavourId': 'simple',
                             'additionalParams': {'namespace': 'default'}}))
    level = lifecycle._level(show()['Instantiated Vnf Info'])
    pods = replicas()

    # --- update
    update = cli.file('update.json', {
        'vnfInstanceName': 'renamed', 'vnfInstanceDescription': 'modified',
        'metadata': {'team': 'a', 'zone': 'z1', 'tier': None}})
    known = conftest.op_ids(server, version)
    out = cli.run('vnflcm', 'update', inst, '--I', update,
                  version=version).stdout
    assert 'Update vnf:%s' % inst in out
    occ = conftest.wait_for_op(server, version, inst, 'MODIFY_INFO',
                               known=known)
    assert occ['operationState'] == 'COMPLETED', occ
    shown = show()
    assert shown['VNF Instance Name'] == 'renamed'
    assert shown['VNF Instance Description'] == 'modified'
    metadata = shown['metadata'] if 'metadata' in shown else shown[
        'Metadata']
    assert metadata.get('team') == 'a' and metadata.get('zone') == 'z1'
    assert shown['Instantiation State'] == 'INSTANTIATED'

    with lifecycle._hold_sync(version, inst):
        proc = cli.run('vnflcm', 'update', inst, '--I', update,
                       version=version, check=False)
    assert proc.returncode == 1
    assert _conflict(version, inst, 'update') in proc.stderr

    # --- a scale out the cluster refuses, retried once it accepts
    cluster.inject_error(503, verb='patch')
    failed = request('SCALE', 'scale', inst, '--type', 'SCALE_OUT',
                     '--aspect-id', 'vdu1_aspect', check=False)
    assert failed['operationState'] == 'FAILED_TEMP', failed
    assert 'HTTP 503' in failed['error']['detail']
    cluster.reset_faults()

    with lifecycle._hold_sync(version, inst):
        for action in ('retry', 'rollback'):
            proc = cli.run('vnflcm', 'op', action, failed['id'],
                           version=version, check=False)
            assert proc.returncode == 1, proc.stdout
            assert _conflict(version, inst, action) in proc.stderr
    assert cli.json('vnflcm', 'op', 'show', failed['id'], version=version)[
        'Operation State'] == 'FAILED_TEMP'

    out = cli.run('vnflcm', 'op', 'retry', failed['id'],
                  version=version).stdout
    assert 'Retry request for LCM operation %s has been accepted' % (
        failed['id']) in out
    occ = _wait_state(server, version, failed['id'], 'COMPLETED')
    assert occ['operationState'] == 'COMPLETED', occ
    assert not occ.get('error'), occ
    assert lifecycle._level(show()['Instantiated Vnf Info']) == level + 1
    assert replicas() == pods + 1

    # --- a scale out whose pod never starts, rolled back
    fapi_conf.config(operation_timeout=1, group='vnf_lcm')
    cluster.fail_new_pods()
    failed = request('SCALE', 'scale', inst, '--type', 'SCALE_OUT',
                     '--aspect-id', 'vdu1_aspect', check=False)
    assert failed['operationState'] == 'FAILED_TEMP', failed
    assert replicas() == pods + 2
    cluster.fail_new_pods(False)
    fapi_conf.config(operation_timeout=30, group='vnf_lcm')
    out = cli.run('vnflcm', 'op', 'rollback', failed['id'],
                  version=version).stdout
    assert 'Rollback request for LCM operation %s has been accepted' % (
        failed['id']) in out
    occ = _wait_state(server, version, failed['id'], 'ROLLED_BACK')
    assert occ['operationState'] == 'ROLLED_BACK', occ
    assert replicas() == pods + 1
    cluster.wait_settled(timeout=10)
    running = sorted(
        p['metadata']['name'] for p in cluster.pods('default', running=True)
        if p['metadata']['name'].startswith('vdu1-'))
    info = show()['Instantiated Vnf Info']
    assert lifecycle._level(info) == level + 1
    assert sorted(e['computeResource']['resourceId']
                  for e in lifecycle._vdu1(info, version)) == running

    request('TERMINATE', 'terminate', inst)
    assert {o['Operation'] for o in cli.json(
        'vnflcm', 'op', 'list', version=version)} == {
        'INSTANTIATE', 'MODIFY_INFO', 'SCALE', 'TERMINATE'}
