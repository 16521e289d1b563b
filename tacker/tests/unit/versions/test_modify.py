"""The pure half of a modify: RFC 7396 and what each version writes."""

import hypothesis
from hypothesis import strategies as st
import pytest

from tacker.common import exceptions
from tacker.common import json_merge
from tacker.versions import modify

# RFC 7396, appendix A: (target, patch, result).
RFC_EXAMPLES = [
    ({'a': 'b'}, {'a': 'c'}, {'a': 'c'}),
    ({'a': 'b'}, {'b': 'c'}, {'a': 'b', 'b': 'c'}),
    ({'a': 'b'}, {'a': None}, {}),
    ({'a': 'b', 'b': 'c'}, {'a': None}, {'b': 'c'}),
    ({'a': ['b']}, {'a': 'c'}, {'a': 'c'}),
    ({'a': 'c'}, {'a': ['b']}, {'a': ['b']}),
    ({'a': {'b': 'c'}}, {'a': {'b': 'd', 'c': None}}, {'a': {'b': 'd'}}),
    ({'a': [{'b': 'c'}]}, {'a': [1]}, {'a': [1]}),
    (['a', 'b'], ['c', 'd'], ['c', 'd']),
    ({'a': 'b'}, ['c'], ['c']),
    ({'a': 'foo'}, None, None),
    ({'a': 'foo'}, 'bar', 'bar'),
    ({'e': None}, {'a': 1}, {'e': None, 'a': 1}),
    ([1, 2], {'a': 'b', 'c': None}, {'a': 'b'}),
    ({}, {'a': {'bb': {'ccc': None}}}, {'a': {'bb': {}}}),
]


@pytest.mark.parametrize('target,patch,result', RFC_EXAMPLES)
def test_merge_patch_follows_rfc_7396(target, patch, result):
    assert json_merge.merge_patch(target, patch) == result


def test_merge_patch_leaves_its_inputs_alone():
    target = {'a': {'b': [1]}, 'keep': 1}
    patch = {'a': {'b': [2], 'c': {'d': 1}}}
    merged = json_merge.merge_patch(target, patch)
    merged['a']['c']['d'] = 99
    assert target == {'a': {'b': [1]}, 'keep': 1}
    assert patch == {'a': {'b': [2], 'c': {'d': 1}}}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.text(max_size=2), inner, max_size=3), max_leaves=10)
_OBJECTS = st.dictionaries(st.text(max_size=2), _JSON, max_size=4)


@hypothesis.given(_OBJECTS, _OBJECTS)
def test_a_patch_applied_twice_changes_nothing_more(target, patch):
    once = json_merge.merge_patch(target, patch)
    assert json_merge.merge_patch(once, patch) == once


@hypothesis.given(_OBJECTS, _OBJECTS)
def test_a_member_the_patch_does_not_name_stays(target, patch):
    merged = json_merge.merge_patch(target, patch)
    for key, value in target.items():
        if key not in patch:
            assert merged[key] == value
        elif patch[key] is None:
            assert key not in merged


V2_CURRENT = {
    'vnfInstanceName': 'cnf', 'vnfInstanceDescription': None,
    'vnfdId': 'vnfd-1', 'vnfConfigurableProperties': None,
    'metadata': {'owner': 'a', 'tier': 'gold'}, 'extensions': {},
    'vimConnectionInfo': {
        'vim1': {'vimId': 'v', 'vimType': 'kubernetes',
                 'accessInfo': {'bearer_token': 't'}},
        'vim2': {'vimId': 'w', 'vimType': 'kubernetes'}},
}


@pytest.mark.parametrize('params,changes', [
    ({}, {}),
    ({'vnfInstanceName': 'cnf'}, {}),
    ({'vnfInstanceName': 'new', 'vnfInstanceDescription': 'd'},
     {'vnfInstanceName': 'new', 'vnfInstanceDescription': 'd'}),
    ({'metadata': {'tier': None, 'zone': 'z'}},
     {'metadata': {'owner': 'a', 'zone': 'z'}}),
    ({'vnfConfigurableProperties': {'isAutoscaleEnabled': True}},
     {'vnfConfigurableProperties': {'isAutoscaleEnabled': True}}),
    ({'vimConnectionInfo': {'vim2': None, 'vim1': {
        'accessInfo': {'bearer_token': 'u'}}}},
     {'vimConnectionInfo': {'vim1': {
         'vimId': 'v', 'vimType': 'kubernetes',
         'accessInfo': {'bearer_token': 'u'}}}}),
], ids=['empty', 'same-name', 'name-description', 'metadata-merged',
        'configurable-properties', 'connections-per-key'])
def test_v2_changes_are_only_what_differs(params, changes):
    assert modify.v2_changes(V2_CURRENT, params) == changes


def test_v2_new_vnfd_takes_the_package_facts():
    package = {'id': 'p2', 'vnfd_id': 'vnfd-2', 'vnf_provider': 'Other',
               'vnf_product_name': 'X', 'vnf_software_version': '2.0',
               'vnfd_version': '2.1'}
    assert modify.v2_changes(V2_CURRENT, {'vnfdId': 'vnfd-2'}, package) == {
        'vnfdId': 'vnfd-2', 'vnfProvider': 'Other', 'vnfProductName': 'X',
        'vnfSoftwareVersion': '2.0', 'vnfdVersion': '2.1'}


V1_CONNECTIONS = [
    {'id': 'c1', 'vim_id': 'v', 'vim_type': 'kubernetes',
     'access_info': {'bearer_token': 't', 'region': 'r'},
     'interface_info': {}, 'extra': {}},
    {'id': 'c2', 'vim_id': 'w', 'vim_type': 'kubernetes'},
]


def test_v1_connections_merge_by_id_one_level_deep():
    merged = modify.merge_v1_connections(V1_CONNECTIONS, [
        {'id': 'c1', 'vimType': 'kubernetes',
         'accessInfo': {'bearer_token': 'u'}},
        {'id': 'c3', 'vimId': 'x', 'vimType': 'kubernetes'}])
    assert merged == [
        {'id': 'c1', 'vim_id': 'v', 'vim_type': 'kubernetes',
         'access_info': {'bearer_token': 'u', 'region': 'r'},
         'interface_info': {}, 'extra': {}},
        {'id': 'c2', 'vim_id': 'w', 'vim_type': 'kubernetes'},
        {'id': 'c3', 'vim_id': 'x', 'vim_type': 'kubernetes'}]
    assert V1_CONNECTIONS[0]['access_info']['bearer_token'] == 't'


def test_v1_changes_use_tackers_columns():
    current = {'vnf_instance_name': 'cnf', 'vnf_instance_description': '',
               'vnfd_id': 'vnfd-1', 'vnf_pkg_id': 'p1',
               'vnf_metadata': {'namespace': 'default', 'team': 'a'},
               'vim_connection_info': V1_CONNECTIONS}
    changes = modify.v1_changes(current, {
        'vnfInstanceName': 'renamed', 'metadata': {'team': None, 'x': 'y'}})
    assert changes == {'vnf_instance_name': 'renamed',
                       'vnf_metadata': {'namespace': 'default', 'x': 'y'}}


def test_v2_vnfc_modifications_merge_into_the_named_vnfc_only():
    info = {'flavourId': 'simple', 'vnfcInfo': [
        {'id': 'VDU1-a', 'vnfcConfigurableProperties': {'k': 1, 'x': 2}},
        {'id': 'VDU1-b'}]}
    current = dict(V2_CURRENT, instantiatedVnfInfo=info)
    changes = modify.v2_changes(current, {'vnfcInfoModifications': [
        {'id': 'VDU1-a', 'vnfcConfigurableProperties': {'x': None, 'y': 3}}]})
    assert changes == {'instantiatedVnfInfo': {
        'flavourId': 'simple', 'vnfcInfo': [
            {'id': 'VDU1-a', 'vnfcConfigurableProperties': {'k': 1, 'y': 3}},
            {'id': 'VDU1-b'}]}}
    assert info['vnfcInfo'][0]['vnfcConfigurableProperties'] == {
        'k': 1, 'x': 2}


def test_v2_vnfc_modification_of_a_vnfc_gone_since_is_refused():
    current = dict(V2_CURRENT, instantiatedVnfInfo={'vnfcInfo': []})
    with pytest.raises(exceptions.Invalid) as caught:
        modify.v2_changes(current, {'vnfcInfoModifications': [
            {'id': 'VDU1-gone', 'vnfcConfigurableProperties': {}}]})
    assert caught.value.message == 'vnfcInstanceId(VDU1-gone) does not exist.'
