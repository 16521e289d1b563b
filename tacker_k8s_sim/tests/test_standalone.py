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


def test_a_client_that_hangs_up_prints_no_traceback(tmp_path, capfd):
    import ssl
    import struct
    from tacker_k8s_sim import tls
    cert, key, ca = tls.make_certificates(str(tmp_path))
    with simulator.Simulator(token="t0k", tls=(cert, key)) as sim:
        host, port = "127.0.0.1", int(sim.url.rsplit(":", 1)[1])
        context = ssl.create_default_context(cadata=ca)
        for _ in range(3):
            raw = socket.create_connection((host, port), timeout=5)
            wrapped = context.wrap_socket(raw, server_hostname=host)
            # Half a request line, then bytes that are no TLS record and
            # a reset: the handler's read fails with an SSL error, as
            # when a watching client tears its connection down.
            wrapped.sendall(b"GET /api/v1/namespaces")
            os.write(wrapped.fileno(), b"\x15\x03\x03\x00\x02garbage")
            wrapped.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                               struct.pack("ii", 1, 0))
            wrapped.close()
        time.sleep(0.5)
        # The simulator still answers.
        with socket.create_connection((host, port), timeout=5) as again:
            with context.wrap_socket(again, server_hostname=host) as conn:
                conn.sendall(b"GET /version HTTP/1.1\r\nHost: x\r\n"
                             b"Authorization: Bearer t0k\r\n"
                             b"Connection: close\r\n\r\n")
                assert conn.recv(64).startswith(b"HTTP/1.1 200")
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out
