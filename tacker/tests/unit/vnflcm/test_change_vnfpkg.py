"""The pure parts of change_vnfpkg: the request checks and the merge of
vnfConfigurableProperties / extensions (RFC 7386)."""

import pytest

from tacker.common import json_merge
from tacker.vnflcm import change_vnfpkg

FILES = ['Files/kubernetes/vdu1-deployment.yaml']


def _params(**additional):
    params = {'upgrade_type': 'RollingUpdate',
              'lcm-kubernetes-def-files': FILES,
              'vdu_params': [{'vdu_id': 'VDU2'}, {'vdu_id': 'VDU1'},
                             {'vdu_id': 'VDU1', 'other': 1}]}
    params.update(additional)
    return {'vnfdId': 'v', 'additionalParams': params}


def test_a_good_request_names_its_vdus_once_sorted():
    vnfd_id, additional, vdu_ids = change_vnfpkg.check_request(_params())
    assert (vnfd_id, vdu_ids) == ('v', ('VDU1', 'VDU2'))
    assert additional['lcm-kubernetes-def-files'] == FILES


@pytest.mark.parametrize('params, detail', [
    ({'vnfdId': 'v'},
     "Change Current VNF Package operation must have 'additionalParams'"),
    ({'vnfdId': 'v', 'additionalParams': 'x'},
     "'additionalParams' must be an object"),
    (_params(upgrade_type=None), 'not support upgrade_type None'),
    ({'vnfdId': 'v', 'additionalParams': {'vdu_params': []}},
     'not support upgrade_type '),
    (_params(vdu_params=None), "'vdu_params' must exist in "
     "additionalParams"),
    (_params(vdu_params={'vdu_id': 'VDU1'}),
     "'vdu_params' must be a list of objects"),
    (_params(vdu_params=['VDU1']), "'vdu_params' must be a list of objects"),
    (_params(vdu_params=[{'vdu_id': 3}]),
     'If you set vdu_params in additionalParams, you must set vdu_id for '
     'each element.'),
    (_params(**{'lcm-kubernetes-def-files': []}),
     "'lcm-kubernetes-def-files' must be specified"),
])
def test_bad_requests_get_tackers_texts(params, detail):
    with pytest.raises(change_vnfpkg.RequestInvalid) as caught:
        change_vnfpkg.check_request(params)
    assert caught.value.code == 400
    assert caught.value.message == detail


@pytest.mark.parametrize('target, patch, merged', [
    (None, {'a': 1}, {'a': 1}),
    ({'a': 1, 'b': 2}, {'b': None, 'c': 3}, {'a': 1, 'c': 3}),
    ({'a': {'x': 1, 'y': 2}}, {'a': {'y': None, 'z': 3}},
     {'a': {'x': 1, 'z': 3}}),
    ({'a': [1, 2]}, {'a': [3]}, {'a': [3]}),
    ({'a': 1}, {'a': {'b': None}}, {'a': {}}),
    ({'a': 1}, 'text', 'text'),
])
def test_merge_patch_is_rfc_7386(target, patch, merged):
    before = repr(target)
    assert json_merge.merge_patch(target, patch) == merged
    assert repr(target) == before
