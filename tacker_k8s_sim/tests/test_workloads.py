"""Workload controllers, observed only through the kubernetes client."""

import re
import time

import pytest
from kubernetes.client import rest

from tacker_k8s_sim import names
from tacker_k8s_sim.tests import manifests

NS = "default"
SUFFIX = "[%s]{5}" % names.SAFE_ALPHABET


def running(core, selector):
    return [p for p in core.list_namespaced_pod(
        NS, label_selector=selector).items
        if p.status.phase == "Running" and not p.metadata.deletion_timestamp]


def controller_of(obj):
    refs = [r for r in obj.metadata.owner_references or () if r.controller]
    assert len(refs) == 1
    return refs[0]


def test_deployment_pods_named_and_owned(k8s_sim, core, apps):
    dep = apps.create_namespaced_deployment(
        NS, manifests.deployment("web", replicas=3))
    assert dep.metadata.generation == 1
    pods = manifests.wait_for(
        lambda: len(running(core, "app=web")) == 3 and running(
            core, "app=web"))
    rs_list = apps.list_namespaced_replica_set(NS).items
    assert len(rs_list) == 1
    rs = rs_list[0]
    pod_hash = rs.metadata.labels["pod-template-hash"]
    assert rs.metadata.name == "web-" + pod_hash
    assert re.match("^[%s]{6,10}$" % names.SAFE_ALPHABET, pod_hash)
    ref = controller_of(rs)
    assert (ref.kind, ref.name, ref.uid) == ("Deployment", "web",
                                             dep.metadata.uid)
    assert ref.block_owner_deletion is True
    for pod in pods:
        assert re.match("^%s-%s$" % (rs.metadata.name, SUFFIX),
                        pod.metadata.name)
        ref = controller_of(pod)
        assert (ref.kind, ref.name, ref.uid) == ("ReplicaSet",
                                                 rs.metadata.name,
                                                 rs.metadata.uid)
        assert pod.metadata.labels["pod-template-hash"] == pod_hash
        assert pod.spec.node_name in k8s_sim.node_names()
        assert pod.status.pod_ip
        ready = [c for c in pod.status.conditions if c.type == "Ready"]
        assert ready[0].status == "True"
    k8s_sim.wait_settled()
    dep = apps.read_namespaced_deployment("web", NS)
    assert dep.status.ready_replicas == 3
    assert dep.status.available_replicas == 3
    assert dep.status.updated_replicas == 3
    assert dep.status.observed_generation == dep.metadata.generation


def test_killed_pod_is_replaced_under_a_new_name(k8s_sim, core, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web"))
    k8s_sim.wait_settled()
    before = {p.metadata.name for p in running(core, "app=web")}
    victim = sorted(before)[0]
    core.delete_namespaced_pod(victim, NS)
    after = manifests.wait_for(
        lambda: (lambda names_: len(names_) == 3 and victim not in names_
                 and names_)({p.metadata.name
                              for p in running(core, "app=web")}))
    assert len(after - before) == 1
    k8s_sim.kill_pod(NS, sorted(after)[0])
    k8s_sim.wait_settled()
    assert len(running(core, "app=web")) == 3


def test_scale_by_merge_patch_and_scale_subresource(k8s_sim, core, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web"))
    k8s_sim.wait_settled()
    apps.patch_namespaced_deployment(
        "web", NS, {"spec": {"replicas": 5}},
        _content_type="application/merge-patch+json")
    manifests.wait_for(lambda: len(running(core, "app=web")) == 5)
    dep = apps.read_namespaced_deployment("web", NS)
    assert dep.metadata.generation == 2
    scale = apps.read_namespaced_deployment_scale("web", NS)
    assert scale.spec.replicas == 5
    assert scale.status.selector == "app=web"
    apps.patch_namespaced_deployment_scale("web", NS,
                                           {"spec": {"replicas": 2}})
    manifests.wait_for(lambda: len(core.list_namespaced_pod(
        NS, label_selector="app=web").items) == 2)
    scale = apps.read_namespaced_deployment_scale("web", NS)
    scale.spec.replicas = 4
    apps.replace_namespaced_deployment_scale("web", NS, scale)
    manifests.wait_for(lambda: len(running(core, "app=web")) == 4)
    k8s_sim.scale("deployment", NS, "web", 1)
    k8s_sim.wait_settled()
    assert apps.read_namespaced_deployment("web", NS).status.replicas == 1


def test_template_change_rolls_to_a_new_replicaset(k8s_sim, core, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web"))
    k8s_sim.wait_settled()
    old_rs = apps.list_namespaced_replica_set(NS).items[0].metadata.name
    apps.patch_namespaced_deployment("web", NS, {"spec": {"template": {
        "spec": {"containers": [{"name": "app", "image": "nginx:2"}]}}}})
    k8s_sim.wait_settled()
    rs_by_name = {rs.metadata.name: rs for rs in
                  apps.list_namespaced_replica_set(NS).items}
    assert len(rs_by_name) == 2
    assert rs_by_name[old_rs].spec.replicas == 0
    new_rs = next(n for n in rs_by_name if n != old_rs)
    assert rs_by_name[new_rs].spec.replicas == 3
    assert rs_by_name[new_rs].metadata.annotations[
        "deployment.kubernetes.io/revision"] == "2"
    pods = running(core, "app=web")
    assert len(pods) == 3
    assert all(p.metadata.name.startswith(new_rs + "-") for p in pods)
    assert all(p.spec.containers[0].image == "nginx:2" for p in pods)


def _revision(obj):
    return (obj.metadata.annotations or {}).get(
        "deployment.kubernetes.io/revision")


def test_deployment_revision_annotation_follows_rollouts(k8s_sim, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 1))
    k8s_sim.wait_settled()
    assert _revision(apps.read_namespaced_deployment("web", NS)) == "1"
    [rs] = apps.list_namespaced_replica_set(NS).items
    assert _revision(rs) == "1"
    apps.patch_namespaced_deployment("web", NS, {"spec": {"replicas": 2}})
    k8s_sim.wait_settled()
    assert _revision(apps.read_namespaced_deployment("web", NS)) == "1"
    for image, revision in (("nginx:2", "2"), ("nginx:1.25", "3")):
        apps.patch_namespaced_deployment("web", NS, {"spec": {"template": {
            "spec": {"containers": [{"name": "app", "image": image}]}}}})
        k8s_sim.wait_settled()
        dep = apps.read_namespaced_deployment("web", NS)
        assert _revision(dep) == revision
        assert dep.status.ready_replicas == 2
    # Rolling back reuses the first ReplicaSet under the new revision.
    assert sorted(_revision(rs) for rs in
                  apps.list_namespaced_replica_set(NS).items) == ["2", "3"]


def test_rollout_surges_before_removing_old_pods(k8s_sim, core, apps):
    k8s_sim.pod_start_delay = 0.2
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 4))
    k8s_sim.wait_settled()
    apps.patch_namespaced_deployment("web", NS, {"spec": {"template": {
        "metadata": {"labels": {"app": "web", "v": "2"}}}}})
    highest = 0
    seen_new = False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        items = core.list_namespaced_pod(NS, label_selector="app=web").items
        live = [p for p in items if not p.metadata.deletion_timestamp]
        highest = max(highest, len(live))
        ready = [p for p in live if p.status.phase == "Running"]
        # maxUnavailable 25% of 4 = 1: at least 3 stay Running.
        assert len(ready) >= 3
        seen_new = all(p.metadata.labels.get("v") == "2" for p in live)
        if seen_new and len(ready) == 4:
            break
        time.sleep(0.01)
    assert seen_new
    assert highest <= 5


def test_statefulset_ordinals_and_identity(k8s_sim, core, apps):
    apps.create_namespaced_stateful_set(NS, manifests.statefulset("web"))
    k8s_sim.wait_settled()
    pods = {p.metadata.name: p for p in running(core, "app=web")}
    assert sorted(pods) == ["web-0", "web-1", "web-2"]
    sts = apps.read_namespaced_stateful_set("web", NS)
    for name, pod in pods.items():
        ref = controller_of(pod)
        assert (ref.kind, ref.uid) == ("StatefulSet", sts.metadata.uid)
        assert pod.metadata.labels[
            "statefulset.kubernetes.io/pod-name"] == name
        assert pod.metadata.labels["controller-revision-hash"] == \
            sts.status.update_revision
        assert pod.spec.hostname == name
    assert sts.status.ready_replicas == 3
    old_uid = pods["web-1"].metadata.uid
    core.delete_namespaced_pod("web-1", NS)
    back = manifests.wait_for(lambda: [
        p for p in running(core, "app=web")
        if p.metadata.name == "web-1" and p.metadata.uid != old_uid])
    assert back[0].metadata.uid != old_uid
    apps.patch_namespaced_stateful_set_scale("web", NS,
                                             {"spec": {"replicas": 1}})
    k8s_sim.wait_settled()
    names_left = [p.metadata.name for p in
                  core.list_namespaced_pod(NS, label_selector="app=web")
                  .items]
    assert names_left == ["web-0"]


def test_statefulset_creates_in_order(k8s_sim, core, apps):
    k8s_sim.hold_pending(True)
    apps.create_namespaced_stateful_set(NS, manifests.statefulset("db"))
    k8s_sim.wait_settled()
    names_now = [p.metadata.name for p in core.list_namespaced_pod(NS).items]
    # OrderedReady: db-1 waits for db-0 to be Running and Ready.
    assert names_now == ["db-0"]
    k8s_sim.hold_pending(False)
    k8s_sim.wait_settled()
    assert [p.metadata.name for p in running(core, "app=db")] == [
        "db-0", "db-1", "db-2"]


def test_statefulset_template_change_recreates_in_reverse(
        k8s_sim, core, apps):
    apps.create_namespaced_stateful_set(NS, manifests.statefulset("web"))
    k8s_sim.wait_settled()
    uids = {p.metadata.name: p.metadata.uid
            for p in running(core, "app=web")}
    watcher_rv = core.list_namespaced_pod(NS).metadata.resource_version
    apps.patch_namespaced_stateful_set("web", NS, {"spec": {"template": {
        "spec": {"containers": [{"name": "app", "image": "nginx:2"}]}}}})
    k8s_sim.wait_settled()
    pods = {p.metadata.name: p for p in running(core, "app=web")}
    assert sorted(pods) == ["web-0", "web-1", "web-2"]
    assert all(pods[n].metadata.uid != uids[n] for n in pods)
    assert all(p.spec.containers[0].image == "nginx:2"
               for p in pods.values())
    deleted_order = [
        name for _kind, name in _pod_deletions(k8s_sim, watcher_rv)]
    assert deleted_order == ["web-2", "web-1", "web-0"]
    sts = apps.read_namespaced_stateful_set("web", NS)
    assert sts.status.current_revision == sts.status.update_revision


def _pod_deletions(sim, since):
    pods_res = sim.registry.get("", "pods")
    with sim.store.lock:
        events = sim.store.events_after(int(since))
    return [(e.type, e.entry.obj["metadata"]["name"]) for e in events
            if e.resource is pods_res and e.type == "DELETED"]


def test_daemonset_one_pod_per_node(k8s_sim, core, apps):
    apps.create_namespaced_daemon_set(NS, manifests.daemonset("agent"))
    k8s_sim.wait_settled()
    pods = running(core, "app=agent")
    assert sorted(p.spec.node_name for p in pods) == k8s_sim.node_names()
    for pod in pods:
        assert re.match("^agent-%s$" % SUFFIX, pod.metadata.name)
        assert controller_of(pod).kind == "DaemonSet"
    ds = apps.read_namespaced_daemon_set("agent", NS)
    assert ds.status.desired_number_scheduled == 2
    assert ds.status.number_ready == 2
    assert ds.status.number_available == 2
    k8s_sim.set_nodes(3)
    k8s_sim.wait_settled()
    assert len(running(core, "app=agent")) == 3
    ds = apps.read_namespaced_daemon_set("agent", NS)
    assert ds.status.current_number_scheduled == 3


def test_bare_pod_create_and_delete(k8s_sim, core):
    created = core.create_namespaced_pod(NS, manifests.pod("solo"))
    assert created.status.phase == "Pending"
    assert created.metadata.uid and created.metadata.resource_version
    k8s_sim.wait_settled()
    pod = core.read_namespaced_pod("solo", NS)
    assert pod.status.phase == "Running"
    assert not pod.metadata.owner_references
    core.delete_namespaced_pod("solo", NS)
    with pytest.raises(rest.ApiException) as exc:
        core.read_namespaced_pod("solo", NS)
    assert exc.value.status == 404


def test_delete_cascades_to_replicasets_and_pods(k8s_sim, core, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web"))
    apps.create_namespaced_stateful_set(NS, manifests.statefulset("db"))
    k8s_sim.wait_settled()
    apps.delete_namespaced_deployment("web", NS)
    apps.delete_namespaced_stateful_set("db", NS)
    k8s_sim.wait_settled()
    assert apps.list_namespaced_replica_set(NS).items == []
    assert core.list_namespaced_pod(NS).items == []


def test_orphan_propagation_keeps_dependents(k8s_sim, core, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 2))
    k8s_sim.wait_settled()
    apps.delete_namespaced_deployment("web", NS,
                                      propagation_policy="Orphan")
    k8s_sim.wait_settled()
    rs = apps.list_namespaced_replica_set(NS).items
    assert len(rs) == 1 and not rs[0].metadata.owner_references
    assert len(running(core, "app=web")) == 2


def test_long_deployment_name_cuts_generated_pod_names(k8s_sim, core, apps):
    name = "d" * 60
    apps.create_namespaced_deployment(NS, manifests.deployment(
        name, replicas=2, labels={"app": "long"}))
    k8s_sim.wait_settled()
    rs_name = apps.list_namespaced_replica_set(NS).items[0].metadata.name
    assert rs_name.startswith(name + "-")
    pods = running(core, "app=long")
    assert len(pods) == 2
    for pod in pods:
        assert len(pod.metadata.name) == 63
        assert pod.metadata.name[:58] == (rs_name + "-")[:58]
        assert re.match("^%s$" % SUFFIX, pod.metadata.name[58:])


@pytest.mark.k8s_sim_options(deletion_grace=0.3)
def test_foreground_delete_waits_for_dependents(k8s_sim, core, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 2))
    k8s_sim.wait_settled()
    apps.delete_namespaced_deployment("web", NS,
                                      propagation_policy="Foreground")
    dep = apps.read_namespaced_deployment("web", NS)
    assert dep.metadata.deletion_timestamp is not None
    assert "foregroundDeletion" in dep.metadata.finalizers
    manifests.wait_for(lambda: all(
        p.metadata.deletion_timestamp
        for p in core.list_namespaced_pod(NS).items))
    k8s_sim.wait_settled()
    assert apps.list_namespaced_deployment(NS).items == []
    assert apps.list_namespaced_replica_set(NS).items == []
    assert core.list_namespaced_pod(NS).items == []
