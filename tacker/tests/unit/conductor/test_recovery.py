"""Recovery settles only what a dead owner left, even beside live ones."""

import datetime

from oslo_utils import timeutils
import pytest

from tacker.common import coordination
from tacker.conductor import recovery
from tacker.db import api as db_api
from tacker.db.models import v1 as v1_models
from tacker.db.models import v2 as v2_models
from tacker.db.instances import v1 as v1_instances
from tacker.tests import factories


@pytest.fixture
def locks(db, conf, tmp_path):
    conf.config(backend_url='file://%s' % (tmp_path / 'locks'),
                group='coordination')
    yield
    coordination.stop()


def _op(api, instance_id, state, age_seconds):
    when = timeutils.utcnow() - datetime.timedelta(seconds=age_seconds)
    return factories.op_occ(api, instance_id, state, when=when)


def _state(api, op_id):
    with db_api.reader_session() as session:
        if api == 'v1':
            return session.get(v1_models.VnfLcmOpOcc, op_id).operation_state
        return session.get(v2_models.VnfLcmOpOccV2, op_id).operationState


@pytest.mark.parametrize('api', ['v1', 'v2'])
@pytest.mark.parametrize('state', ['PROCESSING', 'ROLLING_BACK'])
def test_processing_is_failed_only_when_its_lock_is_free(locks, api, state):
    if api == 'v1':
        instance_id = factories.v1_instance(task_state='SCALING')
    else:
        instance_id = factories.v2_instance(info={})
    op_id = _op(api, instance_id, state, 5)
    with coordination.instance_lock(instance_id):  # a live conductor
        recovery.recover()
    assert _state(api, op_id) == state
    recovery.recover()  # the holder is gone
    assert _state(api, op_id) == 'FAILED_TEMP'
    if api == 'v1':
        assert v1_instances.get_instance(instance_id).task_state is None


def test_starting_is_rolled_back_only_once_it_is_old(locks):
    instance_id = factories.v2_instance(info={})
    fresh = _op('v2', instance_id, 'STARTING', 5)
    old = _op('v2', instance_id, 'STARTING', recovery.starting_grace() + 5)
    recovery.recover()
    assert _state('v2', fresh) == 'STARTING'
    assert _state('v2', old) == 'ROLLED_BACK'


def test_a_sync_claim_is_cleared_only_when_no_sync_holds_the_lock(locks):
    instance_id = factories.v1_instance(task_state='DB_SYNCHRONIZING',
                                        updated_at=factories.ago(hours=1))
    with coordination.instance_lock(instance_id):
        report = recovery.recover()
    assert v1_instances.get_instance(
        instance_id).task_state == 'DB_SYNCHRONIZING'
    assert report['task_state DB_SYNCHRONIZING'] == 0
    recovery.recover()
    assert v1_instances.get_instance(instance_id).task_state is None


def test_a_young_sync_claim_with_a_free_lock_is_left(locks, conf):
    # Tacker's own v1 synchronization marks DB_SYNCHRONIZING without
    # taking the lock: while the mark is young it may be at work.
    young = factories.v1_instance(task_state='DB_SYNCHRONIZING',
                                  updated_at=factories.ago(seconds=30))
    old = factories.v1_instance(task_state='DB_SYNCHRONIZING',
                                updated_at=factories.ago(seconds=121))
    report = recovery.recover()
    assert report['task_state DB_SYNCHRONIZING'] == 1
    assert v1_instances.get_instance(
        young).task_state == 'DB_SYNCHRONIZING'
    assert v1_instances.get_instance(old).task_state is None
    # Once it is older than [database_sync] stale_claim_age, it goes.
    recovery.recover(now=timeutils.utcnow() + datetime.timedelta(
        seconds=91))
    assert v1_instances.get_instance(young).task_state is None


def test_stale_claim_age_zero_clears_at_once(locks, conf):
    conf.config(stale_claim_age=0, group='database_sync')
    instance_id = factories.v1_instance()
    assert v1_instances.claim_task_state(instance_id, 'DB_SYNCHRONIZING')
    recovery.recover()
    assert v1_instances.get_instance(instance_id).task_state is None
