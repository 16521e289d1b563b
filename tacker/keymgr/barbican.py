"""Fetch a key from Barbican through castellan, as Tacker's service.

Tacker keeps each Kubernetes VIM's Fernet key as a Barbican secret owned
by its service user, the one configured in ``[keystone_authtoken]``
(``auth_url``, ``username``, ``password``, ``project_name``,
``user_domain_name``, ``project_domain_name``).  The same options are
read here, from the same configuration files; ``[key_manager]
barbican_endpoint`` overrides the endpoint found in the Keystone catalog.
"""

import copy
import threading

from castellan.common.credentials import keystone_password
from castellan.common import exception as castellan_exception
from castellan.common.objects import opaque_data
from castellan import key_manager
from castellan import options as castellan_options
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

from tacker.common import exceptions
import tacker.conf

CONF = tacker.conf.CONF
AUTH_GROUP = 'keystone_authtoken'
NOT_CONFIGURED = ('credentials are encrypted and no key manager is '
                  'configured ([keystone_authtoken] auth_url, username and '
                  'password name the service user that owns the keys)')

_MANAGER = {}
_LOCK = threading.Lock()


def _auth_options():
    # keystoneauth's own definitions, made optional: a tacker.conf without
    # a key manager must still load.
    options = []
    for option in ks_loading.get_auth_plugin_conf_options('password'):
        option = copy.copy(option)
        option.required = False
        options.append(option)
    return options


def _config_files():
    try:
        return tuple(CONF.config_file or ())
    except cfg.NoSuchOptError:  # CONF was never parsed (tests)
        return ()


def service_auth(config_files=None):
    """Tacker's ``[keystone_authtoken]`` service credentials.

    Read from the process's configuration files with a configuration of
    their own: the global one stays as keystonemiddleware registers it
    (its ``auth_url`` is required there).
    """
    files = _config_files() if config_files is None else config_files
    conf = cfg.ConfigOpts()
    conf.register_opts(_auth_options(), group=AUTH_GROUP)
    conf(args=[], default_config_files=list(files))
    return conf[AUTH_GROUP]


class KeyUnavailable(exceptions.TackerError):
    # For the API: the request was fine, a service it needs is not.
    code = 503
    title = 'Service Unavailable'
    msg_fmt = 'VIM %(vim)s: %(reason)s'

    def __init__(self, vim, reason):
        super().__init__(vim=vim, reason=reason)
        self.vim = vim
        self.reason = reason


def _service_credential(config_files=None):
    group = service_auth(config_files)
    if not (group.auth_url and group.username and group.password):
        return None
    return keystone_password.KeystonePassword(
        password=group.password, auth_url=group.auth_url,
        username=group.username,
        user_domain_name=group.user_domain_name or 'Default',
        project_name=group.project_name,
        project_domain_name=group.project_domain_name or 'Default')


def _manager(auth_url):
    with _LOCK:
        if auth_url not in _MANAGER:
            conf = cfg.ConfigOpts()
            castellan_options.set_defaults(
                conf, backend='barbican',
                barbican_endpoint=CONF.key_manager.barbican_endpoint,
                barbican_api_version=CONF.key_manager.barbican_version,
                auth_endpoint=auth_url)
            _MANAGER[auth_url] = key_manager.API(conf)
        return _MANAGER[auth_url]


def _configured(vim, reason=NOT_CONFIGURED):
    credential = _service_credential()
    if credential is None:
        raise KeyUnavailable(vim, reason)
    return credential, _manager(credential.auth_url)


def store_key(vim, key):
    """Keep ``key`` (bytes) as an opaque Barbican secret; its uuid.

    Opaque data, as Tacker stores a VIM's key: Tacker's own readers and
    ``get_key`` both get the bytes back.
    """
    credential, manager = _configured(vim, reason=(
        '[k8s_vim] use_barbican is true but no key manager is configured '
        '([keystone_authtoken] auth_url, username and password name '
        "Tacker's service user)"))
    try:
        ref = manager.store(credential, opaque_data.OpaqueData(key))
    except Exception as exc:  # noqa: castellan raises many kinds
        raise KeyUnavailable(vim, 'key manager error (%s: %s)'
                             % (type(exc).__name__, exc))
    return ref.rsplit('/', 1)[-1]


def delete_key(vim, secret_uuid):
    """Remove a VIM's key; a key already gone is no error."""
    credential, manager = _configured(vim)
    try:
        manager.delete(credential, secret_uuid)
    except castellan_exception.ManagedObjectNotFoundError:
        pass
    except Exception as exc:  # noqa: castellan raises many kinds
        raise KeyUnavailable(vim, 'key manager error (%s: %s)'
                             % (type(exc).__name__, exc))


def get_key(vim, secret_uuid):
    """The bytes of Barbican secret ``secret_uuid``; ``vim`` for errors."""
    credential, manager = _configured(vim)
    try:
        secret = manager.get(credential, secret_uuid)
    except castellan_exception.ManagedObjectNotFoundError:
        raise KeyUnavailable(vim, 'its key %s is not in Barbican'
                             % secret_uuid)
    except castellan_exception.Forbidden:
        raise KeyUnavailable(vim, 'the service user may not read its key '
                                  '%s in Barbican' % secret_uuid)
    except Exception as exc:  # noqa: castellan raises many kinds
        # Messages of the key manager name URLs and ids, never payloads.
        raise KeyUnavailable(vim, 'key manager error (%s: %s)'
                             % (type(exc).__name__, exc))
    key = secret.get_encoded()
    return key if isinstance(key, bytes) else str(key).encode('utf-8')
