"""v1 storage: object lists as Tacker 16's versioned-object primitives."""

import copy

from tacker.db import storage_v1

PLAIN_VNFC = {
    'id': 'e1', 'vdu_id': 'VDU1',
    'compute_resource': {'vim_connection_id': 'vim-1',
                         'resource_id': 'vdu1-abc',
                         'vim_level_resource_type': 'Deployment'},
    'storage_resource_ids': [], 'vnfc_cp_info': [],
    'metadata': {'Pod': '{}'},
}


def _data(primitive):
    return primitive[storage_v1.DATA]


def test_a_new_element_is_wrapped_like_tacker_wraps_it():
    (stored,) = storage_v1.encode_list('vnfc_resource_info', [PLAIN_VNFC])
    assert stored[storage_v1.NAME] == 'VnfcResourceInfo'
    assert stored[storage_v1.NAMESPACE] == 'tacker'
    assert stored[storage_v1.VERSION] == '1.0'
    assert _data(stored)['deleted'] == 0
    compute = _data(stored)['compute_resource']
    assert compute[storage_v1.NAME] == 'ResourceHandle'
    assert _data(compute)['resource_id'] == 'vdu1-abc'
    assert set(stored[storage_v1.CHANGES]) == set(_data(stored))


def test_decoding_gives_back_the_plain_element():
    stored = storage_v1.encode_list('vnfc_resource_info', [PLAIN_VNFC])
    plain, problem = storage_v1.decode_list('vnfc_resource_info', stored)
    assert problem is None
    assert plain == [PLAIN_VNFC]


def test_rewriting_an_element_keeps_what_tacker_stored_in_it():
    stored = storage_v1.encode_list('vnfc_resource_info', [PLAIN_VNFC])
    # Something Tacker keeps that this project does not read.
    _data(stored[0])['vnfc_cp_info'] = [{
        storage_v1.NAME: 'VnfcCpInfo', storage_v1.DATA: {'id': 'cp1'}}]
    before = copy.deepcopy(stored)
    plain, _ = storage_v1.decode_list('vnfc_resource_info', stored)
    plain[0]['compute_resource']['resource_id'] = 'vdu1-new'
    (written,) = storage_v1.encode_list('vnfc_resource_info', plain,
                                        stored)
    assert stored == before
    assert _data(_data(written)['compute_resource'])['resource_id'] == \
        'vdu1-new'
    assert _data(written)['vnfc_cp_info'] == _data(before[0])['vnfc_cp_info']
    assert _data(written)['deleted'] == 0


def test_scale_status_elements_are_matched_by_aspect():
    stored = storage_v1.encode_list(
        'scale_status', [{'aspect_id': 'a', 'scale_level': 0},
                         {'aspect_id': 'b', 'scale_level': 1}])
    stored[1][storage_v1.CHANGES] = ['kept-by-tacker']
    written = storage_v1.encode_list(
        'scale_status', [{'aspect_id': 'a', 'scale_level': 0},
                         {'aspect_id': 'b', 'scale_level': 2}], stored)
    assert written[0] == stored[0]
    assert _data(written[1])['scale_level'] == 2
    assert written[1][storage_v1.CHANGES] == ['kept-by-tacker',
                                              'scale_level']


def test_plain_elements_of_earlier_builds_decode_as_they_are():
    plain, problem = storage_v1.decode_list('vnfc_resource_info',
                                            [PLAIN_VNFC])
    assert (plain, problem) == ([PLAIN_VNFC], None)


def test_a_broken_primitive_is_a_problem_naming_the_column():
    stored = [{storage_v1.NAME: 'VnfcResourceInfo',
               storage_v1.DATA: 'secret-looking-text'}]
    plain, problem = storage_v1.decode_list('vnfc_resource_info', stored)
    assert plain == []
    assert problem.startswith('vnfc_resource_info: ')
    assert 'secret-looking-text' not in problem
