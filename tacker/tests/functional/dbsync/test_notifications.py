"""The synchronization announces what it wrote, over a real RabbitMQ.

A real notification listener (oslo.messaging, threading executor) on a
topic of this test's own consumes what the pass sends.
"""

import queue
import uuid

import oslo_messaging
import pytest

from tacker.common import notifications
from tacker.dbsync import engine as engine_mod
from tacker.tests import db_backends
import tacker.conf

RABBIT = 'rabbit://guest:guest@127.0.0.1:5672/'


class _Inbox:
    def __init__(self):
        self.received = queue.Queue()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.received.put((publisher_id, event_type, payload))


@pytest.fixture
def inbox(sync_conf):
    db_backends.require_service('rabbitmq', '127.0.0.1', 5672)
    topic = 'tacker-test-notifications-%s' % uuid.uuid4().hex[:8]
    sync_conf.config(driver=['messagingv2'], topics=[topic],
                     transport_url=RABBIT,
                     group='oslo_messaging_notifications')
    notifications.reset()
    transport = oslo_messaging.get_notification_transport(
        tacker.conf.CONF, url=RABBIT)
    box = _Inbox()
    listener = oslo_messaging.get_notification_listener(
        transport, [oslo_messaging.Target(topic=topic)], [box],
        executor='threading')
    listener.start()
    yield box
    listener.stop()
    listener.wait()
    transport.cleanup()
    notifications.reset()


def _next(box, timeout=20):
    return box.received.get(timeout=timeout)


@pytest.mark.parametrize('api', ['v1', 'v2'])
def test_each_written_change_is_announced_once(sqlite_world, inbox, api):
    inst = sqlite_world.deploy(api, vdus=['VDU1'])
    old_pods = sorted(inst.stored()[0]['VDU1'])
    sim = sqlite_world.sim
    sim.scale('Deployment', inst.namespace, inst.names['VDU1'], 2)
    sim.wait_settled()
    engine = engine_mod.SyncEngine()
    try:
        engine.run_pass()
        publisher, event_type, payload = _next(inbox)
        engine.run_pass()  # no drift now: nothing more to announce
    finally:
        engine.close()
    assert event_type == 'vnf_instance.db_sync.update'
    assert publisher.startswith('tacker-conductor.')
    assert payload['tacker_object.name'] == 'VnfInstanceDbSyncPayload'
    assert payload['tacker_object.version'] == '1.0'
    data = payload['tacker_object.data']
    assert data['vnf_instance_id'] == inst.id
    assert data['api_version'] == api
    assert data['observed_at'].endswith('Z')
    (vdu,) = data['vdus']
    running = sorted(p['metadata']['name'] for p in sim.pods(
        inst.namespace, running=True))
    assert vdu['vdu_id'] == 'VDU1' and vdu['new_pods'] == running
    assert vdu['old_pods'] == old_pods and len(old_pods) == 1
    assert old_pods[0] in running
    assert (vdu['aspect_id'], vdu['old_scale_level'],
            vdu['new_scale_level']) == ('vdu1_aspect', 0, 1)
    assert inbox.received.empty()


def test_nothing_is_sent_by_default(sqlite_world, inbox, sync_conf):
    sync_conf.config(driver=[], group='oslo_messaging_notifications')
    notifications.reset()
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    sqlite_world.sim.scale('Deployment', inst.namespace, inst.names['VDU1'],
                           2)
    sqlite_world.sim.wait_settled()
    engine = engine_mod.SyncEngine()
    try:
        result = engine.run_pass()
    finally:
        engine.close()
    assert [o.status for o in result.outcomes] == ['changed']
    with pytest.raises(queue.Empty):
        _next(inbox, timeout=3)
