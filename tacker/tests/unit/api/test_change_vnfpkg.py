"""POST /vnflcm/v2/vnf_instances/{id}/change_vnfpkg at the API: what is
recorded and cast, and every refusal (nothing recorded, nothing cast)."""

import pytest

from tacker.common import coordination
from tacker.tests import factories
from tacker.tests.unit.api import fakes

call = fakes.call
V2 = {'Version': '2.0.0'}
FILES = ['Files/kubernetes/vdu1-deployment.yaml']


@pytest.fixture
def packages(app):
    old = factories.onboarded_package(tenant_id=fakes.TENANT)
    new = factories.onboarded_package(tenant_id=fakes.TENANT,
                                      sample='sample_cnf_v2')
    return old, new


def _instance(state='INSTANTIATED'):
    return factories.v2_instance(
        state=state, info=fakes.V2_INFO if state == 'INSTANTIATED' else None,
        vim_connection_info=factories.v2_vim_connection(
            'https://k8s.example:6443'))


def _body(vnfd_id, **additional):
    params = {'upgrade_type': 'RollingUpdate',
              'lcm-kubernetes-def-files': FILES,
              'vdu_params': [{'vdu_id': 'VDU1'}]}
    params.update(additional)
    return {'vnfdId': vnfd_id, 'additionalParams': params}


def _post(app, instance_id, body, headers=V2):
    return call(app, 'POST', '/vnflcm/v2/vnf_instances/%s/change_vnfpkg'
                % instance_id, body, headers=headers)


def _occs(app):
    return call(app, 'GET', '/vnflcm/v2/vnf_lcm_op_occs', headers=V2).json


def test_accepted_recorded_and_cast(app, packages, conductor):
    _old, new = packages
    instance_id = _instance()
    resp = _post(app, instance_id, _body(new.vnfd.vnfd_id))
    assert resp.status_int == 202, resp.text
    assert resp.headers['Version'] == '2.0.0'
    op_id = resp.headers['Location'].rsplit('/', 1)[1]
    assert conductor.casts == [('v2', op_id)]
    (occ,) = _occs(app)
    assert occ['id'] == op_id
    assert occ['operation'] == 'CHANGE_VNFPKG'
    assert occ['operationState'] == 'STARTING'
    assert occ['operationParams'] == _body(new.vnfd.vnfd_id)


def test_lock_held_by_the_synchronization_is_exact_409(app, packages,
                                                       conductor):
    _old, new = packages
    instance_id = _instance()
    with coordination.instance_lock(instance_id):
        resp = _post(app, instance_id, _body(new.vnfd.vnfd_id))
    assert resp.status_int == 409
    assert resp.content_type == 'application/problem+json'
    assert resp.headers['Version'] == '2.0.0'
    assert resp.json == {
        'status': 409, 'title': 'Conflict',
        'detail': 'Other LCM operation of vnfInstance %s is in progress.'
                  % instance_id}
    assert conductor.casts == [] and _occs(app) == []


def test_not_instantiated_is_tackers_409(app, packages, conductor):
    _old, new = packages
    instance_id = _instance('NOT_INSTANTIATED')
    resp = _post(app, instance_id, _body(new.vnfd.vnfd_id))
    fakes.assert_problem(resp, 409, detail=(
        "VnfInstance %s isn't instantiated." % instance_id))
    assert conductor.casts == []


@pytest.mark.parametrize('body, field', [
    ({}, 'vnfdId'),
    ({'vnfdId': ''}, 'vnfdId'),
    ({'vnfdId': 'x', 'additionalParams': []}, 'additionalParams'),
    ({'vnfdId': 'x', 'vimConnectionInfo': {}}, 'vimConnectionInfo'),
    ({'vnfdId': 'x', 'surprise': 1}, 'surprise'),
])
def test_schema_errors_name_the_field(app, packages, conductor, body,
                                      field):
    resp = _post(app, _instance(), body)
    fakes.assert_problem(resp, 400, contains=field)
    assert conductor.casts == [] and _occs(app) == []


def test_request_errors_are_tackers_400_and_422(app, packages, conductor):
    _old, new = packages
    instance_id = _instance()
    resp = _post(app, instance_id, _body(new.vnfd.vnfd_id,
                                         upgrade_type='BlueGreen'))
    fakes.assert_problem(resp, 400,
                         detail='not support upgrade_type BlueGreen')
    resp = _post(app, instance_id, _body(new.vnfd.vnfd_id, vdu_params=[
        {'vdu_id': 'VDU7'}]))
    fakes.assert_problem(resp, 400, detail="vdu_id 'VDU7' does not exist.")
    resp = _post(app, instance_id, _body('no-such-vnfd'))
    fakes.assert_problem(resp, 422, detail=(
        'VnfPackage of vnfdId no-such-vnfd is not found or not '
        'operational.'))
    assert conductor.casts == [] and _occs(app) == []


def test_v1_has_no_change_vnfpkg(app, packages):
    resp = call(app, 'POST', '/vnflcm/v1/vnf_instances/%s/change_vnfpkg'
                % _instance(), _body('x'))
    assert resp.status_int == 404


@pytest.mark.parametrize('info', [
    dict(fakes.V2_INFO, metadata='not an object'),
    dict(fakes.V2_INFO, metadata={'vdu_reses': 'x',
                                  'lcm-kubernetes-def-files': 7}),
    dict(fakes.V2_INFO, flavourId=None),
])
def test_unreadable_record_is_refused_not_500(app, packages, conductor,
                                              info):
    _old, new = packages
    instance_id = factories.v2_instance(
        info=info, vim_connection_info=factories.v2_vim_connection(
            'https://k8s.example:6443'))
    resp = _post(app, instance_id, _body(new.vnfd.vnfd_id))
    fakes.assert_problem(resp, 409, contains=(
        'VnfInstance %s cannot change its VNF package: instantiatedVnfInfo '
        % instance_id))
    assert conductor.casts == [] and _occs(app) == []
