"""The endpoints controller: the pure decision and the API view."""

import pytest
from kubernetes import client
from kubernetes.client import rest

from tacker_k8s_sim import endpoints
from tacker_k8s_sim.tests import manifests

NS = "default"


def service(name="web", selector=None, ports=None, **spec):
    body = {"metadata": {"name": name, "namespace": NS},
            "spec": dict(spec, selector=selector or {"app": "web"})}
    if ports is not False:
        body["spec"]["ports"] = ports or [{"name": "http", "port": 80,
                                           "targetPort": 8080,
                                           "protocol": "TCP"}]
    return body


def pod(name, ip="10.0.0.1", *, ready=True, phase="Running", labels=None,
        terminating=False, ports=None):
    meta = {"name": name, "namespace": NS, "uid": "uid-" + name,
            "labels": labels or {"app": "web"}}
    if terminating:
        meta["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    status = {"phase": phase, "conditions": [
        {"type": "Ready", "status": "True" if ready else "False"}]}
    if ip:
        status["podIP"] = ip
    container = {"name": "app", "image": "nginx"}
    if ports:
        container["ports"] = ports
    return {"metadata": meta, "spec": {"nodeName": "n0",
                                       "containers": [container]},
            "status": status}


def ips(subsets, field="addresses"):
    return [a["ip"] for s in subsets for a in s.get(field, ())]


@pytest.mark.parametrize("candidates, ready, unready", [
    ([pod("a", "10.0.0.2"), pod("b", "10.0.0.1")],
     ["10.0.0.1", "10.0.0.2"], []),
    ([pod("a"), pod("b", "10.0.0.2", ready=False)],
     ["10.0.0.1"], ["10.0.0.2"]),
    ([pod("a", ip=None)], [], []),
    ([pod("a", labels={"app": "other"})], [], []),
    ([pod("a", phase="Succeeded"), pod("b", "10.0.0.2", phase="Failed")],
     [], []),
    ([pod("a", terminating=True)], [], []),
], ids=["ready-sorted-by-ip", "unready-apart", "no-ip-skipped",
        "selector-mismatch", "terminal-skipped", "terminating-skipped"])
def test_which_pods_are_listed(candidates, ready, unready):
    subsets = endpoints.desired_subsets(service(), candidates)
    assert ips(subsets) == ready
    assert ips(subsets, "notReadyAddresses") == unready


def test_address_and_port_shape():
    [subset] = endpoints.desired_subsets(service(), [pod("a")])
    assert subset["addresses"] == [{
        "ip": "10.0.0.1", "nodeName": "n0",
        "targetRef": {"kind": "Pod", "namespace": NS, "name": "a",
                      "uid": "uid-a"}}]
    assert subset["ports"] == [{"name": "http", "port": 8080,
                                "protocol": "TCP"}]


def test_named_target_port_is_resolved_per_pod():
    svc = service(ports=[{"port": 80, "targetPort": "web",
                          "protocol": "TCP"}])
    candidates = [
        pod("a", "10.0.0.1", ports=[{"name": "web", "containerPort": 81}]),
        pod("b", "10.0.0.2", ports=[{"name": "web", "containerPort": 82}]),
        pod("c", "10.0.0.3")]
    subsets = endpoints.desired_subsets(svc, candidates)
    assert [(ips([s]), s["ports"][0]["port"]) for s in subsets] == [
        (["10.0.0.1"], 81), (["10.0.0.2"], 82)]


def test_headless_without_ports_and_publish_not_ready():
    svc = service(ports=False, clusterIP="None",
                  publishNotReadyAddresses=True)
    subsets = endpoints.desired_subsets(
        svc, [pod("a"), pod("b", "10.0.0.2", ready=False)])
    assert subsets == [{"addresses": subsets[0]["addresses"]}]
    assert ips(subsets) == ["10.0.0.1", "10.0.0.2"]
    assert endpoints.desired_labels(svc) == {endpoints.HEADLESS_LABEL: ""}


def _endpoints(core, name="web"):
    return core.read_namespaced_endpoints(name, NS)


def test_endpoints_follow_the_pods_of_a_service(k8s_sim, core, apps):
    core.create_namespaced_service(NS, service())
    k8s_sim.wait_settled()
    assert _endpoints(core).subsets is None
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 2))
    k8s_sim.wait_settled()
    ep = _endpoints(core)
    assert isinstance(ep, client.V1Endpoints)
    [subset] = ep.subsets
    running = {p["metadata"]["name"]: p for p in k8s_sim.pods(NS)}
    assert sorted(a.target_ref.name for a in subset.addresses) == \
        sorted(running)
    for address in subset.addresses:
        assert address.target_ref.kind == "Pod"
        assert address.ip == running[address.target_ref.name][
            "status"]["podIP"]
        assert address.target_ref.uid == running[address.target_ref.name][
            "metadata"]["uid"]
    assert [(p.name, p.port, p.protocol) for p in subset.ports] == [
        ("http", 8080, "TCP")]
    k8s_sim.scale("deployment", NS, "web", 3)
    k8s_sim.wait_settled()
    assert len(_endpoints(core).subsets[0].addresses) == 3
    names = [e.metadata.name for e in
             core.list_namespaced_endpoints(NS).items]
    assert "web" in names


def test_pending_and_failed_pods_are_not_listed(k8s_sim, core):
    core.create_namespaced_service(NS, service())
    k8s_sim.hold_pending(True)
    core.create_namespaced_pod(NS, manifests.pod("p1", {"app": "web"}))
    k8s_sim.wait_settled()
    assert _endpoints(core).subsets is None
    k8s_sim.fail_new_pods(True)
    k8s_sim.hold_pending(False)
    k8s_sim.wait_settled()
    assert _endpoints(core).subsets is None


def test_deleted_service_takes_its_endpoints(k8s_sim, core):
    core.create_namespaced_service(NS, service())
    k8s_sim.wait_settled()
    deleted = core.delete_namespaced_service("web", NS)
    assert isinstance(deleted, client.V1Service)
    k8s_sim.wait_settled()
    with pytest.raises(rest.ApiException) as exc:
        _endpoints(core)
    assert exc.value.status == 404


def test_service_without_selector_gets_no_managed_endpoints(k8s_sim, core):
    svc = service(name="ext")
    del svc["spec"]["selector"]
    core.create_namespaced_service(NS, svc)
    core.create_namespaced_pod(NS, manifests.pod("p1", {"app": "web"}))
    k8s_sim.wait_settled()
    with pytest.raises(rest.ApiException) as exc:
        _endpoints(core, "ext")
    assert exc.value.status == 404
    manual = {"metadata": {"name": "ext"}, "subsets": [{
        "addresses": [{"ip": "192.0.2.1"}], "ports": [{"port": 443}]}]}
    core.create_namespaced_endpoints(NS, manual)
    k8s_sim.wait_settled()
    assert _endpoints(core, "ext").subsets[0].addresses[0].ip == "192.0.2.1"


def test_deleted_endpoints_come_back(k8s_sim, core):
    core.create_namespaced_service(NS, service())
    k8s_sim.wait_settled()
    first = _endpoints(core).metadata.uid
    core.delete_namespaced_endpoints("web", NS)
    k8s_sim.wait_settled()
    assert _endpoints(core).metadata.uid != first
