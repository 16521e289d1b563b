"""json_depth: depth measured without recursion, the body being level 1."""

import json

import pytest

from tacker.common import json_depth
from tacker.db import types


def _nested(levels):
    return json.loads('[' * levels + ']' * levels)


@pytest.mark.parametrize('value,limit,where', [
    ('text', 0, None),
    ({}, 1, None),
    ({}, 0, ()),
    ({'a': {'b': [1]}}, 3, None),
    ({'a': {'b': [1]}}, 2, ('a', 'b')),
    ({'x': 1, 'a': [{}, [[]]]}, 3, ('a', 1, 0)),
])
def test_too_deep_names_the_first_container_past_the_limit(value, limit,
                                                           where):
    assert json_depth.too_deep(value, limit) == where


def test_too_deep_never_recurses():
    # Far past the recursion limit: built and measured without recursion.
    value = []
    for _ in range(50000):
        value = [value]
    assert json_depth.too_deep(value, 32) == (0,) * 32


@pytest.mark.parametrize('levels,readable', [
    (json_depth.MAX_STORED_DEPTH, True),
    (json_depth.MAX_STORED_DEPTH + 1, False),
    (950, False),
    (100000, False),
])
def test_stored_cells_nested_too_deeply_are_unreadable(levels, readable):
    value = types.load('[' * levels + ']' * levels)
    assert isinstance(value, types.Unreadable) is not readable
    if readable:
        assert value == _nested(levels)
    else:
        assert 'nested' in value.reason
