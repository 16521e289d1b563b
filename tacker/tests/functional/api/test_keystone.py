"""tacker-server behind a real Keystone: tokens, roles, projects, the CLI.

Keystone (PyPI, SQLite, fernet tokens, ``keystone-manage bootstrap``,
which makes admin imply member and member imply reader) runs as a
subprocess; tacker-server runs in this process with ``auth_strategy =
keystone``, so keystonemiddleware validates every token against it, and
oslo.policy decides with Tacker's default rules.
"""

import datetime
import json
import logging
import time
import urllib.error
import urllib.request

from keystoneauth1.identity import v3 as ks_identity
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
import pytest

from tacker.api import policy
from tacker.api import server as server_mod
from tacker.tests import factories
from tacker.tests.functional.api import conftest
from tacker.tests.functional.keymgr import conftest as services_conftest
from tacker.tests.openstack_services import OpenStackServices

pytestmark = pytest.mark.slow

VNFD_ID = factories.SAMPLE_VNFD_ID
USERS = {'a-admin': ('project-a', ('admin',)),
         'a-member': ('project-a', ('member',)),
         'a-reader': ('project-a', ('reader',)),
         'b-member': ('project-b', ('member',))}


@pytest.fixture(scope='module')
def keystone(tmp_path_factory):
    venv = services_conftest._services_venv()
    with OpenStackServices(venv, tmp_path_factory.mktemp('keystone'),
                           barbican=False) as services:
        services.users = {name: services.add_user(name, project, roles)
                          for name, (project, roles) in USERS.items()}
        yield services


class _Caller:
    """One Keystone user: its token, project id, and requests with them."""

    def __init__(self, credentials, server):
        self.session = ks_session.Session(auth=ks_identity.Password(
            **credentials))
        self.token = self.session.get_token()
        self.project_id = self.session.get_project_id()
        self.server = server

    def call(self, method, path, body=None, *, token=None, version='1.3.0'):
        headers = {'Version': version, 'Accept': 'application/json'}
        if token is not False:
            headers['X-Auth-Token'] = token or self.token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers['Content-Type'] = 'application/json'
        req = urllib.request.Request(self.server.url.rstrip('/') + path,
                                     data=data, method=method,
                                     headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else None, \
                    resp.headers
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            return exc.code, json.loads(raw) if raw else None, exc.headers


@pytest.fixture
def ks_server(fapi_conf, sqlite_db, keystone):
    from tacker.conductor import rpc_api

    service = keystone.service_credentials
    # keystonemiddleware registers the password plugin's options when it
    # reads them; an override needs them registered first.
    ks_loading.register_auth_conf_options(fapi_conf.conf,
                                          'keystone_authtoken')
    fapi_conf.register_opts(ks_loading.get_auth_plugin_conf_options(
        'password'), group='keystone_authtoken')
    fapi_conf.config(group='keystone_authtoken',
                     www_authenticate_uri=keystone.keystone_url,
                     auth_url=keystone.keystone_url, auth_type='password',
                     username=service['username'],
                     password=service['password'],
                     project_name=service['project_name'],
                     user_domain_name='Default',
                     project_domain_name='Default',
                     # Every request asks Keystone, so a revoked token
                     # fails at once (the default caches it 5 minutes).
                     token_cache_time=-1)
    policy.reset()
    srv = server_mod.serve_in_thread(
        auth_strategy='keystone',
        conductor=rpc_api.ConductorAPI(url=conftest.TRANSPORT))
    yield srv
    srv.stop()
    policy.reset()


@pytest.fixture
def callers(keystone, ks_server):
    return {name: _Caller(creds, ks_server)
            for name, creds in keystone.users.items()}


def test_no_bad_or_revoked_token_is_a_401_problem(
        keystone, callers, caplog):
    caplog.set_level(logging.DEBUG)
    member = callers['a-member']
    for token in (False, 'not-a-token'):
        status, body, headers = member.call(
            'GET', '/vnflcm/v1/vnf_instances', token=token)
        assert status == 401
        assert body['status'] == 401 and body['title'] == 'Unauthorized'
        assert keystone.keystone_url.rsplit('/v3', 1)[0] in \
            headers['WWW-Authenticate']
    assert member.call('GET', '/vnflcm/v1/vnf_instances')[0] == 200
    keystone.revoke(member.token)
    assert member.call('GET', '/vnflcm/v1/vnf_instances')[0] == 401
    # The public route needs no token at all.
    assert member.call('GET', '/openapi.json', token=False)[0] == 200
    # Neither the token nor any password reached a log line.
    secrets = [member.token, keystone.users['a-member']['password'],
               keystone.service_credentials['password']]
    assert caplog.records
    assert not [s for s in secrets if s in caplog.text]


def test_an_expired_token_is_a_401_problem(keystone, callers):
    """Keystone caps a token at its application credential's expiry."""
    member = callers['a-member']
    expires = datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(seconds=4)
    made = member.session.post(
        '%s/users/%s/application_credentials' % (
            keystone.keystone_url, member.session.get_user_id()),
        json={'application_credential': {
            'name': 'short-lived',
            'expires_at': expires.strftime('%Y-%m-%dT%H:%M:%S')}}).json()
    cred = made['application_credential']
    short = ks_session.Session(auth=ks_identity.ApplicationCredential(
        auth_url=keystone.keystone_url, application_credential_id=cred['id'],
        application_credential_secret=cred['secret'])).get_token()
    assert member.call('GET', '/vnflcm/v2/vnf_instances', token=short,
                       version='2.0.0')[0] == 200
    time.sleep(max(0.0, (expires - datetime.datetime.now(
        datetime.timezone.utc)).total_seconds()) + 1.5)
    status, body, headers = member.call(
        'GET', '/vnflcm/v2/vnf_instances', token=short, version='2.0.0')
    assert status == 401
    assert body['title'] == 'Unauthorized'
    assert 'WWW-Authenticate' in headers
    # The member's own password token is still good.
    assert member.call('GET', '/vnflcm/v2/vnf_instances',
                       version='2.0.0')[0] == 200


def test_roles_and_projects_decide_as_tackers_defaults(callers):
    admin, member = callers['a-admin'], callers['a-member']
    reader, stranger = callers['a-reader'], callers['b-member']
    package = factories.onboarded_package(tenant_id=member.project_id).id

    status, inst, _ = member.call('POST', '/vnflcm/v1/vnf_instances', {
        'vnfdId': VNFD_ID, 'vnfInstanceName': 'a-cnf'})
    assert status == 201, inst
    path = '/vnflcm/v1/vnf_instances/%s' % inst['id']
    factories.v1_op_occ(inst['id'], 'COMPLETED', operation='INSTANTIATE',
                        tenant_id=member.project_id)

    # The reader of A reads what A has and changes nothing.
    assert [i['id'] for i in reader.call(
        'GET', '/vnflcm/v1/vnf_instances')[1]] == [inst['id']]
    assert reader.call('GET', path)[0] == 200
    assert len(reader.call('GET', '/vnflcm/v1/vnf_lcm_op_occs')[1]) == 1
    for method, suffix, body, rule in (
            ('POST', '/scale', {'type': 'SCALE_OUT',
                                'aspectId': 'vdu1_aspect'}, 'scale'),
            ('POST', '/heal', {}, 'heal'),
            ('POST', '/terminate', {'terminationType': 'FORCEFUL'},
             'terminate'),
            ('DELETE', '', None, 'delete')):
        status, problem, _ = reader.call(method, path + suffix, body)
        assert status == 403, (rule, problem)
        assert problem['detail'] == (
            "Policy doesn't allow os_nfv_orchestration_api:vnf_instances:"
            "%s to be performed." % rule)
    status, problem, _ = reader.call('POST', '/vnfpkgm/v1/vnf_packages', {})
    assert status == 403
    assert 'vnf_packages:create' in problem['detail']

    # A member of B sees nothing of A and can touch none of it.
    assert stranger.call('GET', '/vnflcm/v1/vnf_instances')[1] == []
    assert stranger.call('GET', '/vnflcm/v1/vnf_lcm_op_occs')[1] == []
    assert stranger.call('GET', '/vnfpkgm/v1/vnf_packages')[1] == []
    assert stranger.call('GET', '/vnfpkgm/v1/vnf_packages/%s'
                         % package)[0] == 404
    for method, suffix, body in (
            ('GET', '', None), ('DELETE', '', None),
            ('POST', '/scale', {'type': 'SCALE_OUT',
                                'aspectId': 'vdu1_aspect'}),
            ('POST', '/heal', {}),
            ('POST', '/terminate', {'terminationType': 'FORCEFUL'})):
        assert stranger.call(method, path + suffix, body)[0] == 404, suffix

    # The admin (of project A) sees every project's records.
    status, theirs, _ = stranger.call('POST', '/vnfpkgm/v1/vnf_packages', {})
    assert status == 201
    listed = {p['id'] for p in admin.call('GET',
                                          '/vnfpkgm/v1/vnf_packages')[1]}
    assert {package, theirs['id']} <= listed

    # The member of A deletes what A made.
    assert member.call('DELETE', path)[0] == 204


def test_vims_stay_in_their_project(callers):
    member, stranger = callers['a-member'], callers['b-member']
    body = {'vim': {'name': 'k8s-a', 'type': 'kubernetes',
                    'auth_url': 'https://k8s.example:6443',
                    'auth_cred': {'bearer_token': 'a-token'},
                    'vim_project': {'name': 'default'}}}
    status, made, _ = member.call('POST', '/v1.0/vims', body)
    assert status == 201, made
    vim_id = made['vim']['id']
    assert stranger.call('GET', '/v1.0/vims')[1] == {'vims': []}
    assert stranger.call('GET', '/v1.0/vims/%s' % vim_id)[0] == 404
    assert stranger.call('DELETE', '/v1.0/vims/%s' % vim_id)[0] == 404
    status, problem, _ = callers['a-reader'].call('GET', '/v1.0/vims')
    assert status == 403 and 'get_vim' in problem['detail']
    assert member.call('DELETE', '/v1.0/vims/%s' % vim_id)[0] == 204


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_cli_with_password_auth_runs_the_life_cycle(
        keystone, ks_server, conductor, cluster, csar, tmp_path, version):
    keystone.add_endpoint('nfv-orchestration', 'tacker-%s' % version,
                          ks_server.url)
    creds = keystone.users['a-member']
    cli = conftest.Cli(ks_server.url, tmp_path, credentials=creds)
    me = _Caller(creds, ks_server)
    token = {'X-Auth-Token': me.token}
    cli.run('vim', 'register', '--is-default', '--config-file', cli.file(
        'vim.yaml', 'auth_url: %s\nbearer_token: %s\nproject_name: '
        'default\ntype: kubernetes\n' % (cluster.url, conftest.TOKEN)),
        'sim-%s' % version)
    pkg = cli.json('vnf', 'package', 'create')
    cli.run('vnf', 'package', 'upload', '--path', csar, pkg['ID'])
    inst = cli.json('vnflcm', 'create', VNFD_ID, '--name', 'cnf',
                    version=version)['ID']

    def run_and_wait(operation, *args):
        known = conftest.op_ids(ks_server, version, token)
        assert 'accepted' in cli.run('vnflcm', *args,
                                     version=version).stdout
        occ = conftest.wait_for_op(ks_server, version, inst, operation,
                                   known=known, headers=token)
        assert occ['operationState'] == 'COMPLETED', occ

    run_and_wait('INSTANTIATE', 'instantiate', inst, cli.file(
        'instantiate.json', {'flavourId': 'simple',
                             'additionalParams': {'namespace': 'default'}}))
    run_and_wait('SCALE', 'scale', inst, '--type', 'SCALE_OUT',
                 '--aspect-id', 'vdu1_aspect')
    shown = cli.json('vnflcm', 'show', inst, version=version)
    levels = {s['aspectId']: s['scaleLevel'] for s in
              shown['Instantiated Vnf Info']['scaleStatus']}
    assert levels['vdu1_aspect'] == 1
    run_and_wait('TERMINATE', 'terminate', inst)
    assert 'deleted successfully' in cli.run(
        'vnflcm', 'delete', inst, version=version).stdout
