"""``tacker-db-sync --status``: ask a running conductor, print its answer.

The question goes over RPC (``ConductorAPI.sync_status``, a call) on
``[conductor] topic`` of ``[DEFAULT] transport_url``; whichever
conductor of the topic takes it answers about its own passes.  Nothing
here reads TackerDB or Kubernetes.  Errors are one line on stderr: the
transport is named by its scheme, hosts and vhost only, never its user
or password.
"""

import json
import socket
import sys

import oslo_messaging

from tacker.common import rpc
from tacker.conductor import rpc_api

# Options of tacker-db-sync that make no sense with --status.
_EXCLUSIVE = (('daemon', '--daemon'), ('dry_run', '--dry-run'),
              ('metrics_file', '--metrics-file'))


def transport_text(conf):
    """The transport URL as shown to people: no user, no password."""
    url = rpc.transport_url(conf)
    try:
        parsed = oslo_messaging.TransportURL.parse(conf, url)
    except Exception:  # noqa: an unparsable URL is named by its scheme
        return url.split(':', 1)[0] + '://'
    hosts = ','.join(
        '%s:%s' % (h.hostname, h.port) if h.port else '%s' % h.hostname
        for h in parsed.hosts if h.hostname)
    return '%s://%s/%s' % (parsed.transport, hosts,
                           parsed.virtual_host or '')


def unreachable_broker(conf, timeout):
    """The text of a broker no host of which answers, else None.

    oslo.messaging would retry the connection of its reply queue
    forever; a broker that is down must end --status at once instead.
    """
    try:
        parsed = oslo_messaging.TransportURL.parse(
            conf, rpc.transport_url(conf))
    except Exception:  # noqa: the call reports an unparsable URL itself
        return None
    hosts = [(h.hostname, h.port or 5672) for h in parsed.hosts
             if h.hostname]
    for host in hosts:
        try:
            socket.create_connection(host, timeout=timeout).close()
            return None
        except OSError as exc:
            error = exc.strerror or type(exc).__name__
    return error if hosts else None


def _fail(message, code):
    sys.stderr.write('tacker-db-sync: %s\n' % message)
    return code


def main(conf):
    given = [flag for dest, flag in _EXCLUSIVE if conf[dest]]
    if given:
        return _fail('--status asks a running conductor and runs no pass; '
                     'it takes no %s' % ', '.join(given), 2)
    url = rpc.transport_url(conf)
    if url.startswith('fake:'):
        return _fail('--status needs the message broker of the conductor: '
                     '[DEFAULT] transport_url is fake:// (in-process '
                     'messaging), where no other process listens', 2)
    topic = conf.conductor.topic
    timeout = conf.status_timeout
    down = unreachable_broker(conf, min(timeout, 5.0))
    if down is not None:
        return _fail('cannot reach the message broker at %s (%s), so no '
                     'conductor on RPC topic %s can be asked'
                     % (transport_text(conf), down, topic), 1)
    try:
        answer = rpc_api.ConductorAPI(topic=topic).sync_status(
            conf.instance or None, timeout=timeout)
    except oslo_messaging.MessagingTimeout:
        return _fail('no tacker-conductor answered on RPC topic %s at %s '
                     'within %gs (tacker-db-sync --daemon runs no RPC '
                     'server and cannot answer)'
                     % (topic, transport_text(conf), timeout), 1)
    except oslo_messaging.MessagingException as exc:
        return _fail('cannot ask a conductor on RPC topic %s at %s: %s'
                     % (topic, transport_text(conf), type(exc).__name__),
                     1)
    finally:
        rpc.cleanup()
    if conf.format == 'json':
        print(json.dumps(answer, indent=2, sort_keys=True))
    else:
        print(render_table(answer, topic))
    return 0


def _table(header, rows):
    widths = [max(len(str(r[i])) for r in rows + [header])
              for i in range(len(header))]
    return ['  '.join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()
            for row in [header] + rows]


def _pass_line(title, summary):
    if summary is None:
        return '%s: none yet' % title
    counts = summary['counts']
    text = ('%s: %s%s pass at %s, %.2fs: %d instances, %d changed, %d '
            'failed, %d VIMs failed' % (
                title, summary['kind'], ' (dry run)' if summary['dry_run']
                else '', summary['at'], summary['duration_seconds'],
                summary['instances'], counts.get('changed', 0),
                counts.get('failed', 0), summary['vims_failed']))
    if summary.get('reason'):
        text += ' (%s)' % summary['reason']
    return text


def render_table(answer, topic):
    lines = ['Conductor %s (RPC topic %s), at %s' % (
        answer.get('host') or '?', topic, answer['generated_at'])]
    lines.append(_pass_line('Last pass', answer['last_pass']))
    lines.append(_pass_line('Last full pass', answer['last_full_pass']))
    rows = [(v['vim_id'], v['endpoint'], v['last_pass'] or '-',
             v['last_success'] or '-', v['consecutive_failures'],
             v['last_failure_reason'] or '-') for v in answer['vims']]
    lines.append('')
    if rows:
        lines.extend(_table(('VIM', 'ENDPOINT', 'LAST PASS', 'LAST SUCCESS',
                             'FAILURES', 'LAST FAILURE REASON'), rows))
    else:
        lines.append('No VIM seen yet.')
    if 'instances' in answer:
        rows = [(i['instance_id'], i['api_version'], i.get('vim_id') or '-',
                 i['last_checked'], i['last_changed'] or '-', i['outcome'],
                 i['reason'] or '-') for i in answer['instances']]
        lines.append('')
        if rows:
            lines.extend(_table(('INSTANCE', 'API', 'VIM', 'LAST CHECKED',
                                 'LAST CHANGED', 'OUTCOME', 'REASON'),
                                rows))
        for missing in answer['unknown_instances']:
            lines.append('Instance %s: not checked by this conductor since '
                         'its last full pass.' % missing)
    return '\n'.join(lines)
