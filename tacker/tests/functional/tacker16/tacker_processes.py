"""Tacker 16's own tacker-server and tacker-conductor, for one test module.

``TackerServices`` builds what an operator's Tacker 16 runs on and starts
Tacker's processes from the side virtualenv:

1. a MariaDB database of its own, migrated by Tacker's
   ``tacker-db-manage upgrade head``;
2. a RabbitMQ vhost of its own (``rabbitmqctl``), so that no other test's
   RPC reaches this conductor;
3. a temporary directory with ``tacker.conf`` (free ports picked now, a
   ``file://`` lock backend, the package store), an ``api-paste.ini``
   whose ``noauth`` pipelines set a request context (``noauth_context``),
   and the processes' logs;
4. ``tacker-server`` and ``tacker-conductor``, each in its own process
   group, started from a directory outside our tree (Tacker's package is
   also called ``tacker``), and waited for until they answer.

``stop()`` ends both process groups and drops the vhost and the
database; the logs stay in the temporary directory, and ``log_tails()``
gives their ends for a failure report.  What the test does with Tacker
is the test's business.
"""

import configparser
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid

from tacker.tests import db_backends

RABBIT = ('127.0.0.1', 5672)
HERE = pathlib.Path(__file__).parent
FILTER_MODULE = 'tacker16_noauth_context'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _rabbitmqctl(*args):
    return subprocess.run(['rabbitmqctl'] + list(args), capture_output=True,
                          text=True, timeout=60)


class Vhost:
    """A RabbitMQ vhost for one module, guest allowed everything on it."""

    def __init__(self):
        self.name = 'tacker16-e2e-%s' % uuid.uuid4().hex[:10]
        if shutil.which('rabbitmqctl') is None:
            raise RuntimeError('rabbitmqctl is not installed; cannot '
                               'create a private vhost')
        for args in (('add_vhost', self.name),
                     ('set_permissions', '-p', self.name, 'guest',
                      '.*', '.*', '.*')):
            done = _rabbitmqctl(*args)
            if done.returncode != 0:
                raise RuntimeError('rabbitmqctl %s failed: %s%s' % (
                    ' '.join(args), done.stdout, done.stderr))
        self.url = 'rabbit://guest:guest@%s:%s/%s' % (RABBIT + (self.name,))

    def delete(self):
        _rabbitmqctl('delete_vhost', self.name)


def paste_config(stock_path, target_path):
    """Tacker's api-paste.ini with the context filter in each noauth line."""
    parser = configparser.RawConfigParser()
    parser.optionxform = str
    parser.read(stock_path)
    for section in parser.sections():
        if parser.has_option(section, 'noauth'):
            *filters, app = parser.get(section, 'noauth').split()
            parser.set(section, 'noauth',
                       ' '.join(filters + ['noauth_context', app]))
    parser['filter:noauth_context'] = {
        'paste.filter_factory': '%s:filter_factory' % FILTER_MODULE}
    with open(target_path, 'w') as f:
        parser.write(f)


def write_conf(path, sections):
    parser = configparser.RawConfigParser()
    parser.optionxform = str
    for name, options in sections.items():
        parser[name] = {k: str(v) for k, v in options.items()}
    with open(path, 'w') as f:
        parser.write(f)


class TackerServices:
    """Tacker 16's server and conductor on their own DB, vhost and dir."""

    def __init__(self, venv_python, tmp_dir):
        self.bin = pathlib.Path(venv_python).parent
        self.venv = self.bin.parent
        self.dir = pathlib.Path(tmp_dir)
        self.port = free_port()
        self.url = 'http://127.0.0.1:%s' % self.port
        self.conf_path = self.dir / 'tacker.conf'
        self.csar_path = self.dir / 'vnfpackages'
        self.lock_url = 'file://%s' % (self.dir / 'locks')
        self.logs = {name: self.dir / ('%s.log' % name)
                     for name in ('tacker-server', 'tacker-conductor')}
        self._procs = {}
        self.database = None
        self.vhost = None

    # -- set up -----------------------------------------------------------

    def start(self):
        self.database = db_backends.TestDatabase('mysql', str(self.dir))
        self.vhost = Vhost()
        self._write_files()
        self._run('tacker-db-manage', '--config-file', self.conf_path,
                  'upgrade', 'head')
        for name in ('tacker-server', 'tacker-conductor'):
            self._spawn(name)
        self._wait_ready()
        return self

    def _write_files(self):
        (self.dir / 'locks').mkdir(exist_ok=True)
        self.csar_path.mkdir(exist_ok=True)
        shutil.copy(HERE / 'noauth_context.py',
                    self.dir / ('%s.py' % FILTER_MODULE))
        paste_config(self.venv / 'etc' / 'tacker' / 'api-paste.ini',
                     self.dir / 'api-paste.ini')
        write_conf(self.conf_path, {
            'DEFAULT': {
                'auth_strategy': 'noauth',
                'bind_host': '127.0.0.1',
                'bind_port': self.port,
                'api_paste_config': self.dir / 'api-paste.ini',
                'transport_url': self.vhost.url,
                'host': 'tacker16-e2e',
                'debug': 'True',
                # Tacker's own periodic synchronization must not compete
                # with ours in the test: it has no "off" value, so its
                # interval is longer than the test ever runs.
                'db_synchronization_interval': 10 ** 8,
                'vnf_package_delete_interval': 10 ** 8,
                # Without a short timeout tacker-server ignores SIGTERM
                # while a client keeps a connection open.
                'graceful_shutdown_timeout': 2,
                'state_path': self.dir,
            },
            'database': {'connection': self.database.url},
            'coordination': {'backend_url': self.lock_url},
            'vnf_package': {'vnf_package_csar_path': self.csar_path},
            'oslo_concurrency': {'lock_path': self.dir / 'locks'},
            'v2_vnfm': {'kubernetes_vim_rsc_wait_timeout': 120,
                        'endpoint': self.url},
        })

    def _env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(('OS_', 'PYTHON', 'VIRTUAL_ENV'))}
        # Only the filter's directory; never our tree.
        env['PYTHONPATH'] = str(self.dir)
        env['PATH'] = '%s:%s' % (self.bin, env.get('PATH', ''))
        return env

    def _run(self, name, *args):
        log = self.dir / ('%s.log' % name)
        with open(log, 'a') as out:
            done = subprocess.run(
                [str(self.bin / name)] + [str(a) for a in args],
                cwd=self.dir, env=self._env(), stdout=out,
                stderr=subprocess.STDOUT, timeout=600)
        if done.returncode != 0:
            raise RuntimeError('%s failed (%s):\n%s' % (
                name, done.returncode, log.read_text()[-3000:]))

    def _spawn(self, name):
        out = open(self.dir / ('%s.stdout' % name), 'w')
        self._procs[name] = subprocess.Popen(
            [str(self.bin / name), '--config-file', str(self.conf_path),
             '--log-file', str(self.logs[name])],
            cwd=self.dir, env=self._env(), stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)
        out.close()

    def _wait_ready(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self._procs.items():
                if proc.poll() is not None:
                    raise RuntimeError('%s exited (%s):\n%s' % (
                        name, proc.returncode, self.log_tail(name)))
            if self._answers() and self._conductor_listening():
                return
            time.sleep(0.5)
        raise RuntimeError('Tacker did not come up in %ss:\n%s' % (
            timeout, self.log_tails()))

    def _answers(self):
        try:
            with urllib.request.urlopen(self.url + '/vnflcm/v2/api_versions',
                                        timeout=5) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def _conductor_listening(self):
        # Both RPC servers (v1 and v2) consume once their queues exist.
        done = _rabbitmqctl('list_queues', '-p', self.vhost.name, 'name')
        queues = set(done.stdout.split())
        return {'TACKER_CONDUCTOR', 'TACKER_CONDUCTOR_V2'} <= queues

    # -- tear down --------------------------------------------------------

    def stop(self):
        for name, proc in self._procs.items():
            _stop_group(proc)
        self._procs.clear()
        if self.vhost is not None:
            self.vhost.delete()
        if self.database is not None:
            self.database.drop()

    # -- inspection -------------------------------------------------------

    def log_text(self, name):
        path = self.logs[name]
        return path.read_text(errors='replace') if path.exists() else ''

    def log_tail(self, name, chars=6000):
        return self.log_text(name)[-chars:]

    def log_tails(self):
        return '\n'.join('----- %s (%s)\n%s' % (n, self.logs[n],
                                                self.log_tail(n))
                         for n in self.logs)


def _stop_group(proc, timeout=5):
    """SIGTERM the process group, then SIGKILL what is left of it.

    Tacker's conductor parent does not exit on SIGTERM, and its workers
    are in the same group, so the group is what gets stopped.
    """
    try:
        pgid = os.getpgid(proc.pid)
    except ProcessLookupError:
        return
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=timeout)
