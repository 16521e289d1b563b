"""Operator and chaos controls: Python API and the /_sim/ endpoint."""

import json
import time
import urllib.error
import urllib.request

import pytest
import urllib3
from kubernetes import client
from kubernetes.client import rest

from tacker_k8s_sim.tests import manifests

NS = "default"


def admin(sim, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(sim.url + path, data=data, method=method,
                                 headers={"Content-Type":
                                          "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, json.loads(resp.read())


def phases(core, selector=None):
    return sorted(p.status.phase for p in core.list_namespaced_pod(
        NS, label_selector=selector).items)


@pytest.mark.k8s_sim_options(token="s3cret")
def test_token_is_required(k8s_sim):
    good = client.CoreV1Api(k8s_sim.api_client())
    assert good.list_namespaced_pod(NS).items == []
    for token in ("", "wrong"):
        bad = client.CoreV1Api(k8s_sim.api_client(token=token))
        with pytest.raises(rest.ApiException) as exc:
            bad.list_namespaced_pod(NS)
        assert exc.value.status == 401
        body = json.loads(exc.value.body)
        assert body["reason"] == "Unauthorized" and body["code"] == 401
    # The admin endpoint is exempt from the token.
    assert admin(k8s_sim, "GET", "/_sim/health")[0] == 200


def test_refuse_tokens_for_a_number_of_requests(k8s_sim, core):
    k8s_sim.refuse_tokens(count=2, verb="list")
    for _ in range(2):
        with pytest.raises(rest.ApiException) as exc:
            core.list_namespaced_pod(NS)
        assert exc.value.status == 401
    core.read_namespace(NS)
    assert core.list_namespaced_pod(NS).items == []


def test_hold_keeps_pods_pending(k8s_sim, core, apps):
    k8s_sim.hold_pending(True)
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 2))
    k8s_sim.wait_settled()
    assert phases(core) == ["Pending", "Pending"]
    pod = core.list_namespaced_pod(NS).items[0]
    assert pod.spec.node_name
    dep = apps.read_namespaced_deployment("web", NS)
    assert not dep.status.ready_replicas
    assert dep.status.unavailable_replicas == 2
    k8s_sim.hold_pending(False)
    manifests.wait_for(lambda: phases(core) == ["Running", "Running"])


def test_failing_pods_are_not_counted(k8s_sim, core, apps):
    k8s_sim.fail_new_pods(True)
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 2))
    k8s_sim.wait_settled()
    assert phases(core) == ["Failed", "Failed"]
    assert not apps.read_namespaced_deployment(
        "web", NS).status.ready_replicas
    k8s_sim.fail_new_pods(False)
    k8s_sim.wait_settled()
    assert phases(core) == ["Failed", "Failed", "Running", "Running"]
    assert apps.read_namespaced_deployment(
        "web", NS).status.ready_replicas == 2


@pytest.mark.k8s_sim_options(deletion_grace=0.3)
def test_deletion_grace_shows_terminating_then_gone(k8s_sim, core, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 1))
    k8s_sim.wait_settled()
    victim = core.list_namespaced_pod(NS).items[0].metadata.name
    answer = core.delete_namespaced_pod(victim, NS)
    assert answer.metadata.deletion_timestamp is not None
    assert answer.metadata.deletion_grace_period_seconds == 1
    pod = core.read_namespaced_pod(victim, NS)
    assert pod.metadata.deletion_timestamp is not None
    # The replacement starts while the victim is still terminating.
    manifests.wait_for(lambda: len(core.list_namespaced_pod(NS).items) == 2)
    manifests.wait_for(lambda: victim not in [
        p.metadata.name for p in core.list_namespaced_pod(NS).items])
    core.create_namespaced_pod(NS, manifests.pod("quick"))
    k8s_sim.wait_settled()
    core.delete_namespaced_pod("quick", NS, grace_period_seconds=0)
    with pytest.raises(rest.ApiException):
        core.read_namespaced_pod("quick", NS)


@pytest.mark.parametrize("status", [500, 503])
def test_error_faults(k8s_sim, core, status):
    k8s_sim.inject_error(status=status, count=1, path="/pods$")
    with pytest.raises(rest.ApiException) as exc:
        core.list_namespaced_pod(NS, _request_timeout=5)
    assert exc.value.status == status
    assert json.loads(exc.value.body)["code"] == status
    assert core.list_namespaced_pod(NS).items == []


def test_error_fault_for_a_time(k8s_sim, core):
    k8s_sim.inject_error(status=503, seconds=0.3, verb="GET")
    with pytest.raises(rest.ApiException):
        core.list_namespaced_pod(NS)
    core.create_namespaced_pod(NS, manifests.pod("allowed"))
    manifests.wait_for(lambda: _succeeds(core.list_namespaced_pod, NS))
    k8s_sim.inject_error(status=500)
    with pytest.raises(rest.ApiException):
        core.read_namespace(NS)
    k8s_sim.reset_faults()
    core.read_namespace(NS)


def _succeeds(func, *args):
    try:
        func(*args)
    except rest.ApiException:
        return False
    return True


def test_latency_fault_trips_client_timeout(k8s_sim):
    # urllib3 would retry the read timeout; see only the first answer.
    core = client.CoreV1Api(k8s_sim.api_client(retries=False))
    k8s_sim.inject_latency(3.0, count=1)
    began = time.monotonic()
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        core.list_namespaced_pod(NS, _request_timeout=0.2)
    # The client gave up long before the server would have answered.
    assert time.monotonic() - began < 2.5
    assert core.list_namespaced_pod(NS, _request_timeout=5).items == []
    k8s_sim.inject_latency(0.2, count=1)
    began = time.monotonic()
    assert core.list_namespaced_pod(NS, _request_timeout=5).items == []
    assert time.monotonic() - began >= 0.2


def test_dropped_connection(k8s_sim):
    core = client.CoreV1Api(k8s_sim.api_client(retries=False))
    k8s_sim.drop_connections(count=1)
    with pytest.raises(urllib3.exceptions.HTTPError):
        core.list_namespaced_pod(NS, _request_timeout=5)
    assert core.list_namespaced_pod(NS, _request_timeout=5).items == []


def test_dropped_connections_beat_default_retries(k8s_sim, core):
    # urllib3 retries an idempotent request 3 times by default.
    k8s_sim.drop_connections(count=4, verb="list")
    with pytest.raises(urllib3.exceptions.HTTPError):
        core.list_namespaced_pod(NS, _request_timeout=5)
    assert k8s_sim.request_count == 4


def test_request_log(k8s_sim, core):
    core.list_namespaced_pod(NS, label_selector="a=b", limit=5)
    core.create_namespaced_pod(NS, manifests.pod("x"))
    admin(k8s_sim, "GET", "/_sim/state")
    assert k8s_sim.request_count == 2
    assert k8s_sim.requests == [
        ("GET", "/api/v1/namespaces/default/pods",
         {"labelSelector": "a=b", "limit": "5"}),
        ("POST", "/api/v1/namespaces/default/pods", {}),
    ]
    k8s_sim.reset_request_log()
    assert k8s_sim.request_count == 0 and k8s_sim.requests == []


def test_admin_endpoint(k8s_sim, core, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 2))
    apps.create_namespaced_stateful_set(NS, manifests.statefulset("db", 1))
    assert admin(k8s_sim, "POST", "/_sim/settle", {"timeout": 5})[1] == {
        "settled": True}
    victim = core.list_namespaced_pod(
        NS, label_selector="app=web").items[0].metadata.name
    status, body = admin(k8s_sim, "POST",
                         "/_sim/pods/default/%s/kill" % victim)
    assert status == 200 and body["metadata"]["name"] == victim
    admin(k8s_sim, "POST", "/_sim/scale/default/deployments/web",
          {"replicas": 3})
    admin(k8s_sim, "POST", "/_sim/scale/default/statefulset/db",
          {"replicas": 2})
    admin(k8s_sim, "POST", "/_sim/settle", {"timeout": 5})
    names = [p.metadata.name for p in core.list_namespaced_pod(NS).items]
    assert victim not in names and len(names) == 5
    assert "db-1" in names
    admin(k8s_sim, "PUT", "/_sim/hold", {"enabled": True})
    assert k8s_sim.controllers.hold_pending
    admin(k8s_sim, "PUT", "/_sim/hold", {"enabled": False})
    admin(k8s_sim, "PUT", "/_sim/fail-pods", {"enabled": True})
    assert k8s_sim.controllers.fail_new_pods
    admin(k8s_sim, "PUT", "/_sim/fail-pods", {"enabled": False})
    status, fault = admin(k8s_sim, "POST", "/_sim/faults",
                          {"kind": "error", "status": 500, "count": 1})
    assert status == 201 and fault["kind"] == "error"
    assert len(admin(k8s_sim, "GET", "/_sim/faults")[1]["faults"]) == 1
    with pytest.raises(rest.ApiException) as exc:
        core.read_namespace(NS)
    assert exc.value.status == 500
    admin(k8s_sim, "POST", "/_sim/faults", {"kind": "drop"})
    admin(k8s_sim, "DELETE", "/_sim/faults")
    core.read_namespace(NS)
    log = admin(k8s_sim, "GET", "/_sim/requests")[1]
    assert log["count"] == len(log["requests"]) > 0
    admin(k8s_sim, "DELETE", "/_sim/requests")
    assert k8s_sim.request_count == 0
    state = admin(k8s_sim, "GET", "/_sim/state")[1]
    assert state["counts"]["core/pods"] == 5
    assert admin(k8s_sim, "PUT", "/_sim/nodes", {"count": 3})[1][
        "nodes"] == ["sim-node-0", "sim-node-1", "sim-node-2"]
    old = admin(k8s_sim, "POST", "/_sim/compact")[1]["resourceVersion"]
    assert int(old) == k8s_sim.resource_version
    with pytest.raises(urllib.error.HTTPError) as exc:
        admin(k8s_sim, "GET", "/_sim/nothing")
    exc.value.close()
    assert exc.value.code == 404


def _raw_pods(api_client):
    response = client.CoreV1Api(api_client).list_namespaced_pod(
        NS, _preload_content=False)
    return json.loads(response.data)["items"]


def test_corrupt_replaces_or_edits_one_list_item(k8s_sim, api_client, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 2))
    k8s_sim.wait_settled()
    clean = _raw_pods(api_client)
    k8s_sim.corrupt_list_items(item=1, value="not-a-pod", verb="list",
                               count=1)
    assert _raw_pods(api_client) == [clean[0], "not-a-pod"]
    k8s_sim.corrupt_list_items(field="metadata", verb="list", count=1)
    assert "metadata" not in _raw_pods(api_client)[0]
    k8s_sim.corrupt_list_items(field="metadata.ownerReferences",
                               value={"kind": "x"}, path="/pods", count=1)
    assert _raw_pods(api_client)[0]["metadata"]["ownerReferences"] == {
        "kind": "x"}
    # Consumed: the next answer is the cluster's own again, and an answer
    # that is no list passes unchanged.
    assert _raw_pods(api_client) == clean
    k8s_sim.corrupt_list_items(field="metadata", count=1)
    assert apps.read_namespaced_deployment("web", NS).metadata.name == "web"


def test_corrupt_over_http(k8s_sim, api_client, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 1))
    k8s_sim.wait_settled()
    code, fault = admin(k8s_sim, "POST", "/_sim/faults", {
        "kind": "corrupt", "field": "status", "value": "broken",
        "verb": "list", "count": 1})
    assert code == 201 and fault["field"] == "status"
    assert _raw_pods(api_client)[0]["status"] == "broken"


def test_truncated_answer_is_cut_under_the_full_length(k8s_sim):
    core = client.CoreV1Api(k8s_sim.api_client(retries=False))
    k8s_sim.truncate_answers(size=10, verb="list", count=1)
    response = core.list_namespaced_pod(NS, _preload_content=False,
                                        _request_timeout=5)
    assert int(response.headers["Content-Length"]) > 10
    with pytest.raises(urllib3.exceptions.ProtocolError):
        response.read()
    # Consumed: the next answer is whole.
    assert core.list_namespaced_pod(NS, _request_timeout=5).items == []


def test_html_answer_is_a_200_page(k8s_sim):
    code, fault = admin(k8s_sim, "POST", "/_sim/faults", {
        "kind": "html", "verb": "list", "count": 1})
    assert code == 201 and fault["kind"] == "html"
    req = urllib.request.Request(k8s_sim.url + "/api/v1/namespaces/%s/pods"
                                 % NS)
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/html"
        assert resp.read().startswith(b"<!DOCTYPE html>")


def test_corrupt_edits_the_first_object_of_a_watch_stream(k8s_sim, core):
    rv = core.list_namespaced_pod(NS).metadata.resource_version
    core.create_namespaced_pod(NS, manifests.pod("a"))
    core.create_namespaced_pod(NS, manifests.pod("b"))
    k8s_sim.corrupt_list_items(field="metadata.ownerReferences",
                               value="not-a-list", verb="watch", count=1)
    url = ("%s/api/v1/namespaces/%s/pods?watch=true&resourceVersion=%s"
           "&timeoutSeconds=0.5" % (k8s_sim.url, NS, rv))
    request = urllib.request.Request(
        url, headers={"Authorization": "Bearer %s" % (k8s_sim.token or "")})
    with urllib.request.urlopen(request, timeout=5) as resp:
        events = [json.loads(line) for line in resp.read().splitlines()]
    refs = [e["object"]["metadata"].get("ownerReferences") for e in events]
    assert refs[0] == "not-a-list"
    assert "not-a-list" not in refs[1:] and len(events) >= 2
    # Consumed: the next stream is the cluster's own.
    with urllib.request.urlopen(request, timeout=5) as resp:
        events = [json.loads(line) for line in resp.read().splitlines()]
    assert events and all(
        "ownerReferences" not in e["object"]["metadata"] for e in events)
