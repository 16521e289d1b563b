"""What the synchronization keeps of an object: the decisions must not move."""

import copy

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
