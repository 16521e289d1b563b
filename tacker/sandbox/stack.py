"""Start and stop every piece of the sandbox in this one process.

The pieces are the real product on embedded defaults: a SQLite
TackerDB, in-process messaging (``fake://``), file locks, tacker-server
(noauth) on a thread, and tacker-conductor's service (LCM RPC server and
the periodic synchronization) on oslo.service's threading ``Launcher``.
The only stand-in is the Kubernetes simulator, reached like any cluster
through the VIM's endpoint URL and bearer token.

The state directory (``state.prepare``) holds the database, the locks,
the unpacked package, the product log and the simulator's token.
"""

import dataclasses
import logging as std_logging
import os
import pathlib
import secrets
import threading
import time

# Threads, not eventlet: chosen before oslo.service is first imported.
from tacker.common import service_backend  # noqa: F401

from oslo_log import log as logging
from oslo_service import service as oslo_service

from tacker.api import server as server_mod
from tacker.common import coordination
from tacker.common import rpc
from tacker.conductor import endpoints
from tacker.conductor import rpc_api
from tacker.conductor import service as conductor_service
from tacker.db import api as db_api
from tacker.db import migration
from tacker.dbsync import engine as engine_mod
import tacker.conf
# The simulator is a test double: the sandbox is the one part of the
# product that loads it, and only tacker-sandbox loads the sandbox.
from tacker_k8s_sim import simulator
from tacker_k8s_sim import tls

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

TOKEN_FILE = 'k8s-token'
LOG_FILE = 'tacker.log'
KUBECONFIG_FILE = 'kubeconfig'
CA_FILE = 'k8s-ca.crt'
TRANSPORT = 'fake://'
NAMESPACES = {'v1': 'sandbox-v1', 'v2': 'sandbox-v2'}
# Seconds each port-holding piece gets to stop (they stop at once).
PORT_HOLDER_TIMEOUT = 5


@dataclasses.dataclass(frozen=True)
class Settings:
    state_dir: pathlib.Path
    port: int = 0
    sync_interval: int = 5
    initial_delay: int = 2
    settle_timeout: int = 10
    nodes: int = 2
    # The conductor's /metrics on 127.0.0.1; 0 serves none.
    metrics_port: int = 0


def configure(settings):
    """Point every option at the state directory and the embedded defaults.

    Called after the configuration is parsed (without files) and before
    logging is set up, so that the product logs go to a file there.
    """
    state = str(settings.state_dir)
    overrides = {
        None: {'state_path': state, 'auth_strategy': 'noauth',
               'transport_url': TRANSPORT, 'bind_host': '127.0.0.1',
               'bind_port': settings.port,
               'log_file': os.path.join(state, LOG_FILE),
               'use_stderr': False},
        'database': {'connection': 'sqlite:///%s' % os.path.join(
            state, 'tacker.sqlite')},
        'coordination': {'backend_url': 'file://%s' % os.path.join(
            state, 'locks')},
        'vnf_package': {'vnf_package_csar_path': os.path.join(
            state, 'vnfpackages')},
        'database_sync': {'interval': settings.sync_interval,
                          'initial_delay': settings.initial_delay,
                          'settle_timeout': settings.settle_timeout,
                          'kubernetes_request_timeout': 10,
                          'metrics_bind_host': '127.0.0.1',
                          'metrics_port': settings.metrics_port},
        'vnf_lcm': {'operation_timeout': 60, 'lock_wait_timeout': 5,
                    'poll_interval': 0.1, 'kubernetes_request_timeout': 10},
    }
    for group, values in overrides.items():
        for name, value in values.items():
            CONF.set_override(name, value, group=group)


@dataclasses.dataclass(frozen=True)
class PassRecord:
    started: float
    finished: float
    result: object  # outcome.PassResult


class RecordingEngine(engine_mod.SyncEngine):
    """The product's sync engine, remembering when each pass ran.

    The demo waits for "the next pass" after it changed the cluster, so
    it needs to know when passes start, not only that they happened.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._records = []
        self._changed = threading.Condition()

    def run_pass(self, **kwargs):
        started = time.monotonic()
        result = super().run_pass(**kwargs)
        with self._changed:
            self._records.append(PassRecord(started, time.monotonic(),
                                            result))
            self._changed.notify_all()
        return result

    def wait_for_pass(self, *, started_after, timeout):
        """The first pass that started after ``started_after``, or None."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for record in self._records:
                    if record.started > started_after:
                        return record
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)


class SandboxConductor(conductor_service.ConductorService):
    """tacker-conductor's service, telling when its start-up is over."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.started = threading.Event()

    def start(self):
        super().start()
        self.started.set()


class LogCapture(std_logging.Handler):
    """Keeps the messages of the ``tacker`` loggers, with a timestamp."""

    def __init__(self, logger_name='tacker'):
        super().__init__(level=std_logging.INFO)
        self._logger = std_logging.getLogger(logger_name)
        self._lines = []
        self._guard = threading.Lock()

    def emit(self, record):
        try:
            text = record.getMessage()
        except Exception:  # noqa: a bad log call must not break the demo
            return
        with self._guard:
            self._lines.append((time.monotonic(), record.levelname, text))

    def attach(self):
        self._logger.addHandler(self)
        if self._logger.getEffectiveLevel() > std_logging.INFO:
            self._logger.setLevel(std_logging.INFO)
        return self

    def detach(self):
        self._logger.removeHandler(self)

    def since(self, when, *, startswith=''):
        with self._guard:
            return [(level, text) for at, level, text in self._lines
                    if at >= when and text.startswith(startswith)]


class Stack:
    """Every running piece; ``start`` and ``stop`` in the right order."""

    def __init__(self, settings):
        self.settings = settings
        self.token = secrets.token_urlsafe(24)
        self.sim = None
        self.ca_pem = None
        self.server = None
        self.conductor = None
        self.engine = None
        self._launcher = None
        self._stopped = False
        self.log_capture = LogCapture().attach()

    @property
    def state_dir(self):
        return self.settings.state_dir

    @property
    def token_file(self):
        return self.state_dir / TOKEN_FILE

    @property
    def log_file(self):
        return self.state_dir / LOG_FILE

    @property
    def metrics_url(self):
        """The conductor's /metrics, or None if it serves none."""
        served = self.conductor and self.conductor.metrics_server
        return served.url if served else None

    @property
    def ca_file(self):
        return self.state_dir / CA_FILE

    def start_simulator(self):
        # HTTPS, as a cluster is reached: kubectl sends a kubeconfig's
        # token only over TLS.  The throw-away CA lives in the state dir.
        cert, key, self.ca_pem = tls.make_certificates(str(self.state_dir))
        self.ca_file.write_text(self.ca_pem)
        self.sim = simulator.Simulator(token=self.token,
                                       nodes=self.settings.nodes,
                                       tls=(cert, key))
        self.sim.start()
        for namespace in NAMESPACES.values():
            self.sim.create({'apiVersion': 'v1', 'kind': 'Namespace',
                             'metadata': {'name': namespace}})
        fd = os.open(self.token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                     0o600)
        with os.fdopen(fd, 'w') as handle:
            handle.write(self.token)
        return self.sim.url

    def write_kubeconfig(self):
        """A kubeconfig for the simulator in the state dir; its path."""
        return self.sim.write_kubeconfig(
            str(self.state_dir / KUBECONFIG_FILE),
            namespace=NAMESPACES['v1'], ca_file=str(self.ca_file))

    def start_database(self):
        db_api.reset()
        migration.upgrade('head')
        return CONF.database.connection

    def start_server(self):
        self.server = server_mod.serve_in_thread(
            CONF, conductor=rpc_api.ConductorAPI(url=TRANSPORT),
            host='127.0.0.1', port=self.settings.port,
            auth_strategy='noauth')
        return self.server.url

    def start_conductor(self, *, timeout=30):
        self.engine = RecordingEngine()
        self.conductor = SandboxConductor(
            engine=self.engine,
            rpc_server_factory=lambda: endpoints.rpc_server(
                host='tacker-sandbox', url=TRANSPORT))
        self._launcher = oslo_service.Launcher(CONF)
        self._launcher.launch_service(self.conductor)
        if not self.conductor.started.wait(timeout):
            raise RuntimeError('tacker-conductor did not start within %d s'
                               % timeout)

    def stop(self, *, timeout=None):
        """Stop what was started; safe to call twice.

        First, all at once, the pieces that hold a port: tacker-server,
        the conductor's /metrics and the simulator, so that every port is
        free when this returns.  Then, newest first, the in-process rest:
        the conductor (RPC server, timer, sync group), coordination,
        messaging, the database and the log capture.  With ``timeout``
        (seconds), returns False if the rest has not finished by then: it
        goes on on a daemon thread, and nothing of it outlives the process
        (the fake transport, the file locks and SQLite are all in this
        process and the state directory).
        """
        if self._stopped:
            return True
        self._stopped = True
        holders = [threading.Thread(target=_stop_step, args=step,
                                    name='stop %s' % step[0], daemon=True)
                   for step in (('tacker-server', self._stop_server),
                                ('metrics', self._stop_metrics),
                                ('Kubernetes simulator',
                                 self._stop_simulator))]
        for thread in holders:
            thread.start()
        for thread in holders:
            # Bounded: a stuck piece must not keep Ctrl-C from returning
            # (its port goes with the process).
            thread.join(PORT_HOLDER_TIMEOUT)
        rest = threading.Thread(target=self._stop_rest, name='stop rest',
                                daemon=True)
        rest.start()
        rest.join(timeout)
        return not rest.is_alive()

    def _stop_rest(self):
        for step in (('tacker-conductor', self._stop_conductor),
                     ('coordination', coordination.stop),
                     ('messaging', rpc.cleanup),
                     ('database', db_api.reset),
                     ('log capture', self.log_capture.detach)):
            _stop_step(*step)

    def _stop_metrics(self):
        served = self.conductor and self.conductor.metrics_server
        if served:
            # The conductor's own stop skips a server it no longer has.
            self.conductor.metrics_server = None
            served.stop()

    def _stop_conductor(self):
        if self._launcher is not None:
            self._launcher.stop()
            self._launcher.wait()
            self._launcher = None

    def _stop_server(self):
        if self.server is not None:
            self.server.stop()
            self.server = None

    def _stop_simulator(self):
        if self.sim is not None:
            self.sim.stop()


def _stop_step(name, stop):
    try:
        stop()
    except Exception:  # noqa: stopping goes on whatever failed
        LOG.exception('Stopping %s failed.', name)
