"""Fixtures of the API functional tests: the real server, the real CLI.

``server`` is tacker-server in a thread of the test process on an
ephemeral port (SQLite file database, noauth), casting to the real
``ConductorAPI`` over in-process messaging (``fake://``);
``conductor`` adds the conductor's real RPC server in-process, so LCM
requests run end to end against the Kubernetes simulator (``cluster``).
``cli`` runs the real ``openstack`` command (python-tackerclient)
against the server in a subprocess.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tacker.api import server as server_mod
from tacker.common import coordination
from tacker.common import rpc
from tacker.conf import vnflcm as vnflcm_conf
from tacker.vnfpkgm import build
from tacker.vnfpkgm import vnfd
from tacker_k8s_sim import simulator

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')
TRANSPORT = 'fake://'
TOKEN = 'api-functional-token-51c2'


@pytest.fixture
def fapi_conf(conf, tmp_path):
    vnflcm_conf.register_opts(conf.conf)
    conf.config(backend_url='file://%s' % (tmp_path / 'locks'),
                group='coordination')
    conf.config(vnf_package_csar_path=str(tmp_path / 'csar'),
                group='vnf_package')
    conf.config(operation_timeout=30, poll_interval=0.05,
                lock_wait_timeout=2, kubernetes_request_timeout=5,
                group='vnf_lcm')
    vnfd.CACHE.clear()
    rpc.cleanup()
    yield conf
    rpc.cleanup()
    coordination.stop()
    vnfd.CACHE.clear()


@pytest.fixture
def server(fapi_conf, sqlite_db):
    from tacker.conductor import rpc_api

    srv = server_mod.serve_in_thread(
        auth_strategy='noauth',
        conductor=rpc_api.ConductorAPI(url=TRANSPORT))
    yield srv
    srv.stop()


@pytest.fixture
def conductor(server):
    """tacker-conductor's RPC server, in-process on the same transport."""
    from tacker.conductor import endpoints

    rpc_server = endpoints.rpc_server(host='api-functional', url=TRANSPORT)
    rpc_server.start()
    yield rpc_server
    rpc_server.stop()
    rpc_server.wait()


@pytest.fixture
def cluster():
    with simulator.Simulator(token=TOKEN) as sim:
        yield sim


@pytest.fixture
def csar(tmp_path):
    """The sample CNF built with ``python -m tacker.vnfpkgm.build``."""
    path = tmp_path / 'sample_cnf.zip'
    subprocess.run([sys.executable, '-m', 'tacker.vnfpkgm.build',
                    str(build.SAMPLES_DIR / 'sample_cnf'), str(path)],
                   check=True, capture_output=True, timeout=60)
    return path


class Cli:
    """The ``openstack`` command against one server.

    Without ``credentials``, without Keystone (``--os-auth-type none``
    and the server's URL); with them (a dict of ``auth_url``,
    ``username``, ``password``, ``project_name``, ``user_domain_name``,
    ``project_domain_name``), as a user does: password authentication,
    the endpoint found in Keystone's catalog.
    """

    def __init__(self, url, tmp_path, credentials=None):
        self.url = url
        self.tmp_path = tmp_path
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith('OS_')}
        self.env['HOME'] = str(tmp_path)
        self.keystone = credentials is not None
        if self.keystone:
            self.env.update({'OS_AUTH_TYPE': 'password',
                             'OS_IDENTITY_API_VERSION': '3'})
            self.env.update({'OS_' + key.upper(): value
                             for key, value in credentials.items()})

    def run(self, *args, version='v1', check=True):
        cmd = [OPENSTACK] + ([] if self.keystone else [
            '--os-auth-type', 'none', '--os-endpoint', self.url])
        if version == 'v2':
            cmd += ['--os-tacker-api-version', '2']
        cmd += [str(a) for a in args]
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              env=self.env, timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError('%s failed (%s):\n%s%s' % (
                ' '.join(cmd), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def json(self, *args, version='v1'):
        return json.loads(self.run(*args, '-f', 'json',
                                   version=version).stdout)

    def file(self, name, content):
        path = self.tmp_path / name
        if isinstance(content, (dict, list)):
            content = json.dumps(content)
        path.write_text(content)
        return path


@pytest.fixture
def cli(server, tmp_path):
    return Cli(server.url, tmp_path)


def get_json(server, path, headers=None):
    req = urllib.request.Request(server.url.rstrip('/') + path,
                                 headers=headers or {})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def op_ids(server, version, headers=None):
    return {o['id'] for o in get_json(server, '/vnflcm/%s/vnf_lcm_op_occs'
                                      % version, headers)}


def wait_for_op(server, version, instance_id, operation, *, known=(),
                timeout=60, headers=None):
    """The new op occ of ``operation`` once it has finished.

    ``known`` are the op occ ids that existed before the request;
    ``headers`` go with every request (a token).
    """
    deadline = time.monotonic() + timeout
    occ = None
    while time.monotonic() < deadline:
        occs = [o for o in get_json(server, '/vnflcm/%s/vnf_lcm_op_occs'
                                    % version, headers)
                if o['vnfInstanceId'] == instance_id and
                o['operation'] == operation and o['id'] not in known]
        occ = occs[-1] if occs else None
        if occ and occ['operationState'] not in ('STARTING', 'PROCESSING',
                                                 'ROLLING_BACK'):
            return occ
        time.sleep(0.1)
    raise AssertionError('%s of %s not finished: %s' % (
        operation, instance_id, occ))
