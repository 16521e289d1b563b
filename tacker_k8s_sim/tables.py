"""Server-side printing: objects as a meta.k8s.io Table.

A client that sends ``Accept: application/json;as=Table;v=v1;g=meta.k8s.io``
(kubectl does, for ``get``) receives a ``Table`` instead of the object or
list: ``columnDefinitions`` (priority 0 columns are the default output,
priority 1 the extra ``-o wide`` ones) and one row of cells per object.
The columns of each kind are those a real API server prints; a kind
without its own printer gets the server's default, Name and Created At.
``includeObject`` says what each row carries beside its cells: the
object's metadata (``Metadata``, the default), the whole object
(``Object``) or nothing (``None``).

This module only reads objects; choosing the answer's format from the
Accept header is ``negotiate``'s job, sending it is ``api.py``'s.
"""

import calendar
import time

from tacker_k8s_sim import errors

GROUP = "meta.k8s.io"
VERSIONS = ("v1", "v1beta1")
INCLUDE_OBJECT = ("Metadata", "Object", "None")

_NONE = "<none>"


# -- content negotiation ---------------------------------------------------

def _media_ranges(accept):
    for part in (accept or "").split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        params = {}
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            params[key.strip().lower()] = value.strip()
        yield media, params


def negotiate(accept, group, kind, versions):
    """The version of ``group``'s ``kind`` the client asked for, or None.

    The first acceptable media range wins, as on the API server: a plain
    ``application/json`` (or ``*/*``) before any ``as=kind`` one means
    the client prefers the ordinary answer.
    """
    for media, params in _media_ranges(accept):
        if media not in ("application/json", "application/*", "*/*"):
            continue
        if "as" not in params:
            return None
        if params.get("as") == kind and params.get("g") == group and \
                params.get("v") in versions:
            return params["v"]
    return None


def table_version(accept):
    return negotiate(accept, GROUP, "Table", VERSIONS)


def include_object(query):
    value = query.get("includeObject") or "Metadata"
    if value not in INCLUDE_OBJECT:
        raise errors.BadRequest(
            "includeObject must be one of %s, not %r"
            % (", ".join(INCLUDE_OBJECT), value))
    return value


# -- cell helpers -----------------------------------------------------------

def human_duration(seconds):
    """Kubernetes' short duration: 45s, 3m20s, 15m, 5h10m, 3d4h, 40d."""
    seconds = int(seconds)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return "%ds" % seconds
    minutes = seconds // 60
    if minutes < 10:
        rest = seconds % 60
        return "%dm%ds" % (minutes, rest) if rest else "%dm" % minutes
    if minutes < 180:
        return "%dm" % minutes
    hours = minutes // 60
    if hours < 8:
        rest = minutes % 60
        return "%dh%dm" % (hours, rest) if rest else "%dh" % hours
    if hours < 48:
        return "%dh" % hours
    days = hours // 24
    if hours < 24 * 8:
        rest = hours % 24
        return "%dd%dh" % (days, rest) if rest else "%dd" % days
    if days < 365 * 2:
        return "%dd" % days
    years = days // 365
    if days < 365 * 8:
        rest = days % 365
        return "%dy%dd" % (years, rest) if rest else "%dy" % years
    return "%dy" % years


def _parse_time(stamp):
    try:
        return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))
    except (TypeError, ValueError):
        return None


def age(obj, now):
    created = _parse_time(obj["metadata"].get("creationTimestamp"))
    if created is None:
        return "<unknown>"
    return human_duration(now - created)


def _spec(obj):
    return obj.get("spec") or {}


def _status(obj):
    return obj.get("status") or {}


def _int(value):
    return value if isinstance(value, int) else 0


def _labels(selector):
    if not selector:
        return _NONE
    return ",".join("%s=%s" % kv for kv in sorted(selector.items()))


def _label_selector(selector):
    """A LabelSelector as kubectl writes it: app=x,tier in (a,b)."""
    if not selector:
        return _NONE
    parts = ["%s=%s" % kv for kv in sorted(
        (selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or ():
        op = expr.get("operator", "")
        key = expr.get("key", "")
        if op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append("!" + key)
        else:
            parts.append("%s %s (%s)" % (key, op.lower(), ",".join(
                expr.get("values") or ())))
    return ",".join(parts) or _NONE


def _template_containers(obj):
    pod_spec = (_spec(obj).get("template") or {}).get("spec") or {}
    containers = pod_spec.get("containers") or ()
    return (",".join(c.get("name", "") for c in containers),
            ",".join(c.get("image", "") for c in containers))


def _column(name, kind="string", *, priority=0, description="", fmt=""):
    column = {"name": name, "type": kind, "format": fmt,
              "description": description, "priority": priority}
    return column


_NAME = _column("Name", fmt="name",
                description="Name of the object, unique in its namespace.")
_AGE = _column("Age", description="Time since the object was created.")
_CONTAINERS = _column("Containers", priority=1,
                      description="Names of the template's containers.")
_IMAGES = _column("Images", priority=1,
                  description="Images of the template's containers.")
_SELECTOR = _column("Selector", priority=1,
                    description="Label query over the managed pods.")


# -- one printer per kind ----------------------------------------------------

def pod_status(pod):
    """The STATUS column: the phase, refined by containers and deletion."""
    status = _status(pod)
    reason = status.get("reason") or status.get("phase") or ""
    running = False
    for cs in reversed(status.get("containerStatuses") or ()):
        state = cs.get("state") or {}
        waiting = state.get("waiting") or {}
        terminated = state.get("terminated")
        if waiting.get("reason"):
            reason = waiting["reason"]
        elif terminated is not None:
            if terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated.get("signal"):
                reason = "Signal:%d" % terminated["signal"]
            else:
                reason = "ExitCode:%d" % _int(terminated.get("exitCode"))
        elif state.get("running") and cs.get("ready"):
            running = True
    if reason == "Completed" and running:
        reason = "Running"
    if pod["metadata"].get("deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" \
            else "Terminating"
    return reason


def _pod_row(pod, now):
    status = _status(pod)
    statuses = status.get("containerStatuses") or ()
    total = len(_spec(pod).get("containers") or ())
    ready = sum(1 for cs in statuses if cs.get("ready"))
    restarts = sum(_int(cs.get("restartCount")) for cs in statuses)
    gates = _spec(pod).get("readinessGates") or ()
    if gates:
        true = {c.get("type") for c in status.get("conditions") or ()
                if c.get("status") == "True"}
        gates_cell = "%d/%d" % (sum(
            1 for g in gates if g.get("conditionType") in true), len(gates))
    else:
        gates_cell = _NONE
    return [pod["metadata"].get("name", ""), "%d/%d" % (ready, total),
            pod_status(pod), str(restarts), age(pod, now),
            status.get("podIP") or _NONE,
            _spec(pod).get("nodeName") or _NONE,
            status.get("nominatedNodeName") or _NONE, gates_cell]


_POD_COLUMNS = [
    _NAME,
    _column("Ready", description="Ready containers out of all."),
    _column("Status", description="Phase of the pod, or why its "
            "containers are not running."),
    _column("Restarts", description="Container restarts in this pod."),
    _AGE,
    _column("IP", priority=1, description="The pod's IP address."),
    _column("Node", priority=1, description="Node the pod runs on."),
    _column("Nominated Node", priority=1,
            description="Node the scheduler nominated for preemption."),
    _column("Readiness Gates", priority=1,
            description="Readiness gates met out of all."),
]


def _deployment_row(dep, now):
    status = _status(dep)
    containers, images = _template_containers(dep)
    return [dep["metadata"].get("name", ""), "%d/%d" % (
        _int(status.get("readyReplicas")), _int(_spec(dep).get("replicas"))),
        _int(status.get("updatedReplicas")),
        _int(status.get("availableReplicas")), age(dep, now),
        containers, images, _label_selector(_spec(dep).get("selector"))]


_DEPLOYMENT_COLUMNS = [
    _NAME,
    _column("Ready", description="Ready replicas out of desired."),
    _column("Up-to-date", "integer",
            description="Replicas running the newest template."),
    _column("Available", "integer",
            description="Replicas available to serve."),
    _AGE, _CONTAINERS, _IMAGES, _SELECTOR,
]


def _replicaset_row(rs, now):
    status = _status(rs)
    containers, images = _template_containers(rs)
    return [rs["metadata"].get("name", ""), _int(_spec(rs).get("replicas")),
            _int(status.get("replicas")), _int(status.get("readyReplicas")),
            age(rs, now), containers, images,
            _label_selector(_spec(rs).get("selector"))]


_REPLICASET_COLUMNS = [
    _NAME,
    _column("Desired", "integer", description="Replicas wanted."),
    _column("Current", "integer", description="Replicas that exist."),
    _column("Ready", "integer", description="Replicas that are ready."),
    _AGE, _CONTAINERS, _IMAGES, _SELECTOR,
]


def _statefulset_row(sts, now):
    containers, images = _template_containers(sts)
    return [sts["metadata"].get("name", ""), "%d/%d" % (
        _int(_status(sts).get("readyReplicas")),
        _int(_spec(sts).get("replicas"))), age(sts, now), containers,
        images]


_STATEFULSET_COLUMNS = [
    _NAME, _column("Ready", description="Ready replicas out of desired."),
    _AGE, _CONTAINERS, _IMAGES,
]


def _daemonset_row(ds, now):
    status = _status(ds)
    containers, images = _template_containers(ds)
    pod_spec = (_spec(ds).get("template") or {}).get("spec") or {}
    return [ds["metadata"].get("name", ""),
            _int(status.get("desiredNumberScheduled")),
            _int(status.get("currentNumberScheduled")),
            _int(status.get("numberReady")),
            _int(status.get("updatedNumberScheduled")),
            _int(status.get("numberAvailable")),
            _labels(pod_spec.get("nodeSelector")), age(ds, now),
            containers, images, _label_selector(_spec(ds).get("selector"))]


_DAEMONSET_COLUMNS = [
    _NAME,
    _column("Desired", "integer", description="Nodes that should run "
            "the pod."),
    _column("Current", "integer", description="Nodes running the pod."),
    _column("Ready", "integer", description="Nodes whose pod is ready."),
    _column("Up-to-date", "integer",
            description="Nodes running the newest template."),
    _column("Available", "integer",
            description="Nodes whose pod is available."),
    _column("Node Selector", description="Labels a node needs to run "
            "the pod."),
    _AGE, _CONTAINERS, _IMAGES, _SELECTOR,
]


def _namespace_row(ns, now):
    return [ns["metadata"].get("name", ""),
            _status(ns).get("phase") or "", age(ns, now)]


_NAMESPACE_COLUMNS = [
    _NAME, _column("Status", description="Active or Terminating."), _AGE,
]


def _ports(spec):
    shown = []
    for port in spec.get("ports") or ():
        text = str(port.get("port", ""))
        if port.get("nodePort"):
            text += ":%s" % port["nodePort"]
        shown.append("%s/%s" % (text, port.get("protocol") or "TCP"))
    return ",".join(shown) or _NONE


def _service_row(svc, now):
    spec = _spec(svc)
    kind = spec.get("type") or "ClusterIP"
    external = ",".join(spec.get("externalIPs") or ())
    if kind == "LoadBalancer":
        ingress = (_status(svc).get("loadBalancer") or {}).get(
            "ingress") or ()
        external = ",".join(
            i.get("ip") or i.get("hostname") or "" for i in ingress) or \
            "<pending>"
    elif kind == "ExternalName":
        external = spec.get("externalName") or ""
    return [svc["metadata"].get("name", ""), kind,
            spec.get("clusterIP") or _NONE, external or _NONE,
            _ports(spec), age(svc, now), _labels(spec.get("selector"))]


_SERVICE_COLUMNS = [
    _NAME,
    _column("Type", description="How the service is exposed."),
    _column("Cluster-IP", description="Virtual IP inside the cluster."),
    _column("External-IP", description="Addresses outside the cluster."),
    _column("Port(s)", description="Ports the service exposes."),
    _AGE,
    _column("Selector", priority=1, description="Labels of the pods "
            "behind the service."),
]


def _configmap_row(cm, now):
    count = len(cm.get("data") or {}) + len(cm.get("binaryData") or {})
    return [cm["metadata"].get("name", ""), count, age(cm, now)]


_CONFIGMAP_COLUMNS = [
    _NAME, _column("Data", "integer", description="Number of keys."),
    _AGE,
]


def _secret_row(secret, now):
    count = len(secret.get("data") or {}) + len(
        secret.get("stringData") or {})
    return [secret["metadata"].get("name", ""),
            secret.get("type") or "Opaque", count, age(secret, now)]


_SECRET_COLUMNS = [
    _NAME, _column("Type", description="Kind of secret."),
    _column("Data", "integer", description="Number of keys."), _AGE,
]


def _node_row(node, now):
    status = _status(node)
    ready = "Unknown"
    for cond in status.get("conditions") or ():
        if cond.get("type") == "Ready":
            ready = "Ready" if cond.get("status") == "True" else "NotReady"
    if _spec(node).get("unschedulable"):
        ready += ",SchedulingDisabled"
    prefix = "node-role.kubernetes.io/"
    roles = sorted(key[len(prefix):] for key in (
        node["metadata"].get("labels") or {}) if key.startswith(prefix))
    addresses = {}
    for addr in status.get("addresses") or ():
        addresses.setdefault(addr.get("type"), addr.get("address"))
    info = status.get("nodeInfo") or {}
    return [node["metadata"].get("name", ""), ready,
            ",".join(roles) or _NONE, age(node, now),
            info.get("kubeletVersion") or "",
            addresses.get("InternalIP") or _NONE,
            addresses.get("ExternalIP") or _NONE,
            info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>"]


_NODE_COLUMNS = [
    _NAME, _column("Status", description="Whether the node is ready."),
    _column("Roles", description="Roles from node-role labels."), _AGE,
    _column("Version", description="Kubelet version."),
    _column("Internal-IP", priority=1, description="Internal address."),
    _column("External-IP", priority=1, description="External address."),
    _column("OS-Image", priority=1, description="Operating system."),
    _column("Kernel-Version", priority=1, description="Kernel version."),
    _column("Container-Runtime", priority=1,
            description="Container runtime and its version."),
]


def _default_row(obj, now):
    meta = obj["metadata"]
    return [meta.get("name", ""), meta.get("creationTimestamp") or ""]


_DEFAULT_COLUMNS = [
    _NAME, _column("Created At", "date",
                   description="When the object was created."),
]

PRINTERS = {
    "core/pods": (_POD_COLUMNS, _pod_row),
    "core/namespaces": (_NAMESPACE_COLUMNS, _namespace_row),
    "core/services": (_SERVICE_COLUMNS, _service_row),
    "core/configmaps": (_CONFIGMAP_COLUMNS, _configmap_row),
    "core/secrets": (_SECRET_COLUMNS, _secret_row),
    "core/nodes": (_NODE_COLUMNS, _node_row),
    "apps/deployments": (_DEPLOYMENT_COLUMNS, _deployment_row),
    "apps/replicasets": (_REPLICASET_COLUMNS, _replicaset_row),
    "apps/statefulsets": (_STATEFULSET_COLUMNS, _statefulset_row),
    "apps/daemonsets": (_DAEMONSET_COLUMNS, _daemonset_row),
}


def columns(resource):
    return PRINTERS.get(resource.key, (_DEFAULT_COLUMNS, None))[0]


def _row_object(obj, include):
    if include == "Object":
        return obj
    if include == "Metadata":
        return {"kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": obj["metadata"]}
    return None


def row(resource, obj, include="Metadata", *, now=None):
    printer = PRINTERS.get(resource.key, (None, _default_row))[1]
    cells = printer(obj, time.time() if now is None else now)
    found = {"cells": cells}
    carried = _row_object(obj, include)
    if carried is not None:
        found["object"] = carried
    return found


def table(resource, objs, *, include="Metadata", version="v1",
          list_meta=None, headers=True, now=None):
    """A Table of ``objs``; ``list_meta`` is its metadata (rv, continue)."""
    now = time.time() if now is None else now
    body = {"kind": "Table", "apiVersion": "%s/%s" % (GROUP, version),
            "metadata": dict(list_meta or {})}
    if headers:
        body["columnDefinitions"] = columns(resource)
    body["rows"] = [row(resource, obj, include, now=now) for obj in objs]
    return body
