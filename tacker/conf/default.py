"""Options of the [DEFAULT] group that every Tacker process reads."""

import os

from oslo_config import cfg

OPTS = [
    cfg.StrOpt('state_path',
               default=os.path.join(os.path.expanduser('~'), '.tacker'),
               help='Directory where Tacker keeps its state: the default '
                    'SQLite database, file locks and unpacked VNF '
                    'packages. Other options refer to it as $state_path.'),
    cfg.HostAddressOpt('bind_host', default='0.0.0.0',
                       help='Address tacker-server listens on.'),
    cfg.PortOpt('bind_port', default=9890,
                help='TCP port tacker-server listens on.'),
    cfg.IntOpt('backlog', default=4096, min=1,
               help='Length of tacker-server\'s listen queue: connections '
                    'the kernel completes and holds until the server '
                    'accepts them. Connections beyond it are dropped and '
                    'retried by the client\'s TCP stack, which delays '
                    'them by seconds. The kernel caps it at '
                    'net.core.somaxconn. Tacker\'s option of the same '
                    'name.'),
    cfg.IntOpt('api_threads', default=64, min=1,
               help='Worker threads of tacker-server: how many requests '
                    'it handles at the same time. Accepted connections '
                    'wait in an unbounded queue for a free thread; idle '
                    'keep-alive connections hold none.'),
    cfg.StrOpt('auth_strategy', default='keystone',
               choices=[('keystone', 'Validate tokens with Keystone '
                                     '(keystonemiddleware).'),
                        ('noauth', 'No authentication; the project is '
                                   'taken from the X-Project-Id header. '
                                   'For sandboxes and tests only.')],
               help='How tacker-server authenticates API requests.'),
]


def register_opts(conf):
    conf.register_opts(OPTS)


def list_opts():
    return {'DEFAULT': OPTS}
