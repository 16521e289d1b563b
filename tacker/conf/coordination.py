"""The [coordination] group: the tooz backend that holds instance locks."""

from oslo_config import cfg

GROUP = cfg.OptGroup('coordination', title='Coordination (locks)')

OPTS = [
    cfg.StrOpt('backend_url', default='file://$state_path/locks',
               secret=True,
               help='tooz URL of the lock backend. Every tacker-server '
                    'and tacker-conductor that share a database must use '
                    'the same backend. file:// only works when all of them '
                    'run on one host; with several hosts use '
                    'redis://HOST:6379, etcd3+http://HOST:2379 or '
                    'mysql://USER:PASSWORD@HOST/DB.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
