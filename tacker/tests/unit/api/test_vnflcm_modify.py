"""Modify (PATCH of an instance), retry and rollback at the API.

What the API decides before anything runs: the body, the states, the
conflicts and their exact texts, and what it casts to the conductor.
"""

import pytest

from tacker.api import app as app_mod
from tacker.common import coordination
from tacker.db.instances import v1 as v1_instances
from tacker.tests import factories
from tacker.tests.unit.api import fakes
from tacker import versions

call = fakes.call
V2 = {'Version': '2.0.0'}
MERGE = 'application/merge-patch+json'
UNKNOWN = '2b7e3c1a-0000-4000-8000-000000000000'


@pytest.fixture
def package(sqlite_app):
    return factories.onboarded_package(tenant_id=fakes.TENANT).id


def _instance(version, package, state='INSTANTIATED', **kwargs):
    if version == 'v1':
        info = fakes.V1_INFO if state == 'INSTANTIATED' else None
        return factories.v1_instance(package_id=package, state=state,
                                     tenant_id=fakes.TENANT, info=info,
                                     **kwargs)
    info = fakes.V2_INFO if state == 'INSTANTIATED' else None
    return factories.v2_instance(state=state, info=info, **fakes.V2)


def _patch(app, version, instance_id, body, **kwargs):
    kwargs.setdefault('content_type', MERGE)
    return call(app, 'PATCH', '/vnflcm/%s/vnf_instances/%s'
                % (version, instance_id), body, headers=V2, **kwargs)


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_modify_is_an_op_occ_cast_to_the_conductor(sqlite_app, package,
                                                   conductor, version):
    inst = _instance(version, package, state='NOT_INSTANTIATED')
    body = {'vnfInstanceName': 'renamed', 'metadata': {'team': 'b'}}
    resp = _patch(sqlite_app, version, inst, body)
    assert resp.status_int == 202, resp.text
    (cast,) = conductor.casts
    assert cast[0] == version
    assert resp.headers['Location'].endswith(
        '/vnflcm/%s/vnf_lcm_op_occs/%s' % (version, cast[1]))
    occ = call(sqlite_app, 'GET', '/vnflcm/%s/vnf_lcm_op_occs/%s'
               % (version, cast[1]), headers=V2).json
    assert occ['operation'] == 'MODIFY_INFO'
    assert occ['operationState'] == 'STARTING'
    assert occ['vnfInstanceId'] == inst
    assert occ['operationParams'] == body


@pytest.mark.parametrize('content_type', [MERGE, 'application/json'])
def test_modify_takes_merge_patch_and_plain_json(sqlite_app, package,
                                                 content_type):
    inst = _instance('v2', package)
    resp = _patch(sqlite_app, 'v2', inst, {'vnfInstanceName': 'x'},
                  content_type=content_type)
    assert resp.status_int == 202, resp.text


def test_modify_refuses_other_media_types(sqlite_app, package, conductor):
    inst = _instance('v2', package)
    resp = _patch(sqlite_app, 'v2', inst, {'vnfInstanceName': 'x'},
                  content_type='application/xml')
    fakes.assert_problem(resp, 415, detail=(
        "Content type 'application/xml' specified in 'Content-Type' header "
        "is not allowed."))
    assert conductor.casts == []


@pytest.mark.parametrize('version,body,field', [
    ('v2', {'vnfInstanceName': 'x' * 256}, 'vnfInstanceName'),
    ('v2', {'metadata': 'flat'}, 'metadata'),
    ('v2', {'extensions': ['a']}, 'extensions'),
    ('v2', {'vimConnectionInfo': {'c': {'vimId': 'v'}}}, 'vimType'),
    ('v2', {'vimConnectionInfo': {'c': {'vimType': 'k', 'bad': 1}}}, 'bad'),
    ('v2', {'flavourId': 'simple'}, 'flavourId'),
    ('v2', {'vnfcInfoModifications': [{'id': 'x'}]},
     'vnfcConfigurableProperties'),
    ('v1', {'vnfdId': 'not-a-uuid'}, 'vnfdId'),
    ('v1', {'metadata': {'nested': {'a': 1}}}, 'metadata'),
    ('v1', {'vimConnectionInfo': {'c': {}}}, 'vimConnectionInfo'),
    ('v1', {'vimConnectionInfo': [{'vimType': 'kubernetes'}]}, 'id'),
    ('v1', {'extensions': {}}, 'extensions'),
], ids=['long-name', 'metadata-not-object', 'extensions-list',
        'connection-without-type', 'connection-unknown-field',
        'unknown-field', 'vnfc-modification-without-properties',
        'v1-vnfd-not-uuid', 'v1-metadata-not-strings',
        'v1-connections-not-list', 'v1-connection-without-id',
        'v1-no-extensions'])
def test_modify_bad_bodies_are_400_naming_the_field(
        sqlite_app, package, conductor, version, body, field):
    inst = _instance(version, package)
    resp = _patch(sqlite_app, version, inst, body)
    fakes.assert_problem(resp, 400, contains=field)
    assert conductor.casts == []
    occs = call(sqlite_app, 'GET', '/vnflcm/%s/vnf_lcm_op_occs' % version,
                headers=V2).json
    assert occs == []


@pytest.mark.parametrize('raw', [b'', b'[1]', b'{"a":', b'null'])
def test_modify_needs_a_json_object(sqlite_app, package, raw):
    inst = _instance('v2', package)
    resp = _patch(sqlite_app, 'v2', inst, None, raw=raw)
    fakes.assert_problem(resp, 400)


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_modify_vim_connections_need_an_instantiated_instance(
        sqlite_app, package, version):
    inst = _instance(version, package, state='NOT_INSTANTIATED')
    connections = ([{'id': 'c', 'vimType': 'kubernetes'}] if version == 'v1'
                   else {'c': {'vimType': 'kubernetes'}})
    resp = _patch(sqlite_app, version, inst,
                  {'vimConnectionInfo': connections})
    fakes.assert_problem(resp, 400, detail=(
        'vimConnectionInfo cannot be modified in NOT_INSTANTIATED.'))


def test_v2_modify_of_an_unknown_vnfc_is_400(sqlite_app, package):
    inst = _instance('v2', package)
    resp = _patch(sqlite_app, 'v2', inst, {'vnfcInfoModifications': [
        {'id': 'VDU1-nope', 'vnfcConfigurableProperties': {'a': 1}}]})
    fakes.assert_problem(resp, 400, detail=(
        'vnfcInstanceId(VDU1-nope) does not exist.'))


def test_v2_modify_to_an_unknown_vnfd_is_422(sqlite_app, package):
    inst = _instance('v2', package)
    resp = _patch(sqlite_app, 'v2', inst, {'vnfdId': 'no-such-vnfd'})
    fakes.assert_problem(resp, 422, detail=(
        'VnfPackage of vnfdId no-such-vnfd is not found or not '
        'operational.'))


def test_v1_modify_to_an_unknown_package_is_400(sqlite_app, package):
    inst = _instance('v1', package)
    resp = _patch(sqlite_app, 'v1', inst, {'vnfPkgId': UNKNOWN})
    fakes.assert_problem(resp, 400, detail=(
        'Can not find requested vnf package vnfd: %s' % UNKNOWN))


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_modify_of_an_unknown_instance_is_404(sqlite_app, version):
    fakes.assert_problem(_patch(sqlite_app, version, UNKNOWN, {}), 404)


def test_v2_modify_while_locked_or_failed_temp_is_409(sqlite_app, package,
                                                      conductor):
    inst = _instance('v2', package)
    detail = 'Other LCM operation of vnfInstance %s is in progress.' % inst
    with coordination.instance_lock(inst):
        resp = _patch(sqlite_app, 'v2', inst, {'vnfInstanceName': 'x'})
    assert resp.headers['Version'] == '2.0.0'
    fakes.assert_problem(resp, 409, detail=detail)
    factories.v2_op_occ(inst, 'FAILED_TEMP', **fakes.V2_OP)
    fakes.assert_problem(
        _patch(sqlite_app, 'v2', inst, {'vnfInstanceName': 'x'}), 409,
        detail=detail)
    assert conductor.casts == []


def test_v1_modify_while_synchronizing_is_409(sqlite_app, package,
                                              conductor):
    inst = _instance('v1', package, task_state='DB_SYNCHRONIZING')
    with coordination.instance_lock(inst):
        resp = _patch(sqlite_app, 'v1', inst, {'vnfInstanceName': 'x'})
    assert resp.json == {
        'title': 'Conflict', 'status': 409,
        'detail': 'Vnf instance %s in task_state DB_SYNCHRONIZING. Cannot '
                  'update while the vnf instance is in this state.'
                  % inst}
    assert conductor.casts == []


# --- retry and rollback

def _failed(version, package, operation='SCALE', params=None):
    inst = _instance(version, package)
    params = params if params is not None else {
        'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect'}
    if version == 'v1':
        occ = factories.v1_op_occ(inst, 'FAILED_TEMP', operation=operation,
                                  tenant_id=fakes.TENANT,
                                  operation_params=params)
    else:
        occ = factories.v2_op_occ(inst, 'FAILED_TEMP', operation=operation,
                                  operation_params=params)
    return inst, occ


def _occ_url(version, occ, action):
    return '/vnflcm/%s/vnf_lcm_op_occs/%s/%s' % (version, occ, action)


@pytest.mark.parametrize('version', ['v1', 'v2'])
@pytest.mark.parametrize('action', ['retry', 'rollback'])
def test_retry_and_rollback_are_checked_then_cast(sqlite_app, package,
                                                  conductor, version, action):
    inst, occ = _failed(version, package)
    resp = call(sqlite_app, 'POST', _occ_url(version, occ, action),
                headers=V2)
    assert resp.status_int == 202, resp.text
    assert conductor.resumes == [(version, occ, action)]
    if version == 'v1' and action == 'rollback':
        assert resp.headers['Location'].endswith(
            '/vnflcm/v1/vnf_lcm_op_occs/%s' % occ)
    else:
        assert 'Location' not in resp.headers
    # As in Tacker, the conductor moves it out of FAILED_TEMP and claims
    # a v1 task_state; nothing is held for a cast that never arrives.
    assert versions.get(version).op_occs.get(occ).state == 'FAILED_TEMP'
    if version == 'v1':
        assert v1_instances.get_instance(inst).task_state is None


def test_v1_retry_while_another_task_runs_is_409(sqlite_app, package,
                                                 conductor):
    inst, occ = _failed('v1', package)
    v1_instances.claim_task_state(inst, 'HEALING')
    resp = call(sqlite_app, 'POST', _occ_url('v1', occ, 'retry'))
    fakes.assert_problem(resp, 409, detail=(
        'Vnf instance %s in task_state HEALING. Cannot retry while the vnf '
        'instance is in this state.' % inst))
    assert conductor.resumes == []


@pytest.mark.parametrize('version,action,detail', [
    ('v2', 'retry', 'LCM operation %s not FAILED_TEMP.'),
    ('v2', 'rollback', 'LCM operation %s not FAILED_TEMP.'),
    ('v1', 'retry', 'Cannot proceed with operation_state COMPLETED'),
    ('v1', 'rollback', 'OperationState IS NOT FAILED_TEMP'),
])
def test_only_failed_temp_is_retried_or_rolled_back(
        sqlite_app, package, conductor, version, action, detail):
    inst = _instance(version, package)
    occ = factories.op_occ(version, inst, 'COMPLETED',
                           **({'tenant_id': fakes.TENANT}
                              if version == 'v1' else {}))
    resp = call(sqlite_app, 'POST', _occ_url(version, occ, action),
                headers=V2)
    fakes.assert_problem(resp, 409, detail=detail.replace('%s', occ))
    assert conductor.resumes == []


@pytest.mark.parametrize('version,operation,params,status,detail', [
    ('v2', 'HEAL', {}, 422, 'Rollback of HEAL is not supported.'),
    ('v2', 'TERMINATE', {'terminationType': 'FORCEFUL'}, 422,
     'Rollback of TERMINATE is not supported.'),
    ('v2', 'SCALE', {'type': 'SCALE_IN', 'aspectId': 'vdu1_aspect'}, 422,
     'Rollback of SCALE IN is not supported.'),
    ('v1', 'HEAL', {}, 409, 'OPERATION IS NOT INSTANTIATE/SCALE'),
    ('v1', 'MODIFY_INFO', {}, 409, 'OPERATION IS NOT INSTANTIATE/SCALE'),
    ('v1', 'SCALE', {'type': 'SCALE_IN', 'aspectId': 'vdu1_aspect'}, 409,
     'SCALE_IN CAN NOT ROLLBACK'),
])
def test_rollbacks_tacker_refuses(sqlite_app, package, conductor, version,
                                  operation, params, status, detail):
    inst, occ = _failed(version, package, operation, params)
    resp = call(sqlite_app, 'POST', _occ_url(version, occ, 'rollback'),
                headers=V2)
    body = fakes.assert_problem(resp, status, detail=detail)
    if version == 'v1':
        assert body['title'] == detail
        assert v1_instances.get_instance(inst).task_state is None
    assert conductor.resumes == []
    # A retry of the same operation is fine.
    resp = call(sqlite_app, 'POST', _occ_url(version, occ, 'retry'),
                headers=V2)
    assert resp.status_int == 202, resp.text


@pytest.mark.parametrize('version', ['v1', 'v2'])
@pytest.mark.parametrize('action', ['retry', 'rollback'])
def test_retry_and_rollback_while_the_sync_holds_the_lock_are_409(
        sqlite_app, package, conductor, version, action):
    inst, occ = _failed(version, package)
    with coordination.instance_lock(inst):
        resp = call(sqlite_app, 'POST', _occ_url(version, occ, action),
                    headers=V2)
    if version == 'v2':
        detail = ('Other LCM operation of vnfInstance %s is in progress.'
                  % inst)
    else:
        detail = ('Vnf instance %s in task_state DB_SYNCHRONIZING. Cannot '
                  '%s while the vnf instance is in this state.'
                  % (inst, action))
    fakes.assert_problem(resp, 409, detail=detail)
    assert conductor.resumes == []
    assert versions.get(version).op_occs.get(occ).state == 'FAILED_TEMP'


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_retry_of_an_unknown_op_occ_is_404(sqlite_app, version):
    for action in ('retry', 'rollback'):
        fakes.assert_problem(call(sqlite_app, 'POST', _occ_url(
            version, UNKNOWN, action), headers=V2), 404)


def test_retry_the_conductor_cannot_take_is_503(
        api_conf, sqlite_db):
    app = app_mod.make_app(auth_strategy='noauth',
                           conductor=fakes.BrokenConductor())
    package = factories.onboarded_package(tenant_id=fakes.TENANT).id
    inst, occ = _failed('v1', package)
    resp = call(app, 'POST', _occ_url('v1', occ, 'retry'))
    body = fakes.assert_problem(resp, 503)
    fakes.assert_no_secrets(resp.text)
    assert 'still FAILED_TEMP' in body['detail']
    assert v1_instances.get_instance(inst).task_state is None
    assert versions.get('v1').op_occs.get(occ).state == 'FAILED_TEMP'
