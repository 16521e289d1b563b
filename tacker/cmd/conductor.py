"""tacker-conductor: LCM operations over RPC and the periodic DB sync."""

import sys

from oslo_log import log as logging
from oslo_service import service

from tacker.common import config
from tacker.common import exceptions
from tacker.common import rpc
from tacker.conductor import endpoints
from tacker.conductor import service as conductor_service
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    config.parse_args(argv, prog='tacker-conductor')
    if rpc.transport_url().startswith('fake:'):
        LOG.warning('[DEFAULT] transport_url is fake:// (in-process '
                    'messaging): LCM requests from a tacker-server running '
                    'in another process will never arrive. Set it to '
                    'rabbit://USER:PASSWORD@HOST:5672/ in production.')
    conductor = conductor_service.ConductorService(
        rpc_server_factory=endpoints.rpc_server)
    try:
        conductor.check_metrics_address()
    except exceptions.ConfigError as exc:
        sys.stderr.write('tacker-conductor: %s\n' % exc.message)
        return 2
    launcher = service.launch(CONF, conductor, restart_method='mutate')
    launcher.wait()
    return 0


if __name__ == '__main__':
    sys.exit(main())
