"""VIM keys in a real Barbican, kept the way Tacker 16 keeps them."""

import pytest

from tacker.keymgr import barbican
from tacker.keymgr import vim_secrets

TOKEN = 'k8s-bearer-token-91c2'
CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'


def _section(credentials):
    return '[keystone_authtoken]\n' + ''.join(
        '%s = %s\n' % item for item in sorted(credentials.items()))


@pytest.fixture
def service_user(openstack_services, tmp_path, monkeypatch):
    """The process reads Tacker's service user from its tacker.conf."""
    path = tmp_path / 'tacker.conf'
    path.write_text(_section(openstack_services.service_credentials))
    monkeypatch.setattr(barbican, '_config_files', lambda: (str(path),))
    vim_secrets.forget_keys()
    yield openstack_services
    vim_secrets.forget_keys()


def test_a_vim_registered_with_use_barbican_is_stored_as_tacker_does(
        conf, service_user):
    conf.config(use_barbican=True, group='k8s_vim')
    stored = vim_secrets.protect_v1(
        'vim-a', {'bearer_token': TOKEN, 'ssl_ca_cert': CA,
                  'username': None})
    assert stored['key_type'] == 'barbican_key'
    assert vim_secrets.looks_encrypted(stored['bearer_token'])
    assert vim_secrets.looks_encrypted(stored['ssl_ca_cert'])
    assert TOKEN not in repr(stored)

    vim_secrets.forget_keys()
    assert vim_secrets.v1_credentials('vim-a', stored) == {
        'bearer_token': TOKEN, 'ssl_ca_cert': CA, 'username': None}

    vim_secrets.forget_v1('vim-a', stored)
    vim_secrets.forget_keys()
    with pytest.raises(vim_secrets.CredentialsUnavailable) as caught:
        vim_secrets.v1_credentials('vim-a', stored)
    assert 'is not in Barbican' in caught.value.reason


def test_without_use_barbican_secrets_are_stored_as_given(conf,
                                                          service_user):
    cred = {'bearer_token': TOKEN}
    assert vim_secrets.protect_v1('vim-b', cred) == cred
