"""Discovery as kubectl reads it: short names, categories, verbs."""

import json

import pytest
from kubernetes import client

from tacker_k8s_sim.tests import manifests
from tacker_k8s_sim.tests import test_tables

AGGREGATED = ("application/json;g=apidiscovery.k8s.io;v=v2;"
              "as=APIGroupDiscoveryList,application/json;"
              "g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
              "application/json")
ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch",
             "update", "watch"]


def _by_name(resource_list):
    return {r.name: r for r in resource_list.resources}


def test_core_short_names_and_categories(api_client):
    found = _by_name(client.CoreV1Api(api_client).get_api_resources())
    assert found["namespaces"].short_names == ["ns"]
    assert found["pods"].short_names == ["po"]
    assert found["services"].short_names == ["svc"]
    assert found["configmaps"].short_names == ["cm"]
    assert found["persistentvolumeclaims"].short_names == ["pvc"]
    assert found["persistentvolumes"].short_names == ["pv"]
    assert found["pods"].categories == ["all"]
    assert found["services"].categories == ["all"]
    assert not found["configmaps"].categories
    assert found["pods"].singular_name == "pod"
    assert found["pods"].verbs == ALL_VERBS
    assert "deletecollection" not in found["namespaces"].verbs
    assert found["pods/status"].verbs == ["get", "patch", "update"]
    assert found["pods/log"].verbs == ["get"]


def test_apps_short_names_and_scale(api_client):
    found = _by_name(client.AppsV1Api(api_client).get_api_resources())
    assert {n: found[n].short_names for n in (
        "deployments", "replicasets", "statefulsets", "daemonsets")} == {
        "deployments": ["deploy"], "replicasets": ["rs"],
        "statefulsets": ["sts"], "daemonsets": ["ds"]}
    assert all(found[n].categories == ["all"] for n in (
        "deployments", "replicasets", "statefulsets", "daemonsets"))
    scale = found["deployments/scale"]
    assert (scale.group, scale.version, scale.kind) == (
        "autoscaling", "v1", "Scale")
    assert "daemonsets/scale" not in found


@pytest.mark.parametrize("path, group", [("/api", ""), ("/apis", "apps")])
def test_aggregated_discovery(api_client, path, group):
    answer = test_tables.request(api_client, path, AGGREGATED)
    ctype = answer.getheader("Content-Type")
    # The client tells the aggregated shape by these parameters.
    assert "g=apidiscovery.k8s.io" in ctype and "v=v2" in ctype
    assert "as=APIGroupDiscoveryList" in ctype
    body = json.loads(answer.data)
    assert body["kind"] == "APIGroupDiscoveryList"
    assert body["apiVersion"] == "apidiscovery.k8s.io/v2"
    groups = {(i["metadata"].get("name") or ""): i for i in body["items"]}
    (v1,) = [v for v in groups[group]["versions"] if v["version"] == "v1"]
    assert v1["freshness"] == "Current"
    found = {r["resource"]: r for r in v1["resources"]}
    if group:
        dep = found["deployments"]
        assert dep["shortNames"] == ["deploy"]
        assert dep["categories"] == ["all"]
        assert dep["scope"] == "Namespaced"
        assert dep["responseKind"] == {"group": "apps", "version": "v1",
                                       "kind": "Deployment"}
        subs = {s["subresource"]: s for s in dep["subresources"]}
        assert subs["scale"]["responseKind"]["kind"] == "Scale"
        assert "" not in groups
    else:
        assert found["namespaces"]["scope"] == "Cluster"
        assert found["namespaces"]["shortNames"] == ["ns"]
        assert found["pods"]["verbs"] == ALL_VERBS
        assert list(groups) == [""]


def test_legacy_discovery_without_the_aggregated_accept(api_client):
    answer = test_tables.request(api_client, "/api", "application/json")
    assert json.loads(answer.data)["kind"] == "APIVersions"


def test_deletecollection_deletes_the_selected_objects(k8s_sim, core):
    for name, tier in (("a", "front"), ("b", "front"), ("c", "back")):
        core.create_namespaced_config_map("default", {
            "metadata": {"name": name, "labels": {"tier": tier}}})
    core.create_namespaced_pod("default", manifests.pod("keep"))
    core.delete_collection_namespaced_config_map(
        "default", label_selector="tier=front")
    assert [c.metadata.name for c in
            core.list_namespaced_config_map("default").items] == ["c"]
    assert [p.metadata.name for p in
            core.list_namespaced_pod("default").items] == ["keep"]
