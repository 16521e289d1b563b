"""Repository reads and guarded writes, on every database backend."""

import datetime

import pytest

from tacker.common import exceptions
from tacker.db.instances import v1 as v1_instances
from tacker.db.instances import v2 as v2_instances
from tacker.db import op_occs
from tacker.dbsync import candidates
from tacker.tests import factories

# Unicode, nesting, floats, nulls, empty containers and key order.
TRICKY = {
    'flavourId': 'simple',
    'vnfcResourceInfo': [{'id': 'vdu1-5588797866-fs6vb',
                          'computeResource': {'resourceId': 'p.1'},
                          'metadata': {}}],
    'scaleStatus': [{'aspectId': 'vdu1_aspect', 'scaleLevel': 1}],
    'metadata': {'note': 'sü\u00df "quoted" \\ back', 'ratio': 0.25,
                 'none': None, 'empty': [], 'z': 1, 'a': 2},
}


def _ago(**delta):
    return factories.WHEN - datetime.timedelta(**delta)


def test_v2_json_columns_round_trip_exactly(db):
    instance_id = factories.v2_instance(info=TRICKY)
    instance = v2_instances.get_instance(instance_id)
    assert instance.instantiated_vnf_info == TRICKY
    assert list(instance.instantiated_vnf_info['metadata']) == list(
        TRICKY['metadata'])


def test_v2_list_by_state(db):
    yes = factories.v2_instance(state='INSTANTIATED', info=TRICKY)
    factories.v2_instance(state='NOT_INSTANTIATED')
    found = v2_instances.list_instances(instantiation_state='INSTANTIATED')
    assert [i.id for i in found] == [yes]


def test_v2_compare_and_swap_writes_when_unchanged(db):
    instance_id = factories.v2_instance(info=TRICKY)
    instance = v2_instances.get_instance(instance_id)
    new = dict(TRICKY, scaleStatus=[{'aspectId': 'vdu1_aspect',
                                     'scaleLevel': 2}])
    v2_instances.update_instance(instance, instantiatedVnfInfo=new)
    assert v2_instances.get_instance(instance_id).instantiated_vnf_info == new


def test_v2_compare_and_swap_loser_raises_and_winner_stays(db):
    instance_id = factories.v2_instance(info=TRICKY)
    first = v2_instances.get_instance(instance_id)
    second = v2_instances.get_instance(instance_id)
    winner = dict(TRICKY, flavourId='winner')
    v2_instances.update_instance(first, instantiatedVnfInfo=winner)
    with pytest.raises(exceptions.StaleRecord):
        v2_instances.update_instance(
            second, instantiatedVnfInfo=dict(TRICKY, flavourId='loser'))
    assert v2_instances.get_instance(
        instance_id).instantiated_vnf_info == winner


def test_v2_compare_and_swap_sees_a_case_only_change(db):
    # MySQL's default collations would call 'Simple' and 'simple' equal.
    instance_id = factories.v2_instance(info={'flavourId': 'simple'})
    stale = v2_instances.get_instance(instance_id)
    v2_instances.update_instance(stale,
                                 instantiatedVnfInfo={'flavourId': 'Simple'})
    with pytest.raises(exceptions.StaleRecord):
        v2_instances.update_instance(stale,
                                     instantiatedVnfInfo={'flavourId': 'x'})


def test_v2_op_occs_listed_oldest_first(db):
    instance_id = factories.v2_instance(info=TRICKY)
    factories.v2_op_occ(instance_id, 'COMPLETED', when=_ago(minutes=10))
    factories.v2_op_occ(instance_id, 'FAILED_TEMP', when=_ago(minutes=1))
    found = [o.state for o in op_occs.V2.for_instances([instance_id])]
    assert found == ['COMPLETED', 'FAILED_TEMP']


@pytest.mark.parametrize('api', ['v1', 'v2'])
def test_op_occs_of_one_second_are_ordered_by_when_they_ended(db, api):
    # Found by the soak: MariaDB keeps whole seconds, so a scale that
    # failed and the heal after it shared a start time, and the random
    # id put the FAILED one last; the sync then skipped the instance for
    # good although its latest operation had completed.
    make = factories.v1_instance if api == 'v1' else factories.v2_instance
    instance_id = make()
    table = op_occs.V1 if api == 'v1' else op_occs.V2
    second = factories.WHEN
    factories.op_occ(api, instance_id, 'FAILED', when=second,
                     op_id='ffffffff-0000-4000-8000-000000000000')
    factories.op_occ(api, instance_id, 'COMPLETED', operation='HEAL',
                     when=second,
                     entered=second + datetime.timedelta(seconds=1),
                     op_id='00000000-0000-4000-8000-000000000000')
    found = table.for_instances([instance_id])
    assert [o.state for o in found] == ['FAILED', 'COMPLETED']
    assert candidates.op_occ_verdict(instance_id, found) is None
    assert [v['id'] for v in table.list_views()] == [o.id for o in found]


def test_v1_instance_read_with_instantiated_info(db):
    vnfcs = [{'id': 'a', 'vdu_id': 'VDU1',
              'compute_resource': {'resource_id': 'vdu1-x'}}]
    instance_id = factories.v1_instance(info={
        'vnfc_resource_info': vnfcs,
        'scale_status': [{'aspect_id': 'vdu1_aspect', 'scale_level': 0}]})
    instance = v1_instances.get_instance(instance_id)
    assert instance.vnf_metadata == {'namespace': 'default'}
    assert instance.instantiated.vnfc_resource_info == vnfcs
    assert instance.instantiated.scale_status[0]['scale_level'] == 0


def test_v1_unknown_instance_is_not_found(db):
    with pytest.raises(exceptions.NotFound):
        v1_instances.get_instance('no-such-id')


def test_v1_compare_and_swap_loser_raises_and_winner_stays(db):
    instance_id = factories.v1_instance()
    first = v1_instances.get_instance(instance_id)
    second = v1_instances.get_instance(instance_id)
    v1_instances.update_instantiated_info(
        first, scale_status=[{'aspect_id': 'a', 'scale_level': 1}])
    with pytest.raises(exceptions.StaleRecord):
        v1_instances.update_instantiated_info(
            second, scale_status=[{'aspect_id': 'a', 'scale_level': 2}])
    stored = v1_instances.get_instance(instance_id).instantiated
    assert stored.scale_status == [{'aspect_id': 'a', 'scale_level': 1}]


def test_v1_task_state_claim_is_exclusive(db):
    instance_id = factories.v1_instance()
    assert v1_instances.claim_task_state(instance_id, 'DB_SYNCHRONIZING')
    assert not v1_instances.claim_task_state(instance_id, 'SCALING')
    assert v1_instances.get_instance(
        instance_id).task_state == 'DB_SYNCHRONIZING'
    assert v1_instances.release_task_state(instance_id, 'DB_SYNCHRONIZING')
    assert v1_instances.get_instance(instance_id).task_state is None


def test_v1_list_by_state_and_op_occs(db):
    yes = factories.v1_instance()
    factories.v1_instance(state='NOT_INSTANTIATED')
    factories.v1_op_occ(yes, 'COMPLETED', when=_ago(minutes=5))
    found = v1_instances.list_instances(instantiation_state='INSTANTIATED')
    assert [i.id for i in found] == [yes]
    assert [o.state for o in op_occs.V1.for_instances([yes])] == [
        'COMPLETED']


def test_v1_write_into_a_terminated_instance_is_refused(db):
    import sqlalchemy as sa
    from tacker.db import api as db_api
    from tacker.db.models import v1 as v1_models
    instance_id = factories.v1_instance()
    read = v1_instances.get_instance(instance_id)
    info = v1_models.VnfInstantiatedInfo.__table__
    with db_api.writer_session() as session:  # what a terminate does
        session.execute(sa.update(info).where(
            info.c.vnf_instance_id == instance_id).values(deleted=True))
    with pytest.raises(exceptions.StaleRecord):
        v1_instances.update_instantiated_info(
            read, scale_status=[{'aspect_id': 'a', 'scale_level': 1}])


def test_v1_sync_claim_takes_over_only_an_old_leftover(db):
    cutoff = factories.ago(seconds=120)
    old = factories.v1_instance(task_state='DB_SYNCHRONIZING',
                                updated_at=factories.ago(seconds=121))
    young = factories.v1_instance(task_state='DB_SYNCHRONIZING',
                                  updated_at=factories.ago(seconds=5))
    busy = factories.v1_instance(task_state='SCALING',
                                 updated_at=factories.ago(days=1))
    assert v1_instances.claim_task_state(old, 'DB_SYNCHRONIZING',
                                         reclaim_before=cutoff)
    assert not v1_instances.claim_task_state(young, 'DB_SYNCHRONIZING',
                                             reclaim_before=cutoff)
    assert not v1_instances.claim_task_state(busy, 'DB_SYNCHRONIZING',
                                             reclaim_before=cutoff)
    # The takeover is a new claim: young now, so not taken over again.
    assert not v1_instances.claim_task_state(old, 'DB_SYNCHRONIZING',
                                             reclaim_before=cutoff)
    assert v1_instances.holding_task_state(
        'DB_SYNCHRONIZING', claimed_before=cutoff) == []
