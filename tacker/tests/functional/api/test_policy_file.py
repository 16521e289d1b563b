"""A policy file changes what tacker-server allows, without code changes."""

import json
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tacker.tests.functional.api import test_server_process

pytestmark = pytest.mark.slow

RULE = 'os_nfv_orchestration_api:vnf_instances:index'


def _get(port, path, project, roles):
    req = urllib.request.Request(
        'http://127.0.0.1:%d%s' % (port, path),
        headers={'X-Project-Id': project, 'X-Roles': roles,
                 'Version': '1.3.0'})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_policy_file_override_and_reload(sqlite_db, tmp_path):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"%s": "role:admin"\n' % RULE)
    proc, port, log_file = test_server_process.serve(
        sqlite_db, tmp_path, extra_conf='[oslo_policy]\npolicy_file = %s\n'
        % policy_file, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        status, body = _get(port, '/vnflcm/v1/vnf_instances', 'p1',
                            'member')
        assert status == 403
        assert body['detail'] == ("Policy doesn't allow %s to be "
                                  "performed." % RULE)
        status, _ = _get(port, '/vnflcm/v1/vnf_instances', 'p1', 'admin')
        assert status == 200
        # Rules not in the file keep their defaults.
        status, _ = _get(port, '/vnfpkgm/v1/vnf_packages', 'p1', 'member')
        assert status == 200

        # oslo.policy reads the file again once it changed.
        time.sleep(1.1)  # a new mtime, on file systems with 1 s steps
        policy_file.write_text('"%s": "role:member"\n' % RULE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            status, _ = _get(port, '/vnflcm/v1/vnf_instances', 'p1',
                             'member')
            if status == 200:
                break
            time.sleep(0.2)
        assert status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert 'Traceback' not in log_file.read_text()
