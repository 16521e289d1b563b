"""GET /openapi.json, and the answers of the API against the document."""

import json

import jsonschema
import pytest
import sqlalchemy as sa
import webob

from keystonemiddleware import auth_token  # noqa: F401  (registers opts)

from tacker.api import app as app_mod
from tacker.api import openapi
from tacker.db import api as db_api
from tacker.db import op_occs
from tacker.db.models import v1 as v1_models
from tacker.db.models import v2 as v2_models
from tacker.tests import factories
from tacker.tests.unit.api import fakes

call = fakes.call


def _validator(name):
    doc = openapi.document()
    return jsonschema.Draft202012Validator(
        {'$ref': '#/components/schemas/%s' % name,
         'components': doc['components']},
        format_checker=jsonschema.FormatChecker())


def _assert_matches(name, body):
    errors = [e.message for e in _validator(name).iter_errors(body)]
    assert errors == [], (name, body)


def test_noauth_serves_the_document(sqlite_app):
    resp = call(sqlite_app, 'GET', '/openapi.json')
    assert resp.status_int == 200
    assert resp.content_type == 'application/json'
    assert resp.json == json.loads(openapi.dumps())
    assert resp.json['openapi'] == '3.1.0'


def test_keystone_serves_the_document_without_a_token(api_conf, sqlite_db):
    api_conf.config(www_authenticate_uri='http://keystone.example/v3',
                    group='keystone_authtoken')
    app = app_mod.make_app(auth_strategy='keystone')
    resp = webob.Request.blank('/openapi.json').get_response(app)
    assert resp.status_int == 200, resp.text
    assert resp.json['paths']['/v1.0/vims']
    # Only that route is public: every other one asks for a token, and a
    # path no route serves is unknown to anyone (the document lists them).
    for path in ('/vnflcm/api_versions', '/v1.0/vims'):
        resp = webob.Request.blank(path).get_response(app)
        assert resp.status_int == 401, path
    for path in ('/openapi.json/', '/openapi.jsonx'):
        resp = webob.Request.blank(path).get_response(app)
        assert resp.status_int == 404, path


def test_other_methods_on_the_document_are_405(sqlite_app):
    resp = call(sqlite_app, 'POST', '/openapi.json', {})
    fakes.assert_problem(resp, 405)
    assert resp.headers['Allow'] == 'GET'


@pytest.fixture
def seeded(sqlite_app):
    """Records of every kind, with the shapes Tacker stores."""
    vim = factories.vim(tenant_id=fakes.TENANT, auth_cred=fakes.VIM_CRED)
    package_id = factories.onboarded_package(tenant_id=fakes.TENANT).id
    factories.created_package(tenant_id=fakes.TENANT)
    v1_id = factories.v1_instance(
        package_id=package_id, tenant_id=fakes.TENANT, info=fakes.V1_INFO,
        vim_connection_info=fakes.v1_connections(vim.id))
    factories.v1_instance(state='NOT_INSTANTIATED', tenant_id=fakes.TENANT)
    v2_id = factories.v2_instance(info=fakes.V2_INFO, **fakes.V2)
    factories.v2_instance(state='NOT_INSTANTIATED')
    for state in ('COMPLETED', 'FAILED_TEMP'):
        factories.v1_op_occ(v1_id, state, **fakes.V1_OP)
        factories.v2_op_occ(v2_id, state, **fakes.V2_OP)
    # A failed operation's error, written by the column type in Tacker
    # 16's form (the object's JSON text inside the JSON column).
    error = op_occs.problem(422, 'Unprocessable Entity', 'no such kind')
    failed = {v1_models.VnfLcmOpOcc: factories.v1_op_occ(v1_id, 'FAILED'),
              v2_models.VnfLcmOpOccV2: factories.v2_op_occ(v2_id, 'FAILED')}
    with db_api.writer_session() as session:
        for model, op_id in failed.items():
            session.execute(sa.update(model).where(model.id == op_id)
                            .values(error=error))
    return sqlite_app


@pytest.mark.parametrize('path,schema,count', [
    ('/v1.0/vims', 'VimListResponse', None),
    ('/vnfpkgm/v1/vnf_packages', 'VnfPkgInfo', 2),
    ('/vnflcm/v1/vnf_instances', 'VnfInstanceV1', 2),
    ('/vnflcm/v2/vnf_instances', 'VnfInstanceV2', 2),
    ('/vnflcm/v1/vnf_lcm_op_occs', 'VnfLcmOpOccV1', 3),
    ('/vnflcm/v2/vnf_lcm_op_occs', 'VnfLcmOpOccV2', 3),
    ('/vnflcm/api_versions', 'ApiVersionInformation', None),
    ('/vnflcm/v2/api_versions', 'ApiVersionInformation', None),
])
def test_answers_match_the_documented_schemas(seeded, path, schema, count):
    resp = call(seeded, 'GET', path)
    assert resp.status_int == 200, resp.text
    body = resp.json
    if count is None:
        _assert_matches(schema, body)
        return
    assert len(body) == count
    if 'lcm_op_occs' in path:
        errors = [o['error'] for o in body if 'error' in o]
        assert [e['status'] for e in errors] == [422]
    for item in body:
        _assert_matches(schema, item)
        shown = call(seeded, 'GET', '%s/%s' % (path, item['id']))
        _assert_matches(schema, shown.json)


def test_problem_details_match_the_document(sqlite_app):
    resp = call(sqlite_app, 'GET', '/vnflcm/v2/vnf_instances/%s'
                % fakes.SECRETS[0])
    assert resp.status_int == 404
    _assert_matches('ProblemDetails', resp.json)
    assert resp.headers['Version'] == '2.0.0'


def test_a_shape_the_document_refuses_is_caught():
    # The schemas can fail: a VIM without its id, a package state we
    # never answer, an op occ whose links lack self.
    assert list(_validator('VimInfo').iter_errors({'name': 'k8s'}))
    assert list(_validator('VnfPkgInfo').iter_errors({
        'id': 'x', 'onboardingState': 'LOST', 'operationalState': 'ENABLED',
        'usageState': 'IN_USE', 'userDefinedData': {}, '_links': {
            'self': {'href': 'h'}, 'packageContent': {'href': 'h'}}}))
    assert list(_validator('VnfLcmOpOccV2').iter_errors({
        'id': 'x', 'operationState': 'COMPLETED', 'vnfInstanceId': 'y',
        'operation': 'SCALE', 'isAutomaticInvocation': False,
        'isCancelPending': False, '_links': {'vnfInstance': {'href': 'h'}}}))


def test_the_document_promises_no_credentials_in_answers():
    vim = {'id': 'v', 'name': 'k8s', 'description': '', 'type': 'kubernetes',
           'tenant_id': 'p', 'auth_url': 'https://k', 'is_default': True,
           'status': 'ACTIVE', 'auth_cred': {'username': 'u'}}
    _assert_matches('VimInfo', vim)
    vim['auth_cred']['bearer_token'] = 't'
    assert list(_validator('VimInfo').iter_errors(vim))
    instance = {'id': 'i', 'vnfdId': 'd', 'instantiationState':
                'INSTANTIATED', '_links': {'self': {'href': 'h'}},
                'vimConnectionInfo': {'vim1': {'vimType': 'kubernetes'}}}
    _assert_matches('VnfInstanceV2', instance)
    instance['vimConnectionInfo']['vim1']['accessInfo'] = {}
    assert list(_validator('VnfInstanceV2').iter_errors(instance))
