"""VIM credentials as Tacker 16 stores them, made usable.

v1 VIMs (``vimauths.auth_cred``): Tacker's Kubernetes VIM registration
encrypts ``password``, ``bearer_token``, ``ssl_ca_cert`` and
``client_secret`` with a Fernet key of the VIM's own.  With ``key_type``
``barbican_key`` the key is the Barbican secret ``secret_uuid``; with no
``key_type`` the key, if there is one, is the file named after the VIM in
``[vim_keys] openstack``, and otherwise the values are plain text (rows
written by hand or by earlier builds of this project).

v2 instances (``vimConnectionInfo.*.accessInfo``) hold plain values,
unless ``[DEFAULT] use_credential_encryption`` is on: then ``password``,
``bearer_token`` and ``client_secret`` are encrypted with the key of the
in-use ``CryptKey`` row, itself encrypted with a master key kept in
Barbican (``keyType`` barbican) or in ``[DEFAULT] crypt_key_dir``
(``keyType`` local).

A VIM registered here with ``[k8s_vim] use_barbican`` is stored the way
Tacker stores one (``protect_v1``): its secrets encrypted with a new
Fernet key kept in Barbican, so Tacker can use it too; otherwise its
secrets are stored as given.

A credential that cannot be made usable raises ``CredentialsUnavailable``
(the VIM and the reason, never a key or a value): nothing encrypted is
ever sent to Kubernetes as if it were a token.  Keys are cached for the
life of the process; Tacker never changes a stored key in place.
"""

import os
import re
import threading

from cryptography import fernet
from oslo_db import exception as db_exc
from oslo_log import log as logging

from tacker.db import crypt_keys
from tacker.keymgr import barbican
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

V1_SECRET_FIELDS = ('password', 'bearer_token', 'ssl_ca_cert',
                    'client_secret')
V2_SECRET_FIELDS = ('password', 'bearer_token', 'client_secret')
BARBICAN_KEY = 'barbican_key'
# A Fernet token: version byte 0x80, base64url ("gAAAAA..."), 100+ chars.
_FERNET_TOKEN = re.compile(r'^gAAAAA[A-Za-z0-9_\-]{90,}={0,2}$')

_KEYS = {}
_KEYS_LOCK = threading.Lock()


# The error of every credential that cannot be made usable.
CredentialsUnavailable = barbican.KeyUnavailable


def looks_encrypted(value):
    return isinstance(value, str) and bool(_FERNET_TOKEN.match(value))


def _cached(key, load):
    with _KEYS_LOCK:
        if key in _KEYS:
            return _KEYS[key]
    value = load()
    with _KEYS_LOCK:
        _KEYS[key] = value
    return value


def forget_keys():
    """Drop the cached keys (tests; a key manager that was replaced)."""
    with _KEYS_LOCK:
        _KEYS.clear()


def _decrypt(vim_id, values, fields, key):
    try:
        box = fernet.Fernet(key)
    except (ValueError, TypeError):
        raise CredentialsUnavailable(vim_id, 'its key is not a Fernet key')
    plain = dict(values)
    for field in fields:
        value = plain.get(field)
        if not value:
            continue
        if not isinstance(value, str):
            raise CredentialsUnavailable(
                vim_id, 'credential %s is not text' % field)
        try:
            plain[field] = box.decrypt(value.encode('utf-8')).decode('utf-8')
        except (fernet.InvalidToken, UnicodeDecodeError):
            raise CredentialsUnavailable(
                vim_id, 'credential %s does not decrypt with its key'
                % field)
    return plain


def _refuse_unreadable(vim_id, values, fields, reason):
    if any(looks_encrypted(values.get(f)) for f in fields):
        raise CredentialsUnavailable(vim_id, reason)
    return values


def _vim_key_file(vim_id):
    directory = CONF.vim_keys.openstack
    for name in (vim_id, CONF.vim_keys.default_secret_key):
        path = os.path.join(directory, name) if name else None
        if path and os.path.isfile(path):
            return path
    return None


def _read_key_file(vim_id, path):
    try:
        with open(path, 'rb') as f:
            return f.read().strip()
    except OSError as exc:
        raise CredentialsUnavailable(
            vim_id, 'its key file cannot be read (%s)' % exc.strerror)


def v1_credentials(vim_id, auth_cred):
    """``auth_cred`` of a VIM with its secrets decrypted."""
    values = dict(auth_cred or {})
    key_type = values.pop('key_type', None)
    secret_uuid = values.pop('secret_uuid', None)
    if key_type == BARBICAN_KEY:
        if not secret_uuid:
            raise CredentialsUnavailable(
                vim_id, 'key_type is barbican_key but no secret_uuid is '
                        'stored')
        key = _cached(('barbican', secret_uuid),
                      lambda: barbican.get_key(vim_id, secret_uuid))
        return _decrypt(vim_id, values, V1_SECRET_FIELDS, key)
    if key_type is not None:
        raise CredentialsUnavailable(vim_id, 'unknown key_type %r'
                                     % (key_type,))
    path = _vim_key_file(vim_id)
    if path is None:
        return _refuse_unreadable(
            vim_id, values, V1_SECRET_FIELDS,
            'credentials are encrypted but no key is recorded for them and '
            'no key file is in [vim_keys] openstack')
    key = _cached(('file', path), lambda: _read_key_file(vim_id, path))
    return _decrypt(vim_id, values, V1_SECRET_FIELDS, key)


def _master_key(row):
    if row.key_type == 'barbican':
        if not row.secret_uuid:
            raise CredentialsUnavailable(
                'v2', 'the CryptKey row %s names no Barbican secret' % row.id)
        return barbican.get_key('v2', row.secret_uuid)
    if row.key_type == 'local':
        path = os.path.join(CONF.crypt_key_dir, row.id)
        return _read_key_file('v2', path)
    raise CredentialsUnavailable('v2', 'the CryptKey row %s has keyType %r'
                                 % (row.id, row.key_type))


def _tacker_key():
    try:
        rows = crypt_keys.in_use()
    except db_exc.DBError:
        raise CredentialsUnavailable(
            'v2', 'use_credential_encryption is on but Tacker\'s CryptKey '
                  'table cannot be read')
    if len(rows) != 1:
        raise CredentialsUnavailable(
            'v2', 'use_credential_encryption is on but %d CryptKey rows are '
                  'in use (one is expected)' % len(rows))
    row = rows[0]
    master = _master_key(row)
    try:
        return fernet.Fernet(master).decrypt(
            row.encrypted_key.encode('utf-8'))
    except (fernet.InvalidToken, ValueError, TypeError):
        raise CredentialsUnavailable(
            'v2', 'the key of CryptKey row %s does not decrypt with its '
                  'master key' % row.id)


def v2_access_info(vim_id, access_info):
    """``accessInfo`` of a v2 vimConnectionInfo entry, decrypted."""
    values = dict(access_info or {})
    if not CONF.use_credential_encryption:
        return _refuse_unreadable(
            vim_id, values, V2_SECRET_FIELDS,
            'credentials are encrypted but [DEFAULT] '
            'use_credential_encryption is off')
    key = _cached(('crypt-key',), _tacker_key)
    try:
        return _decrypt(vim_id, values, V2_SECRET_FIELDS, key)
    except CredentialsUnavailable as exc:
        raise CredentialsUnavailable(vim_id, exc.reason)


def protect_v1(vim_id, auth_cred):
    """``auth_cred`` as it is to be stored for a new VIM."""
    values = dict(auth_cred or {})
    if not CONF.k8s_vim.use_barbican:
        return values
    key = fernet.Fernet.generate_key()
    box = fernet.Fernet(key)
    for field in V1_SECRET_FIELDS:
        if values.get(field):
            values[field] = box.encrypt(
                values[field].encode('utf-8')).decode('utf-8')
    values['secret_uuid'] = barbican.store_key(vim_id, key)
    values['key_type'] = BARBICAN_KEY
    return values


def forget_v1(vim_id, auth_cred):
    """Remove the key of a VIM that is being deleted, if it has one."""
    values = auth_cred or {}
    if values.get('key_type') == BARBICAN_KEY and values.get('secret_uuid'):
        barbican.delete_key(vim_id, values['secret_uuid'])
