"""Level <-> pod count conversion on the VduScaling the VNFD produces."""

import hypothesis
from hypothesis import strategies as st
import pytest

from tacker.vnfpkgm import csar
from tacker.vnfpkgm import scaling
from tacker.vnfpkgm import vnfd


@pytest.fixture(scope="module")
def flavours(sample_zips, tmp_path_factory):
    result = {}
    for name, path in sample_zips.items():
        dest = str(tmp_path_factory.mktemp(name) / "pkg")
        csar.extract_csar(path, dest)
        result[name] = vnfd.load_vnfd(dest).flavour("simple")
    return result


@pytest.mark.parametrize("sample,vdu,table", [
    # equal steps: min 1, max 3, initial 1, delta 1
    ("sample_cnf", "VDU1", {1: 0, 2: 1, 3: 2}),
    ("sample_cnf", "VDU5", {1: 0, 2: 1, 3: 2}),
    # delta 2: 1, 3, 5
    ("sample_cnf_multi", "VDU1", {1: 0, 3: 1, 5: 2}),
    # unequal steps 1 then 2: 1, 2, 4
    ("sample_cnf_multi", "VDU2", {1: 0, 2: 1, 4: 2}),
])
def test_levels_and_counts(flavours, sample, vdu, table):
    facts = flavours[sample].vdu_scaling(vdu)
    for count in range(0, facts.max_instances + 3):
        if count in table:
            assert facts.level_for_count(count) == table[count]
            assert facts.count_at_level(table[count]) == count
        elif facts.in_profile(count):
            with pytest.raises(scaling.PodCountMatchesNoLevel) as exc:
                facts.level_for_count(count)
            assert vdu in str(exc.value)
        else:
            with pytest.raises(scaling.PodCountOutOfRange) as exc:
                facts.level_for_count(count)
            assert vdu in str(exc.value)


def test_vdu_without_aspect_only_checks_the_profile(flavours):
    facts = flavours["sample_cnf"].vdu_scaling("VDU3")
    assert [facts.level_for_count(n) for n in (1, 2, 3)] == [0, 0, 0]
    for count in (0, 4):
        with pytest.raises(scaling.PodCountOutOfRange):
            facts.level_for_count(count)
    pod = flavours["sample_cnf"].vdu_scaling("VDU4")
    assert pod.level_for_count(1) == 0
    with pytest.raises(scaling.PodCountOutOfRange):
        pod.level_for_count(2)


def test_every_vdu_level_of_every_instantiation_level_converts_back(
        flavours):
    for flavour in flavours.values():
        for level_id in flavour.instantiation_levels:
            levels = flavour.scale_levels_for_instantiation_level(level_id)
            for vdu_id in flavour.vdus:
                facts = flavour.vdu_scaling(vdu_id)
                count = flavour.pod_count_for_instantiation_level(level_id,
                                                                  vdu_id)
                expected = levels.get(facts.aspect_id, 0)
                assert facts.level_for_count(count) == expected


@hypothesis.settings(max_examples=200, deadline=None)
@hypothesis.given(
    initial=st.integers(min_value=0, max_value=5),
    deltas=st.lists(st.integers(min_value=1, max_value=4), max_size=6),
    count=st.integers(min_value=-2, max_value=40))
def test_level_for_count_inverts_count_at_level(initial, deltas, count):
    facts = scaling.VduScaling(
        vdu_id="VDU1", min_instances=initial,
        max_instances=initial + sum(deltas), initial_delta=initial,
        aspect_id="a", step_deltas=tuple(deltas))
    reachable = {facts.count_at_level(n): n
                 for n in range(facts.max_scale_level + 1)}
    if count in reachable:
        assert facts.level_for_count(count) == reachable[count]
    elif facts.in_profile(count):
        with pytest.raises(scaling.PodCountMatchesNoLevel):
            facts.level_for_count(count)
    else:
        with pytest.raises(scaling.PodCountOutOfRange):
            facts.level_for_count(count)
