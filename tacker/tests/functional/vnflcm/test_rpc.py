"""The API -> conductor cast: over in-process messaging and RabbitMQ.

Casts go to ``[conductor] topic``.  Every test on RabbitMQ takes a topic
of its own: any listener on a topic of the broker's vhost may take a
cast (a private control_exchange does not separate them, since the
topic's queue is shared by name), so another conductor on this machine's
broker would otherwise take the test's request and drop it.
"""

import logging
import time
import uuid

import kombu
import oslo_messaging
import pytest

from tacker.common import exceptions
from tacker.common import rpc
from tacker.conductor import endpoints
from tacker.conductor import rpc_api
from tacker.conf import conductor as conductor_conf
from tacker.db.instances import v2 as v2_instances
from tacker.tests import db_backends
from tacker.tests import factories
from tacker.vnflcm import begin
from tacker.vnflcm import runner
from tacker.common import states
from tacker import versions

RABBIT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'
# The same broker and vhost ('/') in kombu's spelling.
KOMBU_URL = 'amqp://guest:guest@127.0.0.1:5672//'
SERVER_HOST = 'test-conductor'


@pytest.fixture
def fresh_transports():
    rpc.cleanup()
    yield
    rpc.cleanup()


@pytest.fixture
def rabbit_topic(lcm_conf, fresh_transports):
    """``[conductor] topic`` of this test alone; its queues go afterwards.

    oslo.messaging declares the topic queues to outlive their consumers,
    so they are deleted here, after the transports are closed.
    """
    db_backends.require_service('rabbitmq', '127.0.0.1', 5672)
    topic = 'tacker-conductor-test-%s' % uuid.uuid4().hex
    lcm_conf.config(topic=topic, group='conductor')
    yield topic
    rpc.cleanup()
    with kombu.Connection(KOMBU_URL, connect_timeout=5) as connection:
        channel = connection.channel()
        for queue in (topic, '%s.%s' % (topic, SERVER_HOST)):
            channel.queue_delete(queue)


def _wait_for(api_version, occ_id, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        occ = versions.get(api_version).op_occs.get(occ_id)
        if occ.state not in states.IN_PROGRESS:
            return occ
        time.sleep(0.05)
    raise AssertionError('op occ %s still %s' % (occ_id, occ.state))


def _cast_instantiate(env, url):
    # Client and server both take the topic from [conductor] topic.
    server = endpoints.rpc_server(host=SERVER_HOST, url=url)
    server.start()
    try:
        inst = factories.v2_instance(state='NOT_INSTANTIATED',
                                     vnfd_id=env.vnfd_id)
        occ_id = begin.begin_operation(
            api_version='v2', instance_id=inst, operation='INSTANTIATE',
            params={'flavourId': 'simple'}, tenant_id=factories.TENANT)
        rpc_api.ConductorAPI(url=url).start_lcm('v2', occ_id)
        occ = _wait_for('v2', occ_id)
    finally:
        server.stop()
        server.wait()
    assert occ.state == 'COMPLETED', occ.error
    assert v2_instances.get_instance(inst).instantiation_state == \
        'INSTANTIATED'


def test_cast_over_fake_transport(env, lcm_conf, fresh_transports):
    lcm_conf.config(transport_url='fake://')
    assert rpc.transport_url() == 'fake://'
    _cast_instantiate(env, None)


@pytest.mark.rabbitmq
def test_cast_over_rabbitmq(env, rabbit_topic):
    _cast_instantiate(env, RABBIT_URL)


def test_topic_option_separates_deployments(env, lcm_conf,
                                            fresh_transports):
    """Two deployments on one bus: each conductor gets its own casts."""
    lcm_conf.config(transport_url='fake://')
    lcm_conf.config(topic='deployment-a', group='conductor')
    foreign_calls = []
    foreign = endpoints.rpc_server(
        host='deployment-b', topic=conductor_conf.DEFAULT_TOPIC,
        endpoint=endpoints.ConductorEndpoint(
            max_workers=1, run=lambda *args: foreign_calls.append(args)))
    foreign.start()
    try:
        _cast_instantiate(env, None)
    finally:
        foreign.stop()
        foreign.wait()
    assert foreign_calls == []


def test_conductor_reports_an_op_occ_it_does_not_hold(sqlite_db, lcm_conf,
                                                      caplog):
    lcm_conf.config(topic='shared-topic', group='conductor')
    endpoint = endpoints.ConductorEndpoint(max_workers=1)
    try:
        with caplog.at_level(logging.ERROR, logger='tacker'):
            assert endpoint.submit('v2', 'occ-of-elsewhere').result(10) \
                is None
    finally:
        endpoint.shutdown()
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    message = record.getMessage()
    assert 'occ-of-elsewhere' in message
    assert 'another deployment' in message
    assert 'shared-topic' in message


def test_run_operation_raises_a_typed_error_for_a_missing_op_occ(
        sqlite_db, lcm_conf):
    with pytest.raises(runner.OpOccNotFound):
        runner.run_operation('v1', 'no-such-occ')


def test_transport_url_defaults_to_in_process(conf):
    assert conf.conf.transport_url == 'fake://'


def test_endpoint_rejects_an_unknown_api_version():
    endpoint = endpoints.ConductorEndpoint(max_workers=1,
                                           run=lambda *a: None)
    try:
        with pytest.raises(oslo_messaging.ExpectedException) as caught:
            endpoint.start_lcm({}, 'v9', 'x')
        invalid = caught.value.exc_info[1]
        assert isinstance(invalid, exceptions.Invalid)
        assert 'v9' in invalid.message
    finally:
        endpoint.shutdown()


def test_endpoint_runs_in_a_worker_and_survives_errors():
    calls = []

    def run(api_version, op_occ_id):
        calls.append((api_version, op_occ_id))
        raise RuntimeError('boom')

    endpoint = endpoints.ConductorEndpoint(max_workers=1, run=run)
    try:
        future = endpoint.start_lcm({}, 'v1', 'occ-1')
        assert future.result(5) is None
        assert calls == [('v1', 'occ-1')]
    finally:
        endpoint.shutdown()


@pytest.mark.rabbitmq
def test_retry_cast_over_rabbitmq(env, rabbit_topic):
    """resume_lcm (RPC 1.2) reaches the conductor and retries for real."""
    inst = factories.v2_instance(state='NOT_INSTANTIATED',
                                 vnfd_id=env.vnfd_id)
    env.cluster.inject_error(503, verb='post', path='statefulsets')
    occ_id = begin.begin_operation(
        api_version='v2', instance_id=inst, operation='INSTANTIATE',
        params={'flavourId': 'simple'}, tenant_id=factories.TENANT)
    assert runner.run_operation('v2', occ_id) == 'FAILED_TEMP'
    env.cluster.reset_faults()
    server = endpoints.rpc_server(host=SERVER_HOST, url=RABBIT_URL)
    server.start()
    try:
        rpc_api.ConductorAPI(url=RABBIT_URL).resume_lcm('v2', occ_id,
                                                        'retry')
        deadline = time.monotonic() + 30
        while versions.get('v2').op_occs.get(occ_id).state == 'FAILED_TEMP' \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        occ = _wait_for('v2', occ_id)
    finally:
        server.stop()
        server.wait()
    assert occ.state == 'COMPLETED', occ.error
    assert v2_instances.get_instance(inst).instantiation_state == \
        'INSTANTIATED'


def test_endpoint_rejects_an_unknown_resume_mode():
    endpoint = endpoints.ConductorEndpoint(max_workers=1,
                                           resume=lambda *a: None)
    try:
        with pytest.raises(oslo_messaging.ExpectedException) as caught:
            endpoint.resume_lcm({}, 'v2', 'x', 'undo')
        invalid = caught.value.exc_info[1]
        assert isinstance(invalid, exceptions.Invalid)
        assert 'undo' in invalid.message
        assert endpoint.resume_lcm({}, 'v2', 'x', 'rollback').result(5) \
            is None
    finally:
        endpoint.shutdown()
