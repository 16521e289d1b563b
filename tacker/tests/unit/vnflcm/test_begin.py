"""begin_operation on SQLite, MariaDB and PostgreSQL: conflicts and checks.
"""

import pytest

from tacker.common import coordination
from tacker.common import exceptions
from tacker.db.instances import v1 as v1_instances
from tacker.db.instances import v2 as v2_instances
from tacker.tests import factories
from tacker.versions import base
from tacker.vnflcm import begin
from tacker import versions

V2_INFO = {
    'flavourId': 'simple', 'vnfState': 'STARTED',
    'scaleStatus': [{'aspectId': 'vdu1_aspect', 'scaleLevel': 1},
                    {'aspectId': 'vdu2_aspect', 'scaleLevel': 0},
                    {'aspectId': 'vdu5_aspect', 'scaleLevel': 2}],
    'vnfcResourceInfo': [
        {'id': 'vdu1-aaa', 'vduId': 'VDU1',
         'computeResource': {'resourceId': 'vdu1-aaa',
                             'vimLevelResourceType': 'Deployment'}}],
    'vnfcInfo': [{'id': 'VDU1-vdu1-aaa', 'vduId': 'VDU1',
                  'vnfcResourceInfoId': 'vdu1-aaa', 'vnfcState': 'STARTED'}],
    'metadata': {'namespace': 'default'},
}
V1_INFO = {
    'scale_status': [{'aspect_id': 'vdu1_aspect', 'scale_level': 1},
                     {'aspect_id': 'vdu5_aspect', 'scale_level': 2}],
    'vnfc_resource_info': [
        {'id': 'e1', 'vdu_id': 'VDU1',
         'compute_resource': {'resource_id': 'vdu1-aaa',
                              'vim_level_resource_type': 'Deployment'}}],
    'additional_params': {'namespace': 'default'},
}


@pytest.fixture
def sample(lcm_conf, db):
    return factories.onboarded_package()


def _instance(api_version, sample, *, instantiated=True, task_state=None):
    state = 'INSTANTIATED' if instantiated else 'NOT_INSTANTIATED'
    if api_version == 'v1':
        return factories.v1_instance(
            state=state, task_state=task_state, package_id=sample.id,
            vnfd_id=sample.vnfd.vnfd_id, metadata={},
            info=V1_INFO if instantiated else None)
    return factories.v2_instance(state=state, vnfd_id=sample.vnfd.vnfd_id,
                                 info=V2_INFO if instantiated else None)


def _begin(api_version, instance_id, operation='SCALE', params=None):
    if params is None:
        params = {'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect'}
    return begin.begin_operation(api_version=api_version,
                                 instance_id=instance_id,
                                 operation=operation, params=params,
                                 tenant_id=factories.TENANT)


def _task_state(instance_id):
    return v1_instances.get_instance(instance_id).task_state


# --- the lock


def test_v2_lock_held_is_other_operation_in_progress(sample):
    inst = _instance('v2', sample)
    with coordination.instance_lock(inst):
        with pytest.raises(base.OperationInProgress) as caught:
            _begin('v2', inst)
    assert caught.value.code == 409
    assert caught.value.message == (
        'Other LCM operation of vnfInstance %s is in progress.' % inst)


def test_v1_lock_held_by_the_sync_names_db_synchronizing(sample):
    inst = _instance('v1', sample)
    with coordination.instance_lock(inst):
        with pytest.raises(base.TaskStateConflict) as caught:
            _begin('v1', inst, 'HEAL', {})
    assert caught.value.code == 409
    assert caught.value.message == (
        'Vnf instance %s in task_state DB_SYNCHRONIZING. Cannot heal while '
        'the vnf instance is in this state.' % inst)
    assert _task_state(inst) is None


def test_v1_lock_held_by_an_operation_names_its_task_state(sample):
    inst = _instance('v1', sample, task_state='SCALING')
    factories.op_occ('v1', inst, 'PROCESSING')
    with coordination.instance_lock(inst):
        with pytest.raises(base.TaskStateConflict) as caught:
            _begin('v1', inst, 'TERMINATE', {})
    assert caught.value.message == (
        'Vnf instance %s in task_state SCALING. Cannot terminate while the '
        'vnf instance is in this state.' % inst)


def test_lock_is_released_after_begin(sample):
    inst = _instance('v2', sample)
    _begin('v2', inst)
    assert not coordination.is_locked(inst)


# --- op occs in progress


@pytest.mark.parametrize('state', ['STARTING', 'PROCESSING',
                                   'ROLLING_BACK', 'FAILED_TEMP'])
def test_v2_unfinished_op_occ_conflicts(sample, state):
    inst = _instance('v2', sample)
    factories.op_occ('v2', inst, state)
    with pytest.raises(base.OperationInProgress) as caught:
        _begin('v2', inst)
    assert caught.value.message == (
        'Other LCM operation of vnfInstance %s is in progress.' % inst)


def test_v2_finished_op_occs_do_not_conflict(sample):
    inst = _instance('v2', sample)
    for state in ('COMPLETED', 'FAILED', 'ROLLED_BACK'):
        factories.op_occ('v2', inst, state)
    assert _begin('v2', inst)


def test_v1_op_occ_in_progress_conflicts(sample):
    inst = _instance('v1', sample)
    factories.op_occ('v1', inst, 'PROCESSING', operation='HEAL')
    with pytest.raises(base.TaskStateConflict) as caught:
        _begin('v1', inst)
    assert caught.value.message == (
        'Vnf instance %s in task_state HEALING. Cannot scale while the vnf '
        'instance is in this state.' % inst)


# --- instantiation state and task_state


@pytest.mark.parametrize('api_version', ['v1', 'v2'])
def test_instantiate_needs_not_instantiated(sample, api_version):
    inst = _instance(api_version, sample)
    with pytest.raises(base.InstantiationStateConflict) as caught:
        _begin(api_version, inst, 'INSTANTIATE', {'flavourId': 'simple'})
    assert caught.value.code == 409
    assert caught.value.message == (
        'Vnf instance %s in instantiation_state INSTANTIATED. Cannot '
        'instantiate while the vnf instance is in this state.' % inst)


@pytest.mark.parametrize('api_version', ['v1', 'v2'])
@pytest.mark.parametrize('operation', ['SCALE', 'HEAL', 'TERMINATE'])
def test_others_need_instantiated(sample, api_version, operation):
    inst = _instance(api_version, sample, instantiated=False)
    with pytest.raises(base.InstantiationStateConflict) as caught:
        _begin(api_version, inst, operation, {})
    assert 'instantiation_state NOT_INSTANTIATED' in caught.value.message
    assert 'Cannot %s' % operation.lower() in caught.value.message


def test_v1_db_synchronizing_task_state_conflicts(sample):
    inst = _instance('v1', sample, task_state='DB_SYNCHRONIZING')
    with pytest.raises(base.TaskStateConflict) as caught:
        _begin('v1', inst)
    assert caught.value.message == (
        'Vnf instance %s in task_state DB_SYNCHRONIZING. Cannot scale while '
        'the vnf instance is in this state.' % inst)
    assert _task_state(inst) == 'DB_SYNCHRONIZING'


def test_v1_claims_task_state_and_a_second_request_conflicts(sample):
    inst = _instance('v1', sample)
    _begin('v1', inst)
    assert _task_state(inst) == 'SCALING'
    with pytest.raises(base.TaskStateConflict) as caught:
        _begin('v1', inst, 'HEAL', {})
    assert 'task_state SCALING. Cannot heal' in caught.value.message


def test_unknown_instance_is_not_found(sample):
    for api_version in ('v1', 'v2'):
        with pytest.raises(exceptions.NotFound) as caught:
            _begin(api_version, 'no-such-instance')
        assert caught.value.code == 404


# --- request checks


@pytest.mark.parametrize('api_version', ['v1', 'v2'])
@pytest.mark.parametrize('params, field', [
    ({'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect', 'numberOfSteps': 2},
     'numberOfSteps'),
    ({'type': 'SCALE_IN', 'aspectId': 'vdu1_aspect', 'numberOfSteps': 2},
     'numberOfSteps'),
    ({'type': 'SCALE_OUT', 'aspectId': 'vdu5_aspect'}, 'numberOfSteps'),
    ({'type': 'SCALE_OUT', 'aspectId': 'nope'}, 'aspectId'),
    ({'type': 'SCALE_UP', 'aspectId': 'vdu1_aspect'}, 'type'),
    ({'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect', 'numberOfSteps': 0},
     'numberOfSteps'),
])
def test_scale_outside_the_levels_is_invalid(sample, api_version, params,
                                             field):
    inst = _instance(api_version, sample)
    with pytest.raises(exceptions.Invalid) as caught:
        _begin(api_version, inst, 'SCALE', params)
    assert caught.value.code == 400
    assert field in caught.value.message
    if api_version == 'v1':
        assert _task_state(inst) is None


@pytest.mark.parametrize('api_version', ['v1', 'v2'])
def test_scale_starts_from_the_stored_level(sample, api_version):
    # Stored level 1 of 2: one step out fits, two do not (tested above).
    inst = _instance(api_version, sample)
    assert _begin(api_version, inst, 'SCALE',
                  {'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect'})


@pytest.mark.parametrize('api_version, ids', [
    ('v1', ['e1', 'nope']), ('v2', ['VDU1-vdu1-aaa', 'vdu1-aaa'])])
def test_heal_of_unknown_vnfc_is_invalid(sample, api_version, ids):
    inst = _instance(api_version, sample)
    with pytest.raises(exceptions.Invalid) as caught:
        _begin(api_version, inst, 'HEAL', {'vnfcInstanceId': ids})
    assert 'vnfcInstanceId' in caught.value.message
    assert ids[1] in caught.value.message


@pytest.mark.parametrize('api_version', ['v1', 'v2'])
def test_instantiate_checks_flavour_and_level(sample, api_version):
    inst = _instance(api_version, sample, instantiated=False)
    with pytest.raises(exceptions.Invalid) as caught:
        _begin(api_version, inst, 'INSTANTIATE', {'flavourId': 'big'})
    assert "'big'" in caught.value.message
    with pytest.raises(exceptions.Invalid) as caught:
        _begin(api_version, inst, 'INSTANTIATE',
               {'flavourId': 'simple', 'instantiationLevelId': 'huge'})
    assert 'instantiationLevelId' in caught.value.message
    with pytest.raises(exceptions.Invalid) as caught:
        _begin(api_version, inst, 'INSTANTIATE',
               {'flavourId': 'simple', 'additionalParams': {
                   'lcm-kubernetes-def-files': ['Files/none.yaml']}})
    assert 'Files/none.yaml' in caught.value.message


@pytest.mark.parametrize('api_version', ['v1', 'v2'])
def test_instantiate_without_any_vim_is_invalid(sample, api_version):
    inst = _instance(api_version, sample, instantiated=False)
    with pytest.raises(exceptions.Invalid) as caught:
        _begin(api_version, inst, 'INSTANTIATE', {'flavourId': 'simple'})
    assert 'default VIM' in caught.value.message


def test_v2_instantiate_with_the_default_vim_records_it(sample):
    vim = factories.vim(url='https://k8s.example:6443')
    inst = _instance('v2', sample, instantiated=False)
    _begin('v2', inst, 'INSTANTIATE', {'flavourId': 'simple'})
    connections = v2_instances.get_instance(inst).vim_connection_info
    assert list(connections.values()) == [
        {'vimId': vim.id, 'vimType': 'ETSINFV.KUBERNETES.V_1'}]


# --- the op occ row


@pytest.mark.parametrize('api_version', ['v1', 'v2'])
def test_op_occ_is_created_starting(sample, api_version):
    inst = _instance(api_version, sample)
    params = {'type': 'SCALE_OUT', 'aspectId': 'vdu1_aspect',
              'numberOfSteps': 1, 'additionalParams': {'x': 1}}
    occ_id = _begin(api_version, inst, 'SCALE', params)
    occ = versions.get(api_version).op_occs.get(occ_id)
    assert occ.state == 'STARTING'
    assert occ.operation == 'SCALE'
    assert occ.instance_id == inst
    assert occ.params == params
    assert occ.start_time is not None
    assert occ.state_entered_time == occ.start_time
    if api_version == 'v1':
        assert occ.tenant_id == factories.TENANT


def test_unknown_operation_or_version_is_invalid(sample):
    with pytest.raises(exceptions.Invalid):
        begin.begin_operation(api_version='v3', instance_id='x',
                              operation='SCALE', params={})
    with pytest.raises(exceptions.Invalid):
        begin.begin_operation(api_version='v2', instance_id='x',
                              operation='CHANGE_FLAVOUR', params={})
