"""Versioned notifications of what the synchronization wrote.

Every change the synchronization writes to an instance's record is
announced once, through ``oslo_messaging.Notifier`` configured as in any
OpenStack service: ``[oslo_messaging_notifications] driver`` (none by
default, which sends nothing), ``topics`` (``notifications``) and
``transport_url`` (the RPC one when unset).  The event type is
``vnf_instance.db_sync.update``; the payload is versioned the way
OpenStack's versioned notifications are: an envelope naming the payload,
its version and its namespace around the data.

Sending never fails a synchronization: an error is logged and the write
stands.
"""

import socket
import threading

from oslo_log import log as logging
import oslo_messaging
from oslo_messaging import opts as messaging_opts
from oslo_utils import timeutils

from tacker.common import rpc
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

EVENT_TYPE = 'vnf_instance.db_sync.update'
PAYLOAD_NAME = 'VnfInstanceDbSyncPayload'
PAYLOAD_VERSION = '1.0'

_STATE = {'notifier': None}
_GUARD = threading.Lock()

# oslo.messaging registers these when it builds a notifier; reading
# ``driver`` must work before that (equal options may be registered twice).
for _group, _opts in messaging_opts.list_opts():
    if _group == 'oslo_messaging_notifications':
        CONF.register_opts(_opts, group=_group)


def _notifier():
    with _GUARD:
        if _STATE['notifier'] is None:
            transport = oslo_messaging.get_notification_transport(
                CONF, url=CONF.oslo_messaging_notifications.transport_url
                or rpc.transport_url())
            _STATE['notifier'] = oslo_messaging.Notifier(
                transport, publisher_id='tacker-conductor.%s'
                % socket.gethostname())
        return _STATE['notifier']


def reset():
    """Forget the notifier (its options changed; tests)."""
    with _GUARD:
        _STATE['notifier'] = None


def enabled():
    return bool(CONF.oslo_messaging_notifications.driver)


def _vdu(change, stored_pods, level):
    old = list(stored_pods)
    gone = {v.pod_name for v in change.removed} | {
        r.old_pod_name for r in change.renamed}
    new = [p for p in old if p not in gone]
    new += [r.pod.name for r in change.renamed]
    new += [p.name for p in change.added]
    return {
        'vdu_id': change.vdu_id,
        'kind': change.kind,
        'old_pods': sorted(old),
        'new_pods': sorted(new),
        'aspect_id': change.aspect_id,
        'old_scale_level': level.old_level if level else None,
        'new_scale_level': level.new_level if level else None,
    }


def payload(stored, plan, observed_at):
    """The versioned payload of one written plan."""
    vdus = []
    for change in plan.vdu_changes:
        pods = [v.pod_name for v in stored.vnfcs if v.vdu_id == change.vdu_id]
        vdus.append(_vdu(change, pods, plan.level_change_for(
            change.aspect_id)))
    written = {c.aspect_id for c in plan.vdu_changes}
    levels = [{'aspect_id': c.aspect_id, 'old_scale_level': c.old_level,
               'new_scale_level': c.new_level}
              for c in plan.level_changes if c.aspect_id not in written]
    return {
        'tacker_object.name': PAYLOAD_NAME,
        'tacker_object.namespace': 'tacker',
        'tacker_object.version': PAYLOAD_VERSION,
        'tacker_object.data': {
            'vnf_instance_id': stored.instance_id,
            'api_version': stored.api_version,
            'observed_at': observed_at.isoformat() + 'Z',
            'vdus': vdus,
            # Aspects whose level changed with no VDU change of theirs.
            'scale_levels': levels,
        },
    }


def db_sync_update(stored, plan, observed_at=None):
    """Announce one written plan; never raises."""
    if not enabled():
        return
    try:
        _notifier().info({}, EVENT_TYPE, payload(
            stored, plan, observed_at or timeutils.utcnow()))
    except Exception as exc:  # noqa: a notification never fails a write
        LOG.warning('The %(event)s notification of vnf %(id)s could not be '
                    'sent: %(err)s', {'event': EVENT_TYPE,
                                      'id': stored.instance_id,
                                      'err': type(exc).__name__})
