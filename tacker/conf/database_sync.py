"""The [database_sync] group: the periodic TackerDB <-> Kubernetes pass."""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    'database_sync',
    title='TackerDB and Kubernetes synchronization',
    help='How tacker-conductor keeps the pods and scale levels stored in '
         'TackerDB true to what Kubernetes runs.')

OPTS = [
    cfg.IntOpt('interval', default=300, min=0,
               deprecated_name='db_synchronization_interval',
               deprecated_group='DEFAULT',
               help='Seconds between two synchronization passes of '
                    'tacker-conductor. 0 disables the periodic pass '
                    '(tacker-db-sync --once still works).'),
    cfg.IntOpt('initial_delay', default=60, min=0,
               help='Seconds after tacker-conductor starts before the '
                    'first synchronization pass.'),
    cfg.IntOpt('settle_timeout', default=600, min=0,
               help='Seconds a VDU whose workload is still rolling out '
                    '(pods Pending or Terminating, status behind spec) is '
                    'left alone. After that the pods seen running are '
                    'written anyway, with a WARNING. 0 writes at once.'),
    cfg.IntOpt('kubernetes_request_timeout', default=30, min=1,
               help='Seconds one Kubernetes API request may take (connect '
                    'and read) before the VIM counts as unreachable for '
                    'this pass.'),
    cfg.BoolOpt('watch', default=True,
                help='Keep a watch-fed cache of the pods, replicasets, '
                     'deployments, statefulsets and daemonsets of every '
                     'namespace that holds instances; synchronize a '
                     'namespace a few seconds after it changes instead of '
                     'waiting for the next periodic pass (which stays as '
                     'the safety net), and serve every pass from the '
                     'caches, with no Kubernetes request while they are '
                     'synced. Costs five long-lived watch connections per '
                     'VIM and namespace. false lists every namespace at '
                     'every periodic pass instead.'),
    cfg.IntOpt('resync_interval', default=600, min=0,
               help='Seconds after which a watch-fed cache (watch = true) '
                    'lists its namespace again, so that it is verified '
                    'against the cluster rather than trusted forever; a '
                    'change it had missed then reaches TackerDB. 0 never '
                    'lists again while the watch stays healthy.'),
    cfg.FloatOpt('watch_debounce', default=0.2, min=0.0,
                 help='Seconds the event-driven synchronization waits after '
                      'a pod event, so that a burst of events (a rollout, a '
                      'scale) is synchronized in one pass.'),
    cfg.IntOpt('max_concurrent_lists', default=4, min=1,
               help='How many LIST requests the synchronization sends to '
                    'one VIM at the same time: those of a pass, and '
                    'apart from them those of the watch-fed caches (their '
                    'first LIST and every relist). 1 lists one namespace '
                    'and kind after the other.'),
    cfg.IntOpt('max_concurrent_vims', default=4, min=1,
               help='How many VIMs (Kubernetes clusters) one pass observes '
                    'at the same time, so that a slow cluster does not '
                    'delay the others.'),
    cfg.IntOpt('stale_claim_age', default=120, min=0,
               help='Seconds after which a v1 instance left in task_state '
                    'DB_SYNCHRONIZING, with its instance lock free, counts '
                    'as left by a synchronization that died and is cleared '
                    '(by the recovery before each pass, or by the next '
                    'pass that synchronizes it). Tacker\'s own v1 '
                    'synchronization marks DB_SYNCHRONIZING without the '
                    'lock, so a younger mark may belong to a running Tacker '
                    'conductor. 0 clears the mark as soon as the lock is '
                    'free: only for a database no Tacker conductor '
                    'synchronizes.'),
    cfg.PortOpt('metrics_port', default=0,
                help='TCP port on which tacker-conductor and tacker-db-sync '
                     '--daemon serve the Prometheus metrics of the '
                     'synchronization at /metrics (0 to 65535). 0, the '
                     'default, serves none. A port that cannot be bound '
                     'stops start-up with an error naming this option.'),
    cfg.HostAddressOpt('metrics_bind_host', default='127.0.0.1',
                       help='Address (or host name) the metrics port '
                            '(metrics_port) listens on. The default, '
                            '127.0.0.1, answers only on the host itself, '
                            'since /metrics has no authentication; set the '
                            'address of the network the Prometheus server '
                            'scrapes from, or 0.0.0.0 (:: for IPv6) for '
                            'every address.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
