"""tacker-server: the Tacker-compatible REST API on cheroot's WSGI server.

``main`` serves on ``[DEFAULT] bind_host:bind_port`` until SIGTERM or
SIGINT, then stops taking connections and lets the requests in flight
finish.  ``make_server`` and ``serve_in_thread`` give tests and the
sandbox the same server in-process, on an ephemeral port if they like,
with a conductor client of their choosing.
"""

import signal
import sys
import threading

from cheroot import wsgi as cheroot_wsgi
from oslo_log import log as logging

from tacker.api import app as app_mod
from tacker.common import config
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

DEFAULT_THREADS = 16
# Seconds requests in flight get to finish once a stop is asked for.
SHUTDOWN_TIMEOUT = 5


class ApiServer:
    """A bound cheroot server around the tacker-server application."""

    def __init__(self, app, host, port, *, threads=DEFAULT_THREADS):
        self.host = host
        self._server = cheroot_wsgi.Server(
            (host, port), app, numthreads=threads,
            server_name='tacker-server',
            shutdown_timeout=SHUTDOWN_TIMEOUT)
        self._server.prepare()
        self._thread = None
        self._stopped = threading.Event()

    @property
    def port(self):
        """The bound TCP port (the real one when 0 was asked for)."""
        return self._server.bind_addr[1]

    @property
    def url(self):
        """The base URL clients use, e.g. ``http://127.0.0.1:9890/``."""
        host = self.host
        if host in ('0.0.0.0', '', '::'):
            host = '127.0.0.1'
        elif ':' in host:
            host = '[%s]' % host
        return 'http://%s:%d/' % (host, self.port)

    def serve_forever(self):
        """Serve in the calling thread until ``stop``."""
        try:
            self._server.serve()
        finally:
            self._stopped.set()

    def start(self):
        """Serve in a daemon thread; returns at once."""
        self._thread = threading.Thread(target=self.serve_forever,
                                        name='tacker-server', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop accepting, finish the requests in flight, release the port."""
        self._server.stop()
        if self._thread is not None:
            self._thread.join(SHUTDOWN_TIMEOUT + 5)
            self._thread = None

    def wait(self, timeout=None):
        return self._stopped.wait(timeout)


def make_server(conf=None, *, app=None, conductor=None, host=None,
                port=None, threads=DEFAULT_THREADS, **app_kwargs):
    """A bound (not yet serving) ``ApiServer``; see ``.port``, ``.url``.

    ``host``/``port`` default to ``[DEFAULT] bind_host``/``bind_port``;
    port 0 binds an ephemeral port.  ``app`` defaults to
    ``app_mod.make_app(conf, conductor=conductor, **app_kwargs)``.
    """
    conf = conf or CONF
    if app is None:
        app = app_mod.make_app(conf, conductor=conductor, **app_kwargs)
    return ApiServer(app, conf.bind_host if host is None else host,
                     conf.bind_port if port is None else port,
                     threads=threads)


def serve_in_thread(conf=None, *, conductor=None, host='127.0.0.1', port=0,
                    **kwargs):
    """Start the server in a daemon thread; returns the ``ApiServer``.

    ``server.port`` is the bound port, ``server.url`` the base URL, and
    ``server.stop()`` shuts it down.
    """
    server = make_server(conf, conductor=conductor, host=host, port=port,
                         **kwargs)
    return server.start()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    config.parse_args(argv, prog='tacker-server')
    server = make_server(CONF)

    def _stop(signum, _frame):
        LOG.info('tacker-server received signal %(sig)s; stopping.',
                 {'sig': signal.Signals(signum).name})
        # cheroot's stop waits for the workers: never in a signal handler.
        threading.Thread(target=server.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    LOG.info('tacker-server listening on %(host)s:%(port)s '
             '(auth_strategy %(auth)s).',
             {'host': CONF.bind_host, 'port': server.port,
              'auth': CONF.auth_strategy})
    server.serve_forever()
    LOG.info('tacker-server stopped.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
