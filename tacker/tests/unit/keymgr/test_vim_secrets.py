"""Encrypted VIM credentials, read the way Tacker 16 stores them."""

import uuid

from cryptography import fernet
import pytest
import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.keymgr import barbican
from tacker.keymgr import vim_secrets

TOKEN = 'k8s-bearer-token-3f9d'
CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'


@pytest.fixture(autouse=True)
def _fresh_keys():
    vim_secrets.forget_keys()
    yield
    vim_secrets.forget_keys()


def _encrypted(key, **values):
    box = fernet.Fernet(key)
    return {k: box.encrypt(v.encode()).decode() for k, v in values.items()}


def test_plain_credentials_are_used_as_they_are(conf):
    cred = {'bearer_token': TOKEN, 'ssl_ca_cert': CA}
    assert vim_secrets.v1_credentials('vim-1', cred) == cred


def test_a_vims_own_key_file_decrypts_its_secrets(conf, tmp_path):
    key = fernet.Fernet.generate_key()
    (tmp_path / 'vim-1').write_bytes(key)
    conf.config(openstack=str(tmp_path), group='vim_keys')
    cred = dict(_encrypted(key, bearer_token=TOKEN, ssl_ca_cert=CA),
                username=None)
    assert vim_secrets.v1_credentials('vim-1', cred) == {
        'bearer_token': TOKEN, 'ssl_ca_cert': CA, 'username': None}


def test_barbican_keys_without_a_key_manager_name_the_vim(conf):
    cred = dict(_encrypted(fernet.Fernet.generate_key(),
                           bearer_token=TOKEN),
                key_type='barbican_key', secret_uuid=str(uuid.uuid4()))
    with pytest.raises(vim_secrets.CredentialsUnavailable) as caught:
        vim_secrets.v1_credentials('vim-1', cred)
    assert caught.value.vim == 'vim-1'
    assert 'no key manager is configured' in caught.value.reason
    assert cred['bearer_token'] not in str(caught.value)


def test_ciphertext_without_any_key_is_never_used_as_a_token(
        conf, tmp_path):
    conf.config(openstack=str(tmp_path), group='vim_keys')
    cred = _encrypted(fernet.Fernet.generate_key(), bearer_token=TOKEN)
    with pytest.raises(vim_secrets.CredentialsUnavailable) as caught:
        vim_secrets.v1_credentials('vim-1', cred)
    assert 'no key file' in caught.value.reason


def test_a_wrong_key_is_reported_not_used(conf, tmp_path):
    (tmp_path / 'vim-1').write_bytes(fernet.Fernet.generate_key())
    conf.config(openstack=str(tmp_path), group='vim_keys')
    cred = _encrypted(fernet.Fernet.generate_key(), bearer_token=TOKEN)
    with pytest.raises(vim_secrets.CredentialsUnavailable) as caught:
        vim_secrets.v1_credentials('vim-1', cred)
    assert 'bearer_token does not decrypt' in caught.value.reason


def test_service_credentials_are_tackers_keystone_authtoken(tmp_path):
    path = tmp_path / 'tacker.conf'
    path.write_text('[DEFAULT]\n')
    assert barbican._service_credential([str(path)]) is None
    path.write_text(
        '[keystone_authtoken]\nauth_url = http://127.0.0.1:5000/v3\n'
        'username = tacker\npassword = service-secret\n'
        'project_name = service\n')
    credential = barbican._service_credential([str(path)])
    assert (credential.auth_url, credential.username,
            credential.project_name, credential.user_domain_name) == (
        'http://127.0.0.1:5000/v3', 'tacker', 'service', 'Default')


def _crypt_key_table(master, tacker_key, key_id):
    metadata = sa.MetaData()
    table = sa.Table('CryptKey', metadata,
                     sa.Column('id', sa.String(36), primary_key=True),
                     sa.Column('secretUuid', sa.String(36)),
                     sa.Column('encryptedKey', sa.String(255)),
                     sa.Column('keyType', sa.String(36)),
                     sa.Column('inUse', sa.Boolean))
    metadata.create_all(db_api.get_engine())
    with db_api.writer_session() as session:
        session.execute(table.insert().values(
            id=key_id, secretUuid=None, keyType='local', inUse=True,
            encryptedKey=fernet.Fernet(master).encrypt(tacker_key).decode()))
    return table


def test_v2_credential_encryption_with_a_local_master_key(
        conf, sqlite_db, tmp_path):
    master, tacker_key = (fernet.Fernet.generate_key() for _ in 'ab')
    key_id = str(uuid.uuid4())
    (tmp_path / key_id).write_bytes(master)
    table = _crypt_key_table(master, tacker_key, key_id)
    try:
        conf.config(use_credential_encryption=True,
                    crypt_key_dir=str(tmp_path))
        access = dict(_encrypted(tacker_key, bearer_token=TOKEN),
                      username='u')
        assert vim_secrets.v2_access_info('vim-2', access) == {
            'bearer_token': TOKEN, 'username': 'u'}
    finally:
        table.drop(db_api.get_engine())


def test_v2_ciphertext_with_encryption_off_is_refused(conf):
    access = _encrypted(fernet.Fernet.generate_key(), bearer_token=TOKEN)
    with pytest.raises(vim_secrets.CredentialsUnavailable) as caught:
        vim_secrets.v2_access_info('vim-2', access)
    assert 'use_credential_encryption is off' in caught.value.reason
