"""/vnflcm/v1 and /vnflcm/v2: instances, LCM requests, op occs."""

import socket

import pytest

from tacker.api import app as app_mod
from tacker.common import coordination
from tacker.tests import factories
from tacker.tests.unit.api import fakes

call = fakes.call
V2 = {'Version': '2.0.0'}
UNKNOWN = '2b7e3c1a-0000-4000-8000-000000000000'


def _headers(version):
    return V2 if version == 'v2' else {'Version': '1.3.0'}


@pytest.fixture
def package(app):
    return factories.onboarded_package(tenant_id=fakes.TENANT).id


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_create_list_show_delete(app, package, version):
    base = '/vnflcm/%s/vnf_instances' % version
    resp = call(app, 'POST', base,
                {'vnfdId': factories.SAMPLE_VNFD_ID, 'vnfInstanceName': 'cnf',
                 'vnfInstanceDescription': 'demo',
                 'metadata': {'team': 'a'}}, headers=_headers(version))
    assert resp.status_int == 201, resp.text
    inst = resp.json
    assert resp.headers['Location'].endswith('%s/%s' % (base, inst['id']))
    assert inst['instantiationState'] == 'NOT_INSTANTIATED'
    assert inst['vnfdId'] == factories.SAMPLE_VNFD_ID
    assert inst['vnfProvider'] == 'Company'
    assert inst['vnfProductName'] == 'Sample CNF'
    assert inst['vnfSoftwareVersion'] == '1.0'
    assert inst['vnfdVersion'] == '1.0'
    assert inst['vnfInstanceName'] == 'cnf'
    assert inst['metadata'] == {'team': 'a'}
    assert 'instantiate' in inst['_links']
    if version == 'v1':
        assert inst['vnfPkgId'] == package
        assert 'Version' not in resp.headers
    else:
        assert resp.headers['Version'] == '2.0.0'

    listed = call(app, 'GET', base, headers=_headers(version))
    assert [i['id'] for i in listed.json] == [inst['id']]
    shown = call(app, 'GET', '%s/%s' % (base, inst['id']))
    assert shown.json == inst

    assert call(app, 'DELETE', '%s/%s' % (base, inst['id'])
                ).status_int == 204
    fakes.assert_problem(call(app, 'GET', '%s/%s' % (base, inst['id'])),
                         404)
    assert call(app, 'GET', base).json == []


@pytest.mark.parametrize('version,status', [('v1', 400), ('v2', 422)])
def test_create_needs_an_onboarded_enabled_package(app, version, status):
    base = '/vnflcm/%s/vnf_instances' % version
    resp = call(app, 'POST', base, {'vnfdId': factories.SAMPLE_VNFD_ID})
    fakes.assert_problem(resp, status, contains=factories.SAMPLE_VNFD_ID)
    package_id = factories.onboarded_package(tenant_id=fakes.TENANT).id
    call(app, 'PATCH', '/vnfpkgm/v1/vnf_packages/%s' % package_id,
         {'operationalState': 'DISABLED'})
    resp = call(app, 'POST', base, {'vnfdId': factories.SAMPLE_VNFD_ID})
    fakes.assert_problem(resp, status, contains='ENABLED')
    if version == 'v2':
        assert resp.json['detail'] == (
            'VnfId %s not ENABLED.' % factories.SAMPLE_VNFD_ID)


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_create_bad_bodies_name_the_field(app, package, version):
    base = '/vnflcm/%s/vnf_instances' % version
    for body, field in [({}, 'vnfdId'), ({'vnfdId': 'abc'}, 'vnfdId'),
                        ({'vnfdId': factories.SAMPLE_VNFD_ID,
                          'vnfInstanceName': 'x' * 256}, 'vnfInstanceName'),
                        ({'vnfdId': factories.SAMPLE_VNFD_ID, 'metadata': []},
                         'metadata'),
                        ({'vnfdId': factories.SAMPLE_VNFD_ID, 'bogus': 1},
                         'bogus')]:
        fakes.assert_problem(call(app, 'POST', base, body), 400,
                             contains=field)


def test_v1_show_builds_sol003_from_both_record_shapes(app, package):
    vim = factories.vim(tenant_id=fakes.TENANT, auth_cred=fakes.VIM_CRED)
    instance_id = factories.v1_instance(
        package_id=package, tenant_id=fakes.TENANT,
        vim_connection_info=fakes.v1_connections(vim.id), info=fakes.V1_INFO)
    resp = call(app, 'GET', '/vnflcm/v1/vnf_instances/%s' % instance_id)
    assert resp.status_int == 200, resp.text
    fakes.assert_no_secrets(resp.text)
    body = resp.json
    assert body['instantiationState'] == 'INSTANTIATED'
    assert body['vimConnectionInfo'] == [
        {'id': 'conn-1', 'vimId': vim.id, 'vimType': 'kubernetes',
         'interfaceInfo': {}}]
    info = body['instantiatedVnfInfo']
    assert info['flavourId'] == 'simple'
    assert info['vnfState'] == 'STARTED'
    assert info['scaleStatus'] == [{'aspectId': 'vdu1_aspect',
                                    'scaleLevel': 1}]
    wrapped, plain = info['vnfcResourceInfo']
    assert wrapped == {
        'id': '0c0d4a5e-11b5-4e2e-9c7a-2b1f4d0b1a01', 'vduId': 'VDU1',
        'computeResource': {'vimConnectionId': 'conn-1',
                            'resourceId': 'vdu1-5588797866-fs6vb',
                            'vimLevelResourceType': 'Deployment'},
        'storageResourceIds': [],
        'metadata': {'Deployment': '{"name": "vdu1"}'}}
    assert plain['computeResource']['resourceId'] == 'vdu1-5588797866-x2k4p'
    assert set(body['_links']) == {'self', 'terminate', 'scale', 'heal'}
    listed = call(app, 'GET', '/vnflcm/v1/vnf_instances')
    assert listed.json == [body]


def test_v2_show_returns_stored_info_without_access_info(app, package):
    instance_id = factories.v2_instance(info=fakes.V2_INFO, **fakes.V2)
    resp = call(app, 'GET', '/vnflcm/v2/vnf_instances/%s' % instance_id,
                headers=V2)
    assert resp.status_int == 200, resp.text
    assert resp.headers['Version'] == '2.0.0'
    fakes.assert_no_secrets(resp.text)
    body = resp.json
    assert body['instantiatedVnfInfo'] == fakes.V2_INFO
    assert body['vimConnectionInfo'] == {'vim1': {
        'vimId': 'vim-x', 'vimType': 'ETSINFV.KUBERNETES.V_1',
        'interfaceInfo': {'endpoint': 'https://k8s:6443'}}}
    fakes.assert_no_secrets(call(app, 'GET', '/vnflcm/v2/vnf_instances'
                                 ).text)


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_delete_instantiated_is_409(app, package, version):
    if version == 'v1':
        instance_id = factories.v1_instance(
            package_id=package, tenant_id=fakes.TENANT, info=fakes.V1_INFO)
        detail = ('Vnf instance %s in instantiation_state INSTANTIATED. '
                  'Cannot delete while the vnf instance is in this state.'
                  % instance_id)
    else:
        instance_id = factories.v2_instance(info=fakes.V2_INFO, **fakes.V2)
        detail = 'VnfInstance %s is instantiated.' % instance_id
    resp = call(app, 'DELETE', '/vnflcm/%s/vnf_instances/%s'
                % (version, instance_id))
    fakes.assert_problem(resp, 409, detail=detail)


def test_v1_delete_while_task_runs_is_409(app, package):
    instance_id = factories.v1_instance(
        package_id=package, state='NOT_INSTANTIATED',
        task_state='INSTANTIATING', tenant_id=fakes.TENANT)
    resp = call(app, 'DELETE', '/vnflcm/v1/vnf_instances/%s' % instance_id)
    fakes.assert_problem(resp, 409, detail=(
        'Vnf instance %s in task_state INSTANTIATING. Cannot delete while '
        'the vnf instance is in this state.' % instance_id))


def test_v2_delete_while_locked_is_409(app, package):
    instance_id = factories.v2_instance(state='NOT_INSTANTIATED', **fakes.V2)
    with coordination.instance_lock(instance_id):
        resp = call(app, 'DELETE', '/vnflcm/v2/vnf_instances/%s'
                    % instance_id, headers=V2)
    fakes.assert_problem(resp, 409, detail=(
        'Other LCM operation of vnfInstance %s is in progress.'
        % instance_id))
    factories.v2_op_occ(instance_id, 'PROCESSING', **fakes.V2_OP)
    resp = call(app, 'DELETE', '/vnflcm/v2/vnf_instances/%s' % instance_id)
    fakes.assert_problem(resp, 409, contains='in progress')


def test_v2_scale_while_sync_holds_the_lock_is_exact_409(app, package):
    instance_id = factories.v2_instance(info=fakes.V2_INFO, **fakes.V2)
    with coordination.instance_lock(instance_id):
        resp = call(app, 'POST', '/vnflcm/v2/vnf_instances/%s/scale'
                    % instance_id, {'type': 'SCALE_OUT',
                                    'aspectId': 'vdu1_aspect'}, headers=V2)
    assert resp.status_int == 409
    assert resp.content_type == 'application/problem+json'
    assert resp.headers['Version'] == '2.0.0'
    assert resp.json == {
        'status': 409, 'title': 'Conflict',
        'detail': 'Other LCM operation of vnfInstance %s is in progress.'
                  % instance_id}


def test_v1_scale_while_synchronizing_is_exact_409(app, package,
                                                   conductor):
    instance_id = factories.v1_instance(
        package_id=package, task_state='DB_SYNCHRONIZING',
        tenant_id=fakes.TENANT, info=fakes.V1_INFO)
    resp = call(app, 'POST', '/vnflcm/v1/vnf_instances/%s/scale'
                % instance_id, {'type': 'SCALE_OUT',
                                'aspectId': 'vdu1_aspect'})
    assert resp.status_int == 409
    assert resp.content_type == 'application/problem+json'
    assert resp.json == {
        'title': 'Conflict', 'status': 409,
        'detail': 'Vnf instance %s in task_state DB_SYNCHRONIZING. Cannot '
                  'scale while the vnf instance is in this state.'
                  % instance_id}
    assert conductor.casts == []


def _instantiate(app, version, instance_id, namespace):
    return call(app, 'POST', '/vnflcm/%s/vnf_instances/%s/instantiate'
                % (version, instance_id),
                {'flavourId': 'simple',
                 'additionalParams': {'namespace': namespace}},
                headers=_headers(version))


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_instantiate_is_recorded_and_cast(app, package, conductor,
                                          version):
    factories.vim(tenant_id=fakes.TENANT, auth_cred=fakes.VIM_CRED)
    base = '/vnflcm/%s' % version
    inst = call(app, 'POST', base + '/vnf_instances',
                {'vnfdId': factories.SAMPLE_VNFD_ID}).json
    resp = _instantiate(app, version, inst['id'], 'default')
    assert resp.status_int == 202, resp.text
    assert resp.body == b''
    location = resp.headers['Location']
    op_id = location.rsplit('/', 1)[1]
    assert location == 'http://localhost%s/vnf_lcm_op_occs/%s' % (
        base, op_id)
    assert conductor.casts == [(version, op_id)]

    occ = call(app, 'GET', '%s/vnf_lcm_op_occs/%s' % (base, op_id))
    assert occ.status_int == 200, occ.text
    body = occ.json
    assert body['id'] == op_id
    assert body['operation'] == 'INSTANTIATE'
    assert body['operationState'] == 'STARTING'
    assert body['vnfInstanceId'] == inst['id']
    assert body['isAutomaticInvocation'] is False
    assert body['isCancelPending'] is False
    assert body['operationParams']['flavourId'] == 'simple'
    assert body['startTime'].endswith('Z')
    assert body['_links']['vnfInstance']['href'].endswith(inst['id'])
    listed = call(app, 'GET', base + '/vnf_lcm_op_occs').json
    assert [o['id'] for o in listed] == [op_id]

    # A second request while the first is STARTING is refused.
    again = call(app, 'POST', '%s/vnf_instances/%s/instantiate'
                 % (base, inst['id']), {'flavourId': 'simple'})
    fakes.assert_problem(again, 409)
    assert len(conductor.casts) == 1


@pytest.mark.parametrize('version', ['v1', 'v2'])
@pytest.mark.parametrize('action,body,field', [
    ('instantiate', {}, 'flavourId'),
    ('instantiate', {'flavourId': 'simple', 'vimConnectionInfo': 'x'},
     'vimConnectionInfo'),
    ('scale', {'type': 'SCALE_UP', 'aspectId': 'a'}, 'type'),
    ('scale', {'type': 'SCALE_OUT'}, 'aspectId'),
    ('scale', {'type': 'SCALE_OUT', 'aspectId': 'a', 'numberOfSteps': 0},
     'numberOfSteps'),
    ('scale', {'type': 'SCALE_OUT', 'aspectId': 'a',
               'numberOfSteps': '2'}, 'numberOfSteps'),
    ('heal', {'vnfcInstanceId': 'abc'}, 'vnfcInstanceId'),
    ('heal', {'cause': 'x', 'surprise': True}, 'surprise'),
    ('terminate', {}, 'terminationType'),
    ('terminate', {'terminationType': 'GRACEFUL',
                   'gracefulTerminationTimeout': -1},
     'gracefulTerminationTimeout'),
])
def test_action_schema_errors_name_the_field(sqlite_app, conductor,
                                             version, action, body, field):
    package_id = factories.onboarded_package(tenant_id=fakes.TENANT).id
    instance_id = fakes.instantiated(version, package_id)
    resp = call(sqlite_app, 'POST', '/vnflcm/%s/vnf_instances/%s/%s'
                % (version, instance_id, action), body)
    fakes.assert_problem(resp, 400, contains=field)
    assert conductor.casts == []


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_scale_with_unknown_aspect_is_400_from_begin(app, package,
                                                     conductor, version):
    instance_id = fakes.instantiated(version, package)
    resp = call(app, 'POST', '/vnflcm/%s/vnf_instances/%s/scale'
                % (version, instance_id),
                {'type': 'SCALE_OUT', 'aspectId': 'no_such_aspect'})
    fakes.assert_problem(resp, 400, contains='no_such_aspect')
    assert conductor.casts == []


@pytest.mark.parametrize('action,body', [
    ('instantiate', {'flavourId': 'simple'}),
    ('scale', {'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect'}),
])
def test_v1_instance_whose_package_files_are_gone_is_409(
        sqlite_app, conductor, action, body):
    # Found by schemathesis: a v1 instance naming a package this server
    # has no directory for made instantiate and scale answer 500.
    gone = '5d1c2b3a-0000-4000-8000-00000000dead'
    state = 'NOT_INSTANTIATED' if action == 'instantiate' else \
        'INSTANTIATED'
    instance_id = factories.v1_instance(state=state, package_id=gone,
                                        tenant_id=fakes.TENANT)
    resp = call(sqlite_app, 'POST', '/vnflcm/v1/vnf_instances/%s/%s'
                % (instance_id, action), body)
    fakes.assert_problem(resp, 409, contains='VNF package %s' % gone)
    assert conductor.casts == []
    occs = call(sqlite_app, 'GET', '/vnflcm/v1/vnf_lcm_op_occs').json
    assert occs == []


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_unknown_ids_are_404(app, version):
    base = '/vnflcm/%s' % version
    for ident in (UNKNOWN, 'not-a-uuid'):
        for method, path, body in [
                ('GET', '/vnf_instances/%s', None),
                ('DELETE', '/vnf_instances/%s', None),
                ('POST', '/vnf_instances/%s/scale',
                 {'type': 'SCALE_OUT', 'aspectId': 'a'}),
                ('POST', '/vnf_instances/%s/terminate',
                 {'terminationType': 'FORCEFUL'}),
                ('GET', '/vnf_lcm_op_occs/%s', None)]:
            resp = call(app, method, base + path % ident, body)
            fakes.assert_problem(resp, 404, contains=ident)


def test_v2_not_found_texts_are_tackers(app):
    resp = call(app, 'GET', '/vnflcm/v2/vnf_instances/%s' % UNKNOWN)
    fakes.assert_problem(resp, 404,
                         detail='VnfInstance %s not found.' % UNKNOWN)
    assert resp.headers['Version'] == '2.0.0'
    resp = call(app, 'GET', '/vnflcm/v2/vnf_lcm_op_occs/%s' % UNKNOWN)
    fakes.assert_problem(resp, 404,
                         detail='VnfLcmOpOcc %s not found.' % UNKNOWN)


def test_op_occs_never_show_secrets(app, package):
    v1_id = factories.v1_instance(
        package_id=package, tenant_id=fakes.TENANT, info=fakes.V1_INFO)
    v1_op = factories.v1_op_occ(v1_id, 'FAILED_TEMP', **fakes.V1_OP)
    v2_id = factories.v2_instance(info=fakes.V2_INFO, **fakes.V2)
    v2_op = factories.v2_op_occ(v2_id, 'COMPLETED', **fakes.V2_OP)
    for path in ('/vnflcm/v1/vnf_lcm_op_occs',
                 '/vnflcm/v1/vnf_lcm_op_occs/%s' % v1_op,
                 '/vnflcm/v2/vnf_lcm_op_occs',
                 '/vnflcm/v2/vnf_lcm_op_occs/%s' % v2_op):
        resp = call(app, 'GET', path)
        assert resp.status_int == 200, resp.text
        fakes.assert_no_secrets(resp.text)
    body = call(app, 'GET', '/vnflcm/v1/vnf_lcm_op_occs/%s' % v1_op).json
    assert body['operationParams']['flavourId'] == 'simple'
    assert body['stateEnteredTime'] == '2026-01-02T03:04:05Z'
    assert 'fail' in body['_links']


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_fail_ends_a_failed_temp_operation(app, package, version):
    if version == 'v1':
        instance_id = factories.v1_instance(
            package_id=package, tenant_id=fakes.TENANT, info=fakes.V1_INFO)
        op = factories.v1_op_occ(instance_id, 'FAILED_TEMP', **fakes.V1_OP)
    else:
        instance_id = factories.v2_instance(info=fakes.V2_INFO, **fakes.V2)
        op = factories.v2_op_occ(instance_id, 'FAILED_TEMP', **fakes.V2_OP)
    base = '/vnflcm/%s/vnf_lcm_op_occs/%s' % (version, op)
    resp = call(app, 'POST', base + '/fail')
    assert resp.status_int == 200, resp.text
    assert resp.json['operationState'] == 'FAILED'
    assert call(app, 'GET', base).json['operationState'] == 'FAILED'
    # Only FAILED_TEMP can be failed.
    fakes.assert_problem(call(app, 'POST', base + '/fail'), 409)
    fakes.assert_problem(call(app, 'POST', '/vnflcm/%s/vnf_lcm_op_occs/%s'
                              '/fail' % (version, UNKNOWN)), 404)


def test_v1_records_are_per_project(app, package):
    instance_id = factories.v1_instance(
        package_id=package, tenant_id='project-a', info=fakes.V1_INFO)
    factories.v1_op_occ(instance_id, 'COMPLETED',
                        **dict(fakes.V1_OP, tenant_id='project-a'))
    mine = {'X-Project-Id': 'project-a'}
    other = {'X-Project-Id': 'project-b'}
    assert len(call(app, 'GET', '/vnflcm/v1/vnf_instances',
                    headers=mine).json) == 1
    assert call(app, 'GET', '/vnflcm/v1/vnf_instances',
                headers=other).json == []
    assert call(app, 'GET', '/vnflcm/v1/vnf_lcm_op_occs',
                headers=other).json == []
    fakes.assert_problem(call(app, 'GET', '/vnflcm/v1/vnf_instances/%s'
                              % instance_id, headers=other), 404)
    # The admin (noauth default) sees everyone's.
    assert len(call(app, 'GET', '/vnflcm/v1/vnf_instances').json) == 1


@pytest.mark.timeout(60)
def test_an_unreachable_lock_backend_is_503_and_starts_nothing(api_conf,
                                                               sqlite_app):
    factories.vim(tenant_id=fakes.TENANT, auth_cred=fakes.VIM_CRED)
    factories.onboarded_package(tenant_id=fakes.TENANT)
    inst = call(sqlite_app, 'POST', '/vnflcm/v2/vnf_instances',
                {'vnfdId': factories.SAMPLE_VNFD_ID}).json
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]  # nothing listens there once closed
    api_conf.config(backend_url='redis://:s3cret@127.0.0.1:%d' % port,
                    group='coordination')
    try:
        resp = call(sqlite_app, 'POST', '/vnflcm/v2/vnf_instances/%s/'
                    'instantiate' % inst['id'], {'flavourId': 'simple'})
    finally:
        coordination.stop()
    body = fakes.assert_problem(resp, 503)
    assert 'coordination backend' in body['detail']
    assert 's3cret' not in resp.text
    assert call(sqlite_app, 'GET', '/vnflcm/v2/vnf_lcm_op_occs').json == []


def test_conductor_failure_is_503_without_details(api_conf, sqlite_db):
    app = app_mod.make_app(auth_strategy='noauth',
                           conductor=fakes.BrokenConductor())
    factories.vim(tenant_id=fakes.TENANT, auth_cred=fakes.VIM_CRED)
    factories.onboarded_package(tenant_id=fakes.TENANT)
    inst = call(app, 'POST', '/vnflcm/v2/vnf_instances',
                {'vnfdId': factories.SAMPLE_VNFD_ID}).json
    resp = call(app, 'POST', '/vnflcm/v2/vnf_instances/%s/instantiate'
                % inst['id'], {'flavourId': 'simple'})
    body = fakes.assert_problem(resp, 503)
    assert 'broker' not in body['detail']
    fakes.assert_no_secrets(resp.text)
    # Nothing will run it: the op occ is rolled back, so the instance is
    # free for the retry, which the same broken conductor refuses again.
    (occ,) = call(app, 'GET', '/vnflcm/v2/vnf_lcm_op_occs').json
    assert occ['operationState'] == 'ROLLED_BACK'
    resp = call(app, 'POST', '/vnflcm/v2/vnf_instances/%s/instantiate'
                % inst['id'], {'flavourId': 'simple'})
    fakes.assert_problem(resp, 503)


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_bad_manifest_file_lists_are_400(app, version):
    factories.vim(tenant_id=fakes.TENANT, auth_cred=fakes.VIM_CRED)
    factories.onboarded_package(tenant_id=fakes.TENANT)
    inst = call(app, 'POST', '/vnflcm/%s/vnf_instances' % version,
                {'vnfdId': factories.SAMPLE_VNFD_ID}).json
    for files in (5, {'a': 1}, ['../../../../etc/passwd'], ['/etc/passwd'],
                  [7]):
        resp = call(app, 'POST', '/vnflcm/%s/vnf_instances/%s/instantiate'
                    % (version, inst['id']),
                    {'flavourId': 'simple', 'additionalParams': {
                        'lcm-kubernetes-def-files': files}})
        body = fakes.assert_problem(resp, 400)
        assert 'lcm-kubernetes-def-files' in body['detail']
        assert 'root:' not in body['detail']


def test_api_versions(app):
    assert call(app, 'GET', '/vnflcm/v2/api_versions').json == {
        'uriPrefix': '/vnflcm/v2',
        'apiVersions': [{'version': '2.0.0', 'isDeprecated': False}]}
    versions = call(app, 'GET', '/vnflcm/api_versions').json
    assert [v['version'] for v in versions['apiVersions']] == [
        '1.3.0', '2.0.0']


@pytest.mark.parametrize('version', ['v1', 'v2'])
@pytest.mark.parametrize('namespace', ['Bad_NS!/..', 'a' * 64, 'ns.sub',
                                       '-ns', 'ns\n', 7])
def test_invalid_kubernetes_namespace_is_400_before_any_op_occ(
        app, package, conductor, version, namespace):
    factories.vim(tenant_id=fakes.TENANT, auth_cred=fakes.VIM_CRED)
    base = '/vnflcm/%s' % version
    inst = call(app, 'POST', base + '/vnf_instances',
                {'vnfdId': factories.SAMPLE_VNFD_ID}).json
    resp = _instantiate(app, version, inst['id'], namespace)
    fakes.assert_problem(resp, 400, contains='additionalParams.namespace')
    assert conductor.casts == []
    assert call(app, 'GET', base + '/vnf_lcm_op_occs').json == []
    shown = call(app, 'GET', '%s/vnf_instances/%s' % (base, inst['id']))
    assert shown.json['instantiationState'] == 'NOT_INSTANTIATED'
    # The instance is free: a valid request is accepted right after.
    resp = _instantiate(app, version, inst['id'], 'ns-' + 'a' * 60)
    assert resp.status_int == 202, resp.text
