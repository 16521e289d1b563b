"""A modify's read-merge-write of an instance row, on each database."""

from tacker.db.instances import v1 as v1_instances
from tacker.db.instances import v2 as v2_instances
from tacker.db import packages
from tacker.tests import factories
from tacker.versions import modify


def test_v2_modify_writes_only_the_changes(db):
    inst = factories.v2_instance(
        metadata={'owner': 'a'}, vim_connection_info={
            'c1': {'vimId': 'v', 'vimType': 'kubernetes'}})
    changes = v2_instances.modify(inst, lambda current: modify.v2_changes(
        current, {'vnfInstanceName': 'new', 'metadata': {'zone': 'z'},
                  'vimConnectionInfo': {'c1': {'extra': {'k': 1}}}}))
    assert sorted(changes) == ['metadata', 'vimConnectionInfo',
                               'vnfInstanceName']
    shown = v2_instances.view(inst)
    assert shown['vnfInstanceName'] == 'new'
    assert shown['metadata'] == {'owner': 'a', 'zone': 'z'}
    record = v2_instances.get_instance(inst)
    assert record.vim_connection_info == {'c1': {
        'vimId': 'v', 'vimType': 'kubernetes', 'extra': {'k': 1}}}
    # Nothing to change: nothing written.
    assert v2_instances.modify(inst, lambda current: {}) == {}


def test_v1_modify_keeps_tackers_connection_objects(db):
    old = factories.onboarded_package().id
    inst = factories.v1_instance(package_id=old, vim_connection_info=[])
    v1_instances.modify(inst, lambda current: modify.v1_changes(
        current, {'vimConnectionInfo': [{'id': 'c1', 'vimId': 'v',
                                         'vimType': 'kubernetes'}]}))
    (conn,) = v1_instances.get_instance(inst).vim_connection_info
    assert (conn['id'], conn['vim_id'], conn['vim_type']) == (
        'c1', 'v', 'kubernetes')
    row, _info = v1_instances.view(inst)
    # Stored as Tacker's VimConnectionInfo primitive.
    (stored,) = row['vim_connection_info']
    assert stored['tacker_object.name'] == 'VimConnectionInfo'
    # A new package: IN_USE; the old one, used by nobody now, released.
    new = packages.get(factories.onboarded_package(
        sample='sample_cnf_multi').id)
    v1_instances.modify(inst, lambda current: modify.v1_changes(
        current, {'vnfPkgId': new['id']}, new))
    assert v1_instances.get_instance(inst).vnf_pkg_id == new['id']
    assert packages.get(new['id'])['usage_state'] == 'IN_USE'
    assert packages.get(old)['usage_state'] == 'NOT_IN_USE'
