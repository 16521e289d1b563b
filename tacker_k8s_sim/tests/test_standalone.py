"""``python -m tacker_k8s_sim`` serves until it is terminated."""

import os
import signal
import socket
import subprocess
import sys
import time

from kubernetes import client

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
