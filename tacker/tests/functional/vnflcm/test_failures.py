"""Kubernetes failures end an operation FAILED_TEMP with a clear detail;
a lock that never frees ends it ROLLED_BACK."""

import socket
import threading
import time

from tacker.common import coordination
from tacker.db.instances import v1 as v1_instances
from tacker.db.instances import v2 as v2_instances
from tacker.tests import factories
from tacker.tests.functional.vnflcm import helpers
from tacker.versions import base
from tacker.vnflcm import begin
from tacker import versions
from tacker.vnflcm import runner


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _instantiate_v2(env, url, token=factories.TOKEN):
    inst = factories.v2_instance(state='NOT_INSTANTIATED',
                                 vnfd_id=env.vnfd_id)
    return inst, helpers.run('v2', inst, 'INSTANTIATE', {
        'flavourId': 'simple',
        'vimConnectionInfo': factories.v2_vim_connection(url, token)})


def test_unauthorized_is_failed_temp_without_the_token(env):
    inst, (state, occ) = _instantiate_v2(env, env.cluster.url,
                                         token='wrong-secret-token')
    assert state == 'FAILED_TEMP' and occ.state == 'FAILED_TEMP'
    assert occ.error['status'] == 502
    assert 'HTTP 401' in occ.error['detail']
    assert 'wrong-secret-token' not in str(occ.error)
    assert v2_instances.get_instance(inst).instantiation_state == \
        'NOT_INSTANTIATED'


def test_unreachable_vim_is_failed_temp(env):
    url = 'http://127.0.0.1:%d' % _free_port()
    inst, (state, occ) = _instantiate_v2(env, url)
    assert state == 'FAILED_TEMP'
    assert 'unreachable' in occ.error['detail']
    assert factories.TOKEN not in str(occ.error)


def test_pods_that_never_run_time_out(env, lcm_conf):
    lcm_conf.config(operation_timeout=1, group='vnf_lcm')
    env.cluster.fail_new_pods()
    inst, (state, occ) = _instantiate_v2(env, env.cluster.url)
    assert state == 'FAILED_TEMP'
    assert occ.error['status'] == 504
    assert 'did not reach the wanted state within 1 s' in \
        occ.error['detail']
    assert 'VDU1' in occ.error['detail']


def test_v1_failure_clears_task_state_and_blocks_nothing_but_the_sync(env):
    inst = factories.v1_instance(
        state='NOT_INSTANTIATED', package_id=env.package_id,
        vnfd_id=env.vnfd_id, metadata={})
    helpers.assert_completed(helpers.run('v1', inst, 'INSTANTIATE',
                                         {'flavourId': 'simple'}))
    env.cluster.inject_error(422, verb='patch')
    state, occ = helpers.run('v1', inst, 'SCALE', {
        'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect'})
    assert state == 'FAILED_TEMP'
    assert 'HTTP 422' in occ.error['detail']
    assert 'scale Deployment vdu1' in occ.error['detail']
    assert v1_instances.get_instance(inst).task_state is None
    # v1 does not block on FAILED_TEMP (Tacker's v1 neither)
    env.cluster.reset_faults()
    helpers.assert_completed(helpers.run('v1', inst, 'SCALE', {
        'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect'}))


def test_v2_failed_temp_blocks_the_next_operation(env):
    inst = _instantiate_v2(env, env.cluster.url)[0]
    env.cluster.inject_error(503, verb='delete')
    state, _ = helpers.run('v2', inst, 'TERMINATE', {})
    assert state == 'FAILED_TEMP'
    try:
        helpers.run('v2', inst, 'TERMINATE', {})
    except base.OperationInProgress as exc:
        assert exc.message == ('Other LCM operation of vnfInstance %s is '
                               'in progress.' % inst)
    else:
        raise AssertionError('FAILED_TEMP did not block')


def test_lock_that_stays_held_rolls_back(env):
    inst = factories.v1_instance(
        state='NOT_INSTANTIATED', package_id=env.package_id,
        vnfd_id=env.vnfd_id, metadata={})
    occ_id = begin.begin_operation(api_version='v1', instance_id=inst,
                                   operation='INSTANTIATE',
                                   params={'flavourId': 'simple'})
    assert v1_instances.get_instance(inst).task_state == 'INSTANTIATING'
    with coordination.instance_lock(inst):
        state = runner.run_operation('v1', occ_id, lock_wait_timeout=0.3)
    assert state == 'ROLLED_BACK'
    occ = versions.get('v1').op_occs.get(occ_id)
    assert occ.state == 'ROLLED_BACK'
    assert occ.error['status'] == 409
    assert 'stayed held' in occ.error['detail']
    assert v1_instances.get_instance(inst).task_state is None
    assert env.cluster.pods('default') == []


def test_runner_waits_for_a_lock_held_for_a_moment(env):
    inst = factories.v2_instance(state='NOT_INSTANTIATED',
                                 vnfd_id=env.vnfd_id)
    occ_id = begin.begin_operation(
        api_version='v2', instance_id=inst, operation='INSTANTIATE',
        params={'flavourId': 'simple'}, tenant_id=factories.TENANT)
    taken = threading.Event()
    released = threading.Event()

    def hold():
        with coordination.instance_lock(inst):
            taken.set()
            time.sleep(0.5)
        released.set()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(5)
    state = runner.run_operation('v2', occ_id, lock_wait_timeout=10)
    # It could only run once the holder let go of the lock.
    finished_after_release = released.is_set()
    holder.join()
    assert state == 'COMPLETED', versions.get('v2').op_occs.get(occ_id).error
    assert finished_after_release


def test_an_op_occ_not_starting_is_not_run_again(env):
    inst = factories.v2_instance(state='NOT_INSTANTIATED',
                                 vnfd_id=env.vnfd_id)
    occ_id = begin.begin_operation(
        api_version='v2', instance_id=inst, operation='INSTANTIATE',
        params={'flavourId': 'simple'}, tenant_id=factories.TENANT)
    assert runner.run_operation('v2', occ_id) == 'COMPLETED'
    requests = env.cluster.request_count
    assert runner.run_operation('v2', occ_id) == 'COMPLETED'
    assert env.cluster.request_count == requests
