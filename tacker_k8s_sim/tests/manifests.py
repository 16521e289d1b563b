"""Small manifests and a polling helper for the simulator tests."""

import time


def template(labels, image="nginx:1.25"):
    return {"metadata": {"labels": dict(labels)},
            "spec": {"containers": [{"name": "app", "image": image}]}}


def deployment(name, replicas=3, image="nginx:1.25", labels=None):
    labels = labels or {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name},
            "spec": {"replicas": replicas,
                     "selector": {"matchLabels": dict(labels)},
                     "template": template(labels, image)}}


def statefulset(name, replicas=3, image="nginx:1.25"):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": name},
            "spec": {"replicas": replicas, "serviceName": name,
                     "selector": {"matchLabels": dict(labels)},
                     "template": template(labels, image)}}


def daemonset(name, image="nginx:1.25"):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": dict(labels)},
                     "template": template(labels, image)}}


def pod(name, labels=None, image="nginx:1.25"):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": dict(labels or {})},
            "spec": {"containers": [{"name": "app", "image": image}]}}


def job(name, completions=None, parallelism=None, image="busybox:1.36"):
    spec = {"template": template({"app": name}, image)}
    spec["template"]["spec"]["restartPolicy"] = "Never"
    if completions is not None:
        spec["completions"] = completions
    if parallelism is not None:
        spec["parallelism"] = parallelism
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name}, "spec": spec}


def wait_for(predicate, timeout=5.0, interval=0.01, message=None):
    """Poll until ``predicate()`` is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(message or "condition not met in %.1f s"
                                 % timeout)
        time.sleep(interval)
