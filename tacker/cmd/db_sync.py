"""tacker-db-sync: run one synchronization pass now, or keep running.

    tacker-db-sync --config-file tacker.conf [--once] [--dry-run]
                   [--instance ID ...] [--format table|json]
                   [--metrics-file PATH]
    tacker-db-sync --config-file tacker.conf --daemon
    tacker-db-sync --config-file tacker.conf --status [--instance ID ...]
                   [--format table|json] [--status-timeout SECONDS]

Exit status: 0 when every checked instance was synchronized or needed
nothing, 1 when any instance or VIM failed, 2 for a configuration error.
``--dry-run`` computes the same per-instance, per-VDU diff and writes
nothing (no lock, no task_state, no row).

``--daemon`` is the synchronization of tacker-conductor without its LCM
side, for running beside a Tacker that does the LCM: a pass every
``[database_sync] interval`` seconds (and on pod events with ``watch``),
in the conductors' synchronization group, with no RPC server and no
recovery of op occs, which belong to Tacker's conductor.  It stops on
SIGTERM or SIGINT, and serves /metrics with ``[database_sync]
metrics_port``.

``--status`` runs no pass: it asks a running tacker-conductor, over RPC
on ``[conductor] topic`` of ``[DEFAULT] transport_url``, what its
synchronization last did: per VIM the last pass, the last success, the
failures in a row and the last reason; with ``--instance``, per instance
when it was last checked and last changed, its outcome and reason.  Exit
status 1 when no conductor answers within ``--status-timeout`` seconds
(default 10), 2 with ``--daemon``, ``--dry-run`` or ``--metrics-file``.
A ``tacker-db-sync --daemon`` runs no RPC server and cannot answer.

``--metrics-file PATH`` writes the pass's Prometheus metrics to PATH
(through a temporary file and a rename, as node-exporter's textfile
collector wants it) after a one-off pass.
"""

import json
import os
import sys

from oslo_config import cfg

from oslo_service import service

from tacker.cmd import sync_status
from tacker.common import config
from tacker.common import exceptions
from tacker.common import long_lived
from tacker.conductor import service as conductor_service
from tacker.dbsync import engine as engine_mod
import tacker.conf

CONF = tacker.conf.CONF

CLI_OPTS = [
    cfg.BoolOpt('once', default=True,
                help='Run one pass and exit (the default; kept for '
                     'scripts that pass it).'),
    cfg.BoolOpt('daemon', default=False,
                help='Keep running: a pass every [database_sync] interval '
                     'seconds, without the LCM side of tacker-conductor '
                     '(no RPC server, no recovery of op occs). For running '
                     'beside a Tacker conductor.'),
    cfg.BoolOpt('dry-run', default=False,
                help='Show what would change; write nothing.'),
    cfg.MultiStrOpt('instance', default=[],
                    help='Only this instance id (repeatable).'),
    cfg.StrOpt('format', default='table', choices=['table', 'json'],
               help='Output format.'),
    cfg.StrOpt('metrics-file',
               help='After the pass, write its Prometheus metrics to this '
                    'file (text format; name it *.prom for node-exporter\'s '
                    'textfile collector). Not with --daemon, which serves '
                    '[database_sync] metrics_port instead.'),
    cfg.BoolOpt('status', default=False,
                help='Run no pass: ask a running tacker-conductor (RPC on '
                     '[conductor] topic) what its synchronization last did, '
                     'per VIM and, with --instance, per instance.'),
    cfg.FloatOpt('status-timeout', default=10.0, min=0.1,
                 help='Seconds --status waits for a conductor to answer.'),
]


def _vdu_rows(item):
    levels = {c['aspect_id']: c for c in item.get('level_changes', [])}
    for change in item.get('vdu_changes', []):
        pods = ['%s -> %s' % (r['old_pod_name'], r['new_pod_name'])
                for r in change['renamed']]
        pods += ['+ %s' % name for name in change['added']]
        pods += ['- %s' % r['pod_name'] for r in change['removed']]
        level = levels.get(change.get('aspect_id'))
        level_text = ''
        if level:
            level_text = '%s: %s -> %s' % (
                level['aspect_id'],
                '(none)' if level['old_level'] is None
                else level['old_level'], level['new_level'])
        yield change['vdu_id'], ', '.join(pods) or '-', level_text or '-'


def render_table(result):
    lines = []
    header = ('INSTANCE', 'API', 'STATUS', 'VDU', 'PODS', 'SCALE LEVEL',
              'REASON')
    rows = []
    for item in result.to_dict()['outcomes']:
        vdus = list(_vdu_rows(item)) or [('-', '-', '-')]
        for index, (vdu, pods, level) in enumerate(vdus):
            first = index == 0
            rows.append((item['instance_id'] if first else '',
                         item['api_version'] if first else '',
                         item['status'] if first else '', vdu, pods, level,
                         (item['reason'] or '') if first else ''))
    widths = [max(len(str(r[i])) for r in rows + [header])
              for i in range(len(header))]
    for row in [header] + rows:
        lines.append('  '.join(str(c).ljust(w)
                               for c, w in zip(row, widths)).rstrip())
    for failure in result.vim_failures:
        lines.append('VIM %s (%s) unreachable: %s' % (
            failure.vim_id, failure.endpoint, failure.reason))
    lines.append(result.summary())
    return '\n'.join(lines)


def _daemon():
    if CONF.dry_run or CONF.instance:
        raise exceptions.ConfigError(reason=(
            '--daemon synchronizes every instance and writes; it takes '
            'neither --dry-run nor --instance'))
    if CONF.metrics_file:
        raise exceptions.ConfigError(reason=(
            '--daemon serves its metrics at [database_sync] metrics_port; '
            'it takes no --metrics-file'))
    if CONF.database_sync.interval <= 0:
        raise exceptions.ConfigError(reason=(
            '--daemon needs [database_sync] interval > 0 (it is %d)'
            % CONF.database_sync.interval))
    sync_only = conductor_service.ConductorService(lcm=False)
    sync_only.check_metrics_address()
    service.launch(CONF, sync_only, restart_method='mutate').wait()
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    for opt in CLI_OPTS:
        if opt.dest not in CONF:
            CONF.register_cli_opt(opt)
    config.parse_args(argv, prog='tacker-db-sync', logs_to_stderr=True)
    if CONF.status:
        return sync_status.main(CONF)
    if CONF.daemon:
        try:
            return _daemon()
        except exceptions.ConfigError as exc:
            sys.stderr.write('tacker-db-sync: %s\n' % exc.message)
            return 2
    metrics_dir = os.path.dirname(os.path.abspath(CONF.metrics_file or '.'))
    if CONF.metrics_file and not os.access(metrics_dir, os.W_OK | os.X_OK):
        sys.stderr.write('tacker-db-sync: --metrics-file %s: cannot write '
                         'in %s\n' % (CONF.metrics_file, metrics_dir))
        return 2
    engine = engine_mod.SyncEngine()
    engine.status.default_kind = 'once'
    long_lived.freeze()
    try:
        result = engine.run_pass(dry_run=CONF.dry_run,
                                 instance_ids=CONF.instance or None)
    finally:
        engine.close()
    engine.metrics.pass_done(result, kind='once', full=not CONF.instance)
    if CONF.metrics_file:
        try:
            engine.metrics.write_textfile(CONF.metrics_file)
        except OSError as exc:
            sys.stderr.write('tacker-db-sync: --metrics-file %s: %s\n'
                             % (CONF.metrics_file, exc.strerror or exc))
            return 2
    if CONF.format == 'json':
        print(json.dumps(result.to_dict(), indent=2, sort_keys=True))
    else:
        print(render_table(result))
    return 1 if result.failed else 0


if __name__ == '__main__':
    sys.exit(main())
