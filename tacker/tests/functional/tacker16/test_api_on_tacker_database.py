"""Our REST API on a database Tacker 16 built, read back by Tacker 16.

Tacker 16's own migrations (its models on SQLite) build the schema; our
tacker-server, in a thread of this process as in the API functional
tests, registers a Kubernetes VIM, creates and onboards a package with
``userDefinedData`` and creates a v1 and a v2 VNF instance; then Tacker
16's NFVO DB plugin and object classes load those rows.  What they show
is what an operator of that Tacker would see of our writes.
"""

import json
import urllib.error
import urllib.request

import pytest

from tacker.api import server as server_mod
from tacker.db import api as db_api
from tacker.db import op_occs
from tacker.tests.functional.api import conftest as api_conftest
# The API tests' configuration and sample CSAR, reused as they are.
from tacker.tests.functional.api.conftest import csar  # noqa: F401
from tacker.tests.functional.api.conftest import fapi_conf  # noqa: F401
from tacker import versions

pytestmark = pytest.mark.slow

VNFD_ID = '7f3d3b0e-6a55-4b7c-9f0e-5d7c2a1e9b01'
K8S_URL = 'https://10.0.0.1:6443'
USER_DATA = {'owner': 'ops', 'site': 'lab-1'}
PATCHED = {'site': 'lab-2', 'tier': 'gold'}


@pytest.fixture
def server(fapi_conf, tacker_db):  # noqa: F811
    """tacker-server on the Tacker-built database (noauth)."""
    from tacker.conductor import rpc_api

    srv = server_mod.serve_in_thread(
        auth_strategy='noauth',
        conductor=rpc_api.ConductorAPI(url=api_conftest.TRANSPORT))
    yield srv
    srv.stop()


class Api:
    """JSON over HTTP to one server; the answer's status and body."""

    def __init__(self, url):
        self.url = url.rstrip('/')

    def call(self, method, path, body=None, *, raw=None,
             content_type='application/json'):
        data = raw if raw is not None else (
            None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(self.url + path, data=data,
                                     method=method)
        if data is not None:
            req.add_header('Content-Type', content_type)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, _body(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _body(exc.read())

    def expect(self, status, method, path, body=None, **kwargs):
        got, answer = self.call(method, path, body, **kwargs)
        assert got == status, '%s %s: HTTP %s %s' % (method, path, got,
                                                     answer)
        return answer


def _body(raw):
    return json.loads(raw) if raw else None


def _register_vim(api):
    vim = api.expect(201, 'POST', '/v1.0/vims', {'vim': {
        'name': 'k8s-on-tacker', 'type': 'kubernetes',
        'description': 'registered by our API', 'is_default': True,
        'auth_url': K8S_URL,
        'auth_cred': {'bearer_token': 'tok-tacker16-api'},
        'vim_project': {'name': 'default'}}})['vim']
    assert vim['status'] == 'ACTIVE'
    return vim


def _onboard_package(api, csar_path):
    pkg = api.expect(201, 'POST', '/vnfpkgm/v1/vnf_packages',
                     {'userDefinedData': USER_DATA})
    assert pkg['userDefinedData'] == USER_DATA
    path = '/vnfpkgm/v1/vnf_packages/%s' % pkg['id']
    api.expect(202, 'PUT', path + '/package_content',
               raw=csar_path.read_bytes(), content_type='application/zip')
    return api.expect(200, 'GET', path)


def _create_instance(api, version):
    inst = api.expect(201, 'POST', '/vnflcm/%s/vnf_instances' % version,
                      {'vnfdId': VNFD_ID, 'vnfInstanceName': 'cnf-' + version,
                       'vnfInstanceDescription': 'on Tacker'})
    assert inst['instantiationState'] == 'NOT_INSTANTIATED'
    return inst


def test_api_writes_rows_tacker16_reads(server, tacker_db, tacker16,
                                        csar):  # noqa: F811
    api = Api(server.url)
    vim = _register_vim(api)
    listed = api.expect(200, 'GET', '/v1.0/vims')['vims']
    assert [(v['id'], v['status']) for v in listed] == [(vim['id'],
                                                         'ACTIVE')]
    shown = api.expect(200, 'GET', '/v1.0/vims/%s' % vim['id'])['vim']
    assert (shown['name'], shown['auth_url']) == ('k8s-on-tacker', K8S_URL)
    assert 'tok-tacker16-api' not in json.dumps(shown)

    pkg = _onboard_package(api, csar)
    assert pkg['onboardingState'] == 'ONBOARDED'
    assert pkg['userDefinedData'] == USER_DATA
    assert pkg['vnfdId'] == VNFD_ID
    path = '/vnfpkgm/v1/vnf_packages/%s' % pkg['id']
    assert api.expect(200, 'PATCH', path, {'userDefinedData': PATCHED}) == {
        'userDefinedData': PATCHED}
    merged = dict(USER_DATA, **PATCHED)
    assert api.expect(200, 'GET', path)['userDefinedData'] == merged
    gone = api.expect(201, 'POST', '/vnfpkgm/v1/vnf_packages',
                      {'userDefinedData': {'short': 'lived'}})
    api.expect(204, 'DELETE', '/vnfpkgm/v1/vnf_packages/%s' % gone['id'])
    v1 = _create_instance(api, 'v1')
    v2 = _create_instance(api, 'v2')

    rows = tacker16.run('read-api-rows', tacker_db.url, '--vim', vim['id'],
                        '--package', pkg['id'])
    seen_vim, seen_pkg = rows['vim'], rows['package']
    assert 'error' not in seen_vim, seen_vim
    assert (seen_vim['name'], seen_vim['type'], seen_vim['auth_url'],
            seen_vim['status']) == ('k8s-on-tacker', 'kubernetes', K8S_URL,
                                    'ACTIVE')
    assert seen_vim['is_default'] is True
    assert 'error' not in seen_pkg, seen_pkg
    assert (seen_pkg['onboarding_state'], seen_pkg['operational_state'],
            seen_pkg['usage_state']) == ('ONBOARDED', 'ENABLED', 'IN_USE')
    assert seen_pkg['user_data'] == merged
    deleted = tacker16.run('read-api-rows', tacker_db.url, '--vim',
                           vim['id'], '--package', gone['id'])['package']
    assert deleted['error'].startswith('VnfPackageNotFound'), deleted

    read = tacker16.read(tacker_db.url, v1=[v1['id']], v2=[v2['id']])
    for version, inst in (('v1', v1), ('v2', v2)):
        seen = read[version][inst['id']]
        assert seen['load_ok'] == {'object': True, 'view': True}, seen
        assert seen['object']['instantiation_state'] == 'NOT_INSTANTIATED'
        assert seen['view']['instantiation_state'] == 'NOT_INSTANTIATED'
        assert seen['object']['pods_per_vdu'] == {}


PARAMS = {'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect',
          'numberOfSteps': 1, 'additionalParams': {'note': 'by our LCM'}}


def _failed_op_occ(version, instance_id, tenant_id):
    """An op occ as our LCM leaves it: created, run, failed."""
    occs = versions.get(version).op_occs
    with db_api.writer_session() as session:
        occ_id = occs.create(session, instance_id=instance_id,
                             operation='SCALE', params=PARAMS,
                             tenant_id=tenant_id)
    assert occs.transition(occ_id, from_states=['STARTING'],
                           to_state='PROCESSING')
    assert occs.transition(occ_id, from_states=['PROCESSING'],
                           to_state='FAILED_TEMP', error=op_occs.problem(
                               422, 'Unprocessable Entity', 'too many'))
    return occ_id


def test_op_occs_our_lcm_writes_tacker16_reads(server, tacker_db, tacker16,
                                               csar):  # noqa: F811
    api = Api(server.url)
    _register_vim(api)
    _onboard_package(api, csar)
    occ_ids = {}
    for version in ('v1', 'v2'):
        inst = _create_instance(api, version)
        occ_ids[version] = _failed_op_occ(version, inst['id'], inst.get(
            'tenantId') or 'admin')
    read = tacker16.run('read-op-occs', tacker_db.url,
                        '--v1', occ_ids['v1'], '--v2', occ_ids['v2'])
    for version in ('v1', 'v2'):
        seen = read[version][occ_ids[version]]
        assert 'view' in seen, seen
        assert seen['state'] == 'FAILED_TEMP'
        view = seen['view']
        assert view['operationState'] == 'FAILED_TEMP'
        assert view['operation'] == 'SCALE'
        assert view['operationParams'] == PARAMS
        assert (view['error']['status'], view['error']['detail']) == (
            422, 'too many')


MODIFY = {'v1': {'vnfInstanceName': 'renamed-v1',
                 'vnfInstanceDescription': 'modified by our LCM',
                 'metadata': {'team': 'b'}},
          'v2': {'vnfInstanceName': 'renamed-v2',
                 'vnfInstanceDescription': 'modified by our LCM',
                 'metadata': {'team': 'b'}, 'extensions': {'ext': 1},
                 'vnfConfigurableProperties': {'isAutoscaleEnabled': True}}}


def test_modify_and_retry_our_lcm_writes_tacker16_reads(
        server, tacker_db, tacker16, csar):  # noqa: F811
    from tacker.vnflcm import runner

    api = Api(server.url)
    _register_vim(api)
    _onboard_package(api, csar)
    instances, modify_ids, retried = {}, {}, {}
    for version in ('v1', 'v2'):
        inst = _create_instance(api, version)
        instances[version] = inst['id']
        api.expect(202, 'PATCH', '/vnflcm/%s/vnf_instances/%s'
                   % (version, inst['id']), MODIFY[version],
                   content_type='application/merge-patch+json')
        (occ,) = api.expect(200, 'GET', '/vnflcm/%s/vnf_lcm_op_occs'
                            % version)
        # No conductor listens on the fake transport: run it here.
        assert runner.run_operation(version, occ['id']) == 'COMPLETED'
        modify_ids[version] = occ['id']
        # A FAILED_TEMP op occ retried to COMPLETED, its error cleared.
        failed = _failed_op_occ(version, inst['id'], inst.get(
            'tenantId') or 'admin')
        occs = versions.get(version).op_occs
        assert occs.transition(failed, from_states=['FAILED_TEMP'],
                               to_state='PROCESSING')
        assert occs.transition(failed, from_states=['PROCESSING'],
                               to_state='COMPLETED', clear_error=True)
        retried[version] = failed

    read = tacker16.read(tacker_db.url, v1=[instances['v1']],
                         v2=[instances['v2']])
    for version in ('v1', 'v2'):
        seen = read[version][instances[version]]
        assert seen['load_ok'] == {'object': True, 'view': True}, seen
        view = seen['view']
        assert view['vnfInstanceName'] == 'renamed-' + version
        assert view['vnfInstanceDescription'] == 'modified by our LCM'
        assert view['metadata'] == {'team': 'b'}
        if version == 'v2':
            assert view['extensions'] == {'ext': 1}
            assert view['vnfConfigurableProperties'] == {
                'isAutoscaleEnabled': True}
        else:
            assert seen['object']['vnf_metadata'] == {'team': 'b'}
    occs = tacker16.run('read-op-occs', tacker_db.url,
                        '--v1', modify_ids['v1'], retried['v1'],
                        '--v2', modify_ids['v2'], retried['v2'])
    for version in ('v1', 'v2'):
        modified = occs[version][modify_ids[version]]
        assert 'view' in modified, modified
        assert modified['state'] == 'COMPLETED'
        assert modified['view']['operation'] == 'MODIFY_INFO'
        assert modified['view']['operationParams'] == MODIFY[version]
        done = occs[version][retried[version]]
        assert 'view' in done, done
        assert done['state'] == 'COMPLETED'
        assert not done['view'].get('error'), done
