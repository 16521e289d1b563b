"""tacker-server: the Tacker-compatible REST API on cheroot's WSGI server.

``main`` serves on ``[DEFAULT] bind_host:bind_port`` until SIGTERM or
SIGINT, then stops taking connections and lets the requests in flight
finish.  The server itself is ``tacker.api.server``'s, which tests and
the sandbox use in-process.
"""

import signal
import sys
import threading

from oslo_log import log as logging

from tacker.api import server as server_mod
from tacker.common import config
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    config.parse_args(argv, prog='tacker-server')
    server = server_mod.make_server(CONF)

    def _stop(signum, _frame):
        LOG.info('tacker-server received signal %(sig)s; stopping.',
                 {'sig': signal.Signals(signum).name})
        # cheroot's stop waits for the workers: never in a signal handler.
        threading.Thread(target=server.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    LOG.info('tacker-server listening on %(host)s:%(port)s '
             '(auth_strategy %(auth)s, %(threads)s threads, backlog '
             '%(backlog)s).',
             {'host': CONF.bind_host, 'port': server.port,
              'auth': CONF.auth_strategy, 'threads': server.threads,
              'backlog': server.backlog})
    server.serve_forever()
    LOG.info('tacker-server stopped.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
