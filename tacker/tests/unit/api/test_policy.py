"""oslo.policy decides every route, with Tacker 16's rule names.

The identities are noauth's (``X-Project-Id``, ``X-Roles``), which the
application reads exactly as it reads keystonemiddleware's headers.
"""

import pytest

from tacker.api import policy
from tacker.api import router as router_mod
from tacker import policies
from tacker.tests import factories
from tacker.tests.unit.api import fakes

A, B = 'project-a', 'project-b'
V1 = '/vnflcm/v1/vnf_instances'


def _as(project, roles):
    return {'X-Project-Id': project, 'X-Roles': roles, 'Version': '1.3.0'}


@pytest.fixture(autouse=True)
def fresh_policy():
    policy.reset()
    yield
    policy.reset()


@pytest.fixture
def v1_of_a(app):
    package = factories.onboarded_package(tenant_id=A).id
    return factories.v1_instance(package_id=package, tenant_id=A)


def _create_v1(app, headers):
    return fakes.call(app, 'POST', V1, {
        'vnfdId': factories.SAMPLE_VNFD_ID, 'vnfInstanceName': 'x'},
        headers=headers)


def test_every_route_names_a_registered_rule():
    registered = {rule.name for rule in policies.list_rules()}
    routes = router_mod.build().rules()
    assert routes
    public = [(path, method) for path, method, rule in routes
              if rule is router_mod.PUBLIC]
    assert public == [('/openapi.json', 'GET')]
    unknown = [(path, method, rule) for path, method, rule in routes
               if rule is not router_mod.PUBLIC and rule not in registered]
    assert unknown == []


def test_a_reader_reads_but_may_not_change(app, v1_of_a):
    reader = _as(A, 'reader')
    listed = fakes.call(app, 'GET', V1, headers=reader)
    assert [i['id'] for i in listed.json] == [v1_of_a]
    shown = fakes.call(app, 'GET', '%s/%s' % (V1, v1_of_a), headers=reader)
    assert shown.status_int == 200
    fakes.assert_problem(
        _create_v1(app, reader), 403,
        detail="Policy doesn't allow "
               "os_nfv_orchestration_api:vnf_instances:create to be "
               "performed.")
    fakes.assert_problem(
        fakes.call(app, 'DELETE', '%s/%s' % (V1, v1_of_a), headers=reader),
        403, contains='os_nfv_orchestration_api:vnf_instances:delete')
    fakes.assert_problem(
        fakes.call(app, 'POST', '%s/%s/scale' % (V1, v1_of_a),
                   {'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect'},
                   headers=reader),
        403, contains='os_nfv_orchestration_api:vnf_instances:scale')


def test_a_member_of_another_project_finds_nothing(app, v1_of_a):
    other = _as(B, 'member')
    assert fakes.call(app, 'GET', V1, headers=other).json == []
    fakes.assert_problem(
        fakes.call(app, 'GET', '%s/%s' % (V1, v1_of_a), headers=other), 404)
    fakes.assert_problem(
        fakes.call(app, 'DELETE', '%s/%s' % (V1, v1_of_a), headers=other),
        404)


def test_the_admin_of_another_project_sees_every_project(app, v1_of_a):
    admin = _as(B, 'admin')
    listed = fakes.call(app, 'GET', V1, headers=admin)
    assert v1_of_a in [i['id'] for i in listed.json]
    assert fakes.call(app, 'GET', '%s/%s' % (V1, v1_of_a),
                      headers=admin).status_int == 200


def test_a_role_without_rights_gets_403_not_404(app, v1_of_a):
    # No reader role: the rule says no before any record is looked for.
    fakes.assert_problem(
        fakes.call(app, 'GET', V1, headers=_as(A, 'observer')), 403,
        contains='os_nfv_orchestration_api:vnf_instances:index')


def test_vim_for_another_project_needs_the_admin(app):
    body = {'vim': {'name': 'k8s', 'type': 'kubernetes',
                    'auth_url': 'https://k8s.example:6443',
                    'auth_cred': {'bearer_token': 'sekrit-token'},
                    'vim_project': {'name': 'default'}, 'tenant_id': B}}
    fakes.assert_problem(
        fakes.call(app, 'POST', '/v1.0/vims', body,
                   headers=_as(A, 'member')),
        403, detail="Policy doesn't allow create_vim to be performed.")
    made = fakes.call(app, 'POST', '/v1.0/vims', body,
                      headers=_as(A, 'admin'))
    assert made.status_int == 201, made.text
    assert made.json['vim']['tenant_id'] == B


def test_v2_is_open_to_any_caller_as_in_tacker(app):
    resp = fakes.call(app, 'GET', '/vnflcm/v2/vnf_instances',
                      headers={'X-Project-Id': A, 'X-Roles': 'observer',
                               'Version': '2.0.0'})
    assert resp.status_int == 200, resp.text


def test_noauth_member_implies_reader():
    from tacker.api import noauth
    assert noauth.with_implied(['admin']) == ['admin', 'member', 'reader']
    assert noauth.with_implied(['member']) == ['member', 'reader']
    assert noauth.with_implied(['reader', 'x']) == ['reader', 'x']
