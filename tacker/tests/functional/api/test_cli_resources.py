"""VIMs, VNF packages and VNF instances through the real ``openstack`` CLI.

Every command here is one an operator types; the server runs in-process
on an ephemeral port without Keystone (``--os-auth-type none``).
"""

import pytest

from tacker.tests.functional.api import conftest

pytestmark = pytest.mark.slow

VNFD_ID = '7f3d3b0e-6a55-4b7c-9f0e-5d7c2a1e9b01'


def _vim_yaml(cli, url, token=conftest.TOKEN):
    return cli.file('vim.yaml', (
        'auth_url: %s\nbearer_token: %s\nssl_ca_cert: "-----BEGIN '
        'CERTIFICATE-----sekrit"\nproject_name: default\ntype: kubernetes\n'
        % (url, token)))


def test_vim_register_list_show_delete(cli, cluster):
    vim = cli.json('vim', 'register', '--config-file',
                   _vim_yaml(cli, cluster.url), '--description', 'sim',
                   '--is-default', 'sim-vim')
    assert vim['name'] == 'sim-vim'
    assert vim['type'] == 'kubernetes'
    assert vim['auth_url'] == cluster.url
    assert vim['is_default'] is True
    assert 'bearer_token' not in str(vim) and 'sekrit' not in str(vim)

    listed = cli.json('vim', 'list')
    assert [v['ID'] for v in listed] == [vim['id']]
    shown = cli.json('vim', 'show', 'sim-vim')  # by name
    assert shown['id'] == vim['id']
    shown = cli.json('vim', 'show', vim['id'])  # by id
    assert conftest.TOKEN not in str(shown)

    proc = cli.run('vim', 'register', '--config-file',
                   _vim_yaml(cli, cluster.url), 'sim-vim', check=False)
    assert proc.returncode == 1
    assert 'sim-vim already exists' in proc.stderr

    out = cli.run('vim', 'delete', 'sim-vim').stdout
    assert 'deleted successfully' in out
    assert cli.json('vim', 'list') == []


def test_package_and_instances_v1_v2(cli, csar):
    pkg = cli.json('vnf', 'package', 'create', '--user-data', 'owner=ops')
    assert pkg['Onboarding State'] == 'CREATED'
    assert pkg['User Defined Data'] == {'owner': 'ops'}
    out = cli.run('vnf', 'package', 'upload', '--path', csar,
                  pkg['ID']).stdout
    assert 'has been accepted' in out
    shown = cli.json('vnf', 'package', 'show', pkg['ID'])
    assert shown['Onboarding State'] == 'ONBOARDED'
    assert shown['Operational State'] == 'ENABLED'
    assert shown['VNFD ID'] == VNFD_ID
    assert shown['VNF Provider'] == 'Company'
    assert shown['Checksum']['algorithm'] == 'sha512'
    listed = cli.json('vnf', 'package', 'list')
    assert [(p['Id'], p['Onboarding State']) for p in listed] == [
        (pkg['ID'], 'ONBOARDED')]

    for version in ('v1', 'v2'):
        inst = cli.json('vnflcm', 'create', VNFD_ID, '--name',
                        'cnf-' + version, '--description', 'demo',
                        version=version)
        assert inst['Instantiation State'] == 'NOT_INSTANTIATED'
        assert inst['VNFD ID'] == VNFD_ID
        assert inst['VNF Instance Name'] == 'cnf-' + version
        listed = cli.json('vnflcm', 'list', version=version)
        assert [i['ID'] for i in listed] == [inst['ID']]
        shown = cli.json('vnflcm', 'show', inst['ID'], version=version)
        assert shown['VNF Product Name'] == 'Sample CNF'
        assert ('VNF Package ID' in shown) == (version == 'v1')
        assert cli.json('vnflcm', 'op', 'list', version=version) == []

        if version == 'v1':
            # In use: the package cannot go away yet.
            cli.run('vnf', 'package', 'update', '--operational-state',
                    'DISABLED', pkg['ID'])
            proc = cli.run('vnf', 'package', 'delete', pkg['ID'],
                           check=False)
            assert proc.returncode == 1 and 'IN_USE' in proc.stderr
            cli.run('vnf', 'package', 'update', '--operational-state',
                    'ENABLED', pkg['ID'])

        out = cli.run('vnflcm', 'delete', inst['ID'], version=version).stdout
        assert 'deleted successfully' in out
        proc = cli.run('vnflcm', 'show', inst['ID'], version=version,
                       check=False)
        assert proc.returncode == 1
        assert inst['ID'] in proc.stderr

    proc = cli.run('vnf', 'package', 'delete', pkg['ID'], check=False)
    assert proc.returncode == 1
    assert 'disable it' in proc.stderr
    updated = cli.json('vnf', 'package', 'update', '--operational-state',
                       'DISABLED', pkg['ID'])
    assert updated == {'Operational State': 'DISABLED'}
    out = cli.run('vnf', 'package', 'delete', pkg['ID']).stdout
    assert 'deleted successfully' in out
    assert cli.json('vnf', 'package', 'list') == []


def test_errors_reach_the_operator(cli):
    unknown = '2b7e3c1a-0000-4000-8000-000000000000'
    proc = cli.run('vnflcm', 'create', VNFD_ID, version='v2', check=False)
    assert proc.returncode == 1
    assert ('VnfPackage of vnfdId %s is not found or not operational.'
            % VNFD_ID) in proc.stderr
    proc = cli.run('vnflcm', 'show', unknown, version='v2', check=False)
    assert proc.returncode == 1
    assert 'VnfInstance %s not found.' % unknown in proc.stderr
    proc = cli.run('vnflcm', 'scale', unknown, '--type', 'SCALE_OUT',
                   '--aspect-id', 'vdu1_aspect', check=False)
    assert proc.returncode == 1
    assert unknown in proc.stderr
    proc = cli.run('vnf', 'package', 'show', unknown, check=False)
    assert proc.returncode == 1 and unknown in proc.stderr
