"""Server-side Tables: the cells kubectl prints, and the wire format."""

import json

import pytest
from tacker_k8s_sim import errors
from tacker_k8s_sim import resources
from tacker_k8s_sim import tables
from tacker_k8s_sim.tests import manifests

NS = "default"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
KUBECTL_ACCEPT = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
                  "application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
                  "application/json")
REGISTRY = resources.Registry()


def _res(group, plural):
    return REGISTRY.get(group, plural)


def request(api_client, path, accept, query=None):
    """The raw answer of a GET, sent by the official client."""
    method, url, headers, body, post = api_client.param_serialize(
        "GET", path, query_params=list((query or {}).items()),
        header_params={"Accept": accept}, auth_settings=["BearerToken"])
    answer = api_client.call_api(method, url, header_params=headers,
                                 body=body, post_params=post)
    answer.read()
    return answer


def get_raw(api_client, path, accept, query=None):
    """(status, Content-Type, decoded body) of a GET."""
    answer = request(api_client, path, accept, query)
    return (answer.status, answer.getheader("Content-Type"),
            json.loads(answer.data))


@pytest.mark.parametrize("seconds, shown", [
    (-5, "<invalid>"), (-1, "0s"), (0, "0s"), (119, "119s"),
    (120, "2m"), (200, "3m20s"), (600, "10m"), (179 * 60, "179m"),
    (3 * 3600, "3h"), (5 * 3600 + 600, "5h10m"), (8 * 3600, "8h"),
    (47 * 3600, "47h"), (48 * 3600, "2d"), (3 * 86400 + 4 * 3600, "3d4h"),
    (40 * 86400, "40d"), (800 * 86400, "2y70d"), (9 * 365 * 86400, "9y"),
])
def test_ages_read_like_kubectl(seconds, shown):
    assert tables.human_duration(seconds) == shown


def _pod(phase="Running", *, ready=True, waiting=None, deleting=False,
         restarts=0, containers=1):
    state = {"waiting": {"reason": waiting}} if waiting else (
        {"running": {}} if phase == "Running" else {})
    pod = {"metadata": {"name": "p", "creationTimestamp":
                        "2026-01-01T00:00:00Z"},
           "spec": {"containers": [{"name": "c%d" % i}
                                   for i in range(containers)],
                    "nodeName": "sim-node-0"},
           "status": {"phase": phase, "podIP": "10.244.0.9",
                      "containerStatuses": [
                          {"name": "c0", "ready": ready, "state": state,
                           "restartCount": restarts}]}}
    if deleting:
        pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:09Z"
    return pod


@pytest.mark.parametrize("pod, ready, status", [
    (_pod(), "1/1", "Running"),
    (_pod("Pending", ready=False, waiting="ContainerCreating"), "0/1",
     "ContainerCreating"),
    (_pod(deleting=True), "1/1", "Terminating"),
    (_pod("Failed", ready=False), "0/1", "Failed"),
    (_pod(containers=2), "1/2", "Running"),
])
def test_pod_rows_show_ready_and_status(pod, ready, status):
    row = tables.row(_res("", "pods"), pod, now=tables._parse_time(
        "2026-01-01T00:00:30Z"))
    assert row["cells"] == ["p", ready, status, "0", "30s", "10.244.0.9",
                            "sim-node-0", "<none>", "<none>"]


def test_restarts_are_summed_and_columns_match_cells():
    pod = _pod(restarts=4)
    res = _res("", "pods")
    table = tables.table(res, [pod], include="None")
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name", "Ready", "Status", "Restarts", "Age", "IP", "Node",
        "Nominated Node", "Readiness Gates"]
    assert [c["priority"] for c in table["columnDefinitions"]] == \
        [0] * 5 + [1] * 4
    (row,) = table["rows"]
    assert row["cells"][3] == "4" and "object" not in row
    assert len(row["cells"]) == len(table["columnDefinitions"])


@pytest.mark.parametrize("group, plural, obj, cells", [
    ("apps", "deployments",
     {"spec": {"replicas": 3, "selector": {"matchLabels": {"app": "w"}},
               "template": {"spec": {"containers": [
                   {"name": "app", "image": "nginx"}]}}},
      "status": {"readyReplicas": 2, "updatedReplicas": 3,
                 "availableReplicas": 2}},
     ["2/3", 3, 2, "30s", "app", "nginx", "app=w"]),
    ("apps", "replicasets",
     {"spec": {"replicas": 2}, "status": {"replicas": 2}},
     [2, 2, 0, "30s", "", "", "<none>"]),
    ("apps", "statefulsets",
     {"spec": {"replicas": 2}, "status": {"readyReplicas": 1}},
     ["1/2", "30s", "", ""]),
    ("apps", "daemonsets",
     {"spec": {"template": {"spec": {"nodeSelector": {"disk": "ssd"}}}},
      "status": {"desiredNumberScheduled": 2, "currentNumberScheduled": 2,
                 "numberReady": 1, "updatedNumberScheduled": 2,
                 "numberAvailable": 1}},
     [2, 2, 1, 2, 1, "disk=ssd", "30s", "", "", "<none>"]),
    ("", "namespaces", {"status": {"phase": "Active"}}, ["Active", "30s"]),
    ("", "configmaps", {"data": {"a": "1", "b": "2"}}, [2, "30s"]),
    ("", "services",
     {"spec": {"type": "NodePort", "clusterIP": "10.96.0.5",
               "ports": [{"port": 80, "nodePort": 30080,
                          "protocol": "TCP"}]}},
     ["NodePort", "10.96.0.5", "<none>", "80:30080/TCP", "30s", "<none>"]),
])
def test_workload_rows(group, plural, obj, cells):
    obj = dict(obj, metadata={"name": "w", "creationTimestamp":
                              "2026-01-01T00:00:00Z"})
    res = _res(group, plural)
    row = tables.row(res, obj, now=tables._parse_time(
        "2026-01-01T00:00:30Z"))
    assert row["cells"] == ["w"] + cells
    assert len(tables.columns(res)) == len(row["cells"])


def test_kinds_without_a_printer_get_name_and_created_at():
    res = _res("", "serviceaccounts")
    table = tables.table(res, [{"metadata": {
        "name": "sa", "creationTimestamp": "2026-01-01T00:00:00Z"}}])
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name", "Created At"]
    assert table["rows"][0]["cells"] == ["sa", "2026-01-01T00:00:00Z"]


@pytest.mark.parametrize("accept, version", [
    (KUBECTL_ACCEPT, "v1"),
    ("application/json;as=Table;v=v1beta1;g=meta.k8s.io", "v1beta1"),
    ("application/json", None),
    ("application/json, " + TABLE, None),
    ("application/json;as=Table;v=v2;g=meta.k8s.io", None),
    ("application/yaml, " + TABLE, "v1"),
    ("", None),
    (None, None),
])
def test_table_negotiation_takes_the_first_acceptable_range(accept,
                                                            version):
    assert tables.table_version(accept) == version


def test_include_object_is_checked():
    assert tables.include_object({}) == "Metadata"
    assert tables.include_object({"includeObject": "None"}) == "None"
    with pytest.raises(errors.BadRequest):
        tables.include_object({"includeObject": "Everything"})


# -- over HTTP ---------------------------------------------------------------

def test_pod_list_as_table_over_http(k8s_sim, api_client, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 2))
    k8s_sim.wait_settled()
    status, ctype, table = get_raw(
        api_client, "/api/v1/namespaces/default/pods", KUBECTL_ACCEPT)
    assert status == 200 and ctype.startswith("application/json")
    assert table["kind"] == "Table"
    assert table["apiVersion"] == "meta.k8s.io/v1"
    assert table["metadata"]["resourceVersion"] == str(
        k8s_sim.resource_version)
    assert [c["name"] for c in table["columnDefinitions"]][:5] == [
        "Name", "Ready", "Status", "Restarts", "Age"]
    cells = sorted(r["cells"][:4] for r in table["rows"])
    names = sorted(p["metadata"]["name"] for p in k8s_sim.pods(NS))
    assert cells == [[n, "1/1", "Running", "0"] for n in names]
    nodes = set(k8s_sim.node_names())
    assert {r["cells"][6] for r in table["rows"]} <= nodes
    # includeObject defaults to the metadata only.
    obj = table["rows"][0]["object"]
    assert obj["kind"] == "PartialObjectMetadata"
    assert obj["apiVersion"] == "meta.k8s.io/v1"
    assert set(obj) == {"kind", "apiVersion", "metadata"}


@pytest.mark.parametrize("include, expected", [
    ("Object", "Pod"), ("Metadata", "PartialObjectMetadata"), ("None", None),
])
def test_include_object_over_http(k8s_sim, api_client, core, include,
                                  expected):
    core.create_namespaced_pod(NS, manifests.pod("solo"))
    k8s_sim.wait_settled()
    status, _ctype, table = get_raw(
        api_client, "/api/v1/namespaces/default/pods/solo", TABLE,
        {"includeObject": include})
    assert status == 200
    (row,) = table["rows"]
    assert row["cells"][:3] == ["solo", "1/1", "Running"]
    assert (row.get("object") or {}).get("kind") == expected
    if include == "Object":
        assert row["object"]["spec"]["containers"][0]["name"] == "app"


def test_bad_include_object_is_a_400(api_client):
    status, _ctype, body = get_raw(api_client, "/api/v1/namespaces", TABLE,
                                   {"includeObject": "All"})
    assert status == 400 and body["kind"] == "Status"


def test_plain_json_is_still_the_default(api_client):
    status, _ctype, body = get_raw(api_client, "/api/v1/namespaces",
                                   "application/json")
    assert status == 200 and body["kind"] == "NamespaceList"


def test_namespaces_and_deployments_as_tables(k8s_sim, api_client, apps):
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 3))
    k8s_sim.wait_settled()
    _s, _c, namespaces = get_raw(api_client, "/api/v1/namespaces", TABLE)
    rows = {r["cells"][0]: r["cells"][1] for r in namespaces["rows"]}
    assert rows["default"] == "Active"
    _s, _c, deps = get_raw(
        api_client, "/apis/apps/v1/namespaces/default/deployments", TABLE)
    assert [c["name"] for c in deps["columnDefinitions"]][:5] == [
        "Name", "Ready", "Up-to-date", "Available", "Age"]
    assert [r["cells"][:4] for r in deps["rows"]] == [["web", "3/3", 3, 3]]


def test_watch_as_table_sends_columns_once(k8s_sim, api_client, core):
    core.create_namespaced_pod(NS, manifests.pod("w1"))
    k8s_sim.wait_settled()
    rv = str(k8s_sim.resource_version)
    core.delete_namespaced_pod("w1", NS)
    core.create_namespaced_pod(NS, manifests.pod("w2"))
    k8s_sim.wait_settled()
    answer = request(api_client, "/api/v1/namespaces/default/pods",
                     KUBECTL_ACCEPT, {"watch": "true", "resourceVersion": rv,
                                      "timeoutSeconds": "1"})
    events = [json.loads(line) for line in answer.data.splitlines()]
    assert [e["type"] for e in events][:2] == ["DELETED", "ADDED"]
    assert all(e["object"]["kind"] == "Table" for e in events)
    assert "columnDefinitions" in events[0]["object"]
    assert all("columnDefinitions" not in e["object"] for e in events[1:])
    assert events[0]["object"]["rows"][0]["cells"][0] == "w1"
    assert events[1]["object"]["rows"][0]["cells"][0] == "w2"
