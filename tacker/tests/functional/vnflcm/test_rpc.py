"""The API -> conductor cast: over in-process messaging and RabbitMQ."""

import time
import uuid

import oslo_messaging
import pytest

from tacker.common import exceptions
from tacker.common import rpc
from tacker.conductor import endpoints
from tacker.conductor import rpc_api
from tacker.db.instances import v2 as v2_instances
from tacker.tests import db_backends
from tacker.tests import factories
from tacker.vnflcm import begin
from tacker.common import states
from tacker import versions

RABBIT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'


@pytest.fixture
def fresh_transports():
    rpc.cleanup()
    yield
    rpc.cleanup()


def _wait_for(api_version, occ_id, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        occ = versions.get(api_version).op_occs.get(occ_id)
        if occ.state not in states.IN_PROGRESS:
            return occ
        time.sleep(0.05)
    raise AssertionError('op occ %s still %s' % (occ_id, occ.state))


def _cast_instantiate(env, url):
    server = endpoints.rpc_server(host='test-conductor', url=url)
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
def test_cast_over_rabbitmq(env, lcm_conf, fresh_transports):
    db_backends.require_service('rabbitmq', '127.0.0.1', 5672)
    # A private exchange: other test runs on this broker must not take
    # our cast.
    lcm_conf.config(control_exchange='tacker-test-%s' % uuid.uuid4().hex)
    _cast_instantiate(env, RABBIT_URL)


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
