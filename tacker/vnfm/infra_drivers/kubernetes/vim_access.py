"""How to reach one Kubernetes VIM, and clients built from it.

A VIM is reached with an endpoint, a bearer token (or user name and
password) and optionally a CA certificate.  The certificate is handed to
the client as data, never written to a file, so nothing leaks per call
(Tacker defect 9).  Clients are cached per VIM and credentials, so their
connection pools live across passes.  Credentials are decrypted here,
where Tacker stored them encrypted (``tacker.keymgr.vim_secrets``), so
every caller gets usable ones or ``CredentialsUnavailable``.

The stored shapes are checked here, where a ``VimAccess`` is built, so
that every field of one is text (or None) and it can be hashed, joined
and sent: a v2 connection entry that is not (a number as the endpoint,
a list as the token) raises ``InvalidConnection``, which fails its
instance only; a registered VIM's that is not raises
``CredentialsUnavailable``, which fails the VIM's instances.  Both name
the field, never its value.
"""

import dataclasses
import hashlib
import threading

from kubernetes import client as k8s_client
import urllib3

from tacker.common import exceptions
from tacker.keymgr import vim_secrets

# vimTypes of v2 instances whose workloads run on a Kubernetes VIM: the
# LCM here deploys manifests only; the synchronization also follows the
# workloads of Helm releases, which Tacker records the same way.
V2_VIM_TYPES = ('ETSINFV.KUBERNETES.V_1', 'kubernetes')
HELM_VIM_TYPE = 'ETSINFV.HELM.V_3'
V2_SYNC_VIM_TYPES = V2_VIM_TYPES + (HELM_VIM_TYPE,)


@dataclasses.dataclass(frozen=True)
class VimAccess:
    vim_id: str
    endpoint: str
    bearer_token: str | None = dataclasses.field(default=None, repr=False)
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    ssl_ca_cert: str | None = dataclasses.field(default=None, repr=False)

    def cache_key(self):
        secret = '\0'.join(v or '' for v in (
            self.endpoint, self.bearer_token, self.username, self.password,
            self.ssl_ca_cert))
        return self.vim_id, hashlib.sha256(secret.encode()).hexdigest()


# The fields of a stored connection or VIM that become a VimAccess.
_V2_TEXT_FIELDS = (('vimId',), ('interfaceInfo', 'endpoint'),
                   ('interfaceInfo', 'ssl_ca_cert'),
                   ('accessInfo', 'bearer_token'),
                   ('accessInfo', 'username'), ('accessInfo', 'password'),
                   ('accessInfo', 'client_secret'))
_V1_TEXT_FIELDS = ('bearer_token', 'username', 'password', 'ssl_ca_cert',
                   'client_secret', 'key_type', 'secret_uuid')


class InvalidConnection(exceptions.TackerError):
    """A v2 vimConnectionInfo entry of a shape no VIM can be built from."""

    msg_fmt = 'unreadable record: %(field)s %(problem)s'

    def __init__(self, field, problem):
        super().__init__(field=field, problem=problem)
        self.field = field


def _is_text(value):
    return value is None or isinstance(value, str)


def connection_problem(connection):
    """``(field, problem)`` of a v2 connection entry's odd shape, or None.

    ``field`` is relative to the entry ("accessInfo.bearer_token").
    """
    if not isinstance(connection, dict):
        return '', 'is not an object'
    for part in ('interfaceInfo', 'accessInfo'):
        if not isinstance(connection.get(part) or {}, dict):
            return part, 'is not an object'
    for path in _V2_TEXT_FIELDS:
        value = connection
        for key in path:
            value = (value or {}).get(key)
        if not _is_text(value):
            return '.'.join(path), 'is not text'
    return None


def check_connection(key, connection):
    """Raise InvalidConnection if the entry ``key`` has an odd shape."""
    found = connection_problem(connection)
    if found is not None:
        field, problem = found
        raise InvalidConnection(
            '.'.join(p for p in ('vimConnectionInfo', key, field) if p),
            problem)


def check_v1_vim(vim_id, auth_url, auth_cred):
    """Raise CredentialsUnavailable if a VIM row has an odd shape."""
    if not isinstance(auth_url, str) or not auth_url:
        raise vim_secrets.CredentialsUnavailable(
            vim_id, 'auth_url is not text')
    if auth_cred is not None and not isinstance(auth_cred, dict):
        raise vim_secrets.CredentialsUnavailable(
            vim_id, 'auth_cred is not an object')
    for field in _V1_TEXT_FIELDS:
        if not _is_text((auth_cred or {}).get(field)):
            raise vim_secrets.CredentialsUnavailable(
                vim_id, 'auth_cred.%s is not text' % field)


def from_v2_connection(vim_id, connection):
    """VimAccess from one entry of VnfInstanceV2.vimConnectionInfo.

    Raises InvalidConnection for an entry of an odd shape.
    """
    check_connection(vim_id, connection)
    interface = connection.get('interfaceInfo') or {}
    endpoint = interface.get('endpoint') or ''
    # Instances that name no registered VIM but the same endpoint share
    # one identity, so the pass observes that cluster once.
    identity = connection.get('vimId') or endpoint or vim_id
    access = vim_secrets.v2_access_info(identity,
                                        connection.get('accessInfo'))
    return VimAccess(vim_id=identity,
                     endpoint=endpoint,
                     bearer_token=access.get('bearer_token'),
                     username=access.get('username'),
                     password=access.get('password'),
                     ssl_ca_cert=interface.get('ssl_ca_cert'))


def from_v1_vim(vim_id, auth_url, auth_cred):
    """VimAccess from a ``vims`` row's ``vimauths`` (auth_url, auth_cred).

    Raises CredentialsUnavailable for a row of an odd shape.
    """
    check_v1_vim(vim_id, auth_url, auth_cred)
    auth_cred = vim_secrets.v1_credentials(vim_id, auth_cred)
    return VimAccess(vim_id=vim_id, endpoint=auth_url,
                     bearer_token=auth_cred.get('bearer_token'),
                     username=auth_cred.get('username'),
                     password=auth_cred.get('password'),
                     ssl_ca_cert=auth_cred.get('ssl_ca_cert'))


def configuration(vim):
    """A kubernetes client Configuration for ``vim`` (CA given as data)."""
    configuration = k8s_client.Configuration()
    configuration.host = vim.endpoint.rstrip('/')
    if vim.bearer_token:
        configuration.api_key = {
            'authorization': 'Bearer ' + vim.bearer_token}
    elif vim.username:
        configuration.username = vim.username
        configuration.password = vim.password
    if vim.ssl_ca_cert:
        configuration.verify_ssl = True
        configuration.ca_cert_data = vim.ssl_ca_cert
    else:
        configuration.verify_ssl = False
    # One retry of a failed connect; a read that timed out is not repeated,
    # so one request never takes more than twice the timeout.
    configuration.retries = urllib3.util.Retry(total=1, read=0, status=0,
                                               redirect=0)
    return configuration


class ClientCache:
    """ApiClients per VIM and credentials, kept across passes.

    Instances may name one VIM with different credentials; each set gets
    its own client.  ``retain`` closes the clients a full pass no longer
    needs (a VIM removed, a token rotated).  ``instrument(client, vim)``,
    if given, is called on each new client (the metrics count its
    requests).
    """

    def __init__(self, *, instrument=None):
        self._instrument = instrument
        self._clients = {}
        self._lock = threading.Lock()

    def get(self, vim):
        key = vim.cache_key()
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = k8s_client.ApiClient(configuration(vim))
                if self._instrument is not None:
                    self._instrument(client, vim)
                self._clients[key] = client
            return client

    def retain(self, vims):
        """Close every client but those of ``vims``."""
        keep = {vim.cache_key() for vim in vims}
        with self._lock:
            stale = [k for k in self._clients if k not in keep]
            clients = [self._clients.pop(k) for k in stale]
        for client in clients:
            client.close()

    def close(self):
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
