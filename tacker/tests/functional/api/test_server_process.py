"""``tacker-server`` as an operator runs it: config file, signals."""

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def serve(sqlite_db, tmp_path, *, extra_conf='', **popen_kwargs):
    """``tacker-server`` on a free port, noauth: (process, port, log).

    ``extra_conf`` is appended to its configuration file (it may open
    sections of its own, ``[DEFAULT]`` again included).
    """
    log_file = tmp_path / 'server.log'
    conf_file = tmp_path / 'tacker.conf'
    conf_file.write_text(
        '[DEFAULT]\nstate_path = %s\nbind_host = 127.0.0.1\nbind_port = 0\n'
        'auth_strategy = noauth\nlog_file = %s\n[database]\nconnection = '
        '%s\n%s' % (tmp_path, log_file, sqlite_db.url, extra_conf))
    proc = subprocess.Popen([sys.executable, '-m', 'tacker.cmd.server',
                             '--config-file', str(conf_file)],
                            **popen_kwargs)
    try:
        return proc, _wait_for_port(log_file, proc), log_file
    except BaseException:
        proc.kill()
        proc.wait()
        raise


def _wait_for_port(log_file, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError('tacker-server exited early: %s' % (
                log_file.read_text() if log_file.exists() else ''))
        text = log_file.read_text() if log_file.exists() else ''
        match = re.search(r'listening on 127\.0\.0\.1:(\d+)', text)
        if match:
            return int(match.group(1))
        time.sleep(0.1)
    raise AssertionError('tacker-server did not start')


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT])
def test_serves_then_stops_on_signal(sqlite_db, tmp_path, signum):
    proc, port, log_file = serve(sqlite_db, tmp_path,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
    try:
        url = 'http://127.0.0.1:%d/vnflcm/api_versions' % port
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.status == 200
            assert json.loads(resp.read())['uriPrefix'] == '/vnflcm'
        proc.send_signal(signum)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log_file.read_text()
    assert 'received signal %s' % signum.name in text
    assert 'tacker-server stopped.' in text
    assert 'Traceback' not in text


def test_bad_configuration_exits_2(tmp_path):
    conf_file = tmp_path / 'tacker.conf'
    conf_file.write_text('[DEFAULT]\nbind_port = many\n')
    proc = subprocess.run([sys.executable, '-m', 'tacker.cmd.server',
                           '--config-file', str(conf_file)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert 'bind_port' in proc.stderr
