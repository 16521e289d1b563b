"""``python -m tacker_k8s_sim`` serves until it is terminated."""

import os
import signal
import socket
import subprocess
import sys
import time

from kubernetes import client
from kubernetes import config as kube_config

from tacker_k8s_sim import simulator


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_module_serves_until_sigterm():
    port = _free_port()
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tacker_k8s_sim", "--host",
         "127.0.0.1", "--port", str(port), "--token", "t0k", "--nodes",
         "3"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = proc.stdout.readline().decode()
        assert "http://127.0.0.1:%d" % port in line
        config = client.Configuration()
        config.host = "http://127.0.0.1:%d" % port
        config.api_key = {"authorization": "Bearer t0k"}
        with client.ApiClient(config) as api:
            nodes = client.CoreV1Api(api).list_node(_request_timeout=5)
        assert [n.metadata.name for n in nodes.items] == [
            simulator.NODE_PREFIX + str(i) for i in range(3)]
    finally:
        proc.send_signal(signal.SIGTERM)
        began = time.monotonic()
        code = proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
    assert code == 0
    assert time.monotonic() - began < 5


def test_module_writes_a_kubeconfig_for_https(tmp_path):
    """--tls-dir and --kubeconfig: a kubeconfig any client can use."""
    kubeconfig = tmp_path / "kubeconfig"
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tacker_k8s_sim", "--token", "t0k",
         "--tls-dir", str(tmp_path / "tls"), "--kubeconfig",
         str(kubeconfig)], cwd=root, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    try:
        serving = proc.stdout.readline().decode()
        assert "https://127.0.0.1:" in serving
        assert proc.stdout.readline().decode().strip() == \
            "export KUBECONFIG=%s" % kubeconfig
        assert oct(kubeconfig.stat().st_mode & 0o777) == "0o600"
        assert oct((tmp_path / "tls" / "server.key").stat().st_mode
                   & 0o777) == "0o600"
        api = kube_config.new_client_from_config(
            config_file=str(kubeconfig))
        with api:
            names = [n.metadata.name for n in client.CoreV1Api(
                api).list_namespace(_request_timeout=5).items]
        assert "default" in names
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
    assert code == 0
