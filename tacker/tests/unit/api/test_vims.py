"""/v1.0/vims: register, list, show, delete; secrets never returned."""

from tacker.tests import factories
from tacker.tests.unit.api import fakes

call = fakes.call

BODY = {'vim': {
    'name': 'k8s', 'description': 'a cluster', 'type': 'kubernetes',
    'auth_url': 'https://k8s.example:6443',
    'vim_project': {'name': 'default'},
    'auth_cred': {'bearer_token': fakes.SECRETS[0],
                  'ssl_ca_cert': fakes.SECRETS[2]},
    'is_default': True}}


def test_register_list_show_delete(app):
    resp = call(app, 'POST', '/v1.0/vims.json', BODY)
    assert resp.status_int == 201, resp.text
    vim = resp.json['vim']
    assert vim['name'] == 'k8s' and vim['type'] == 'kubernetes'
    assert vim['tenant_id'] == 'admin' and vim['is_default'] is True
    assert vim['auth_url'] == 'https://k8s.example:6443'
    assert vim['vim_project'] == {'name': 'default'}
    assert vim['auth_cred'] == {}
    fakes.assert_no_secrets(resp.text)

    listed = call(app, 'GET', '/v1.0/vims.json')
    assert [v['id'] for v in listed.json['vims']] == [vim['id']]
    fakes.assert_no_secrets(listed.text)
    # The client resolves names and ids through list filters.
    by_name = call(app, 'GET', '/v1.0/vims.json?name=k8s&fields=id')
    assert [v['id'] for v in by_name.json['vims']] == [vim['id']]
    assert call(app, 'GET', '/v1.0/vims.json?name=other').json == {
        'vims': []}
    by_id = call(app, 'GET', '/v1.0/vims.json?id=%s' % vim['id'])
    assert len(by_id.json['vims']) == 1

    shown = call(app, 'GET', '/v1.0/vims/%s.json' % vim['id'])
    assert shown.json['vim']['id'] == vim['id']
    fakes.assert_no_secrets(shown.text)
    plain = call(app, 'GET', '/v1.0/vims/%s' % vim['id'])
    assert plain.status_int == 200

    assert call(app, 'DELETE', '/v1.0/vims/%s.json' % vim['id']
                ).status_int == 204
    fakes.assert_problem(call(app, 'GET', '/v1.0/vims/%s' % vim['id']),
                         404, contains=vim['id'])


def test_register_duplicate_name_is_409(app):
    assert call(app, 'POST', '/v1.0/vims.json', BODY).status_int == 201
    fakes.assert_problem(call(app, 'POST', '/v1.0/vims.json', BODY), 409,
                         contains='k8s')


def test_register_bad_bodies_name_the_field(app):
    cases = [
        ({'vim': dict(BODY['vim'], type='openstack')}, 'vim.type'),
        ({'vim': dict(BODY['vim'], auth_url='ftp://x')}, 'vim.auth_url'),
        ({'vim': dict(BODY['vim'], auth_cred={})}, 'vim.auth_cred'),
        ({'vim': dict(BODY['vim'], is_default='yes')}, 'vim.is_default'),
        ({'vim': dict(BODY['vim'], colour='blue')}, 'colour'),
        ({'vim': {k: v for k, v in BODY['vim'].items() if k != 'name'}},
         'name'),
        ({'vims': {}}, 'vim'),
    ]
    for body, field in cases:
        resp = call(app, 'POST', '/v1.0/vims.json', body)
        fakes.assert_problem(resp, 400, contains=field)
        fakes.assert_no_secrets(resp.text)


def test_other_projects_see_nothing_and_cannot_register_for_others(app):
    vim = call(app, 'POST', '/v1.0/vims.json', BODY).json['vim']
    other = {'X-Project-Id': 'project-b'}
    assert call(app, 'GET', '/v1.0/vims.json', headers=other).json == {
        'vims': []}
    fakes.assert_problem(call(app, 'GET', '/v1.0/vims/%s' % vim['id'],
                              headers=other), 404)
    fakes.assert_problem(call(app, 'DELETE', '/v1.0/vims/%s' % vim['id'],
                              headers=other), 404)
    body = {'vim': dict(BODY['vim'], name='mine', tenant_id='admin')}
    fakes.assert_problem(call(app, 'POST', '/v1.0/vims.json', body,
                              headers=other), 403)
    body = {'vim': dict(BODY['vim'], name='mine')}
    resp = call(app, 'POST', '/v1.0/vims.json', body, headers=other)
    assert resp.json['vim']['tenant_id'] == 'project-b'


def test_delete_vim_in_use_is_409(app):
    vim = call(app, 'POST', '/v1.0/vims.json', BODY).json['vim']
    package_id = factories.onboarded_package(tenant_id=fakes.TENANT).id
    instance_id = factories.v1_instance(
        package_id=package_id, tenant_id=fakes.TENANT,
        vim_connection_info=fakes.v1_connections(vim['id']),
        info=fakes.V1_INFO)
    resp = call(app, 'DELETE', '/v1.0/vims/%s' % vim['id'])
    fakes.assert_problem(resp, 409, contains=instance_id)
    v2_id = factories.v2_instance(
        info=fakes.V2_INFO,
        vim_connection_info=fakes.v2_connections(vim['id']),
        metadata=fakes.V2_METADATA)
    resp = call(app, 'DELETE', '/v1.0/vims/%s' % vim['id'])
    fakes.assert_problem(resp, 409, contains=v2_id)


def test_unknown_and_malformed_vim_ids_are_404(app):
    for vim_id in ('2b7e3c1a-0000-4000-8000-000000000000', 'not-a-uuid',
                   'x' * 300):
        fakes.assert_problem(call(app, 'GET', '/v1.0/vims/%s' % vim_id),
                             404)
        fakes.assert_problem(call(app, 'DELETE', '/v1.0/vims/%s' % vim_id),
                             404)
