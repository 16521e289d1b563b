"""Real OpenStack Keystone and Barbican for tests, on SQLite.

Both services come from a side virtualenv (``tools/openstack-services-
venv.sh`` creates it) and run as gunicorn subprocesses of that venv on
127.0.0.1.  Everything they write lives in the directory handed to
:class:`OpenStackServices`; nothing is written to ``/etc``, and each
service's configuration is found before any in ``/etc`` would be.

Usage::

    with OpenStackServices(venv_path, tmp_dir) as services:
        services.keystone_url          # http://127.0.0.1:PORT/v3
        services.barbican_url          # http://127.0.0.1:PORT
        services.service_credentials   # project "service", user "tacker"
        services.stranger_credentials  # project "other", user "stranger"

Listening sockets are opened here and handed to gunicorn as inherited
descriptors, so no other process on a busy machine can take a chosen
port between choosing and binding it.  Each service runs in a session
(and so a process group) of its own, which ``stop()`` kills.  Should
the test process die without calling ``stop()``, a watchdog thread in
each worker notices the end of a pipe and kills its process group.
"""

import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request

from keystoneauth1.identity import v3 as ks_identity
from keystoneauth1 import session as ks_session

DEFAULT_DEADLINE = 60.0
COMMAND_TIMEOUT = 300.0
LOG_TAIL_LINES = 40
DOMAIN = 'Default'
REGION = 'RegionOne'

# The generated WSGI entry points.  ``sys.argv`` is trimmed before the
# service is imported: both parse their configuration with oslo.config,
# which would otherwise read gunicorn's command line and fail, and the
# worker would be restarted forever.
_WATCHDOG = '''\
import os
import signal
import sys
import threading

sys.argv = sys.argv[:1]


def _watch(fd):
    # Blocks until every write end of the pipe is closed, that is, until
    # the test process that started this service has gone.
    try:
        while os.read(fd, 1):
            pass
    except OSError:
        pass
    os.killpg(os.getpgrp(), signal.SIGKILL)


_fd = os.environ.get('TACKER_TEST_LIFELINE_FD')
if _fd:
    threading.Thread(target=_watch, args=(int(_fd),), daemon=True).start()
'''

_KEYSTONE_SHIM = _WATCHDOG + '''
from keystone.wsgi.api import application  # noqa: E402,F401
'''

_BARBICAN_SHIM = _WATCHDOG + '''
from paste import deploy  # noqa: E402

application = deploy.loadapp('config:' + os.environ['BARBICAN_PASTE_INI'])
'''


# "keystone-manage db_sync" then "keystone-manage bootstrap ARGS...", in
# one process.  The role admin implies manager, member and reader.
_KEYSTONE_SETUP = '''\
import sys

from keystone.cmd import cli

base = ['keystone-manage', '--config-file', sys.argv[1]]
cli.main(base + ['db_sync'])
cli.CONF.clear()
cli.main(base + ['bootstrap'] + sys.argv[2:])
'''


class ServiceStartError(RuntimeError):
    """A service did not come up; the message holds its log's tail."""


def _tail(path, lines=LOG_TAIL_LINES):
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as exc:
        return '(no log: %s)' % exc
    text = data.decode('utf-8', 'replace').splitlines()
    return '\n'.join(text[-lines:])


def _listening_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', 0))
    sock.listen(128)
    return sock


def _write(path, text, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, 'w') as f:
        f.write(text)


def _credentials(auth_url, username, password, project_name):
    return {
        'auth_url': auth_url,
        'username': username,
        'password': password,
        'project_name': project_name,
        'user_domain_name': DOMAIN,
        'project_domain_name': DOMAIN,
    }


class _Process:
    """One gunicorn server in its own process group."""

    def __init__(self, name, popen, log_path, ready_url):
        self.name = name
        self.popen = popen
        self.log_path = log_path
        self.ready_url = ready_url

    def failure(self, reason):
        return ServiceStartError(
            '%s did not come up: %s\n--- last lines of %s ---\n%s'
            % (self.name, reason, self.log_path, _tail(self.log_path)))

    def wait_ready(self, deadline):
        last = 'no answer yet'
        while True:
            code = self.popen.poll()
            if code is not None:
                raise self.failure('process exited with status %s' % code)
            try:
                with urllib.request.urlopen(self.ready_url,
                                            timeout=5) as resp:
                    if resp.status == 200:
                        return
                    last = 'HTTP %s' % resp.status
            except urllib.error.HTTPError as exc:
                last = 'HTTP %s' % exc.code
            except (OSError, ValueError) as exc:
                last = str(exc)
            if time.monotonic() > deadline:
                raise self.failure('no HTTP 200 from %s in time (last: %s)'
                                   % (self.ready_url, last))
            time.sleep(0.1)

    def signal_group(self, signum):
        try:
            os.killpg(self.popen.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass

    def wait(self, deadline):
        try:
            self.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
            return True
        except subprocess.TimeoutExpired:
            return False


class OpenStackServices:
    """Keystone and Barbican from ``venv_path``, state under ``work_dir``.

    After :meth:`start` (or entering the context manager):

    ``keystone_url``
        Keystone's v3 URL, ``http://127.0.0.1:PORT/v3``.
    ``barbican_url``
        Barbican's root URL, ``http://127.0.0.1:PORT`` (also in the catalog
        as service type ``key-manager``, interfaces public, internal and
        admin, region ``RegionOne``).
    ``service_credentials``
        User ``tacker`` of project ``service``, roles admin and service:
        what Tacker's ``[keystone_authtoken]`` holds.
    ``stranger_credentials``
        User ``stranger``, member of project ``other`` only.
    ``admin_credentials``
        The bootstrap admin of project ``admin``.
    ``keystone_log``, ``barbican_log``
        The servers' logs (gunicorn and service output), for debugging.
    ``setup_log``, ``barbican_setup_log``
        Output of ``keystone-manage`` and ``barbican-manage``.
    ``start_seconds``, ``timings``
        How long ``start()`` took, and seconds since its beginning at
        which each phase ended.

    Each credentials value is a new dict with keys ``auth_url``,
    ``username``, ``password``, ``project_name``, ``user_domain_name``
    and ``project_domain_name``.
    """

    def __init__(self, venv_path, work_dir, deadline=DEFAULT_DEADLINE, *,
                 barbican=True):
        self.with_barbican = barbican
        self.venv_path = os.path.abspath(venv_path)
        self.work_dir = os.path.abspath(work_dir)
        self.deadline = deadline
        self.keystone_log = os.path.join(self.work_dir, 'keystone.log')
        self.barbican_log = os.path.join(self.work_dir, 'barbican.log')
        self.setup_log = os.path.join(self.work_dir, 'keystone-setup.log')
        self.barbican_setup_log = os.path.join(self.work_dir,
                                               'barbican-setup.log')
        self.keystone_url = None
        self.barbican_url = None
        self.start_seconds = None
        self.timings = {}
        self._began = None
        self._processes = []
        self._lifeline = None
        self._passwords = {}

    # -- public API -----------------------------------------------------

    @property
    def service_credentials(self):
        return _credentials(self.keystone_url, 'tacker',
                            self._passwords['tacker'], 'service')

    @property
    def stranger_credentials(self):
        return _credentials(self.keystone_url, 'stranger',
                            self._passwords['stranger'], 'other')

    @property
    def admin_credentials(self):
        return _credentials(self.keystone_url, 'admin',
                            self._passwords['admin'], 'admin')

    def pids(self):
        """Process ids of every running member of both process groups."""
        groups = {p.popen.pid for p in self._processes
                  if p.popen.poll() is None}
        found = []
        for entry in os.listdir('/proc'):
            if not entry.isdigit():
                continue
            try:
                if os.getpgid(int(entry)) in groups:
                    found.append(int(entry))
            except OSError:
                pass
        return sorted(found)

    def start(self):
        began = self._began = time.monotonic()
        self.timings = {}
        os.makedirs(self.work_dir, exist_ok=True)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - began
        return self

    def stop(self, grace=0.5):
        """Kill both process groups; safe to call more than once."""
        processes, self._processes = self._processes, []
        # SIGINT is gunicorn's quick shutdown (SIGTERM waits for requests
        # in flight).  The data is disposable: after ``grace`` seconds
        # SIGKILL, and always to the whole group, in case a worker
        # outlives its arbiter.
        for process in processes:
            process.signal_group(signal.SIGINT)
        deadline = time.monotonic() + grace
        for process in processes:
            process.wait(deadline)
        for process in processes:
            process.signal_group(signal.SIGKILL)
        for process in processes:
            process.wait(time.monotonic() + 5.0)
        if self._lifeline is not None:
            os.close(self._lifeline)
            self._lifeline = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # -- internals -------------------------------------------------------

    def _bin(self, name):
        return os.path.join(self.venv_path, 'bin', name)

    def _path(self, *parts):
        return os.path.join(self.work_dir, *parts)

    def _run(self, argv, env, what, log_path=None):
        log_path = log_path or self.setup_log
        with open(log_path, 'ab') as log:
            log.write(('$ %s\n' % ' '.join(argv)).encode())
            log.flush()
            try:
                result = subprocess.run(
                    argv, env=env, cwd=self.work_dir, stdout=log,
                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    timeout=COMMAND_TIMEOUT, start_new_session=True)
            except subprocess.TimeoutExpired:
                raise ServiceStartError(
                    '%s timed out\n--- last lines of %s ---\n%s'
                    % (what, log_path, _tail(log_path)))
        if result.returncode:
            raise ServiceStartError(
                '%s failed with status %s\n--- last lines of %s ---\n%s'
                % (what, result.returncode, log_path, _tail(log_path)))

    def _base_env(self):
        env = {
            'PATH': os.path.join(self.venv_path, 'bin') + os.pathsep +
            os.environ.get('PATH', '/usr/bin:/bin'),
            'LANG': 'C.UTF-8',
            'PYTHONDONTWRITEBYTECODE': '1',
            'PYTHONUNBUFFERED': '1',
        }
        for name in ('TMPDIR', 'TZ'):
            if name in os.environ:
                env[name] = os.environ[name]
        return env

    def _start(self):
        for name in ('tacker', 'barbican', 'stranger', 'admin'):
            self._passwords[name] = secrets.token_urlsafe(18)
        read_end, self._lifeline = os.pipe()
        barbican = None
        try:
            ks_sock = _listening_socket()
            bb_sock = _listening_socket() if self.with_barbican else None
            try:
                self.keystone_url = 'http://127.0.0.1:%d/v3' % (
                    ks_sock.getsockname()[1])
                ks_env = self._prepare_keystone()
                # Importing and initialising either server takes seconds;
                # neither touches its database before its first request.
                # So both servers boot while the schemas are built, and
                # the Barbican schema is built beside Keystone's set-up.
                keystone = self._serve('keystone', ks_sock, read_end,
                                       ks_env, self.keystone_log,
                                       self.keystone_url)
                if bb_sock is not None:
                    self.barbican_url = 'http://127.0.0.1:%d' % (
                        bb_sock.getsockname()[1])
                    bb_env = self._prepare_barbican()
                    barbican = self._serve(
                        'barbican', bb_sock, read_end, bb_env,
                        self.barbican_log, self.barbican_url + '/healthcheck')
                    bb_error = []
                    bb_upgrade = threading.Thread(
                        target=self._barbican_db_upgrade,
                        args=(bb_env, bb_error), daemon=True)
                    bb_upgrade.start()
                self._keystone_setup(ks_env)
                self._mark('keystone_setup')
                if barbican is not None:
                    bb_upgrade.join(COMMAND_TIMEOUT + 30)
                    if bb_error:
                        raise bb_error[0]
                    self._mark('barbican_db_upgrade')
            finally:
                ks_sock.close()
                if bb_sock is not None:
                    bb_sock.close()
        finally:
            os.close(read_end)
        deadline = time.monotonic() + self.deadline
        keystone.wait_ready(deadline)
        self._mark('keystone_ready')
        self._create_test_data()
        self._mark('test_data')
        if barbican is not None:
            barbican.wait_ready(deadline)
            self._mark('barbican_ready')

    def _mark(self, phase):
        self.timings[phase] = round(time.monotonic() - self._began, 2)

    def _serve(self, name, sock, lifeline_fd, env, log_path, ready_url):
        env = dict(env, TACKER_TEST_LIFELINE_FD=str(lifeline_fd))
        argv = [self._bin('gunicorn'),
                '--bind', 'fd://%d' % sock.fileno(),
                '--workers', '1', '--threads', '8',
                '--worker-class', 'gthread',
                '--timeout', '120', '--graceful-timeout', '2',
                '--chdir', self.work_dir, '--pythonpath', self.work_dir,
                '--name', 'tacker-test-' + name]
        if self._gunicorn_has_control_socket():
            argv.append('--no-control-socket')
        argv.append('%s_wsgi:application' % name)
        log = open(log_path, 'ab')
        try:
            popen = subprocess.Popen(
                argv, env=env, cwd=self.work_dir, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                pass_fds=(sock.fileno(), lifeline_fd),
                start_new_session=True)
        finally:
            log.close()
        process = _Process(name, popen, log_path, ready_url)
        self._processes.append(process)
        return process

    def _gunicorn_has_control_socket(self):
        cached = getattr(self, '_control_socket', None)
        if cached is None:
            try:
                out = subprocess.run(
                    [self._bin('gunicorn'), '--help'], capture_output=True,
                    timeout=60, stdin=subprocess.DEVNULL).stdout
            except (OSError, subprocess.TimeoutExpired):
                out = b''
            cached = self._control_socket = b'--no-control-socket' in out
        return cached

    # Keystone

    def _prepare_keystone(self):
        conf = self._path('keystone.conf')
        for sub in ('fernet-keys', 'credential-keys'):
            os.makedirs(self._path(sub), mode=0o700, exist_ok=True)
        _write(conf, textwrap.dedent('''\
            [DEFAULT]
            use_stderr = true
            debug = false

            [database]
            connection = sqlite:///{db}

            [identity]
            # bcrypt's minimum: every token request hashes a password.
            password_hash_rounds = 4

            [cache]
            enabled = true
            backend = dogpile.cache.memory

            [token]
            provider = fernet

            [fernet_tokens]
            key_repository = {fernet}

            [fernet_receipts]
            key_repository = {fernet}

            [credential]
            key_repository = {credential}
            ''').format(db=self._path('keystone.sqlite'),
                        fernet=self._path('fernet-keys'),
                        credential=self._path('credential-keys')))
        _write(self._path('keystone_wsgi.py'), _KEYSTONE_SHIM, 0o644)
        env = self._base_env()
        env['HOME'] = self._path('keystone-home')
        os.makedirs(env['HOME'], exist_ok=True)
        env['OS_KEYSTONE_CONFIG_FILES'] = conf
        return env

    def _keystone_setup(self, env):
        # Both key repositories are what "keystone-manage fernet_setup" and
        # "credential_setup" leave: a staged key "0" and a primary key "1",
        # each a Fernet key.  Writing them here saves two slow CLI runs.
        for sub in ('fernet-keys', 'credential-keys'):
            for index in ('0', '1'):
                key = base64.urlsafe_b64encode(os.urandom(32)).decode()
                _write(self._path(sub, index), key)
        # db_sync and bootstrap in one interpreter: importing Keystone
        # takes seconds on a loaded machine.
        _write(self._path('keystone_setup.py'), _KEYSTONE_SETUP, 0o644)
        url = self.keystone_url
        self._run([
            self._bin('python'), self._path('keystone_setup.py'),
            self._path('keystone.conf'),
            '--bootstrap-admin-url', url,
            '--bootstrap-public-url', url,
            '--bootstrap-internal-url', url,
            '--bootstrap-region-id', REGION,
        ], dict(env, OS_BOOTSTRAP_PASSWORD=self._passwords['admin']),
            'keystone-manage db_sync and bootstrap')

    def _create_test_data(self):
        auth = ks_identity.Password(
            auth_url=self.keystone_url, username='admin',
            password=self._passwords['admin'], project_name='admin',
            user_domain_name=DOMAIN, project_domain_name=DOMAIN)
        sess = ks_session.Session(auth=auth)
        base = self.keystone_url

        def post(path, key, body):
            resp = sess.post(base + path, json={key: body})
            return resp.json()[key]['id']

        roles = {r['name']: r['id'] for r in
                 sess.get(base + '/roles').json()['roles']}
        projects = {
            name: post('/projects', 'project', {
                'name': name, 'domain_id': 'default',
                'description': 'test project %s' % name})
            for name in ('service', 'other')}
        grants = {
            'tacker': ('service', ('admin', 'service')),
            'barbican': ('service', ('admin', 'service')),
            'stranger': ('other', ('member',)),
        }
        for user, (project, user_roles) in grants.items():
            user_id = post('/users', 'user', {
                'name': user, 'domain_id': 'default',
                'password': self._passwords[user],
                'default_project_id': projects[project]})
            for role in user_roles:
                sess.put('%s/projects/%s/users/%s/roles/%s'
                         % (base, projects[project], user_id, roles[role]))
        if self.barbican_url:
            self.add_endpoint('key-manager', 'barbican', self.barbican_url)

    def _admin_session(self):
        return ks_session.Session(auth=ks_identity.Password(
            auth_url=self.keystone_url, username='admin',
            password=self._passwords['admin'], project_name='admin',
            user_domain_name=DOMAIN, project_domain_name=DOMAIN))

    def add_endpoint(self, service_type, name, url):
        """Make ``url`` the catalog's ``service_type`` (3 interfaces).

        A service of that type already there is removed first.
        """
        sess, base = self._admin_session(), self.keystone_url
        for old in sess.get(base + '/services', params={
                'type': service_type}).json()['services']:
            sess.delete('%s/services/%s' % (base, old['id']))
        service_id = sess.post(base + '/services', json={'service': {
            'type': service_type, 'name': name,
            'description': '%s (test)' % name}}).json()['service']['id']
        for interface in ('public', 'internal', 'admin'):
            sess.post(base + '/endpoints', json={'endpoint': {
                'service_id': service_id, 'interface': interface,
                'region_id': REGION, 'url': url}})

    def add_user(self, name, project, roles):
        """A user with ``roles`` in ``project`` (made if missing).

        Returns the user's credentials (see the class's docstring).
        """
        sess, base = self._admin_session(), self.keystone_url
        found = sess.get(base + '/projects', params={'name': project}).json()
        if found['projects']:
            project_id = found['projects'][0]['id']
        else:
            project_id = sess.post(base + '/projects', json={'project': {
                'name': project, 'domain_id': 'default'}}).json()[
                    'project']['id']
        role_ids = {r['name']: r['id'] for r in
                    sess.get(base + '/roles').json()['roles']}
        password = self._passwords[name] = secrets.token_urlsafe(18)
        user_id = sess.post(base + '/users', json={'user': {
            'name': name, 'domain_id': 'default', 'password': password,
            'default_project_id': project_id}}).json()['user']['id']
        for role in roles:
            sess.put('%s/projects/%s/users/%s/roles/%s'
                     % (base, project_id, user_id, role_ids[role]))
        return _credentials(self.keystone_url, name, password, project)

    def revoke(self, token):
        """Revoke a token, as ``openstack token revoke`` does."""
        sess = self._admin_session()
        sess.delete(self.keystone_url + '/auth/tokens',
                    headers={'X-Subject-Token': token})

    # Barbican

    def _barbican_paste_ini(self):
        shipped = os.path.join(self.venv_path, 'etc', 'barbican',
                               'barbican-api-paste.ini')
        if os.path.exists(shipped):
            return shipped
        raise ServiceStartError(
            'barbican did not come up: no paste file at %s' % shipped)

    def _prepare_barbican(self):
        home = self._path('barbican-home')
        os.makedirs(os.path.join(home, '.barbican'), exist_ok=True)
        kek = base64.urlsafe_b64encode(os.urandom(32)).decode()
        keystone_root = self.keystone_url.rsplit('/v3', 1)[0]
        _write(os.path.join(home, '.barbican', 'barbican.conf'),
               textwrap.dedent('''\
            [DEFAULT]
            use_stderr = true
            debug = false
            host_href = {href}
            sql_connection = {db}
            db_auto_create = false

            [secretstore]
            enabled_secretstore_plugins = store_crypto

            [crypto]
            enabled_crypto_plugins = simple_crypto

            [simple_crypto_plugin]
            kek = {kek}

            [keystone_authtoken]
            www_authenticate_uri = {ks}
            auth_url = {ks}
            auth_type = password
            username = barbican
            password = {password}
            project_name = service
            user_domain_name = {domain}
            project_domain_name = {domain}
            region_name = {region}
            ''').format(href=self.barbican_url,
                        db='sqlite:///' + self._path('barbican.sqlite'),
                        kek=kek, ks=keystone_root,
                        password=self._passwords['barbican'],
                        domain=DOMAIN, region=REGION))
        _write(self._path('barbican_wsgi.py'), _BARBICAN_SHIM, 0o644)
        env = self._base_env()
        env['HOME'] = home
        env['BARBICAN_PASTE_INI'] = self._barbican_paste_ini()
        return env

    def _barbican_db_upgrade(self, env, errors):
        try:
            self._run([self._bin('barbican-manage'), 'db', 'upgrade',
                       '--db-url',
                       'sqlite:///' + self._path('barbican.sqlite')],
                      env, 'barbican-manage db upgrade',
                      self.barbican_setup_log)
        except BaseException as exc:
            errors.append(exc)


def main(argv=None):
    """Start both services and wait: ``python -m ... VENV WORK_DIR``."""
    argv = sys.argv[1:] if argv is None else argv
    with OpenStackServices(argv[0], argv[1]) as services:
        print('keystone %s\nbarbican %s\nstarted in %.1f s'
              % (services.keystone_url, services.barbican_url,
                 services.start_seconds), flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == '__main__':
    main()
