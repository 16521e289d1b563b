"""run_operation without a cluster: lock waits, failures, op occ states,
and the start-up recovery of v1 task states."""

import pytest

from tacker.common import coordination
from tacker.common import exceptions
from tacker.conductor import recovery
from tacker.db.instances import v1 as v1_instances
from tacker.tests import factories
from tacker import versions
from tacker.vnflcm import runner


@pytest.fixture
def v1_instance(lcm_conf, sqlite_db):
    package = factories.onboarded_package()
    return factories.v1_instance(
        state='NOT_INSTANTIATED', task_state='INSTANTIATING',
        package_id=package.id, vnfd_id=package.vnfd.vnfd_id, metadata={})


def _starting(instance_id, operation='INSTANTIATE', params=None):
    return factories.v1_op_occ(instance_id, 'STARTING',
                               operation=operation)


def test_no_vim_fails_temp_and_releases_task_state(v1_instance):
    occ_id = _starting(v1_instance)
    assert runner.run_operation('v1', occ_id) == 'FAILED_TEMP'
    occ = versions.get('v1').op_occs.get(occ_id)
    assert occ.state == 'FAILED_TEMP'
    assert occ.error['status'] == 400
    assert occ.error['title'] == 'Bad Request'
    assert occ.error['detail']
    assert v1_instances.get_instance(v1_instance).task_state is None


def test_lock_wait_timeout_rolls_back(v1_instance):
    occ_id = _starting(v1_instance)
    with coordination.instance_lock(v1_instance):
        assert runner.run_operation('v1', occ_id, lock_wait_timeout=0) == \
            'ROLLED_BACK'
    assert v1_instances.get_instance(v1_instance).task_state is None


def test_op_occ_in_another_state_is_left_alone(v1_instance):
    occ_id = factories.v1_op_occ(v1_instance, 'COMPLETED')
    assert runner.run_operation('v1', occ_id) == 'COMPLETED'
    # not ours to release
    assert v1_instances.get_instance(v1_instance).task_state == \
        'INSTANTIATING'


def test_unknown_op_occ_is_not_found(lcm_conf, sqlite_db):
    with pytest.raises(exceptions.NotFound):
        runner.run_operation('v2', 'no-such-occ')


def test_unexpected_errors_hide_their_text():
    problem = runner.problem_of(RuntimeError('token=abc'), 'SCALE')
    assert problem['status'] == 500
    assert 'abc' not in problem['detail']
    assert 'RuntimeError' in problem['detail']


def test_transition_is_compare_and_swap(v1_instance):
    occ_id = _starting(v1_instance)
    occs = versions.get('v1').op_occs
    assert occs.transition(occ_id, from_states=['STARTING'],
                           to_state='PROCESSING')
    assert not occs.transition(occ_id, from_states=['STARTING'],
                               to_state='PROCESSING')
    assert occs.get(occ_id).state == 'PROCESSING'


def test_recovery_clears_the_task_state_of_crashed_operations(
        lcm_conf, sqlite_db):
    package = factories.onboarded_package()
    crashed = factories.v1_instance(
        state='NOT_INSTANTIATED', task_state='SCALING',
        package_id=package.id, vnfd_id=package.vnfd.vnfd_id, metadata={})
    factories.v1_op_occ(crashed, 'PROCESSING')
    finished = factories.v1_instance(
        state='NOT_INSTANTIATED', task_state='HEALING',
        package_id=package.id, vnfd_id=package.vnfd.vnfd_id, metadata={})
    factories.v1_op_occ(finished, 'COMPLETED')
    report = recovery.recover()
    assert report['v1 op occs'] == 1
    assert v1_instances.get_instance(crashed).task_state is None
    # No recovered op occ: whoever set it still owns it.
    assert v1_instances.get_instance(finished).task_state == 'HEALING'
