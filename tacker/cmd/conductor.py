"""tacker-conductor: LCM operations over RPC and the periodic DB sync."""

import sys

from oslo_service import service

from tacker.common import config
from tacker.conductor import endpoints
from tacker.conductor import service as conductor_service
import tacker.conf

CONF = tacker.conf.CONF


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    config.parse_args(argv, prog='tacker-conductor')
    conductor = conductor_service.ConductorService(
        rpc_server_factory=endpoints.rpc_server)
    launcher = service.launch(CONF, conductor, restart_method='mutate')
    launcher.wait()
    return 0


if __name__ == '__main__':
    sys.exit(main())
