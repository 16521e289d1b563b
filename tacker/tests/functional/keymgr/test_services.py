"""Barbican secrets through castellan, against real Keystone/Barbican.

Also stores a VIM's Fernet key the way Tacker 16's own key manager
(``tacker.keymgr.barbican_key_manager.BarbicanKeyManager.store``) does:
python-barbicanclient ``secrets.create(payload=<bytes>,
secret_type='opaque')`` with no payload content type, which Barbican
records as ``application/octet-stream``.
"""

from barbicanclient import client as barbican_client
from castellan.common.credentials import keystone_password
from castellan.common import exception as castellan_exception
from castellan.common.objects import opaque_data
from castellan import key_manager
from castellan import options as castellan_options
from cryptography import fernet
from keystoneauth1.identity import v3 as ks_identity
from keystoneauth1 import session as ks_session
from oslo_config import cfg
import pytest


def _key_manager(services):
    conf = cfg.ConfigOpts()
    castellan_options.set_defaults(
        conf, backend='barbican', barbican_endpoint=services.barbican_url,
        auth_endpoint=services.keystone_url)
    return key_manager.API(conf)


def _context(creds):
    return keystone_password.KeystonePassword(
        auth_url=creds['auth_url'],
        password=creds['password'], username=creds['username'],
        user_domain_name=creds['user_domain_name'],
        project_name=creds['project_name'],
        project_domain_name=creds['project_domain_name'])


def _assert_forbidden(excinfo):
    # castellan wraps barbicanclient's HTTPClientError, which keeps the
    # HTTP status; the wrapper's message does not name it.
    cause = excinfo.value.__context__
    assert getattr(cause, 'status_code', None) == 403, repr(cause)
    assert 'Forbidden' in str(excinfo.value)


def _session(creds):
    return ks_session.Session(auth=ks_identity.Password(**creds))


def test_fernet_key_round_trip_and_isolation(openstack_services):
    manager = _key_manager(openstack_services)
    owner = _context(openstack_services.service_credentials)
    key = fernet.Fernet.generate_key()
    assert len(key) == 44

    secret_id = manager.store(owner, opaque_data.OpaqueData(key))
    fetched = manager.get(owner, secret_id)
    assert isinstance(fetched, opaque_data.OpaqueData)
    assert fetched.get_encoded() == key

    stranger = _context(openstack_services.stranger_credentials)
    with pytest.raises(castellan_exception.KeyManagerError) as excinfo:
        manager.get(stranger, secret_id)
    _assert_forbidden(excinfo)

    manager.delete(owner, secret_id)
    with pytest.raises(castellan_exception.ManagedObjectNotFoundError):
        manager.get(owner, secret_id)


def test_secret_stored_like_tacker16(openstack_services):
    creds = openstack_services.service_credentials
    sess = _session(creds)
    # Tacker 16 finds Barbican in the catalog, interface "internal".
    endpoint = sess.get_endpoint(service_type='key-manager',
                                 service_name='barbican',
                                 interface='internal')
    assert endpoint.rstrip('/') == openstack_services.barbican_url
    client = barbican_client.Client(session=sess, endpoint=endpoint + '/')
    key = fernet.Fernet.generate_key()
    secret = client.secrets.create(payload=key, secret_type='opaque')
    ref = secret.store()
    secret_id = ref.rpartition('/')[2]

    # Read back as Tacker 16 does (vim_client: secret_obj.payload).
    stored = client.secrets.get(ref)
    assert stored.secret_type == 'opaque'
    assert stored.content_types == {'default': 'application/octet-stream'}
    assert stored.payload == key

    # And as castellan sees it.
    manager = _key_manager(openstack_services)
    fetched = manager.get(_context(creds), secret_id)
    assert type(fetched) is opaque_data.OpaqueData
    assert fetched.get_encoded() == key
    fernet.Fernet(fetched.get_encoded())

    with pytest.raises(castellan_exception.KeyManagerError) as excinfo:
        manager.get(_context(openstack_services.stranger_credentials),
                    secret_id)
    _assert_forbidden(excinfo)


def test_catalog_and_credentials(openstack_services):
    sess = _session(openstack_services.service_credentials)
    url = sess.get_endpoint(service_type='key-manager', interface='public')
    assert url.rstrip('/') == openstack_services.barbican_url
    assert sess.get_project_id()
    roles = sess.auth.get_access(sess).role_names
    assert {'admin', 'service'} <= set(roles)
    stranger = _session(openstack_services.stranger_credentials)
    assert stranger.get_project_id() != sess.get_project_id()
    assert 'admin' not in stranger.auth.get_access(stranger).role_names
