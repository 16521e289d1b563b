"""The [vnf_lcm] group: how tacker-conductor runs LCM operations."""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    'vnf_lcm',
    title='VNF lifecycle management operations',
    help='How tacker-conductor runs instantiate, scale, heal and '
         'terminate on Kubernetes.')

OPTS = [
    cfg.IntOpt('operation_timeout', default=300, min=1,
               help='Seconds an operation waits for Kubernetes to reach '
                    'the wanted state (pods Running, objects gone) before '
                    'the operation fails with FAILED_TEMP.'),
    cfg.IntOpt('lock_wait_timeout', default=60, min=0,
               help='Seconds tacker-conductor waits for the instance '
                    'lock (the synchronization may hold it for a moment) '
                    'before it gives the operation up as ROLLED_BACK. 0 '
                    'tries once.'),
    cfg.FloatOpt('poll_interval', default=1.0, min=0.01,
                 help='Seconds between two looks at the cluster while an '
                      'operation waits for its pods.'),
    cfg.IntOpt('kubernetes_request_timeout', default=30, min=1,
               help='Seconds one Kubernetes API request of an operation '
                    'may take (connect and read).'),
    cfg.IntOpt('max_concurrent_operations', default=8, min=1,
               help='How many LCM operations one tacker-conductor runs at '
                    'the same time; more wait in a queue.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
