"""Property tests of ownership, reconcile and the two record adapters."""

import copy
import itertools

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tacker.tests.unit.vnfm.infra_drivers.kubernetes import fakes
from tacker.tests.unit.vnfm.infra_drivers.kubernetes import k8s_objects as k8s
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import outcome
from tacker.vnfm.infra_drivers.kubernetes import ownership
from tacker.vnfm.infra_drivers.kubernetes import reconcile as rec
from tacker.vnfm.infra_drivers.kubernetes import v1_records
from tacker.vnfm.infra_drivers.kubernetes import v2_records

INST = fakes.INSTANCE_ID
KINDS = (model.DEPLOYMENT, model.REPLICA_SET, model.STATEFUL_SET,
         model.DAEMON_SET)
POD_POOL = ["p%d" % i for i in range(8)]


@st.composite
def scenarios(draw, valid_scaling=True):
    """A stored instance, observations and scaling facts."""
    vdu_count = draw(st.integers(1, 3))
    vdus = ["VDU%d" % (i + 1) for i in range(vdu_count)]
    # A shared aspect with random counts mostly gives errors; the
    # "valid" scenarios keep one aspect per VDU and every count legal.
    shared_aspect = False if valid_scaling else draw(st.booleans())
    targets, stored, running, scaling, levels = {}, [], {}, {}, {}
    entry_ids = itertools.count(1)
    for vdu in vdus:
        kind = draw(st.sampled_from(KINDS))
        targets[vdu] = (kind, vdu.lower())
        pool = ["%s-%s" % (vdu.lower(), p) for p in POD_POOL]
        for name in draw(st.lists(st.sampled_from(pool), unique=True,
                                  max_size=5)):
            stored.append(fakes.vnfc("e%d" % next(entry_ids), vdu, name,
                                     kind))
        running[vdu] = draw(st.lists(st.sampled_from(pool), unique=True,
                                     max_size=5))
        aspect = ("aspect" if shared_aspect
                  else draw(st.sampled_from([None, "a_" + vdu])))
        if valid_scaling and not shared_aspect:
            sc = fakes.scaling(vdu, min_=0, max_=5, initial=0,
                               deltas=(1,) * 5, aspect=aspect)
        else:
            sc = fakes.scaling(
                vdu, min_=draw(st.integers(0, 2)),
                max_=draw(st.integers(2, 6)),
                initial=draw(st.integers(0, 2)),
                deltas=tuple(draw(st.lists(st.integers(1, 3), min_size=1,
                                           max_size=4))),
                aspect=aspect)
        scaling[vdu] = draw(st.sampled_from([sc, None])) \
            if not shared_aspect else sc
        if aspect is not None:
            stored_level = draw(st.one_of(st.none(), st.integers(0, 4)))
            if stored_level is not None:
                levels[aspect] = stored_level
    draw(st.randoms()).shuffle(stored)
    instance = fakes.instance(stored, targets, levels)
    observations = {vdu: fakes.observation(vdu, running[vdu],
                                           targets[vdu][0])
                    for vdu in vdus}
    return instance, observations, scaling


def reconcile(instance, observations, scaling):
    return rec.reconcile(instance, observations, scaling, now=0.0,
                         unsettled_since={}, settle_timeout=0.0)


def v2_record(instance):
    return {
        "vnfcResourceInfo": [
            {"id": v.pod_name, "vduId": v.vdu_id,
             "computeResource": {"resourceId": v.pod_name,
                                 "vimLevelResourceType": v.resource_kind},
             "metadata": {}} for v in instance.vnfcs],
        "vnfcInfo": [
            {"id": "%s-%s" % (v.vdu_id, v.pod_name), "vduId": v.vdu_id,
             "vnfcResourceInfoId": v.pod_name, "vnfcState": "STARTED",
             "vnfcConfigurableProperties": {"k": v.pod_name}}
            for v in instance.vnfcs],
        "scaleStatus": [{"aspectId": a, "scaleLevel": lvl}
                        for a, lvl in sorted(instance.scale_levels.items())],
        "metadata": {"vdu_reses": {
            vdu: {"kind": t.kind, "metadata": {"name": t.name},
                  "spec": {"replicas": 1}}
            for vdu, t in instance.vdu_targets.items()}},
    }


def v1_rows(instance):
    entries = [{"id": v.entry_id, "vdu_id": v.vdu_id,
                "compute_resource": {"vim_connection_id": "vim",
                                     "resource_id": v.pod_name,
                                     "vim_level_resource_type":
                                         v.resource_kind},
                "storage_resource_ids": [], "vnfc_cp_info": [],
                "metadata": {}} for v in instance.vnfcs]
    statuses = [{"aspect_id": a, "scale_level": lvl}
                for a, lvl in sorted(instance.scale_levels.items())]
    return entries, statuses


@settings(max_examples=200, deadline=None)
@given(scenarios(valid_scaling=False))
def test_plan_is_consistent_and_inputs_untouched(scenario):
    instance, observations, scaling = scenario
    before = copy.deepcopy((instance, observations, scaling))
    plan = reconcile(instance, observations, scaling)
    assert (instance, observations, scaling) == before
    assert not (plan.errors and not plan.is_empty)
    expected = {outcome.FAILED: bool(plan.errors),
                outcome.CHANGED: not plan.is_empty,
                outcome.UNCHANGED: not plan.errors and plan.is_empty}
    assert expected[plan.outcome]
    assert plan.to_dict()["outcome"] == plan.outcome


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_renames_keep_ids_and_cover_the_running_pods(scenario):
    instance, observations, scaling = scenario
    plan = reconcile(instance, observations, scaling)
    assert plan.outcome in (outcome.CHANGED, outcome.UNCHANGED)
    changes = {c.vdu_id: c for c in plan.vdu_changes}
    for vdu, obs in observations.items():
        stored = [v for v in instance.vnfcs if v.vdu_id == vdu]
        change = changes.get(vdu)
        touched = set()
        names = {v.pod_name for v in stored}
        if change is not None:
            touched = ({r.entry_id for r in change.renamed}
                       | {v.entry_id for v in change.removed})
            names -= {r.old_pod_name for r in change.renamed}
            names -= {v.pod_name for v in change.removed}
            names |= {r.pod.name for r in change.renamed}
            names |= {p.name for p in change.added}
        # Entries whose pod still runs are never touched.
        for vnfc in stored:
            if vnfc.pod_name in obs.running_names:
                assert vnfc.entry_id not in touched
        assert names == set(obs.running_names)


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_pairing_does_not_depend_on_stored_order(scenario):
    instance, observations, scaling = scenario
    reordered = model.StoredInstance(
        instance_id=instance.instance_id, api_version="v2",
        vnfcs=tuple(reversed(instance.vnfcs)),
        scale_levels=instance.scale_levels,
        vdu_targets=instance.vdu_targets)
    first = reconcile(instance, observations, scaling)
    second = reconcile(reordered, observations, scaling)
    assert ({r for c in first.vdu_changes for r in c.renamed}
            == {r for c in second.vdu_changes for r in c.renamed})


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_v2_apply_then_reconcile_is_empty(scenario):
    instance, observations, scaling = scenario
    record = v2_record(instance)
    before = copy.deepcopy(record)
    stored = v2_records.stored_from_v2(INST, record)
    plan = reconcile(stored, observations, scaling)
    new = v2_records.apply_plan_v2(record, plan)
    assert record == before
    again = v2_records.stored_from_v2(INST, new)
    assert reconcile(again, observations, scaling).is_empty
    for vdu, obs in observations.items():
        resources = [e for e in new["vnfcResourceInfo"]
                     if e["vduId"] == vdu]
        assert len(resources) == len(obs.running)
    # vnfcInfo follows vnfcResourceInfo one to one, and keeps its
    # configurable properties for every entry that existed before.
    assert ([i["vnfcResourceInfoId"] for i in new["vnfcInfo"]]
            == [e["id"] for e in new["vnfcResourceInfo"]])
    for entry in new["vnfcInfo"]:
        if "vnfcConfigurableProperties" in entry:
            assert entry["id"] == "%s-%s" % (entry["vduId"],
                                             entry["vnfcResourceInfoId"])


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_v1_apply_then_reconcile_is_empty(scenario):
    instance, observations, scaling = scenario
    entries, statuses = v1_rows(instance)
    before = copy.deepcopy((entries, statuses))
    stored = v1_records.stored_from_v1(
        INST, vnfc_resource_info=entries, scale_status=statuses,
        vdu_targets=instance.vdu_targets)
    plan = reconcile(stored, observations, scaling)
    counter = itertools.count(1)
    new, new_statuses = v1_records.apply_plan_v1(
        entries, statuses, plan, id_factory=lambda: "n%d" % next(counter))
    assert (entries, statuses) == before
    again = v1_records.stored_from_v1(
        INST, vnfc_resource_info=new, scale_status=new_statuses,
        vdu_targets=instance.vdu_targets)
    assert reconcile(again, observations, scaling).is_empty
    old_ids = {e["id"] for e in entries}
    for vdu, obs in observations.items():
        mine = [e for e in new if e["vdu_id"] == vdu]
        assert len(mine) == len(obs.running)
        kept = [e for e in mine if e["id"] in old_ids]
        added = [e for e in mine if e["id"] not in old_ids]
        assert len(kept) == min(len(obs.running),
                                len([e for e in entries
                                     if e["vdu_id"] == vdu]))
        assert all(e["id"].startswith("n") for e in added)


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.floats(0, 100), st.floats(0, 100), st.floats(1, 50))
def test_unsettled_defers_until_timeout(scenario, since, age, timeout):
    instance, observations, scaling = scenario
    vdu = sorted(observations)[0]
    observations = dict(observations)
    observations[vdu] = model.VduObservation(
        vdu_id=vdu, kind=observations[vdu].kind, resource_found=True,
        running=observations[vdu].running, settled=False,
        unsettled_reason="1 pod Pending")
    now = since + age
    plan = rec.reconcile(instance, observations, scaling, now=now,
                         unsettled_since={vdu: since},
                         settle_timeout=timeout)
    age = now - since  # what reconcile sees, rounding included
    assert plan.unsettled_vdus == {vdu}
    assert plan.newly_unsettled == frozenset()
    if age < timeout:
        assert plan.outcome == outcome.DEFERRED and plan.is_empty
    else:
        assert plan.outcome != outcome.DEFERRED
        assert any(vdu in w for w in plan.warnings)


TRICKY_NAMES = ["web", "web-api", "web.api", "webxapi", "x",
                "a" * 60, "a" * 59, "a" * 58 + "-b"]


@st.composite
def namespaces(draw):
    """Deployments and StatefulSets with tricky names, plus stray pods."""
    numbers = itertools.count(1)
    objects, expected = [], {}
    chosen = draw(st.lists(st.tuples(st.sampled_from(TRICKY_NAMES),
                                     st.sampled_from([model.DEPLOYMENT,
                                                      model.STATEFUL_SET])),
                           unique=True, min_size=1, max_size=6))
    for name, kind in chosen:
        replicas = draw(st.integers(0, 3))
        if kind == model.DEPLOYMENT:
            owner = k8s.deployment(name, replicas)
            rs = k8s.replicaset("%s-%010d" % (name, next(numbers)),
                                replicas, owner=owner, revision=2)
            if draw(st.booleans()):
                # A ReplicaSet of an earlier rollout, scaled down to 0.
                objects.append(k8s.replicaset(
                    "%s-%010d" % (name, next(numbers)), 0, owner=owner,
                    revision=1))
            pods = [k8s.pod(k8s.generated_name(rs["metadata"]["name"],
                                               next(numbers)),
                            owner=rs, owner_kind=model.REPLICA_SET)
                    for _ in range(replicas)]
            objects += [owner, rs]
        else:
            owner = k8s.statefulset(name, replicas)
            pods = k8s.pods_of(owner, model.STATEFUL_SET, replicas)
            objects.append(owner)
        objects += pods
        # A pod whose controller is a deleted namesake of the owner.
        if draw(st.booleans()):
            objects.append(k8s.pod(
                k8s.generated_name(name, next(numbers)) + "-stale",
                owner=name, owner_kind=kind, owner_uid=k8s.new_uid()))
        expected[(kind, name)] = sorted(p["metadata"]["name"] for p in pods)
    draw(st.randoms()).shuffle(objects)
    return objects, expected


@settings(max_examples=150, deadline=None)
@given(namespaces())
def test_ownership_finds_exactly_the_owned_pods(scenario):
    objects, expected = scenario
    before = copy.deepcopy(objects)
    snap = k8s.snapshot(objects)
    targets = [model.VduTarget("V%d" % i, kind, name)
               for i, (kind, name) in enumerate(sorted(expected))]
    observed = ownership.observe_vdus(snap, targets)
    for target in targets:
        obs = observed[target.vdu_id]
        assert list(obs.running_names) == expected[(target.kind,
                                                    target.name)]
        assert obs.settled, obs.unsettled_reason
    assert objects == before


def _changed(obj, change, number):
    """A changed copy of ``obj`` (what an event would bring)."""
    obj = copy.deepcopy(obj)
    meta, status = obj["metadata"], obj.setdefault("status", {})
    if change == "phase":
        status["phase"] = "Pending"
    elif change == "deleting":
        meta["deletionTimestamp"] = "2024-01-01T00:05:00Z"
    elif change == "status replicas":
        status["replicas"] = (status.get("replicas") or 0) + 1
    elif change == "spec replicas":
        obj.setdefault("spec", {})["replicas"] = number
    elif change == "generation":
        meta["generation"] = (meta.get("generation") or 1) + 1
    elif change == "orphaned":
        meta.pop("ownerReferences", None)
    elif change == "labels":
        meta["labels"] = {"app": "other"}
    return obj


_KIND_OF_FIELD = {"pods": model.POD, "replicasets": model.REPLICA_SET,
                  "deployments": model.DEPLOYMENT,
                  "statefulsets": model.STATEFUL_SET,
                  "daemonsets": model.DAEMON_SET}


def _snapshot(fielded):
    groups = {field: [] for field in _KIND_OF_FIELD}
    for field, obj in fielded:
        groups[field].append(obj)
    return model.NamespaceSnapshot(namespace=k8s.NAMESPACE, **groups)


_CHANGES = ("phase", "deleting", "status replicas", "spec replicas",
            "generation", "orphaned", "labels")


def _events(fielded):
    """Every namespace one event away.

    Each object is changed in each way, removed, or given a new pod.
    """
    for at, (field, obj) in enumerate(fielded):
        for change in _CHANGES:
            yield fielded[:at] + [(field, _changed(obj, change, at % 4))] \
                + fielded[at + 1:]
        yield fielded[:at] + fielded[at + 1:]
        yield fielded + [("pods", k8s.pod(
            "added-%d" % at, owner=obj, owner_kind=_KIND_OF_FIELD[field]))]


@settings(max_examples=40, deadline=None)
@given(namespaces())
def test_equal_inputs_give_equal_observations(scenario):
    # A VDU whose inputs are equal before and after an event is
    # observed the same, so an earlier finding about it may be reused
    # (engine._Quiet).
    objects, expected = scenario
    targets = [model.VduTarget("V%d" % i, kind, name)
               for i, (kind, name) in enumerate(sorted(expected))]
    before = [(k8s.kind_field(obj), obj) for obj in objects]
    old = _snapshot(before)
    for after in _events(before):
        new = _snapshot(after)
        for target in targets:
            if ownership.inputs_of(old, [target]) == \
                    ownership.inputs_of(new, [target]):
                assert ownership.observe_vdu(old, target) == \
                    ownership.observe_vdu(new, target)
