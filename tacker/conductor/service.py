"""tacker-conductor's service: start-up recovery and the periodic pass.

The periodic synchronization belongs to the service's lifecycle: an
oslo.service timer on the service's thread group, first after
``[database_sync] initial_delay``, then every ``interval`` seconds (0
turns it off).  The timer's function never raises, because a looping
call that raises stops for good (Tacker defect 1).

With ``[database_sync] metrics_port`` the service also serves the
engine's Prometheus metrics at ``/metrics`` (``tacker.dbsync.metrics``),
from start to stop.  The RPC server it starts answers ``sync_status``
from the engine's ``SyncStatus`` (``tacker-db-sync --status``): under
``tacker-conductor`` both run in the child process the launcher forks.
"""

from oslo_log import log as logging
from oslo_service import service

from tacker.common import coordination
from tacker.common import exceptions
from tacker.common import long_lived
from tacker.conductor import recovery
from tacker.dbsync import engine as engine_mod
from tacker.dbsync import metrics
from tacker.vnfm.infra_drivers.kubernetes import watcher
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

# Seconds the periodic pass waits for an event-driven pass to finish.
PERIODIC_PASS_WAIT = 60


class ConductorService(service.Service):
    """Recovery, the periodic pass, the watch and (optionally) the RPC.

    ``lcm=False`` is the synchronization-only service of
    ``tacker-db-sync --daemon``: it takes no LCM requests, so it leaves
    the op occs of crashed operations to the conductor that runs them
    (Tacker's, beside it) and clears only what a synchronization left.
    """

    def __init__(self, *, engine=None, rpc_server_factory=None, lcm=True):
        super().__init__()
        self.engine = engine or engine_mod.SyncEngine()
        self._rpc_server_factory = rpc_server_factory
        self._recover_op_occs = lcm
        self._rpc_server = None
        self.watches = None
        self.passes = 0
        self.metrics_server = None

    @staticmethod
    def check_metrics_address():
        """Raise ConfigError if metrics_port is set and cannot be bound.

        The commands call it before they launch the service, so that the
        error ends start-up cleanly; the service binds it in ``start``,
        in the process that runs the passes.
        """
        port = CONF.database_sync.metrics_port
        if port:
            metrics.check_address(CONF.database_sync.metrics_bind_host, port)

    def serve_metrics(self):
        """Serve /metrics if metrics_port is set (idempotent).

        Raises ConfigError if that address cannot be bound.
        """
        port = CONF.database_sync.metrics_port
        if port and self.metrics_server is None:
            self.metrics_server = metrics.MetricsServer(
                self.engine.metrics.registry,
                CONF.database_sync.metrics_bind_host, port)
            LOG.info('Prometheus metrics of the synchronization are served '
                     'at %s.', self.metrics_server.url)
        return self.metrics_server

    def start(self):
        super().start()
        # Here, in the process that runs the passes (after the launcher's
        # fork), never in __init__.
        connect = getattr(self.engine, 'connect_locks', None)
        if connect is not None:
            connect()
        try:
            self.serve_metrics()
        except exceptions.ConfigError as exc:
            # The commands checked the address before they launched us;
            # taken since: the synchronization matters more than its
            # metrics.
            LOG.error('%s; the synchronization runs without them.',
                      exc.message)
        recovery.recover(op_occs=self._recover_op_occs)
        # Everything the passes use is imported and built by now.
        long_lived.freeze()
        if self._rpc_server_factory is not None:
            self._rpc_server = self._rpc_server_factory()
            if hasattr(self._rpc_server, 'serve_sync_status') and \
                    hasattr(self.engine, 'status'):
                self._rpc_server.serve_sync_status(self.engine.status)
            self._rpc_server.start()
        interval = CONF.database_sync.interval
        if interval > 0:
            self._join_sync_group()
            if CONF.database_sync.watch:
                self.watches = watcher.WatchManager(self.engine)
                LOG.info('Event-driven synchronization is on: changes '
                         'are synchronized after %(debounce)ss; passes '
                         'read watch-fed caches, listed again every '
                         '%(resync)ss.',
                         {'debounce': CONF.database_sync.watch_debounce,
                          'resync': CONF.database_sync.resync_interval})
            self.tg.add_timer(interval, self.periodic_sync,
                              initial_delay=CONF.database_sync.initial_delay)
            LOG.info('Database synchronization runs every %(interval)ss, '
                     'first in %(delay)ss.',
                     {'interval': interval,
                      'delay': CONF.database_sync.initial_delay})
        else:
            LOG.info('Periodic database synchronization is disabled '
                     '([database_sync] interval = 0).')

    def _join_sync_group(self):
        try:
            self.engine.partition = coordination.SyncPartition()
        except coordination.PartitionUnsupported as exc:
            LOG.info(exc.message)
            return
        LOG.info('Joined the synchronization group as %s; instances are '
                 'shared with the other conductors of the group.',
                 self.engine.partition.member_id.decode())

    def periodic_sync(self):
        try:
            recovery.recover(op_occs=self._recover_op_occs)
        except Exception:  # noqa: recovery is retried next pass
            LOG.exception('Recovery of crashed operations failed; it is '
                          'retried before the next pass.')
        try:
            result = self.engine.run_pass(wait=PERIODIC_PASS_WAIT)
            self.engine.metrics.pass_done(result, kind='periodic', full=True)
            if self.watches is not None:
                self.watches.ensure(self.engine.last_wanted)
        except Exception:  # noqa: the timer must outlive any failure
            LOG.exception('Database synchronization pass failed; the next '
                          'one runs as scheduled.')
        finally:
            self.passes += 1

    def stop(self, graceful=False):
        if self.watches is not None:
            self.watches.stop()
            self.watches = None
        if self._rpc_server is not None:
            self._rpc_server.stop()
            self._rpc_server.wait()
            self._rpc_server = None
        if self.metrics_server is not None:
            self.metrics_server.stop()
            self.metrics_server = None
        super().stop(graceful)
        if self.engine.partition is not None:
            self.engine.partition.leave()
            self.engine.partition = None
        self.engine.close()
