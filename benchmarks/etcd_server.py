"""A private etcd server for tests and benchmarks: its own ports and data.

``EtcdServer(work_dir)`` runs Debian's ``etcd`` (package etcd-server) on
two free loopback ports, so tests on a shared machine never meet another
test's keys, locks or groups.  ``url`` is the tooz URL of its v3 gateway
(``etcd3+http://127.0.0.1:PORT``).  ``stop()`` kills it; ``restart()``
kills and starts it on the same ports and data, as a backend restart.
"""

import os
import shutil
import socket
import subprocess
import time
import urllib.request

BINARY = 'etcd'


def available():
    return shutil.which(BINARY) is not None


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class EtcdServer:

    def __init__(self, work_dir):
        self.work_dir = str(work_dir)
        self.client_port = _free_port()
        self.peer_port = _free_port()
        self.url = 'etcd3+http://127.0.0.1:%d' % self.client_port
        self.log_path = os.path.join(self.work_dir, 'etcd.log')
        self._proc = None

    def start(self, timeout=30):
        client = 'http://127.0.0.1:%d' % self.client_port
        peer = 'http://127.0.0.1:%d' % self.peer_port
        os.makedirs(self.work_dir, exist_ok=True)
        with open(self.log_path, 'ab') as log:
            self._proc = subprocess.Popen(
                [BINARY, '--name', 'tacker-test',
                 '--data-dir', os.path.join(self.work_dir, 'data'),
                 '--listen-client-urls', client,
                 '--advertise-client-urls', client,
                 '--listen-peer-urls', peer,
                 '--initial-advertise-peer-urls', peer,
                 '--initial-cluster', 'tacker-test=' + peer],
                stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(client + '/health',
                                            timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        with open(self.log_path) as log:
            tail = log.read()[-3000:]
        raise RuntimeError('etcd did not start:\n' + tail)

    def stop(self):
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(10)
            self._proc = None

    def restart(self):
        self.stop()
        return self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
