"""tacker-server's application on cheroot's WSGI server, in-process.

``make_server`` binds the server (on an ephemeral port if asked for
port 0) around the application of ``tacker.api.app.make_app``, with a
conductor client of the caller's choosing; ``serve_in_thread`` also
starts it in a daemon thread.  ``ApiServer.stop`` stops taking
connections and lets the requests in flight finish.  The
``tacker-server`` command (``tacker.cmd.server``), the tests and the
sandbox all serve through here; signals and the command line are the
command's.

A burst of connections must not go unanswered: the listen queue is
``[DEFAULT] backlog`` long (cheroot's own default, 5, drops a burst's
connections into TCP's retransmission delays), and ``[DEFAULT]
api_threads`` workers serve the accepted connections, which wait in an
unbounded queue for a free one.
"""

import threading

from cheroot import wsgi as cheroot_wsgi

from tacker.api import app as app_mod
import tacker.conf

CONF = tacker.conf.CONF

# Seconds requests in flight get to finish once a stop is asked for.
SHUTDOWN_TIMEOUT = 5


class ApiServer:
    """A bound cheroot server around the tacker-server application."""

    def __init__(self, app, host, port, *, threads, backlog):
        self.host = host
        self._server = cheroot_wsgi.Server(
            (host, port), app, numthreads=threads,
            request_queue_size=backlog,
            # Unbounded: an accepted connection waits for a worker rather
            # than being closed unanswered.
            accepted_queue_size=-1,
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
    def threads(self):
        """Worker threads serving requests."""
        return self._server.requests.min

    @property
    def backlog(self):
        """Length of the listen queue asked of the kernel."""
        return self._server.request_queue_size

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
                port=None, threads=None, backlog=None, **app_kwargs):
    """A bound (not yet serving) ``ApiServer``; see ``.port``, ``.url``.

    ``host``/``port`` default to ``[DEFAULT] bind_host``/``bind_port``;
    port 0 binds an ephemeral port.  ``threads``/``backlog`` default to
    ``[DEFAULT] api_threads``/``backlog``.  ``app`` defaults to
    ``tacker.api.app.make_app(conf, conductor=conductor,
    **app_kwargs)``.
    """
    conf = conf or CONF
    if app is None:
        app = app_mod.make_app(conf, conductor=conductor, **app_kwargs)
    return ApiServer(app, conf.bind_host if host is None else host,
                     conf.bind_port if port is None else port,
                     threads=conf.api_threads if threads is None else threads,
                     backlog=conf.backlog if backlog is None else backlog)


def serve_in_thread(conf=None, *, conductor=None, host='127.0.0.1', port=0,
                    **kwargs):
    """Start the server in a daemon thread; returns the ``ApiServer``.

    ``server.port`` is the bound port, ``server.url`` the base URL, and
    ``server.stop()`` shuts it down.
    """
    server = make_server(conf, conductor=conductor, host=host, port=port,
                         **kwargs)
    return server.start()
