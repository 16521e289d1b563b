"""A burst of simultaneous connections to ``tacker-server``: all answered.

The server runs as an operator runs it (``python -m tacker.cmd.server``,
a config file, noauth, a free port) with its default listen queue and
worker pool.  200 clients connect at the same moment, each sends one
GET and reads the answer.  Only that every one of them is answered is
asserted, never how fast.
"""

import socket
import subprocess
import threading

import pytest

from tacker.tests.functional.api import test_server_process

pytestmark = pytest.mark.slow

CLIENTS = 200
# Generous: a client waits this long for its connection and its answer.
CLIENT_TIMEOUT = 120
REQUEST = (b'GET /vnflcm/v1/vnf_instances HTTP/1.1\r\n'
           b'Host: 127.0.0.1\r\nAccept: application/json\r\n'
           b'Connection: close\r\n\r\n')


def _one_client(port, barrier, results, index):
    try:
        barrier.wait()
        with socket.create_connection(('127.0.0.1', port),
                                      timeout=CLIENT_TIMEOUT) as sock:
            sock.sendall(REQUEST)
            answer = b''
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        results[index] = answer.split(b'\r\n', 1)[0].decode()
    except Exception as exc:  # noqa: every failure is a result to count
        results[index] = 'no answer: %r' % exc


def burst(port, clients):
    """The status line (or failure) of each of ``clients`` connections."""
    barrier = threading.Barrier(clients)
    results = [None] * clients
    threads = [threading.Thread(target=_one_client,
                                args=(port, barrier, results, i),
                                daemon=True)
               for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(CLIENT_TIMEOUT * 2)
    return [r or 'no answer: client still waiting' for r in results]


def test_every_connection_of_a_burst_is_answered(sqlite_db, tmp_path):
    proc, port, _log = test_server_process.serve(
        sqlite_db, tmp_path, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        results = burst(port, CLIENTS)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    unanswered = [r for r in results if not r.startswith('HTTP/1.1 200')]
    assert unanswered == [], '%d of %d unanswered, e.g. %s' % (
        len(unanswered), CLIENTS, unanswered[:3])
