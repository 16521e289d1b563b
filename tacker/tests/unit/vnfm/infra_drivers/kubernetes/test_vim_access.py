"""vim_access: stored VIM shapes are checked where a VimAccess is built."""

import pytest

from tacker.keymgr import vim_secrets
from tacker.vnfm.infra_drivers.kubernetes import vim_access

SECRET = 'do-not-echo-this-value'


def _connection(**parts):
    connection = {'vimId': 'vim-a', 'vimType': 'kubernetes',
                  'interfaceInfo': {'endpoint': 'https://k8s:6443'},
                  'accessInfo': {'bearer_token': 'token'}}
    for path, value in parts.items():
        part, _, key = path.partition('__')
        if key:
            connection[part][key] = value
        else:
            connection[part] = value
    return connection


@pytest.mark.parametrize('parts, field, problem', [
    ({'interfaceInfo__endpoint': 6443},
     'vimConnectionInfo.vim1.interfaceInfo.endpoint', 'is not text'),
    ({'accessInfo__bearer_token': [SECRET]},
     'vimConnectionInfo.vim1.accessInfo.bearer_token', 'is not text'),
    ({'accessInfo__password': {'v': SECRET}},
     'vimConnectionInfo.vim1.accessInfo.password', 'is not text'),
    ({'interfaceInfo__ssl_ca_cert': [SECRET]},
     'vimConnectionInfo.vim1.interfaceInfo.ssl_ca_cert', 'is not text'),
    ({'vimId': ['vim-a']}, 'vimConnectionInfo.vim1.vimId', 'is not text'),
    ({'accessInfo': [SECRET]}, 'vimConnectionInfo.vim1.accessInfo',
     'is not an object'),
    ({'interfaceInfo': 'https://k8s'},
     'vimConnectionInfo.vim1.interfaceInfo', 'is not an object'),
])
def test_an_odd_v2_connection_names_its_field_not_its_value(
        parts, field, problem):
    with pytest.raises(vim_access.InvalidConnection) as exc:
        vim_access.from_v2_connection('vim1', _connection(**parts))
    assert exc.value.field == field
    assert str(exc.value) == 'unreadable record: %s %s' % (field, problem)
    assert SECRET not in str(exc.value)


def test_a_good_v2_connection_gives_a_hashable_access():
    access = vim_access.from_v2_connection('vim1', _connection())
    assert {access: 1}[access] == 1
    assert access.cache_key()[0] == 'vim-a'
    assert vim_access.from_v2_connection('vim1', _connection(
        interfaceInfo={})).endpoint == ''


@pytest.mark.parametrize('auth_url, auth_cred, reason', [
    ('https://k8s', [SECRET], 'auth_cred is not an object'),
    ('https://k8s', {'bearer_token': [SECRET]},
     'auth_cred.bearer_token is not text'),
    ('https://k8s', {'username': 'u', 'password': 5},
     'auth_cred.password is not text'),
    ('https://k8s', {'ssl_ca_cert': {'pem': SECRET}},
     'auth_cred.ssl_ca_cert is not text'),
    (None, {'bearer_token': 'token'}, 'auth_url is not text'),
])
def test_an_odd_v1_vim_is_unusable(auth_url, auth_cred, reason):
    with pytest.raises(vim_secrets.CredentialsUnavailable) as exc:
        vim_access.from_v1_vim('vim-a', auth_url, auth_cred)
    assert exc.value.vim == 'vim-a'
    assert exc.value.reason == reason
    assert SECRET not in exc.value.message
