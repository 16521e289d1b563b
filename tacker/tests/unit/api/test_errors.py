"""Errors: routing, malformed input, garbage; never a 500 for a client.

Every answer here must be ProblemDetails (``application/problem+json``
with ``status``, ``title``, ``detail``) with a 4xx status.
"""

import json
import socket

import hypothesis
from hypothesis import strategies as st
import pytest
import webob

from tacker.db import packages
from tacker.tests import factories
from tacker.tests.unit.api import fakes

call = fakes.call
INSTANCE = '2b7e3c1a-0000-4000-8000-000000000000'


def test_unknown_path_is_404(app):
    for path in ('/', '/v2.0/vims', '/vnflcm/v3/vnf_instances',
                 '/vnflcm/v1/vnf_instances/%s/explode' % INSTANCE,
                 '/vnfpkgm/v1/vnf_packages/%s/artifacts/x' % INSTANCE):
        fakes.assert_problem(call(app, 'GET', path), 404)


def test_wrong_method_is_405_with_allow(app):
    resp = call(app, 'PUT', '/vnflcm/v1/vnf_instances')
    fakes.assert_problem(resp, 405)
    assert resp.headers['Allow'] == 'GET, POST'
    resp = call(app, 'GET', '/vnflcm/v2/vnf_instances/%s/scale' % INSTANCE)
    fakes.assert_problem(resp, 405)
    assert resp.headers['Allow'] == 'POST'
    assert resp.headers['Version'] == '2.0.0'
    fakes.assert_problem(call(app, 'BREW', '/v1.0/vims'), 405)


@pytest.mark.parametrize('raw', [
    b'', b'{', b'{"vnfdId": }', b'null', b'[]', b'"text"', b'42',
    b'\xff\xfe\x00', b'{"vnfdId": NaN}', b'{"vnfdId": Infinity}',
    b'{"metadata": {"x": 1e999}, "vnfdId": "x"}',
    b'{"vnfdId": "\\u0000"}', b'{"vnfInstanceName": "\\ud800", "a": 1}',
    b'{"vnfdId": "' + b'a' * 5000 + b'"}', b'[' * 100000,
    b'{"vnfdId": ' + b'9' * 5000 + b'}',
])
def test_garbage_create_bodies_are_400(sqlite_app, raw):
    for version in ('v1', 'v2'):
        resp = call(sqlite_app, 'POST', '/vnflcm/%s/vnf_instances'
                    % version, raw=raw)
        fakes.assert_problem(resp, 400)


def test_too_large_body_is_413(sqlite_app):
    raw = b'{"vnfdId": "' + b'a' * (2 << 20) + b'"}'
    resp = call(sqlite_app, 'POST', '/vnflcm/v1/vnf_instances', raw=raw)
    fakes.assert_problem(resp, 413)


@pytest.mark.parametrize('path', [
    '/vnflcm/v1/vnf_instances/%00', '/vnflcm/v2/vnf_instances/%ff%fe',
    '/vnflcm/v1/vnf_instances/' + 'a' * 5000, '/v1.0/vims/..%2f..',
    '/v1.0/vims/%00.json', '/vnfpkgm/v1/vnf_packages/%e2%82',
    '/vnflcm/v2/vnf_lcm_op_occs/%e2%98%83',
])
def test_garbage_paths_are_404(sqlite_app, path):
    for method in ('GET', 'DELETE'):
        resp = call(sqlite_app, method, path)
        assert resp.status_int in (404, 405), resp.text
        fakes.assert_problem(resp, resp.status_int)


@pytest.mark.parametrize('query', [
    'name=%ff%fe', 'id=%00', 'name=' + 'x' * 5000, 'a=b&&&=&=', '%zz',
])
def test_garbage_queries_are_harmless(sqlite_app, query):
    for path in ('/v1.0/vims.json', '/vnflcm/v1/vnf_instances',
                 '/vnfpkgm/v1/vnf_packages', '/vnflcm/v2/vnf_lcm_op_occs'):
        resp = call(sqlite_app, 'GET', path + '?' + query)
        if resp.status_int != 200:
            fakes.assert_problem(resp, 400, contains='query')


@pytest.mark.parametrize('project', ['x' * 65, 'a b', 'p\n', '\u00e9'])
def test_bad_project_headers_are_400(sqlite_app, project):
    req = webob.Request.blank('/vnflcm/v1/vnf_instances')
    req.environ['HTTP_X_PROJECT_ID'] = project
    fakes.assert_problem(req.get_response(sqlite_app), 400,
                         contains='X-Project-Id')


def test_unexpected_error_is_500_without_details(sqlite_app, monkeypatch,
                                                 caplog):
    def boom(*args, **kwargs):
        raise RuntimeError('db password=sekrit-password exploded')

    monkeypatch.setattr(packages, 'list_all', boom)
    resp = call(sqlite_app, 'GET', '/vnfpkgm/v1/vnf_packages')
    body = fakes.assert_problem(resp, 500)
    assert body['title'] == 'Internal Server Error'
    assert 'Traceback' not in resp.text
    fakes.assert_no_secrets(resp.text)
    assert 'RuntimeError' not in resp.text


@pytest.mark.parametrize('url', [
    'mysql+pymysql://root@127.0.0.1:%d/tacker',
    'postgresql+psycopg2://postgres@127.0.0.1:%d/tacker'])
def test_unreachable_database_is_503_with_retry_after(api_conf, conductor,
                                                      url):
    # Found by the soak: while the database server restarted, every
    # request was a 500 with a traceback in the log.
    from tacker.api import app as app_mod
    from tacker.db import api as db_api
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    api_conf.config(connection=url % port, max_retries=0,
                    group='database')
    db_api.reset()
    try:
        app = app_mod.make_app(auth_strategy='noauth', conductor=conductor)
        for path in ('/vnflcm/v2/vnf_instances', '/vnflcm/v1/vnf_instances',
                     '/vnfpkgm/v1/vnf_packages'):
            resp = call(app, 'GET', path)
            body = fakes.assert_problem(resp, 503)
            assert body['title'] == 'Service Unavailable'
            assert resp.headers['Retry-After'] == str(
                app_mod.DB_RETRY_AFTER)
            assert 'Traceback' not in resp.text
    finally:
        db_api.reset()


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() |
    st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) |
    st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)

_FIELDS = st.sampled_from([
    'vnfdId', 'vnfInstanceName', 'vnfInstanceDescription', 'metadata',
    'type', 'aspectId', 'numberOfSteps', 'terminationType', 'flavourId',
    'vnfcInstanceId', 'additionalParams', 'userDefinedData',
    'operationalState', 'vim'])

_BODIES = st.one_of(_JSON, st.dictionaries(_FIELDS, _JSON, max_size=5))

_TARGETS = [
    ('POST', '/vnflcm/v1/vnf_instances'),
    ('POST', '/vnflcm/v2/vnf_instances'),
    ('POST', '/vnflcm/v1/vnf_instances/{v1}/scale'),
    ('POST', '/vnflcm/v1/vnf_instances/{v1}/heal'),
    ('POST', '/vnflcm/v1/vnf_instances/{v1}/terminate'),
    ('POST', '/vnflcm/v2/vnf_instances/{v2}/heal'),
    ('POST', '/vnflcm/v2/vnf_instances/{v2}/scale'),
    ('POST', '/vnflcm/v2/vnf_instances/{v2new}/instantiate'),
    ('POST', '/vnfpkgm/v1/vnf_packages'),
    ('PATCH', '/vnfpkgm/v1/vnf_packages/{pkg}'),
    ('POST', '/v1.0/vims.json'),
]


@pytest.fixture
def records(sqlite_app):
    package_id = factories.onboarded_package(tenant_id=fakes.TENANT).id
    factories.vim(tenant_id=fakes.TENANT, auth_cred=fakes.VIM_CRED)
    v1_id = factories.v1_instance(package_id=package_id,
                                  tenant_id=fakes.TENANT, info=fakes.V1_INFO)
    return {'pkg': package_id, 'v1': v1_id,
            'v2': factories.v2_instance(info=fakes.V2_INFO, **fakes.V2),
            'v2new': factories.v2_instance(state='NOT_INSTANTIATED',
                                           **fakes.V2)}


@hypothesis.settings(max_examples=150, deadline=None,
                     suppress_health_check=[
                         hypothesis.HealthCheck.function_scoped_fixture])
@hypothesis.given(target=st.sampled_from(_TARGETS), body=_BODIES)
def test_no_json_body_makes_a_500(sqlite_app, records, target, body):
    method, path = target
    path = path.format(**records)
    resp = call(sqlite_app, method, path, raw=json.dumps(body).encode())
    assert resp.status_int < 500, resp.text
    if resp.status_int >= 400:
        fakes.assert_problem(resp, resp.status_int)
    fakes.assert_no_secrets(resp.text)


def test_typed_500_errors_hide_their_text_too(sqlite_app, monkeypatch):
    from tacker.common import exceptions

    def boom(*args, **kwargs):
        raise exceptions.TackerError('internal path /etc/secret broke')

    monkeypatch.setattr(packages, 'list_all', boom)
    resp = call(sqlite_app, 'GET', '/vnfpkgm/v1/vnf_packages')
    body = fakes.assert_problem(resp, 500)
    assert '/etc/secret' not in body['detail']


@pytest.mark.parametrize('path,body', [
    ('/v1.0/vims', {'vim': {
        'name': 'k', 'type': 'kubernetes', 'auth_url': 'https://k8s:6443',
        'vim_project': {'name': 'default'},
        'auth_cred': {'password': 'hunter2-SECRET',
                      'ssl_ca_cert': '-----BEGIN hunter2-SECRET'}}}),
    ('/v1.0/vims', {'vim': {
        'name': 'k', 'type': 'kubernetes', 'auth_url': 'https://k8s:6443',
        'vim_project': {'name': 'default'},
        'auth_cred': {'bearer_token': ['hunter2-SECRET']}}}),
])
def test_validation_errors_never_echo_secrets(sqlite_app, path, body):
    resp = fakes.call(sqlite_app, 'POST', path, body)
    problem = fakes.assert_problem(resp, 400)
    assert 'auth_cred' in problem['detail']
    assert 'hunter2' not in resp.text


def test_a_v1_shaped_vim_list_in_v2_does_not_echo_the_token(sqlite_app):
    resp = fakes.call(
        sqlite_app, 'POST', '/vnflcm/v2/vnf_instances/%s/instantiate'
        % '5a1c7f3e-0000-4000-8000-000000000001',
        {'flavourId': 'simple', 'vimConnectionInfo': [
            {'vimType': 'kubernetes',
             'accessInfo': {'bearer_token': 'hunter2-SECRET'}}]})
    assert resp.status_int in (400, 404)
    assert 'hunter2' not in resp.text
