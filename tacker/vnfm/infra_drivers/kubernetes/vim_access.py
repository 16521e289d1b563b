"""How to reach one Kubernetes VIM, and clients built from it.

A VIM is reached with an endpoint, a bearer token (or user name and
password) and optionally a CA certificate.  The certificate is handed to
the client as data, never written to a file, so nothing leaks per call
(Tacker defect 9).  Clients are cached per VIM and credentials, so their
connection pools live across passes.  Credentials are decrypted here,
where Tacker stored them encrypted (``tacker.keymgr.vim_secrets``), so
every caller gets usable ones or ``CredentialsUnavailable``.
"""

import dataclasses
import hashlib
import threading

from kubernetes import client as k8s_client
import urllib3

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


def from_v2_connection(vim_id, connection):
    """VimAccess from one entry of VnfInstanceV2.vimConnectionInfo."""
    interface = connection.get('interfaceInfo') or {}
    endpoint = interface.get('endpoint', '')
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
    """VimAccess from a ``vims`` row's ``vimauths`` (auth_url, auth_cred)."""
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
    needs (a VIM removed, a token rotated).
    """

    def __init__(self):
        self._clients = {}
        self._lock = threading.Lock()

    def get(self, vim):
        key = vim.cache_key()
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = k8s_client.ApiClient(configuration(vim))
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
