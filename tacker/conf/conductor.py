"""The [conductor] group: where tacker-conductor takes LCM requests."""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    'conductor',
    title='tacker-conductor RPC',
    help='The oslo.messaging topic between tacker-server and '
         'tacker-conductor.')

DEFAULT_TOPIC = 'tacker_conductor'

OPTS = [
    cfg.StrOpt('topic', default=DEFAULT_TOPIC,
               help='RPC topic tacker-server casts LCM requests on and '
                    'tacker-conductor listens on; both must use the same '
                    'value. Deployments that share a message broker (the '
                    'same RabbitMQ vhost) need distinct topics, or one '
                    'conductor takes and drops the requests of the '
                    'other. A distinct control_exchange does not separate '
                    'them. Do not use Tacker\'s own topics '
                    '(TACKER_CONDUCTOR, TACKER_CONDUCTOR_V2).'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
