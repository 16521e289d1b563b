"""Where the keys of encrypted VIM credentials are, as Tacker names it.

Tacker 16 encrypts Kubernetes VIM secrets with Fernet keys kept apart
from the database.  These are Tacker's own option names and defaults, so
that a ``tacker.conf`` copied from a running Tacker works unchanged; the
Barbican service credentials are Tacker's ``[keystone_authtoken]``
``auth_url``, ``username``, ``password``, ``project_name``,
``user_domain_name`` and ``project_domain_name`` (registered by
``tacker.keymgr`` through keystoneauth, as keystonemiddleware does).
"""

from oslo_config import cfg

DEFAULT_OPTS = [
    cfg.BoolOpt('use_credential_encryption', default=False,
                help="Tacker's v2 credential encryption: when true, the "
                     "password, bearer_token and client_secret of a v2 "
                     "instance's vimConnectionInfo accessInfo are "
                     "encrypted with the key of the in-use CryptKey row."),
    cfg.StrOpt('keymanager_type', default='barbican',
               choices=['barbican', 'local'],
               help='Where the master key of the CryptKey row is kept '
                    '(with use_credential_encryption): a Barbican secret, '
                    'or a file in crypt_key_dir.'),
    cfg.StrOpt('crypt_key_dir', default='/etc/tacker/crypt/fernet_keys',
               help='Directory of the master key files of CryptKey rows of '
                    'keyType local, one file per row id.'),
]

KEY_MANAGER_GROUP = cfg.OptGroup('key_manager', title='Key manager')
KEY_MANAGER_OPTS = [
    cfg.StrOpt('barbican_endpoint',
               help='Barbican endpoint URL; unset, it is found in the '
                    "Keystone catalog of [keystone_authtoken] auth_url."),
    cfg.StrOpt('barbican_version', default='v1',
               help='Barbican API version.'),
]

VIM_KEYS_GROUP = cfg.OptGroup('vim_keys', title='VIM key files')
VIM_KEYS_OPTS = [
    cfg.StrOpt('openstack', default='/etc/tacker/vim/fernet_keys',
               help='Directory of local Fernet key files of VIMs, one '
                    'file named after each VIM id (used for VIMs whose '
                    'credentials carry no key_type).'),
    cfg.StrOpt('default_secret_key', default='',
               help='File name, in the openstack directory, of the key '
                    'used when a VIM has no key file of its own.'),
]

K8S_VIM_GROUP = cfg.OptGroup('k8s_vim', title='Kubernetes VIMs')
K8S_VIM_OPTS = [
    cfg.BoolOpt('use_barbican', default=False,
                help="When true, a Kubernetes VIM registered through this "
                     "API has its secrets encrypted with a new Fernet key "
                     "kept in Barbican, as Tacker does (Tacker's default), "
                     "so that Tacker can use it too; when false they are "
                     "stored as given, which Tacker 16 cannot read.  "
                     "Reading needs no setting: each VIM's key_type says "
                     "where its key is.  False here, so that the embedded "
                     "defaults need no Barbican."),
]


def register_opts(conf):
    conf.register_opts(DEFAULT_OPTS)
    for group, opts in ((KEY_MANAGER_GROUP, KEY_MANAGER_OPTS),
                        (VIM_KEYS_GROUP, VIM_KEYS_OPTS),
                        (K8S_VIM_GROUP, K8S_VIM_OPTS)):
        conf.register_group(group)
        conf.register_opts(opts, group=group)


def list_opts():
    return {'DEFAULT': DEFAULT_OPTS, KEY_MANAGER_GROUP: KEY_MANAGER_OPTS,
            VIM_KEYS_GROUP: VIM_KEYS_OPTS, K8S_VIM_GROUP: K8S_VIM_OPTS}
