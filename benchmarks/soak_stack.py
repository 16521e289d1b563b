"""The private world of one soak run, and how it is taken down again.

``Stack`` owns a temporary directory and everything started in it:

1. a MariaDB server of its own (``mariadb-install-db`` on a fresh data
   directory, ``mariadbd`` on a free port), which the soak may restart;
2. the TackerDB schema, made by ``tacker-db-manage upgrade head``;
3. a RabbitMQ vhost of its own (``rabbitmqctl``), dropped at the end;
4. the Kubernetes simulator, as a child process driven over its admin API;
5. ``tacker-server`` and several ``tacker-conductor`` processes, each in
   a process group of its own, on a file or Redis lock backend (Redis
   keys under a namespace of the run's, deleted at the end).

``close()`` stops all of it, newest first, whatever failed before; the
soak calls it from ``finally``.  What the soak does with the stack is
the soak's business.
"""

import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

RABBIT = ('127.0.0.1', 5672)
REDIS = ('127.0.0.1', 6379)
MARIADBD = '/usr/sbin/mariadbd'
BIN = pathlib.Path(sys.executable).parent


class StackError(Exception):
    """A piece of the stack would not start; the message says which."""


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def reachable(host, port):
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _wait(predicate, timeout, what, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise StackError('%s within %.0f s' % (what, timeout))


class Process:
    """A child in a process group of its own, its output in a log file."""

    def __init__(self, name, argv, log_path, *, log_file=None):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.log_path = pathlib.Path(log_path)
        # The product's own log (oslo.log ``log_file``), when it has one;
        # ``log_offset`` is where the current run of it begins there.
        self.log_file = pathlib.Path(log_file) if log_file else None
        self.log_offset = 0
        self.proc = None

    def start(self):
        out = open(self.log_path, 'ab')
        try:
            self.proc = subprocess.Popen(
                self.argv, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            out.close()
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal_group(self, signum):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass

    def kill(self):
        """kill -9 of the whole group, as a crash would."""
        self.signal_group(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=30)

    def stop(self, timeout=15):
        """SIGTERM, then SIGKILL what is left after ``timeout``."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        # The group may outlive its leader; end it in any case.
        self.signal_group(signal.SIGKILL)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass

    def log_text(self):
        try:
            return self.log_path.read_text(errors='replace')
        except OSError:
            return ''

    def tail(self, chars=3000):
        return self.log_text()[-chars:]


class _DatabaseServer:
    """What both private database servers share: ``_spawn`` is theirs."""

    NAME = None  # the server's directory under the run's own

    def __init__(self, base):
        self.dir = pathlib.Path(base) / self.NAME
        self.datadir = self.dir / 'data'
        self.port = free_port()
        self.process = None
        self.restarts = 0

    def restart(self, *, crash=False, down=0.0):
        """Stop the server (kill -9 when ``crash``), start it again.

        It stays down ``down`` seconds more than stopping takes; returns
        the seconds it was down.
        """
        started = time.monotonic()
        if crash:
            self.process.kill()
        else:
            self.process.stop(timeout=60)
        time.sleep(down)
        self._spawn()
        self.restarts += 1
        return time.monotonic() - started

    def stop(self):
        if self.process is not None:
            self.process.stop(timeout=60)


class MariaDB(_DatabaseServer):
    """A private ``mariadbd`` on a temporary data directory."""

    NAME = 'mariadb'

    @property
    def url(self):
        return ('mysql+pymysql://root@127.0.0.1:%d/tacker?charset=utf8mb4'
                % self.port)

    def start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        if not self.datadir.exists():
            done = subprocess.run(
                ['mariadb-install-db', '--no-defaults',
                 '--datadir=%s' % self.datadir, '--user=root',
                 '--auth-root-authentication-method=normal',
                 '--skip-test-db'], capture_output=True, text=True,
                timeout=120)
            if done.returncode != 0:
                raise StackError('mariadb-install-db failed: %s%s'
                                 % (done.stdout, done.stderr))
        self._spawn()
        self._create_database()
        return self

    def _spawn(self):
        self.process = Process('mariadbd', [
            MARIADBD, '--no-defaults', '--datadir=%s' % self.datadir,
            '--port=%d' % self.port, '--bind-address=127.0.0.1',
            '--socket=%s' % (self.dir / 'mysql.sock'),
            '--pid-file=%s' % (self.dir / 'mariadbd.pid'), '--user=root',
            '--skip-name-resolve', '--skip-log-bin',
            '--innodb-buffer-pool-size=64M',
            '--innodb-flush-log-at-trx-commit=2',
            '--max-connections=500'], self.dir / 'mariadbd.log').start()
        _wait(self._answers, 60, 'mariadbd did not answer on port %d'
              % self.port)

    def _answers(self):
        if not self.process.alive():
            raise StackError('mariadbd exited:\n%s' % self.process.tail())
        return reachable('127.0.0.1', self.port)

    def _create_database(self):
        done = subprocess.run(
            ['mariadb', '-h127.0.0.1', '-P%d' % self.port, '-uroot', '-e',
             'CREATE DATABASE IF NOT EXISTS tacker CHARACTER SET utf8mb4'],
            capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise StackError('creating the database failed: %s'
                             % done.stderr)


def _postgres_bin(name):
    found = sorted(pathlib.Path('/usr/lib/postgresql').glob('*/bin/' + name))
    if not found:
        raise StackError('PostgreSQL binaries (%s) are not installed' % name)
    return str(found[-1])


class PostgreSQL(_DatabaseServer):
    """A private ``postgres`` on a temporary data directory.

    PostgreSQL refuses to run as root, so when the soak is root the
    server runs as the ``postgres`` user (``runuser``), in a directory
    that user owns.
    """

    NAME = 'postgresql'

    @property
    def url(self):
        return ('postgresql+psycopg2://postgres@127.0.0.1:%d/tacker'
                % self.port)

    def _as_postgres(self, argv):
        if os.geteuid() == 0:
            return ['runuser', '-u', 'postgres', '--'] + argv
        return argv

    def start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, 'postgres', 'postgres')
            os.chmod(self.dir.parent, 0o755)
        if not self.datadir.exists():
            done = subprocess.run(self._as_postgres([
                _postgres_bin('initdb'), '-D', str(self.datadir), '-U',
                'postgres', '--auth=trust', '--no-sync']),
                capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                raise StackError('initdb failed: %s%s'
                                 % (done.stdout, done.stderr))
        self._spawn()
        done = subprocess.run(self._as_postgres([
            _postgres_bin('createdb'), '-h', '127.0.0.1', '-p',
            str(self.port), '-U', 'postgres', 'tacker']),
            capture_output=True, text=True, timeout=60)
        if done.returncode != 0 and 'already exists' not in done.stderr:
            raise StackError('createdb failed: %s' % done.stderr)
        return self

    def _spawn(self):
        self.process = Process('postgres', self._as_postgres([
            _postgres_bin('postgres'), '-D', str(self.datadir), '-p',
            str(self.port), '-h', '127.0.0.1', '-k', str(self.dir),
            '-c', 'fsync=off', '-c', 'max_connections=300']),
            self.dir / 'postgres.log')
        self.process.start()
        _wait(self._answers, 60, 'postgres did not answer on port %d'
              % self.port)

    def _answers(self):
        if not self.process.alive():
            raise StackError('postgres exited:\n%s' % self.process.tail())
        done = subprocess.run(
            [_postgres_bin('pg_isready'), '-h', '127.0.0.1', '-p',
             str(self.port)], capture_output=True, timeout=10)
        return done.returncode == 0


DATABASES = {'mariadb': MariaDB, 'postgresql': PostgreSQL}


def _rabbitmqctl(*args):
    return subprocess.run(['rabbitmqctl'] + list(args), capture_output=True,
                          text=True, timeout=60)


class Vhost:
    """A RabbitMQ vhost of the run's own; guest may do anything on it."""

    def __init__(self):
        self.name = 'tacker-soak-%s' % uuid.uuid4().hex[:10]
        self.created = False

    @property
    def url(self):
        return 'rabbit://guest:guest@%s:%s/%s' % (RABBIT + (self.name,))

    def create(self):
        if shutil.which('rabbitmqctl') is None:
            raise StackError('rabbitmqctl is not installed')
        for args in (('add_vhost', self.name),
                     ('set_permissions', '-p', self.name, 'guest', '.*',
                      '.*', '.*')):
            done = _rabbitmqctl(*args)
            if done.returncode != 0:
                raise StackError('rabbitmqctl %s failed: %s%s' % (
                    ' '.join(args), done.stdout, done.stderr))
            self.created = True
        return self

    def delete(self):
        if self.created:
            _rabbitmqctl('delete_vhost', self.name)
            self.created = False


class RedisNamespace:
    """The run's tooz namespace on the shared Redis, removed at the end."""

    def __init__(self):
        self.name = 'tacker-soak-%s' % uuid.uuid4().hex[:10]

    def url(self, lock_timeout):
        return ('redis://%s:%d?namespace=%s&lock_timeout=%d&timeout=5'
                % (REDIS + (self.name, lock_timeout)))

    def keys(self):
        import redis
        client = redis.Redis(host=REDIS[0], port=REDIS[1], socket_timeout=5)
        try:
            return [k for k in client.scan_iter(match=self.name + '*')]
        finally:
            client.close()

    def delete(self):
        import redis
        client = redis.Redis(host=REDIS[0], port=REDIS[1], socket_timeout=5)
        try:
            keys = list(client.scan_iter(match=self.name + '*'))
            if keys:
                client.delete(*keys)
        finally:
            client.close()


class Simulator:
    """``python -m tacker_k8s_sim`` in a child; its admin API over HTTP."""

    def __init__(self, base, *, token, seed):
        self.token = token
        self.process = Process('k8s-sim', [
            sys.executable, '-m', 'tacker_k8s_sim', '--port', '0',
            '--token', token, '--nodes', '2', '--pod-start-delay', '0.3',
            '--seed', str(seed)], pathlib.Path(base) / 'k8s-sim.log')
        self.url = None

    def start(self):
        self.process.start()

        def serving():
            if not self.process.alive():
                raise StackError('the simulator exited:\n%s'
                                 % self.process.tail())
            match = re.search(r'serving at (http://\S+)',
                              self.process.log_text())
            if match:
                self.url = match.group(1)
            return self.url is not None
        _wait(serving, 60, 'the simulator did not serve')
        return self

    def admin(self, method, path, body=None, *, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + '/_sim' + path, data=data, method=method,
            headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            with exc:
                raise StackError('simulator %s %s answered %d: %s' % (
                    method, path, exc.code, exc.read()[:500]))
        return json.loads(raw) if raw else None

    def api_client(self):
        from kubernetes import client
        config = client.Configuration()
        config.host = self.url
        config.api_key = {'authorization': 'Bearer ' + self.token}
        return client.ApiClient(config)

    def stop(self):
        self.process.stop()


def write_conf(path, sections):
    lines = []
    for name, options in sections.items():
        lines.append('[%s]' % name)
        lines.extend('%s = %s' % (k, v) for k, v in options.items())
        lines.append('')
    pathlib.Path(path).write_text('\n'.join(lines))


class Stack:
    """The temp dir and every process of one run; ``close()`` ends all."""

    def __init__(self, *, seed, conductors, sync_interval, keep=False,
                 db='mariadb'):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix='tacker-soak-'))
        self.logs = self.dir / 'logs'
        self.logs.mkdir()
        self.seed = seed
        self.conductor_count = conductors
        self.sync_interval = sync_interval
        self.keep = keep
        self.token = 'soak-%s' % uuid.uuid4().hex
        self.db = DATABASES[db](self.dir)
        self.vhost = Vhost()
        self.redis = RedisNamespace()
        self.sim = Simulator(self.dir, token=self.token, seed=seed)
        self.server = None
        self.server_url = None
        self.conductors = []
        self.lock_url = None
        self._closed = False

    # --- configuration

    def lock_urls(self):
        return {'file': 'file://%s?timeout=5' % (self.dir / 'locks'),
                'redis': self.redis.url(lock_timeout=10)}

    def _conf(self, name, *, host):
        path = self.dir / ('%s.conf' % name)
        write_conf(path, {
            'DEFAULT': {
                'state_path': self.dir, 'host': host,
                'bind_host': '127.0.0.1', 'bind_port': 0,
                'auth_strategy': 'noauth',
                'transport_url': self.vhost.url,
                'log_file': self.logs / ('%s.log' % name),
                'use_stderr': False,
            },
            'database': {'connection': self.db.url},
            'coordination': {'backend_url': self.lock_url},
            'vnf_package': {'vnf_package_csar_path': self.dir / 'csar'},
            # No Tacker conductor shares this database, so a sync mark
            # with a free lock is a dead conductor's at once.
            'database_sync': {'interval': self.sync_interval,
                              'initial_delay': 1, 'settle_timeout': 10,
                              'kubernetes_request_timeout': 5,
                              'stale_claim_age': 0},
            'vnf_lcm': {'operation_timeout': 10, 'lock_wait_timeout': 2,
                        'poll_interval': 0.2,
                        'kubernetes_request_timeout': 5},
        })
        return path

    # --- start

    def start_base(self):
        """Everything but the product's long-running processes."""
        (self.dir / 'locks').mkdir()
        (self.dir / 'csar').mkdir()
        self.db.start()
        self.vhost.create()
        self.sim.start()
        self.lock_url = self.lock_urls()['file']
        conf = self._conf('db-manage', host='soak-db-manage')
        done = subprocess.run(
            [BIN / 'tacker-db-manage', '--config-file', conf, 'upgrade',
             'head'], capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise StackError('tacker-db-manage upgrade head failed:\n%s%s'
                             % (done.stdout, done.stderr))

    def start_product(self, lock_url):
        """tacker-server and the conductors, all on ``lock_url``."""
        self.lock_url = lock_url
        self.server = Process('tacker-server', [
            BIN / 'tacker-server', '--config-file',
            self._conf('tacker-server', host='soak-server')],
            self.logs / 'tacker-server.stdout',
            log_file=self.logs / 'tacker-server.log')
        self.server.log_offset = _size(self.server.log_file)
        self.server.start()
        self.conductors = [self._conductor(i)
                           for i in range(self.conductor_count)]
        self._wait_server()
        for index in range(len(self.conductors)):
            self.wait_conductor(index)

    def _conductor(self, index):
        name = 'tacker-conductor-%d' % index
        proc = Process(name, [
            BIN / 'tacker-conductor', '--config-file',
            self._conf(name, host='soak-conductor-%d' % index)],
            self.logs / ('%s.stdout' % name),
            log_file=self.logs / ('%s.log' % name))
        proc.log_offset = _size(proc.log_file)
        return proc.start()

    def _wait_server(self, timeout=90):
        log = self.server.log_file
        offset = self.server.log_offset

        def listening():
            if not self.server.alive():
                raise StackError('tacker-server exited:\n%s'
                                 % _tail(log))
            text = _read_from(log, offset)
            match = re.findall(r'listening on 127\.0\.0\.1:(\d+)', text)
            if match:
                self.server_url = 'http://127.0.0.1:%s' % match[-1]
            return bool(match)
        _wait(listening, timeout, 'tacker-server did not listen')

    def wait_conductor(self, index, timeout=90):
        proc = self.conductors[index]
        log = proc.log_file
        offset = proc.log_offset

        def ready():
            if not proc.alive():
                raise StackError('%s exited:\n%s' % (proc.name, _tail(log)))
            return 'Database synchronization runs every' in _read_from(
                log, offset)
        _wait(ready, timeout, '%s did not start' % proc.name)

    def kill_conductor(self, index):
        self.conductors[index].kill()

    def restart_conductor(self, index):
        proc = self.conductors[index]
        proc.log_offset = _size(proc.log_file)
        proc.start()

    def stop_product(self):
        procs = self.conductors + ([self.server] if self.server else [])
        # SIGTERM to all first: they shut down side by side.
        for proc in procs:
            if proc.alive():
                proc.signal_group(signal.SIGTERM)
        for proc in procs:
            proc.stop()
        self.conductors = []
        self.server = None

    # --- inspection

    def process_logs(self):
        """(name, path) of every product log, the servers' too."""
        return sorted((p.stem, p) for p in self.logs.glob('*.log')) + [
            ('database server', self.db.process.log_path
             if self.db.process else self.db.dir / 'server.log'),
            ('k8s-sim', self.sim.process.log_path)]

    def log_tails(self, chars=3000):
        return '\n'.join('----- %s (%s)\n%s' % (name, path,
                                                _tail(path, chars))
                         for name, path in self.process_logs())

    # --- tear down

    def close(self):
        """Stop every piece, newest first; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        steps = [('product', self.stop_product),
                 ('simulator', self.sim.stop),
                 ('vhost', self.vhost.delete),
                 ('redis keys', self.redis.delete),
                 ('database server', self.db.stop)]
        for name, step in steps:
            try:
                step()
            except Exception as exc:  # noqa: cleaning up goes on regardless
                sys.stderr.write('soak: stopping %s failed: %s\n'
                                 % (name, exc))
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def _size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _read_from(path, offset):
    try:
        with open(path, 'rb') as f:
            f.seek(offset)
            return f.read().decode('utf-8', 'replace')
    except OSError:
        return ''


def _tail(path, chars=3000):
    try:
        text = pathlib.Path(path).read_text(errors='replace')
    except OSError:
        return '(no log)'
    return text[-chars:]
