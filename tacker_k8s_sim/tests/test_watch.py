"""Watch streams through kubernetes.watch.Watch and raw HTTP."""

import json
import queue
import threading
import time
import urllib.request

import pytest
from kubernetes import watch
from kubernetes.client import rest

from tacker_k8s_sim.tests import manifests

NS = "default"


def collect(func, *args, until=None, **kwargs):
    """Events until the server ends the stream or ``until`` is seen."""
    kwargs.setdefault("timeout_seconds", 1)
    kwargs.setdefault("_request_timeout", 5)
    watcher = watch.Watch()
    events = []
    for event in watcher.stream(func, *args, **kwargs):
        if until is not None and \
                event["raw_object"]["metadata"].get("name") == until:
            watcher.stop()
            break
        events.append((event["type"], event["raw_object"]))
    return events


def test_watch_from_list_version_sees_everything(k8s_sim, core, apps):
    start_rv = core.list_namespaced_pod(NS).metadata.resource_version
    apps.create_namespaced_deployment(NS, manifests.deployment("web", 2))
    apps.create_namespaced_stateful_set(NS, manifests.statefulset("db", 2))
    k8s_sim.wait_settled()
    victim = core.list_namespaced_pod(
        NS, label_selector="app=web").items[0].metadata.name
    core.delete_namespaced_pod(victim, NS)
    apps.patch_namespaced_deployment_scale("web", NS,
                                           {"spec": {"replicas": 3}})
    core.delete_namespaced_pod("db-1", NS)
    k8s_sim.wait_settled()
    final = {p.metadata.uid: p.metadata.name
             for p in core.list_namespaced_pod(NS).items}
    core.create_namespaced_pod(NS, manifests.pod("zz-end"))

    events = collect(core.list_namespaced_pod, NS,
                     resource_version=start_rv, until="zz-end")
    added = {o["metadata"]["uid"]: o["metadata"]["name"]
             for t, o in events if t == "ADDED"}
    deleted = {o["metadata"]["uid"]: o["metadata"]["name"]
               for t, o in events if t == "DELETED"}
    assert victim in deleted.values() and "db-1" in deleted.values()
    assert {u: n for u, n in added.items() if u not in deleted} == final
    versions = [int(o["metadata"]["resourceVersion"]) for _, o in events]
    assert versions == sorted(versions)
    assert versions[0] > int(start_rv)
    running = {o["metadata"]["name"] for t, o in events if t == "MODIFIED"
               and o["status"].get("phase") == "Running"}
    assert set(final.values()) <= running


def test_live_watch_delivers_new_events(k8s_sim, core):
    rv = core.list_namespaced_pod(NS).metadata.resource_version
    got = queue.Queue()

    def run():
        for event in watch.Watch().stream(
                core.list_namespaced_pod, NS, resource_version=rv,
                timeout_seconds=5, _request_timeout=10):
            got.put((event["type"], event["object"].metadata.name,
                     event["object"].status.phase))
            if event["object"].status.phase == "Running":
                return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    time.sleep(0.05)
    core.create_namespaced_pod(NS, manifests.pod("live"))
    thread.join(10)
    seen = []
    while not got.empty():
        seen.append(got.get())
    assert seen[0] == ("ADDED", "live", "Pending")
    assert seen[-1] == ("MODIFIED", "live", "Running")


def test_watch_without_version_starts_with_current_objects(k8s_sim, core):
    core.create_namespaced_pod(NS, manifests.pod("a"))
    core.create_namespaced_pod(NS, manifests.pod("b"))
    k8s_sim.wait_settled()
    core.create_namespaced_pod(NS, manifests.pod("zz-end"))
    events = collect(core.list_namespaced_pod, NS, until="zz-end")
    assert [(t, o["metadata"]["name"]) for t, o in events] == [
        ("ADDED", "a"), ("ADDED", "b")]


def test_watch_selector_turns_label_changes_into_add_delete(k8s_sim, core):
    core.create_namespaced_pod(NS, manifests.pod("p", {"role": "x"}))
    k8s_sim.wait_settled()
    rv = core.list_namespaced_pod(NS).metadata.resource_version
    core.patch_namespaced_pod("p", NS, {"metadata": {"labels": {
        "role": "y"}}})
    core.patch_namespaced_pod("p", NS, {"metadata": {"labels": {
        "role": "x", "extra": "1"}}})
    core.create_namespaced_pod(NS, manifests.pod("q", {"role": "y"}))
    core.create_namespaced_pod(NS, manifests.pod("zz-end", {"role": "x"}))
    events = collect(core.list_namespaced_pod, NS, resource_version=rv,
                     label_selector="role=x", until="zz-end")
    assert [(t, o["metadata"]["name"]) for t, o in events] == [
        ("DELETED", "p"), ("ADDED", "p")]
    events = collect(core.list_namespaced_pod, NS, resource_version=rv,
                     field_selector="metadata.name!=p",
                     until="zz-end")
    assert [t for t, _ in events][0] == "ADDED"
    assert {o["metadata"]["name"] for _, o in events} == {"q"}


def test_compacted_resource_version_gets_410(k8s_sim, core):
    old_rv = core.list_namespaced_pod(NS).metadata.resource_version
    core.create_namespaced_pod(NS, manifests.pod("a"))
    k8s_sim.compact()
    with pytest.raises(rest.ApiException) as exc:
        collect(core.list_namespaced_pod, NS, resource_version=old_rv)
    assert exc.value.status == 410
    fresh = core.list_namespaced_pod(NS).metadata.resource_version
    core.create_namespaced_pod(NS, manifests.pod("zz-end"))
    events = collect(core.list_namespaced_pod, NS, resource_version=fresh,
                     until="zz-end")
    assert events == []


@pytest.mark.k8s_sim_options(history_window=3)
def test_history_window_expires_versions(k8s_sim, core):
    rv = core.list_namespaced_pod(NS).metadata.resource_version
    for index in range(3):
        core.create_namespaced_config_map(
            NS, {"metadata": {"name": "c%d" % index}})
    # The window still holds the three newest events.
    events = collect(core.list_namespaced_config_map, NS,
                     resource_version=rv, until="c2")
    assert len(events) == 2
    core.create_namespaced_config_map(NS, {"metadata": {"name": "c3"}})
    resp = core.list_namespaced_config_map(
        NS, watch=True, resource_version=rv, timeout_seconds=1,
        _preload_content=False, _request_timeout=5)
    lines = [json.loads(line) for line in resp.data.splitlines() if line]
    assert len(lines) == 1 and lines[0]["type"] == "ERROR"
    status = lines[0]["object"]
    assert status["kind"] == "Status" and status["code"] == 410
    assert status["reason"] == "Expired"
    k8s_sim.compact()
    with pytest.raises(rest.ApiException) as exc:
        collect(core.list_namespaced_config_map, NS,
                resource_version=str(k8s_sim.resource_version - 1))
    assert exc.value.status == 410
    # Without timeout_seconds the client retries a 410 once, then raises.
    with pytest.raises(rest.ApiException) as exc:
        for _ in watch.Watch().stream(core.list_namespaced_config_map, NS,
                                      resource_version=rv,
                                      _request_timeout=5):
            pass
    assert exc.value.status == 410


@pytest.mark.k8s_sim_options(bookmark_interval=0.1)
def test_bookmarks_and_timeout(k8s_sim, core):
    core.create_namespaced_pod(NS, manifests.pod("a"))
    rv = core.list_namespaced_pod(NS).metadata.resource_version
    began = time.monotonic()
    events = collect(core.list_namespaced_pod, NS, resource_version=rv,
                     allow_watch_bookmarks=True, timeout_seconds=1)
    elapsed = time.monotonic() - began
    # The stream ends at timeoutSeconds, not before (nor much after).
    assert 0.9 <= elapsed < 10
    marks = [o for t, o in events if t == "BOOKMARK"]
    assert len(marks) >= 3
    assert all(int(m["metadata"]["resourceVersion"]) >= int(rv)
               for m in marks)
    assert all(m["kind"] == "Pod" for m in marks)


@pytest.mark.parametrize("flag", ["1", "true", "True", "TRUE"])
def test_watch_flag_is_case_insensitive(k8s_sim, flag):
    url = ("%s/api/v1/namespaces/default/pods?watch=%s&timeoutSeconds=0.2"
           % (k8s_sim.url, flag))
    with urllib.request.urlopen(url, timeout=5) as resp:
        assert resp.headers["Transfer-Encoding"] == "chunked"
        assert resp.read() == b""
    legacy = "%s/api/v1/watch/namespaces/default/pods?timeoutSeconds=0.2"
    with urllib.request.urlopen(legacy % k8s_sim.url, timeout=5) as resp:
        assert resp.read() == b""


def test_watch_all_namespaces_and_deployments(k8s_sim, core, apps):
    rv = apps.list_deployment_for_all_namespaces().metadata.resource_version
    core.create_namespace({"metadata": {"name": "other"}})
    apps.create_namespaced_deployment("other", manifests.deployment("web", 1))
    k8s_sim.wait_settled()
    apps.create_namespaced_deployment(NS, manifests.deployment("zz-end", 1))
    events = collect(apps.list_deployment_for_all_namespaces,
                     resource_version=rv, until="zz-end")
    assert events[0][0] == "ADDED"
    assert events[-1][1]["status"]["readyReplicas"] == 1
    assert {o["metadata"]["namespace"] for _, o in events} == {"other"}
