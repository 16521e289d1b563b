import json

import pytest

from tacker.tests.unit.vnfm.infra_drivers.kubernetes import fakes
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import outcome
from tacker.vnfm.infra_drivers.kubernetes import reconcile as rec

INST = fakes.INSTANCE_ID
DEP = model.DEPLOYMENT
STS = model.STATEFUL_SET


def run(instance, observations, scaling, *, now=1000.0,
        unsettled_since=None, settle_timeout=60.0):
    return rec.reconcile(instance, observations, scaling, now=now,
                         unsettled_since=unsettled_since or {},
                         settle_timeout=settle_timeout)


def one_vdu(stored_pods, running, *, level=None, scaling=None,
            kind=DEP, replicas=None):
    """Reconcile a single-VDU instance; stored entries get ids e1, e2..."""
    vnfcs = [fakes.vnfc("e%d" % (i + 1), "VDU1", name, kind)
             for i, name in enumerate(stored_pods)]
    levels = {} if level is None else {"vdu1_aspect": level}
    inst = fakes.instance(vnfcs, {"VDU1": (kind, "vdu1")}, levels,
                          replicas=replicas)
    sc = fakes.scaling("VDU1") if scaling is None else scaling
    return run(inst, {"VDU1": fakes.observation("VDU1", running, kind)},
               {"VDU1": sc or None})


def summary(plan):
    """(renamed, added, removed, level changes) in plain tuples."""
    renamed, added, removed = [], [], []
    for change in plan.vdu_changes:
        renamed += [(r.entry_id, r.old_pod_name, r.pod.name)
                    for r in change.renamed]
        added += [p.name for p in change.added]
        removed += [(v.entry_id, v.pod_name) for v in change.removed]
    levels = [(c.aspect_id, c.old_level, c.new_level)
              for c in plan.level_changes]
    return renamed, added, removed, levels


@pytest.mark.parametrize("stored, running, level, expected", [
    # No drift.
    (["a"], ["a"], 0, ([], [], [], [])),
    # One pod replaced by Kubernetes: its entry is reused.
    (["a", "b"], ["a", "c"], 1, ([("e2", "b", "c")], [], [], [])),
    # Several replaced: vanished and new pods are paired in sorted order.
    (["z", "y", "k"], ["k", "n2", "n1"], 2,
     ([("e2", "y", "n1"), ("e1", "z", "n2")], [], [], [])),
    # Scale out 1 -> 3.
    (["a"], ["a", "b", "c"], 0,
     ([], ["b", "c"], [], [("vdu1_aspect", 0, 2)])),
    # Scale out with a replacement.
    (["a"], ["b", "c"], 0,
     ([("e1", "a", "b")], ["c"], [], [("vdu1_aspect", 0, 1)])),
    # Scale in 3 -> 1.
    (["a", "b", "c"], ["c"], 2,
     ([], [], [("e1", "a"), ("e2", "b")], [("vdu1_aspect", 2, 0)])),
    # Scale in with a replacement.
    (["a", "b", "c"], ["b", "d"], 2,
     ([("e1", "a", "d")], [], [("e3", "c")], [("vdu1_aspect", 2, 1)])),
    # Stored level wrong but pods right.
    (["a", "b"], ["a", "b"], 0, ([], [], [], [("vdu1_aspect", 0, 1)])),
    # No stored scaleStatus entry for the aspect: written.
    (["a"], ["a"], None, ([], [], [], [("vdu1_aspect", None, 0)])),
])
def test_pod_and_level_changes(stored, running, level, expected):
    plan = one_vdu(stored, running, level=level)
    assert summary(plan) == expected
    assert plan.errors == ()
    if expected == ([], [], [], []):
        assert plan.is_empty and plan.outcome == outcome.UNCHANGED
        assert plan.vdu_changes == ()
    else:
        assert not plan.is_empty and plan.outcome == outcome.CHANGED


def test_kept_entries_are_not_in_the_plan():
    plan = one_vdu(["a", "b", "c"], ["a", "c", "x"], level=2)
    (change,) = plan.vdu_changes
    assert [r.entry_id for r in change.renamed] == ["e2"]
    assert (change.old_count, change.new_count, change.replicas) == (3, 3, 3)


@pytest.mark.parametrize("deltas, initial, max_, count, level", [
    ((1, 1), 1, 3, 1, 0),
    ((1, 1), 1, 3, 3, 2),
    ((2, 2), 1, 5, 5, 2),
    ((2, 3), 1, 6, 3, 1),
    ((2, 3), 1, 6, 6, 2),
    ((3,), 0, 3, 0, 0),
    ((3,), 0, 3, 3, 1),
])
def test_levels_for_equal_and_unequal_deltas(deltas, initial, max_, count,
                                             level):
    sc = fakes.scaling("VDU1", min_=0, max_=max_, initial=initial,
                       deltas=deltas)
    running = ["p%d" % i for i in range(count)]
    plan = one_vdu(running, running, level=99, scaling=sc)
    assert summary(plan)[3] == [("vdu1_aspect", 99, level)]


@pytest.mark.parametrize("deltas, initial, max_, count, delta", [
    ((2, 2), 1, 5, 2, 2),
    ((2, 3), 1, 6, 4, 2),
    ((2, 3), 1, 6, 5, 2),
])
def test_count_matching_no_level(deltas, initial, max_, count, delta):
    sc = fakes.scaling("VDU1", min_=1, max_=max_, initial=initial,
                       deltas=deltas)
    plan = one_vdu(["a"], ["p%d" % i for i in range(count)], level=0,
                   scaling=sc)
    assert plan.outcome == outcome.FAILED and plan.is_empty
    (error,) = plan.errors
    assert error.kind == model.ERROR_SCALE_LEVEL and error.vdu_id == "VDU1"
    assert error.message == (
        "Error computing 'scale_level'. current Pod num: %d delta: %d. "
        "vnf: %s vdu: VDU1" % (count, delta, INST))


@pytest.mark.parametrize("count", [0, 4, 7])
def test_out_of_range(count):
    plan = one_vdu(["a", "b"], ["p%d" % i for i in range(count)], level=1)
    assert plan.outcome == outcome.FAILED
    assert plan.vdu_changes == () and plan.level_changes == ()
    (error,) = plan.errors
    assert error.kind == model.ERROR_OUT_OF_RANGE
    assert error.message == (
        "Failed to update database vnf %s vdu: VDU1. Pod num is out of "
        "range. pod_num: %d" % (INST, count))


def two_vdus(running1, running2, *, levels=None, aspect2="vdu1_aspect"):
    inst = fakes.instance(
        [fakes.vnfc("e1", "VDU1", "a1"), fakes.vnfc("e2", "VDU2", "b1")],
        {"VDU1": (DEP, "vdu1"), "VDU2": (DEP, "vdu2")},
        {"vdu1_aspect": 0} if levels is None else levels)
    obs = {"VDU1": fakes.observation("VDU1", running1),
           "VDU2": fakes.observation("VDU2", running2)}
    sc = {"VDU1": fakes.scaling("VDU1"),
          "VDU2": fakes.scaling("VDU2", aspect=aspect2)}
    return run(inst, obs, sc)


def test_aspect_spanning_two_vdus_consistent():
    plan = two_vdus(["a1", "a2"], ["b1", "b2"])
    assert summary(plan)[3] == [("vdu1_aspect", 0, 1)]
    assert [c.vdu_id for c in plan.vdu_changes] == ["VDU1", "VDU2"]
    assert all(c.aspect_id == "vdu1_aspect" for c in plan.vdu_changes)


def test_aspect_level_change_lists_every_vdu_of_the_aspect():
    # Only VDU2's pods changed, but the aspect's level is shared.
    plan = two_vdus(["a1"], ["b1"], levels={"vdu1_aspect": 1})
    assert summary(plan)[3] == [("vdu1_aspect", 1, 0)]
    assert [c.vdu_id for c in plan.vdu_changes] == ["VDU1", "VDU2"]
    assert not any(c.has_pod_changes for c in plan.vdu_changes)


def test_aspect_spanning_two_vdus_mismatch():
    plan = two_vdus(["a1", "a2"], ["b1", "b2", "b3"])
    assert plan.outcome == outcome.FAILED and plan.is_empty
    (error,) = plan.errors
    assert error.kind == model.ERROR_ASPECT_MISMATCH
    assert error.aspect_id == "vdu1_aspect" and error.vdu_id is None
    assert INST in error.message
    assert "VDU1=1, VDU2=2" in error.message


def test_two_aspects_are_independent():
    plan = two_vdus(["a1", "a2"], ["b1", "b2", "b3"], aspect2="vdu2_aspect",
                    levels={"vdu1_aspect": 0, "vdu2_aspect": 0})
    assert summary(plan)[3] == [("vdu1_aspect", 0, 1),
                                ("vdu2_aspect", 0, 2)]


def test_one_bad_vdu_blocks_the_whole_instance():
    plan = two_vdus(["a1", "a9"], ["b1", "b2", "b3", "b4"],
                    aspect2="vdu2_aspect",
                    levels={"vdu1_aspect": 0, "vdu2_aspect": 0})
    assert plan.is_empty
    assert [e.kind for e in plan.errors] == [model.ERROR_OUT_OF_RANGE]
    assert plan.errors[0].vdu_id == "VDU2"


def test_vdu_scaled_to_zero_is_handled():
    sc = fakes.scaling("VDU1", min_=0, max_=2, initial=0, deltas=(1, 1))
    plan = one_vdu(["a", "b"], [], level=2, scaling=sc)
    assert summary(plan) == ([], [], [("e1", "a"), ("e2", "b")],
                             [("vdu1_aspect", 2, 0)])
    assert plan.vdu_changes[0].replicas == 0


def test_vdu_scaled_from_zero_without_stored_entries():
    sc = fakes.scaling("VDU1", min_=0, max_=2, initial=0, deltas=(1, 1))
    plan = one_vdu([], ["n1"], level=0, scaling=sc)
    assert summary(plan) == ([], ["n1"], [], [("vdu1_aspect", 0, 1)])


def test_bare_pod_deleted_is_out_of_range():
    sc = fakes.scaling("VDU3", min_=1, max_=1, aspect=None)
    inst = fakes.instance([fakes.vnfc("e1", "VDU3", "vdu3", model.POD)],
                          {"VDU3": (model.POD, "vdu3")})
    obs = {"VDU3": fakes.observation("VDU3", [], model.POD, found=False)}
    plan = run(inst, obs, {"VDU3": sc})
    assert plan.is_empty and plan.outcome == outcome.FAILED
    assert plan.errors[0].message == (
        "Failed to update database vnf %s vdu: VDU3. Pod num is out of "
        "range. pod_num: 0" % INST)


def test_statefulset_pods_recreated_with_same_names():
    sc = fakes.scaling("VDU1", min_=1, max_=3, initial=1)
    plan = one_vdu(["db-0", "db-1"], ["db-0", "db-1"], level=1, scaling=sc,
                   kind=STS)
    assert plan.is_empty and plan.outcome == outcome.UNCHANGED


def test_statefulset_scaled_out_drives_level():
    plan = one_vdu(["db-0"], ["db-0", "db-1"], level=0, kind=STS)
    assert summary(plan) == ([], ["db-1"], [], [("vdu1_aspect", 0, 1)])


def test_vdu_without_scaling_facts_syncs_names_only():
    plan = one_vdu(["a"], ["b", "c"], scaling=False)
    assert summary(plan) == ([("e1", "a", "b")], ["c"], [], [])
    assert plan.vdu_changes[0].aspect_id is None


def test_daemonset_has_no_replicas():
    sc = fakes.scaling("VDU1", min_=0, max_=10, aspect=None)
    plan = one_vdu(["a"], ["b"], scaling=sc, kind=model.DAEMON_SET)
    assert plan.vdu_changes[0].replicas is None


def test_duplicate_stored_pod_name():
    plan = one_vdu(["a", "a"], ["a", "b"], level=1)
    assert summary(plan) == ([("e2", "a", "b")], [], [], [])


def test_replicas_drift_alone_is_a_change():
    plan = one_vdu(["a", "b"], ["a", "b"], level=1, replicas={"VDU1": 3})
    assert plan.outcome == outcome.CHANGED
    (change,) = plan.vdu_changes
    assert change.replicas == 2 and not change.has_pod_changes
    assert one_vdu(["a", "b"], ["a", "b"], level=1,
                   replicas={"VDU1": 2}).is_empty


def test_unobserved_vdu_is_an_error():
    inst = fakes.instance([fakes.vnfc("e1", "VDU1", "a")],
                          {"VDU1": (DEP, "vdu1")}, {"vdu1_aspect": 0})
    plan = run(inst, {}, {"VDU1": fakes.scaling("VDU1")})
    assert plan.outcome == outcome.FAILED and plan.is_empty
    assert plan.errors[0].kind == model.ERROR_UNOBSERVED


def unsettled_plan(**kwargs):
    inst = fakes.instance([fakes.vnfc("e1", "VDU1", "a")],
                          {"VDU1": (DEP, "vdu1")}, {"vdu1_aspect": 0})
    obs = {"VDU1": fakes.observation("VDU1", ["b"], settled=False,
                                     reason="1 pod Pending")}
    return run(inst, obs, {"VDU1": fakes.scaling("VDU1")}, **kwargs)


def test_unsettled_first_seen_is_deferred():
    plan = unsettled_plan()
    assert plan.outcome == outcome.DEFERRED and plan.is_empty
    assert plan.unsettled_vdus == {"VDU1"}
    assert plan.newly_unsettled == {"VDU1"}
    assert plan.deferred_reasons == (
        "vnf %s vdu: VDU1 has not settled for 0s: 1 pod Pending" % INST,)


def test_unsettled_before_timeout_is_deferred():
    plan = unsettled_plan(now=1059.0, unsettled_since={"VDU1": 1000.0})
    assert plan.outcome == outcome.DEFERRED and plan.is_empty
    assert plan.newly_unsettled == frozenset()
    assert "59s" in plan.deferred_reasons[0]


def test_unsettled_past_timeout_is_written_with_a_warning():
    plan = unsettled_plan(now=1060.0, unsettled_since={"VDU1": 1000.0})
    assert plan.outcome == outcome.CHANGED
    assert summary(plan) == ([("e1", "a", "b")], [], [], [])
    (warning,) = plan.warnings
    assert "VDU1" in warning and INST in warning
    assert "1 pod Pending" in warning and "settle_timeout 60s" in warning


def test_settled_vdus_report_no_unsettled():
    plan = one_vdu(["a"], ["a"], level=0)
    assert plan.unsettled_vdus == frozenset()
    assert plan.newly_unsettled == frozenset()


def test_log_lines():
    plan = one_vdu(["a", "b"], ["b", "c", "d"], level=1)
    assert plan.log_lines() == [
        "Database synchronization succeeded. vnf: %s vdu: VDU1 "
        "pods: replaced (one of): a -> c, d; pod count: 2 -> 3; "
        "replicas: 3; scaleLevel vdu1_aspect: 1 -> 2" % INST]
    healed = one_vdu(["a", "b"], ["b", "c"], level=1)
    assert healed.log_lines()[0].endswith(
        "vdu: VDU1 pods: a -> c; replicas: 2")
    removed = one_vdu(["a", "b"], ["a"], level=1)
    assert removed.log_lines() == [
        "Database synchronization succeeded. vnf: %s vdu: VDU1 "
        "removed: b; pod count: 2 -> 1; replicas: 1; "
        "scaleLevel vdu1_aspect: 1 -> 0" % INST]
    missing = one_vdu(["a"], ["a"], level=None)
    assert missing.log_lines()[0].endswith(
        "pods unchanged; replicas: 1; scaleLevel vdu1_aspect: (none) -> 0")


@pytest.mark.parametrize("stored, running, text", [
    # One went, one came: the only pairing that is known.
    (["a", "b"], ["b", "c"], "pods: a -> c"),
    # A heal and a scale-out in one pass: which new pod is the heal's
    # cannot be known, so no new pod is named as its replacement.
    (["a"], ["c", "d", "e"], "pods: replaced (one of): a -> c, d, e"),
    # Two killed at once.
    (["a", "b"], ["c", "d"], "pods: replaced (one of): a, b -> c, d"),
    # A heal and a scale-in in one pass.
    (["a", "b"], ["c"], "pods: replaced (one of): a, b -> c"),
    (["a"], ["a", "c"], "added: c"),
    (["a", "b"], ["a"], "removed: b"),
    (["a"], ["a"], "pods unchanged"),
], ids=["one-for-one", "heal-and-scale-out", "two-killed",
        "heal-and-scale-in", "scale-out", "scale-in", "unchanged"])
def test_pod_turnover_names_a_pairing_only_when_it_is_known(
        stored, running, text):
    plan = one_vdu(stored, running, level=None)
    (change,) = plan.vdu_changes
    assert change.turnover.describe() == text
    assert change.turnover == model.PodTurnover.between(stored, running)
    assert "; %s; " % text in plan.log_lines()[0] or \
        " %s; " % text in plan.log_lines()[0]


def test_to_dict_is_json():
    plan = one_vdu(["a", "b"], ["b", "c", "d"], level=1)
    data = json.loads(json.dumps(plan.to_dict()))
    assert data["outcome"] == "changed"
    assert data["vdu_changes"][0]["renamed"] == [
        {"entry_id": "e1", "old_pod_name": "a", "new_pod_name": "c"}]
    assert data["vdu_changes"][0]["added"] == ["d"]
    assert data["level_changes"] == [
        {"aspect_id": "vdu1_aspect", "old_level": 1, "new_level": 2}]
    error = one_vdu(["a"], [], level=0).to_dict()
    assert error["errors"][0]["kind"] == "out_of_range"
