import copy
import json

import pytest

from tacker.tests.unit.vnfm.infra_drivers.kubernetes import k8s_objects as k8s
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import ownership


def target(kind, name, vdu_id="VDU1"):
    return model.VduTarget(vdu_id=vdu_id, kind=kind, name=name)


def observe(objects, kind, name):
    return ownership.observe_vdu(k8s.snapshot(objects), target(kind, name))


def names(pods):
    return sorted(p["metadata"]["name"] for p in pods)


def test_deployment_pods_through_replicaset():
    dep, rs, pods = k8s.deployment_tree("vdu1", 3)
    obs = observe([dep, rs] + pods, model.DEPLOYMENT, "vdu1")
    assert obs.resource_found
    assert obs.settled and obs.unsettled_reason is None
    assert obs.running_names == tuple(names(pods))
    assert obs.desired == 3
    assert {p.owner_kind for p in obs.running} == {model.REPLICA_SET}
    assert {p.owner_name for p in obs.running} == {rs["metadata"]["name"]}


def test_same_prefix_deployments_are_kept_apart():
    web = k8s.deployment_tree("web", 2, template_hash="7d4b9c8f6d")
    api = k8s.deployment_tree("web-api", 3, template_hash="66b7f8c9d4")
    objects = [web[0], web[1], api[0], api[1]] + web[2] + api[2]
    snap = k8s.snapshot(objects)
    obs = ownership.observe_vdus(snap, [target(model.DEPLOYMENT, "web", "A"),
                                        target(model.DEPLOYMENT, "web-api",
                                               "B")])
    assert obs["A"].running_names == tuple(names(web[2]))
    assert obs["B"].running_names == tuple(names(api[2]))
    assert obs["A"].settled and obs["B"].settled


def test_dotted_name():
    dep, rs, pods = k8s.deployment_tree("vdu.1", 2)
    # A namesake whose name would match an unescaped "vdu.1" pattern.
    other = k8s.deployment_tree("vdux1", 1, template_hash="1111111111")
    obs = observe([dep, rs, other[0], other[1]] + pods + other[2],
                  model.DEPLOYMENT, "vdu.1")
    assert obs.running_names == tuple(names(pods))


def test_long_name_with_truncated_pod_names():
    name = "a" * 50 + "-long-vdu1"
    assert len(name) == 60
    dep, rs, pods = k8s.deployment_tree(name, 2)
    for pod in pods:
        assert not pod["metadata"]["name"].startswith(name)
        assert len(pod["metadata"]["name"]) == 63
    obs = observe([dep, rs] + pods, model.DEPLOYMENT, name)
    assert obs.running_names == tuple(names(pods))
    assert obs.settled


def test_stale_owner_reference_does_not_count():
    dep, rs, pods = k8s.deployment_tree("vdu1", 1)
    # A pod left over from a deleted ReplicaSet of the same name.
    stale = k8s.pod(k8s.generated_name(rs["metadata"]["name"], 1),
                    owner=rs["metadata"]["name"],
                    owner_kind=model.REPLICA_SET, owner_uid=k8s.new_uid())
    # A ReplicaSet left over from a deleted Deployment of the same name.
    old_rs = k8s.replicaset("vdu1-0000000000", 1,
                            owner=dep["metadata"]["name"],
                            owner_uid=k8s.new_uid())
    old_pods = k8s.pods_of(old_rs, model.REPLICA_SET, 1)
    obs = observe([dep, rs, old_rs, stale] + pods + old_pods,
                  model.DEPLOYMENT, "vdu1")
    assert obs.running_names == tuple(names(pods))
    assert obs.settled


def test_same_name_different_kinds():
    dep, rs, dep_pods = k8s.deployment_tree("x", 2)
    sts = k8s.statefulset("x", 3)
    sts_pods = k8s.pods_of(sts, model.STATEFUL_SET, 3)
    snap = k8s.snapshot([dep, rs, sts] + dep_pods + sts_pods)
    by_dep = ownership.observe_vdu(snap, target(model.DEPLOYMENT, "x"))
    by_sts = ownership.observe_vdu(snap, target(model.STATEFUL_SET, "x"))
    assert by_dep.running_names == tuple(names(dep_pods))
    assert by_sts.running_names == ("x-0", "x-1", "x-2")
    assert by_sts.desired == 3


def test_rollout_with_terminating_old_pods_is_unsettled():
    dep = k8s.deployment("vdu1", 2, generation=2, updated_replicas=2,
                         status_replicas=3)
    old_rs = k8s.replicaset("vdu1-1111111111", 0, owner=dep, revision=1,
                            status_replicas=1)
    new_rs = k8s.replicaset("vdu1-2222222222", 2, owner=dep, revision=2)
    old = k8s.pods_of(old_rs, model.REPLICA_SET, 1, deleting=True)
    new = k8s.pods_of(new_rs, model.REPLICA_SET, 2)
    obs = observe([dep, old_rs, new_rs] + old + new, model.DEPLOYMENT,
                  "vdu1")
    assert not obs.settled
    assert obs.terminating == 1
    assert obs.running_names == tuple(names(new))
    assert "1 pod Terminating" in obs.unsettled_reason
    assert "Deployment rollout in progress" in obs.unsettled_reason
    assert "old ReplicaSet vdu1-1111111111 still has 1 pod" in \
        obs.unsettled_reason


def test_rollout_old_replicaset_running_pods_counted_but_unsettled():
    dep = k8s.deployment("vdu1", 2, generation=2, updated_replicas=1,
                         status_replicas=3)
    old_rs = k8s.replicaset("vdu1-1111111111", 1, owner=dep, revision=1)
    new_rs = k8s.replicaset("vdu1-2222222222", 2, owner=dep, revision=2)
    old = k8s.pods_of(old_rs, model.REPLICA_SET, 1)
    new = k8s.pods_of(new_rs, model.REPLICA_SET, 2)
    obs = observe([dep, old_rs, new_rs] + old + new, model.DEPLOYMENT,
                  "vdu1")
    assert len(obs.running) == 3
    assert not obs.settled
    assert obs.unsettled_reason.startswith(
        "Deployment rollout in progress (updatedReplicas 1 of 2")


def test_completed_rollout_with_empty_old_replicaset_is_settled():
    dep = k8s.deployment("vdu1", 2, generation=2)
    old_rs = k8s.replicaset("vdu1-1111111111", 0, owner=dep, revision=1)
    new_rs = k8s.replicaset("vdu1-2222222222", 2, owner=dep, revision=2)
    new = k8s.pods_of(new_rs, model.REPLICA_SET, 2)
    obs = observe([dep, old_rs, new_rs] + new, model.DEPLOYMENT, "vdu1")
    assert obs.settled, obs.unsettled_reason


@pytest.mark.parametrize("phases, settled, reason", [
    (["Running", "Running"], True, None),
    (["Running", "Pending"], False, "1 pod Pending"),
    (["Pending", "Pending"], False, "2 pods Pending"),
    (["Running", "Unknown"], False, "1 pod Pending"),
])
def test_pod_phases(phases, settled, reason):
    dep, rs, _ = k8s.deployment_tree("vdu1", len(phases))
    pods = [k8s.pod("vdu1-pod-%d" % i, owner=rs,
                    owner_kind=model.REPLICA_SET, phase=phase)
            for i, phase in enumerate(phases)]
    obs = observe([dep, rs] + pods, model.DEPLOYMENT, "vdu1")
    assert obs.settled is settled
    if reason:
        assert obs.unsettled_reason.startswith(reason)
    assert len(obs.running) == phases.count("Running")


def test_pending_and_terminating_reason_text():
    dep, rs, _ = k8s.deployment_tree("vdu1", 2)
    pods = [k8s.pod("p%d" % i, owner=rs, owner_kind=model.REPLICA_SET,
                    phase="Pending") for i in range(2)]
    pods.append(k8s.pod("p9", owner=rs, owner_kind=model.REPLICA_SET,
                        deleting=True))
    obs = observe([dep, rs] + pods, model.DEPLOYMENT, "vdu1")
    assert obs.unsettled_reason.startswith("2 pods Pending, 1 Terminating")
    assert (obs.pending, obs.terminating) == (2, 1)


def test_failed_pods_neither_count_nor_unsettle():
    dep, rs, pods = k8s.deployment_tree("vdu1", 2)
    failed = [k8s.pod("vdu1-dead-%d" % i, owner=rs,
                      owner_kind=model.REPLICA_SET, phase=phase)
              for i, phase in enumerate(["Failed", "Succeeded"])]
    obs = observe([dep, rs] + pods + failed, model.DEPLOYMENT, "vdu1")
    assert obs.settled
    assert obs.failed == 2
    assert len(obs.running) == 2


def test_generation_behind():
    dep, rs, pods = k8s.deployment_tree("vdu1", 2)
    dep["metadata"]["generation"] = 4
    dep["status"]["observedGeneration"] = 3
    obs = observe([dep, rs] + pods, model.DEPLOYMENT, "vdu1")
    assert not obs.settled
    assert obs.unsettled_reason == "observedGeneration 3 behind generation 4"


def test_fewer_running_than_desired_is_unsettled():
    dep, rs, pods = k8s.deployment_tree("vdu1", 3)
    obs = observe([dep, rs] + pods[:2], model.DEPLOYMENT, "vdu1")
    assert not obs.settled
    assert "2 of 3 desired pods Running" in obs.unsettled_reason


def test_missing_workload():
    obs = observe([], model.DEPLOYMENT, "vdu1")
    assert obs == model.VduObservation(
        vdu_id="VDU1", kind=model.DEPLOYMENT, resource_found=False,
        running=(), desired=None, settled=True)


def test_replicaset_vdu():
    rs = k8s.replicaset("vdu2", 2)
    pods = k8s.pods_of(rs, model.REPLICA_SET, 2)
    obs = observe([rs] + pods, model.REPLICA_SET, "vdu2")
    assert obs.settled and obs.desired == 2
    assert obs.running_names == tuple(names(pods))


def test_replicaset_status_behind_spec():
    rs = k8s.replicaset("vdu2", 3, status_replicas=2)
    pods = k8s.pods_of(rs, model.REPLICA_SET, 2)
    obs = observe([rs] + pods, model.REPLICA_SET, "vdu2")
    assert not obs.settled
    assert "status.replicas 2 differs from spec.replicas 3" in \
        obs.unsettled_reason


def test_statefulset_scaled_to_zero_omits_counts():
    sts = k8s.statefulset("db", 0)
    assert "replicas" not in sts["status"]
    obs = observe([sts], model.STATEFUL_SET, "db")
    assert obs.settled and obs.resource_found
    assert obs.running == () and obs.desired == 0


def test_daemonset():
    ds = k8s.daemonset("agent", 2)
    pods = k8s.pods_of(ds, model.DAEMON_SET, 2)
    obs = observe([ds] + pods, model.DAEMON_SET, "agent")
    assert obs.settled and obs.desired == 2
    assert {p.owner_kind for p in obs.running} == {model.DAEMON_SET}


def test_daemonset_update_in_progress():
    ds = k8s.daemonset("agent", 2, updated=1)
    pods = k8s.pods_of(ds, model.DAEMON_SET, 2)
    obs = observe([ds] + pods, model.DAEMON_SET, "agent")
    assert not obs.settled
    assert "DaemonSet rollout in progress" in obs.unsettled_reason


def test_bare_pod():
    bare = k8s.pod("vdu3")
    obs = observe([bare], model.POD, "vdu3")
    assert obs.settled and obs.desired == 1
    assert obs.running_names == ("vdu3",)
    assert obs.running[0].owner_kind is None


def test_bare_pod_vdu_ignores_controlled_namesake():
    rs = k8s.replicaset("other", 1)
    owned = k8s.pod("vdu3", owner=rs, owner_kind=model.REPLICA_SET)
    obs = observe([rs, owned], model.POD, "vdu3")
    assert not obs.resource_found


def test_bare_pod_failed_is_settled_and_not_counted():
    obs = observe([k8s.pod("vdu3", phase="Failed")], model.POD, "vdu3")
    assert obs.settled and obs.running == () and obs.failed == 1


def test_objects_of_other_namespaces_are_ignored():
    dep, rs, pods = k8s.deployment_tree("vdu1", 1)
    stray = copy.deepcopy(pods[0])
    stray["metadata"].update(name="vdu1-elsewhere", namespace="other",
                             uid=k8s.new_uid())
    obs = observe([dep, rs, stray] + pods, model.DEPLOYMENT, "vdu1")
    assert obs.running_names == tuple(names(pods))


def test_observed_pod_metadata_subset_and_hashable():
    dep, rs, pods = k8s.deployment_tree("vdu1", 1)
    pods[0]["metadata"]["annotations"] = {"big": "x" * 100}
    pods[0]["metadata"]["managedFields"] = [{"manager": "kubelet"}]
    obs = observe([dep, rs] + pods, model.DEPLOYMENT, "vdu1")
    pod = obs.running[0]
    meta = pod.metadata
    assert set(meta) == {"name", "namespace", "uid", "labels",
                         "ownerReferences", "creationTimestamp",
                         "resourceVersion"}
    assert meta["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
    assert json.loads(pod.metadata_json) == meta
    assert hash(pod) == hash(observe([dep, rs] + pods, model.DEPLOYMENT,
                                     "vdu1").running[0])
    meta["name"] = "changed"
    assert pod.metadata["name"] == pods[0]["metadata"]["name"]


def test_snapshot_is_not_mutated_and_index_is_reused():
    dep, rs, pods = k8s.deployment_tree("vdu1", 2)
    objects = [dep, rs] + pods
    before = copy.deepcopy(objects)
    snap = k8s.snapshot(objects)
    ownership.observe_vdus(snap, [target(model.DEPLOYMENT, "vdu1")])
    assert objects == before
    assert ownership.index(snap) is ownership.index(snap)


def test_from_list_json():
    dep, rs, pods = k8s.deployment_tree("vdu1", 2)
    snap = model.NamespaceSnapshot.from_list_json(
        "default", pods={"kind": "PodList", "items": pods},
        replicasets={"items": [rs]}, deployments={"items": [dep]})
    obs = ownership.observe_vdu(snap, target(model.DEPLOYMENT, "vdu1"))
    assert obs.running_names == tuple(names(pods))


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError):
        model.VduTarget(vdu_id="VDU1", kind="Service", name="x")
