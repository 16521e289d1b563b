"""list_shape: which LIST items ownership cannot read, and why."""

import copy

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import pytest

from tacker.tests.unit.vnfm.infra_drivers.kubernetes import k8s_objects as k8s
from tacker.vnfm.infra_drivers.kubernetes import list_shape
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import ownership


def _pod():
    dep, rs, pods = k8s.deployment_tree('web', 1)
    return pods[0]


def _set(obj, path, value):
    *parents, last = path.split('.')
    for key in parents:
        obj = obj[key]
    if value is _REMOVE:
        obj.pop(last, None)
    else:
        obj[last] = value


_REMOVE = object()


@pytest.mark.parametrize('path, value, expected', [
    ('metadata', _REMOVE, 'has no metadata'),
    ('metadata', None, 'has no metadata'),
    ('metadata', ['x'], 'has metadata that is not an object'),
    ('metadata.name', _REMOVE, 'has no metadata.name'),
    ('metadata.name', 7, 'has no metadata.name'),
    ('metadata.uid', ['u'], 'has metadata.uid that is not text'),
    ('metadata.labels', 'app=web', 'has metadata.labels that is not an '
                                   'object'),
    ('metadata.ownerReferences', {'kind': 'ReplicaSet'},
     'has metadata.ownerReferences that is not a list'),
    ('metadata.ownerReferences', ['rs'],
     'has metadata.ownerReferences[0] that is not an object'),
    ('metadata.ownerReferences', [{'uid': 5}],
     'has metadata.ownerReferences[0].uid that is not text'),
    ('metadata.generation', '2', 'has metadata.generation that is not an '
                                 'integer'),
    ('status', 'Running', 'has status that is not an object'),
    ('status.phase', ['Running'], 'has status.phase that is not text'),
    ('spec', [], 'has spec that is not an object'),
])
def test_a_malformed_item_is_named_by_field(path, value, expected):
    item = _pod()
    _set(item, path, value)
    assert list_shape.problem(item) == expected


@pytest.mark.parametrize('item, expected', [
    ('pod', 'is not an object'), (None, 'is not an object'),
    ([], 'is not an object'),
])
def test_an_item_that_is_no_object(item, expected):
    assert list_shape.problem(item) == expected


def test_what_the_api_omits_is_fine():
    item = {'metadata': {'name': 'p'}}
    assert list_shape.problem(item) is None
    assert list_shape.problem(_pod()) is None
    for obj in k8s.deployment_tree('web', 2)[:2]:
        assert list_shape.problem(obj) is None


def test_items_problem_names_the_position():
    items = [_pod(), _pod(), {'metadata': None}]
    assert list_shape.items_problem(items) == 'item 2 has no metadata'
    assert list_shape.items_problem(items[:2]) is None


@pytest.mark.parametrize('answer, expected', [
    ([], 'the answer is not an object'),
    ({'items': None}, 'the answer has no items list'),
    ({'kind': 'PodList', 'items': []}, None),
])
def test_answer_problem(answer, expected):
    assert list_shape.answer_problem(answer) == expected


# Values a malformed answer may hold where an object, a list, a text or
# a number belongs.
_ODD = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3),
                 st.lists(st.integers(), max_size=2),
                 st.dictionaries(st.text(max_size=2), st.integers(),
                                 max_size=2))


def _paths(obj, prefix=()):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield prefix + (key,)
            yield from _paths(value, prefix + (key,))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            yield prefix + (index,)
            yield from _paths(value, prefix + (index,))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_ownership_reads_every_item_list_shape_accepts(data):
    """Property: an item list_shape passes never breaks ownership."""
    dep, rs, pods = k8s.deployment_tree('web', 2)
    objects = copy.deepcopy([dep, rs] + pods)
    for _ in range(data.draw(st.integers(1, 3))):
        obj = data.draw(st.sampled_from(objects))
        path = data.draw(st.sampled_from(list(_paths(obj))))
        parent = obj
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = data.draw(_ODD)
    if any(list_shape.problem(o) for o in objects):
        return
    snapshot = k8s.snapshot(objects)
    target = model.VduTarget('VDU1', model.DEPLOYMENT, 'web')
    observation = ownership.observe_vdus(snapshot, [target])['VDU1']
    assert observation.vdu_id == 'VDU1'
