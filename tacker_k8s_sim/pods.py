"""Pod facts and pod status shapes shared by the controllers.

What counts as active, ready or terminating, and what status the
simulated kubelet writes in each phase, as Kubernetes reports them.
"""

import hashlib

from tacker_k8s_sim import objects


def phase(pod):
    return (pod.get("status") or {}).get("phase")


def terminating(pod):
    return bool(pod["metadata"].get("deletionTimestamp"))


def active(pod):
    """Counted by its controller: not terminating, not finished."""
    return not terminating(pod) and phase(pod) not in (
        "Failed", "Succeeded")


def failed(pod):
    return not terminating(pod) and phase(pod) == "Failed"


def ready(pod):
    if not active(pod) or phase(pod) != "Running":
        return False
    for cond in (pod.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


def controller_uid(obj):
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return ref.get("uid")
    return None


def owner_ref(resource, owner):
    meta = owner["metadata"]
    return {
        "apiVersion": resource.api_version,
        "kind": resource.kind,
        "name": meta["name"],
        "uid": meta["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _condition(kind, status, now, reason=None):
    cond = {"type": kind, "status": status, "lastProbeTime": None,
            "lastTransitionTime": now}
    if reason:
        cond["reason"] = reason
    return cond


def _container_id(pod, container):
    seed = "%s/%s" % (pod["metadata"]["uid"], container.get("name"))
    return "containerd://" + hashlib.sha256(seed.encode()).hexdigest()


def _image_id(image):
    digest = hashlib.sha256((image or "").encode()).hexdigest()
    return "%s@sha256:%s" % ((image or "").split(":")[0], digest)


def scheduled_status(pod, node_ip):
    """Bound to a node, containers still being created."""
    now = objects.now_iso()
    status = dict(pod.get("status") or {})
    status.update({
        "phase": "Pending",
        "hostIP": node_ip,
        "hostIPs": [{"ip": node_ip}],
        "conditions": [
            _condition("PodScheduled", "True", now),
            _condition("Initialized", "True", now),
            _condition("Ready", "False", now, "ContainersNotReady"),
            _condition("ContainersReady", "False", now,
                       "ContainersNotReady"),
        ],
        "containerStatuses": [{
            "name": c.get("name"), "image": c.get("image"), "imageID": "",
            "ready": False, "restartCount": 0, "started": False,
            "state": {"waiting": {"reason": "ContainerCreating"}},
        } for c in pod["spec"].get("containers") or ()],
    })
    return status


def running_status(pod, node_ip, pod_ip):
    now = objects.now_iso()
    status = dict(pod.get("status") or {})
    status.update({
        "phase": "Running",
        "hostIP": node_ip,
        "hostIPs": [{"ip": node_ip}],
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "startTime": status.get("startTime") or now,
        "conditions": [
            _condition("PodReadyToStartContainers", "True", now),
            _condition("Initialized", "True", now),
            _condition("Ready", "True", now),
            _condition("ContainersReady", "True", now),
            _condition("PodScheduled", "True", now),
        ],
        "containerStatuses": _container_statuses(
            pod, lambda c: {"running": {"startedAt": now}}, ready=True),
    })
    return status


def _container_statuses(pod, state_of, *, ready=False):
    """One status per container of ``pod``; ``state_of(container)``."""
    return [{
        "name": c.get("name"), "image": c.get("image"),
        "imageID": _image_id(c.get("image")),
        "containerID": _container_id(pod, c),
        "ready": ready, "restartCount": 0, "started": ready,
        "state": state_of(c),
    } for c in pod["spec"].get("containers") or ()]


def failed_status(pod, node_ip):
    now = objects.now_iso()
    status = dict(pod.get("status") or {})
    status.update({
        "phase": "Failed",
        "reason": "SimulatedFailure",
        "message": "the simulator was told to fail new pods",
        "hostIP": node_ip,
        "hostIPs": [{"ip": node_ip}],
        "startTime": status.get("startTime") or now,
        "conditions": [
            _condition("Initialized", "True", now),
            _condition("Ready", "False", now, "PodFailed"),
            _condition("ContainersReady", "False", now, "PodFailed"),
            _condition("PodScheduled", "True", now),
        ],
        "containerStatuses": _container_statuses(pod, lambda c: {
            "terminated": {"exitCode": 1, "reason": "Error",
                           "startedAt": now, "finishedAt": now}}),
    })
    return status


def succeeded_status(pod):
    """Every container exited 0; the pod keeps its IPs and start time."""
    now = objects.now_iso()
    status = dict(pod.get("status") or {})
    started = {c.get("name"): ((c.get("state") or {}).get("running") or {})
               .get("startedAt", now)
               for c in status.get("containerStatuses") or ()}
    status.update({
        "phase": "Succeeded",
        "conditions": [
            _condition("PodReadyToStartContainers", "False", now),
            _condition("Initialized", "True", now, "PodCompleted"),
            _condition("Ready", "False", now, "PodCompleted"),
            _condition("ContainersReady", "False", now, "PodCompleted"),
            _condition("PodScheduled", "True", now),
        ],
        "containerStatuses": _container_statuses(pod, lambda c: {
            "terminated": {
                "exitCode": 0, "reason": "Completed",
                "startedAt": started.get(c.get("name"), now),
                "finishedAt": now, "containerID": _container_id(pod, c)}}),
    })
    return status


def owner_kind(obj):
    """Kind of the controlling owner, or None."""
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return ref.get("kind")
    return None
