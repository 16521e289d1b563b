"""What the synchronization keeps of an object: the decisions must not move."""

import copy
import json

import pytest

from tacker.tests.unit.vnfm.infra_drivers.kubernetes import k8s_objects as k8s
from tacker.vnfm.infra_drivers.kubernetes import kept
from tacker.vnfm.infra_drivers.kubernetes import list_shape
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import ownership


def _rollout():
    dep, old_rs, old_pods = k8s.deployment_tree("web", 2)
    new_rs = k8s.replicaset("web-66b7f8c9d4", 2, owner=dep, revision=2)
    new_pods = k8s.pods_of(new_rs, model.REPLICA_SET, 2, start=5)
    old_pods[0]["metadata"]["deletionTimestamp"] = "2024-01-01T00:09:00Z"
    objects = [dep, old_rs, new_rs] + old_pods + new_pods
    return objects, (model.DEPLOYMENT, "web")


def _settled_deployment():
    dep, rs, pods = k8s.deployment_tree("web", 3)
    return [dep, rs] + pods, (model.DEPLOYMENT, "web")


def _statefulset_behind():
    sts = k8s.statefulset("db", 3, generation=4)
    sts["status"]["observedGeneration"] = 3
    pods = k8s.pods_of(sts, model.STATEFUL_SET, 2)
    pods.append(k8s.pods_of(sts, model.STATEFUL_SET, 1, start=2,
                            phase="Pending")[0])
    return [sts] + pods, (model.STATEFUL_SET, "db")


def _daemonset_updating():
    ds = k8s.daemonset("agent", 3, updated=1)
    objects = [ds] + k8s.pods_of(ds, model.DAEMON_SET, 3)
    return objects, (model.DAEMON_SET, "agent")


def _replicaset_with_failed_pod():
    rs = k8s.replicaset("solo", 2)
    pods = k8s.pods_of(rs, model.REPLICA_SET, 2)
    pods.append(k8s.pods_of(rs, model.REPLICA_SET, 1, start=3,
                            phase="Failed")[0])
    return [rs] + pods, (model.REPLICA_SET, "solo")


def _bare_pod():
    return [k8s.pod("lonely")], (model.POD, "lonely")


SCENARIOS = {
    "settled deployment": _settled_deployment,
    "deployment rollout with a terminating old pod": _rollout,
    "statefulset behind its generation with a pending pod":
        _statefulset_behind,
    "daemonset update in progress": _daemonset_updating,
    "replicaset with a failed pod": _replicaset_with_failed_pod,
    "bare pod": _bare_pod,
}


def _slim_snapshot(objects):
    full = k8s.snapshot(objects)
    fields = ("pods", "replicasets", "deployments", "statefulsets",
              "daemonsets")
    return full, model.NamespaceSnapshot(
        namespace=full.namespace,
        **{f: [kept.slim(o) for o in getattr(full, f)] for f in fields})


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_slim_snapshot_observes_what_the_full_one_does(name):
    objects, (kind, workload) = SCENARIOS[name]()
    before = copy.deepcopy(objects)
    full, slim = _slim_snapshot(objects)
    target = model.VduTarget("VDU1", kind, workload)
    assert ownership.observe_vdu(slim, target) == \
        ownership.observe_vdu(full, target)
    assert objects == before


def test_slim_drops_what_nobody_reads_and_stays_well_formed():
    dep, rs, pods = k8s.deployment_tree("web", 1)
    rs["metadata"]["annotations"]["other"] = "x" * 1000
    rs["metadata"]["managedFields"] = [{"manager": "kube"}]
    for obj in (dep, rs, pods[0]):
        cut = kept.slim(obj)
        assert list_shape.problem(cut) is None
        assert "managedFields" not in cut["metadata"]
        assert "containers" not in (cut.get("spec") or {})
    assert kept.slim(rs)["metadata"]["annotations"] == {
        ownership.REVISION_ANNOTATION: "1"}


# --- equal containers are one object --------------------------------------

_SPEC_KEYS = ("replicas",)
_STATUS_KEYS = ("phase", "replicas", "updatedReplicas", "observedGeneration",
                "desiredNumberScheduled", "updatedNumberScheduled",
                "currentNumberScheduled")


def _plainly_kept(item):
    """What ``slim`` must keep, spelled out here as plain deep copies."""
    meta = item["metadata"]
    keys = set(ownership.POD_METADATA_KEYS) | {"deletionTimestamp",
                                               "generation"}
    expected = {"metadata": {k: copy.deepcopy(v) for k, v in meta.items()
                             if k in keys}}
    revision = (meta.get("annotations") or {}).get(
        ownership.REVISION_ANNOTATION)
    if revision is not None:
        expected["metadata"]["annotations"] = {
            ownership.REVISION_ANNOTATION: revision}
    for part, wanted in (("spec", _SPEC_KEYS), ("status", _STATUS_KEYS)):
        given = item.get(part) or {}
        # In the order of the keys slim looks for, as it always was.
        found = {k: copy.deepcopy(given[k]) for k in wanted if k in given}
        if found:
            expected[part] = found
    return expected


def _replicaset_pods(template_hash, count=3):
    """Pods of one ReplicaSet, labelled from its pod template."""
    _dep, rs, pods = k8s.deployment_tree("web", count,
                                         template_hash=template_hash)
    for pod in pods:
        pod["metadata"]["labels"] = {"app": "web",
                                     "pod-template-hash": template_hash}
    return rs, pods


def test_pods_of_one_replicaset_share_their_labels_and_owner_references():
    _rs, pods = _replicaset_pods("7d4b9c8f6a")
    first, second = (kept.slim(p) for p in pods[:2])
    assert first["metadata"]["labels"] is second["metadata"]["labels"]
    assert first["metadata"]["ownerReferences"] is \
        second["metadata"]["ownerReferences"]
    assert first["status"] is second["status"]
    # Each pod keeps its own names and its own metadata dict.
    assert first["metadata"] is not second["metadata"]
    assert first["metadata"]["uid"] != second["metadata"]["uid"]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_slimmed_object_is_what_a_plain_copy_keeps(name):
    objects, _target = SCENARIOS[name]()
    for obj in objects:
        slimmed = kept.slim(obj)
        expected = _plainly_kept(obj)
        assert slimmed == expected
        # Same keys in the same order, same types: the same JSON.
        assert json.dumps(slimmed) == json.dumps(expected)
        assert type(slimmed) is dict
        assert type(slimmed["metadata"]) is dict


def test_contents_equal_only_by_python_rules_are_not_shared():
    _rs, pods = _replicaset_pods("5c6d7e8f9a", count=3)
    as_int, reordered = pods[1]["metadata"], pods[2]["metadata"]
    as_int["ownerReferences"][0]["controller"] = 1
    as_int["labels"] = {"pod-template-hash": "5c6d7e8f9a", "app": "web"}
    reordered["labels"] = dict(reversed(list(
        pods[0]["metadata"]["labels"].items())))
    slimmed = [kept.slim(p) for p in pods]
    for pod, cut in zip(pods, slimmed):
        assert json.dumps(cut) == json.dumps(_plainly_kept(pod))
    refs = [cut["metadata"]["ownerReferences"] for cut in slimmed]
    assert refs[0] is not refs[1]
    assert refs[0] is refs[2]
    assert slimmed[0]["metadata"]["labels"] is not \
        slimmed[2]["metadata"]["labels"]


def test_changing_the_parsed_item_later_changes_no_slimmed_object():
    _rs, pods = _replicaset_pods("1a2b3c4d5e", count=2)
    first = kept.slim(pods[0])
    before = copy.deepcopy(first)
    pods[0]["metadata"]["labels"]["app"] = "changed"
    pods[0]["metadata"]["ownerReferences"][0]["name"] = "changed"
    pods[0]["status"]["phase"] = "Failed"
    assert first == before
    assert kept.slim(pods[1])["metadata"]["labels"] is \
        first["metadata"]["labels"]


def _unique_pod(number):
    pod = k8s.pod("solo-%d" % number)
    pod["metadata"]["labels"] = {"app": "solo", "serial": str(number)}
    return pod


def test_a_container_nothing_uses_any_more_is_forgotten():
    held = kept.slim(_unique_pod(1))
    gone = kept.slim(_unique_pod(2))
    del gone
    kept.SHARED.sweep()
    size = len(kept.SHARED)
    # Still used: the same object comes back, nothing is added.
    assert kept.slim(_unique_pod(1))["metadata"]["labels"] is \
        held["metadata"]["labels"]
    assert len(kept.SHARED) == size
    # Forgotten: the same content is a new entry.
    again = kept.slim(_unique_pod(2))
    assert len(kept.SHARED) == size + 1
    assert again["metadata"]["labels"] == {"app": "solo", "serial": "2"}


def test_the_table_stays_bounded_while_replicasets_come_and_go():
    kept.SHARED.sweep()
    bound = max(4096, 2 * len(kept.SHARED))
    # Each ReplicaSet brings two new containers (its pods' labels and
    # ownerReferences) that the cache soon drops again: kept, they would
    # pass the bound by far.
    for batch in range(bound // 2 + 500):
        _rs, pods = _replicaset_pods("%010x" % batch, count=2)
        cache = [kept.slim(p) for p in pods]
        del cache
    assert len(kept.SHARED) <= bound + 2
