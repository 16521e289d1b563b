"""REST verbs and errors, as the kubernetes client sees them."""

import json

import pytest
from kubernetes import client
from kubernetes.client import rest

from tacker_k8s_sim.tests import manifests

NS = "default"


def status_of(exc):
    body = json.loads(exc.body)
    assert body["kind"] == "Status" and body["status"] == "Failure"
    assert body["code"] == exc.status
    return body


def names_of(items):
    return [i.metadata.name for i in items]


@pytest.fixture
def labelled_pods(k8s_sim, core):
    specs = [("a1", {"tier": "front", "env": "prod"}),
             ("a2", {"tier": "front", "env": "dev"}),
             ("b1", {"tier": "back", "env": "prod"}),
             ("c1", {"env": "qa"}),
             ("d1", {})]
    for name, labels in specs:
        core.create_namespaced_pod(NS, manifests.pod(name, labels))
    # Let those run before holding, or a busy machine keeps them Pending.
    k8s_sim.wait_settled()
    k8s_sim.hold_pending(True)
    core.create_namespaced_pod(NS, manifests.pod("p1", {"tier": "front"}))
    k8s_sim.wait_settled()
    return specs


@pytest.mark.parametrize("selector, expected", [
    ("tier=front", ["a1", "a2", "p1"]),
    ("tier==front,env=prod", ["a1"]),
    ("tier!=front", ["b1", "c1", "d1"]),
    ("env in (prod,qa)", ["a1", "b1", "c1"]),
    ("env notin (prod,qa)", ["a2", "d1", "p1"]),
    ("tier", ["a1", "a2", "b1", "p1"]),
    ("!tier", ["c1", "d1"]),
    ("tier in (front), env", ["a1", "a2"]),
])
def test_label_selectors(labelled_pods, core, selector, expected):
    found = core.list_namespaced_pod(NS, label_selector=selector).items
    assert names_of(found) == expected


def test_field_selectors(labelled_pods, core):
    assert names_of(core.list_namespaced_pod(
        NS, field_selector="metadata.name=b1").items) == ["b1"]
    assert names_of(core.list_namespaced_pod(
        NS, field_selector="status.phase==Pending").items) == ["p1"]
    running = core.list_namespaced_pod(
        NS, field_selector="status.phase!=Pending").items
    assert names_of(running) == ["a1", "a2", "b1", "c1", "d1"]
    both = core.list_namespaced_pod(
        NS, field_selector="status.phase=Running,metadata.name!=a1",
        label_selector="tier").items
    assert names_of(both) == ["a2", "b1"]
    with pytest.raises(rest.ApiException) as exc:
        core.list_namespaced_pod(NS, field_selector="spec.bogus=1")
    assert exc.value.status == 400


def test_limit_and_continue(labelled_pods, core):
    seen = []
    token = None
    pages = 0
    first_rv = None
    while True:
        page = core.list_namespaced_pod(NS, limit=2, _continue=token)
        pages += 1
        first_rv = first_rv or page.metadata.resource_version
        assert page.metadata.resource_version == first_rv
        seen.extend(names_of(page.items))
        token = page.metadata._continue
        if not token:
            assert page.metadata.remaining_item_count is None
            break
        assert page.metadata.remaining_item_count == 6 - len(seen)
    assert pages == 3
    assert seen == ["a1", "a2", "b1", "c1", "d1", "p1"]
    page = core.list_namespaced_pod(NS, limit=1, label_selector="env=prod")
    assert names_of(page.items) == ["a1"]
    page = core.list_namespaced_pod(NS, limit=1, label_selector="env=prod",
                                    _continue=page.metadata._continue)
    assert names_of(page.items) == ["b1"]
    assert not page.metadata._continue


def test_list_all_namespaces_and_resource_version(k8s_sim, core):
    core.create_namespace({"metadata": {"name": "other"}})
    core.create_namespaced_pod("other", manifests.pod("x"))
    core.create_namespaced_pod(NS, manifests.pod("y"))
    listed = core.list_pod_for_all_namespaces()
    assert [(p.metadata.namespace, p.metadata.name)
            for p in listed.items] == [("default", "y"), ("other", "x")]
    assert int(listed.metadata.resource_version) >= max(
        int(p.metadata.resource_version) for p in listed.items)
    raw = core.list_pod_for_all_namespaces(_preload_content=False)
    body = json.loads(raw.data)
    assert body["kind"] == "PodList" and body["apiVersion"] == "v1"
    assert len(body["items"]) == 2


def test_create_sets_metadata_and_versions_grow(core):
    one = core.create_namespaced_config_map(
        NS, {"metadata": {"name": "one"}, "data": {"k": "v"}})
    two = core.create_namespaced_config_map(
        NS, {"metadata": {"name": "two"}, "data": {"k": "v"}})
    assert one.metadata.uid != two.metadata.uid
    assert one.metadata.namespace == NS
    assert one.metadata.creation_timestamp is not None
    assert one.metadata.generation == 1
    assert int(two.metadata.resource_version) > int(
        one.metadata.resource_version)
    generated = core.create_namespaced_config_map(
        NS, {"metadata": {"generateName": "gen-"}})
    assert generated.metadata.name.startswith("gen-")
    assert len(generated.metadata.name) == 9


def test_not_found_errors(core, apps):
    with pytest.raises(rest.ApiException) as exc:
        core.read_namespaced_pod("missing", NS)
    body = status_of(exc.value)
    assert exc.value.status == 404 and body["reason"] == "NotFound"
    assert body["details"] == {"name": "missing", "kind": "pods"}
    with pytest.raises(rest.ApiException) as exc:
        apps.read_namespaced_deployment("missing", NS)
    assert status_of(exc.value)["details"]["group"] == "apps"
    with pytest.raises(rest.ApiException) as exc:
        core.create_namespaced_pod("nowhere", manifests.pod("x"))
    body = status_of(exc.value)
    assert exc.value.status == 404
    assert body["message"] == 'namespaces "nowhere" not found'


def test_already_exists_and_invalid(core, apps):
    core.create_namespaced_pod(NS, manifests.pod("twice"))
    with pytest.raises(rest.ApiException) as exc:
        core.create_namespaced_pod(NS, manifests.pod("twice"))
    assert exc.value.status == 409
    assert status_of(exc.value)["reason"] == "AlreadyExists"
    with pytest.raises(rest.ApiException) as exc:
        core.create_namespaced_pod(NS, {"metadata": {}, "spec": {
            "containers": [{"name": "a", "image": "b"}]}})
    assert exc.value.status == 422
    assert status_of(exc.value)["reason"] == "Invalid"
    bad = manifests.deployment("bad")
    bad["spec"]["replicas"] = -1
    with pytest.raises(rest.ApiException) as exc:
        apps.create_namespaced_deployment(NS, bad)
    assert exc.value.status == 422
    assert "spec.replicas" in status_of(exc.value)["message"]
    mismatch = manifests.deployment("mismatch")
    mismatch["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    with pytest.raises(rest.ApiException) as exc:
        apps.create_namespaced_deployment(NS, mismatch)
    assert exc.value.status == 422


def test_kind_mismatch_is_invalid(k8s_sim):
    wrong_kind = manifests.deployment("odd")
    wrong_kind["kind"] = "StatefulSet"
    with pytest.raises(rest.ApiException) as exc:
        client.AppsV1Api(k8s_sim.api_client()).create_namespaced_deployment(
            NS, wrong_kind)
    assert exc.value.status == 422


def test_replace_conflicts_on_stale_resource_version(core):
    cm = core.create_namespaced_config_map(
        NS, {"metadata": {"name": "cfg"}, "data": {"a": "1"}})
    cm.data = {"a": "2"}
    updated = core.replace_namespaced_config_map("cfg", NS, cm)
    assert updated.data == {"a": "2"}
    assert updated.metadata.uid == cm.metadata.uid
    cm.data = {"a": "3"}
    with pytest.raises(rest.ApiException) as exc:
        core.replace_namespaced_config_map("cfg", NS, cm)
    assert exc.value.status == 409
    assert status_of(exc.value)["reason"] == "Conflict"
    cm.metadata.resource_version = None
    assert core.replace_namespaced_config_map("cfg", NS, cm).data == {
        "a": "3"}


def test_patch_flavours_and_generation(k8s_sim, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 1))
    dep = apps.patch_namespaced_deployment(
        "web", NS, {"metadata": {"labels": {"team": "x"},
                                 "annotations": {"note": "y"}}})
    assert dep.metadata.labels == {"team": "x"}
    # The controller may have added its revision annotation already.
    assert dep.metadata.annotations["note"] == "y"
    assert dep.metadata.generation == 1
    dep = apps.patch_namespaced_deployment(
        "web", NS, {"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "nginx:2"}]}}}})
    assert dep.metadata.generation == 2
    assert dep.spec.template.spec.containers[0].image == "nginx:2"
    dep = apps.patch_namespaced_deployment(
        "web", NS, [{"op": "replace", "path": "/spec/replicas",
                     "value": 2}])
    assert dep.spec.replicas == 2
    dep = apps.patch_namespaced_deployment(
        "web", NS, {"metadata": {"labels": {"team": None}}},
        _content_type="application/merge-patch+json")
    assert not dep.metadata.labels
    assert dep.metadata.generation == 3


def test_status_is_not_changed_by_main_resource_writes(k8s_sim, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 2))
    k8s_sim.wait_settled()
    dep = apps.read_namespaced_deployment("web", NS)
    dep.status.ready_replicas = 99
    dep = apps.replace_namespaced_deployment("web", NS, dep)
    assert dep.status.ready_replicas == 2


def test_delete_returns_status_or_object(k8s_sim, core, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 1))
    raw = apps.delete_namespaced_deployment("web", NS,
                                            _preload_content=False)
    status = json.loads(raw.data)
    assert status["kind"] == "Status" and status["status"] == "Success"
    assert status["details"]["name"] == "web"
    core.create_namespaced_pod(NS, manifests.pod("p"))
    raw = core.delete_namespaced_pod("p", NS, _preload_content=False)
    assert json.loads(raw.data)["kind"] == "Pod"


def test_generic_namespaced_kinds_are_stored(k8s_sim, api_client):
    core = client.CoreV1Api(api_client)
    svc = core.create_namespaced_service(NS, {
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    assert svc.spec.cluster_ip
    core.create_namespaced_secret(NS, {"metadata": {"name": "s"},
                                       "data": {"k": "dg=="}})
    core.create_namespaced_service_account(NS, {"metadata": {"name": "sa"}})
    core.create_namespaced_persistent_volume_claim(NS, {
        "metadata": {"name": "pvc"},
        "spec": {"accessModes": ["ReadWriteOnce"],
                 "resources": {"requests": {"storage": "1Gi"}}}})
    custom = client.CustomObjectsApi(api_client)
    custom.create_namespaced_custom_object(
        "example.com", "v1", NS, "widgets",
        {"apiVersion": "example.com/v1", "kind": "Widget",
         "metadata": {"name": "w1"}, "spec": {"size": 3}})
    got = custom.get_namespaced_custom_object("example.com", "v1", NS,
                                              "widgets", "w1")
    assert got["kind"] == "Widget" and got["spec"] == {"size": 3}
    listed = custom.list_namespaced_custom_object("example.com", "v1", NS,
                                                  "widgets")
    assert listed["kind"] == "WidgetList"
    assert [i["metadata"]["name"] for i in listed["items"]] == ["w1"]
    names = [s.metadata.name for s in
             core.list_namespaced_service_account(NS).items]
    assert names == ["sa"]


def test_discovery_and_version(k8s_sim, api_client):
    info = client.VersionApi(api_client).get_code()
    assert info.major == "1"
    groups = client.ApisApi(api_client).get_api_versions()
    assert "apps" in [g.name for g in groups.groups]
    resources = client.CoreV1Api(api_client).get_api_resources()
    assert "pods" in [r.name for r in resources.resources]
    assert client.CoreApi(api_client).get_api_versions().versions == ["v1"]


def test_namespace_delete_removes_its_objects(k8s_sim, core):
    core.create_namespace({"metadata": {"name": "gone"}})
    core.create_namespaced_pod("gone", manifests.pod("x"))
    core.delete_namespace("gone")
    assert core.list_pod_for_all_namespaces().items == []
    names = [n.metadata.name for n in core.list_namespace().items]
    assert "gone" not in names and "default" in names


def test_volumes_attachments_and_apiservices_report_status(api_client):
    core = client.CoreV1Api(api_client)
    pv = core.create_persistent_volume({
        "metadata": {"name": "pv1"},
        "spec": {"capacity": {"storage": "1Gi"},
                 "accessModes": ["ReadWriteOnce"],
                 "hostPath": {"path": "/data"}}})
    assert pv.status.phase == "Available"
    pvc = core.create_namespaced_persistent_volume_claim(NS, {
        "metadata": {"name": "pvc"},
        "spec": {"accessModes": ["ReadWriteOnce"],
                 "resources": {"requests": {"storage": "1Gi"}}}})
    assert pvc.status.phase == "Bound"
    assert pvc.status.capacity == {"storage": "1Gi"}
    assert pvc.status.access_modes == ["ReadWriteOnce"]
    attachment = client.StorageV1Api(api_client).create_volume_attachment({
        "metadata": {"name": "va"},
        "spec": {"attacher": "csi.example.com", "nodeName": "sim-node-0",
                 "source": {"persistentVolumeName": "pv1"}}})
    assert attachment.status.attached is True
    service = client.ApiregistrationV1Api(api_client).create_api_service({
        "metadata": {"name": "v1.example.com"},
        "spec": {"group": "example.com", "version": "v1",
                 "groupPriorityMinimum": 100, "versionPriority": 10}})
    [available] = service.status.conditions
    assert (available.type, available.status) == ("Available", "True")
