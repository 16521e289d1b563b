"""VIM registration through the API with [k8s_vim] use_barbican.

Against a real Keystone and Barbican: the stored secrets are Fernet
tokens whose key is a Barbican secret of Tacker's service user, as Tacker
registers a VIM; deleting the VIM deletes the key; without a key manager
the registration is refused and nothing is stored.
"""

import pytest

from tacker.api import app as app_mod
from tacker.db import vims
from tacker.keymgr import barbican
from tacker.keymgr import vim_secrets
from tacker.tests.unit.api import fakes

TOKEN = 'k8s-bearer-token-5b77'
BODY = {'vim': {'name': 'k8s', 'type': 'kubernetes',
                'auth_url': 'https://k8s.example:6443',
                'auth_cred': {'bearer_token': TOKEN}}}


@pytest.fixture
def app(conf, sqlite_db):
    conf.config(use_barbican=True, group='k8s_vim')
    return app_mod.make_app(auth_strategy='noauth',
                            conductor=fakes.RecordingConductor())


def _use_service_user(monkeypatch, tmp_path, credentials):
    path = tmp_path / 'tacker.conf'
    path.write_text('[keystone_authtoken]\n' + ''.join(
        '%s = %s\n' % item for item in sorted(credentials.items())))
    monkeypatch.setattr(barbican, '_config_files', lambda: (str(path),))
    vim_secrets.forget_keys()


def test_registered_secrets_are_kept_as_tacker_keeps_them(
        app, openstack_services, monkeypatch, tmp_path):
    _use_service_user(monkeypatch, tmp_path,
                      openstack_services.service_credentials)
    resp = fakes.call(app, 'POST', '/v1.0/vims', BODY)
    assert resp.status_int == 201, resp.text
    vim_id = resp.json['vim']['id']
    assert TOKEN not in resp.text

    stored = vims.get_vim(vim_id).auth_cred
    assert stored['key_type'] == 'barbican_key'
    assert vim_secrets.looks_encrypted(stored['bearer_token'])
    assert vim_secrets.v1_credentials(vim_id, stored)['bearer_token'] == \
        TOKEN

    assert fakes.call(app, 'DELETE', '/v1.0/vims/%s' % vim_id
                      ).status_int == 204
    vim_secrets.forget_keys()
    with pytest.raises(vim_secrets.CredentialsUnavailable) as caught:
        vim_secrets.v1_credentials(vim_id, stored)
    assert 'is not in Barbican' in caught.value.reason


def test_without_a_key_manager_registration_is_refused(app, monkeypatch,
                                                       tmp_path):
    _use_service_user(monkeypatch, tmp_path, {})
    resp = fakes.call(app, 'POST', '/v1.0/vims', BODY)
    fakes.assert_problem(resp, 503, contains='use_barbican is true')
    assert TOKEN not in resp.text
    assert vims.list_vims() == []
