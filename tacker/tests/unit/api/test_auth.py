"""auth_strategy: noauth identities, keystone wrapping."""

import pytest
import webob

from keystonemiddleware import auth_token  # noqa: F401  (registers opts)

from tacker.api import app as app_mod
from tacker.common import exceptions
from tacker.tests.unit.api import fakes


def test_noauth_default_project_is_admin(app):
    resp = fakes.call(app, 'POST', '/vnfpkgm/v1/vnf_packages', {})
    pkg = resp.json
    other = fakes.call(app, 'GET', '/vnfpkgm/v1/vnf_packages/%s' % pkg['id'],
                       headers={'X-Project-Id': 'project-b'})
    fakes.assert_problem(other, 404)
    admin = fakes.call(app, 'GET', '/vnfpkgm/v1/vnf_packages/%s'
                       % pkg['id'], headers={'X-Project-Id': 'project-b',
                                             'X-Roles': 'member,admin'})
    assert admin.status_int == 200


def test_keystone_strategy_needs_a_token(api_conf, sqlite_db):
    api_conf.config(www_authenticate_uri='http://keystone.example/v3',
                    group='keystone_authtoken')
    app = app_mod.make_app(auth_strategy='keystone')
    resp = webob.Request.blank('/vnflcm/v1/vnf_instances').get_response(app)
    fakes.assert_problem(resp, 401, contains='requires authentication')
    assert 'keystone.example' in resp.headers['WWW-Authenticate']
    # A client cannot claim to be confirmed: keystonemiddleware strips it.
    forged = webob.Request.blank('/vnflcm/v1/vnf_instances', headers={
        'X-Identity-Status': 'Confirmed', 'X-Project-Id': 'p',
        'X-Roles': 'admin'}).get_response(app)
    fakes.assert_problem(forged, 401)


def test_unknown_strategy_is_a_config_error(api_conf):
    with pytest.raises(exceptions.ConfigError, match='trust-me'):
        app_mod.make_app(auth_strategy='trust-me')
