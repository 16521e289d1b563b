"""The endpoints controller: one Endpoints object per selecting Service.

``desired_subsets(service, pods)`` decides, without I/O, which pods a
Service's selector picks and how they are packed into subsets (ready
ones in ``addresses``, others in ``notReadyAddresses``, ports resolved
per pod).  ``reconcile(ctx, namespace, name)`` then creates, updates or
deletes the Endpoints of that name.  A Service without a selector is
left alone: its Endpoints, if any, belong to whoever wrote them.
"""

import copy

from tacker_k8s_sim import pods

HEADLESS_LABEL = "service.kubernetes.io/headless"


def _selects(selector, pod):
    labels = pod["metadata"].get("labels") or {}
    return all(labels.get(key) == value for key, value in selector.items())


def _listed(pod, tolerate_unready):
    """Kubernetes' ShouldPodBeInEndpoints, without terminating pods."""
    if not (pod.get("status") or {}).get("podIP"):
        return False
    if pods.phase(pod) in ("Failed", "Succeeded"):
        return False
    return tolerate_unready or not pods.terminating(pod)


def _address(service, pod):
    meta = pod["metadata"]
    spec = pod.get("spec") or {}
    address = {"ip": pod["status"]["podIP"],
               "targetRef": {"kind": "Pod", "namespace": meta["namespace"],
                             "name": meta["name"], "uid": meta["uid"]}}
    if spec.get("nodeName"):
        address["nodeName"] = spec["nodeName"]
    if spec.get("hostname") and \
            spec.get("subdomain") == service["metadata"]["name"]:
        address["hostname"] = spec["hostname"]
    return address


def _container_port(pod, name):
    for container in (pod.get("spec") or {}).get("containers") or ():
        for port in container.get("ports") or ():
            if port.get("name") == name:
                return port.get("containerPort")
    return None


def _pod_ports(service, pod):
    """The service's ports as this pod serves them (named ones looked up)."""
    found = []
    for sport in (service.get("spec") or {}).get("ports") or ():
        target = sport.get("targetPort", sport.get("port"))
        if isinstance(target, str) and not target.isdigit():
            target = _container_port(pod, target)
            if target is None:
                continue
        port = {"port": int(target),
                "protocol": sport.get("protocol", "TCP")}
        for field in ("name", "appProtocol"):
            if sport.get(field):
                port[field] = sport[field]
        found.append(port)
    return found


def _port_key(port):
    return (port.get("name", ""), port["port"], port["protocol"])


def desired_subsets(service, candidates):
    """Subsets for ``service`` from the pods of its namespace."""
    spec = service.get("spec") or {}
    selector = spec.get("selector")
    tolerate = bool(spec.get("publishNotReadyAddresses"))
    headless = spec.get("clusterIP") == "None"
    groups = {}
    for pod in candidates:
        if not _selects(selector, pod) or not _listed(pod, tolerate):
            continue
        ports = _pod_ports(service, pod)
        if not ports and not (headless and not spec.get("ports")):
            continue
        key = tuple(sorted(_port_key(p) for p in ports))
        group = groups.setdefault(key, {"ports": ports, "ready": [],
                                        "unready": []})
        ready = tolerate or pods.ready(pod)
        group["ready" if ready else "unready"].append(
            _address(service, pod))
    subsets = []
    for key in sorted(groups):
        group = groups[key]
        subset = {}
        for field, addresses in (("addresses", group["ready"]),
                                 ("notReadyAddresses", group["unready"])):
            if addresses:
                subset[field] = sorted(addresses, key=lambda a: (
                    a["ip"], a["targetRef"]["uid"]))
        if group["ports"]:
            subset["ports"] = sorted(group["ports"], key=_port_key)
        subsets.append(subset)
    return subsets


def desired_labels(service):
    labels = dict(service["metadata"].get("labels") or {})
    if (service.get("spec") or {}).get("clusterIP") == "None":
        labels[HEADLESS_LABEL] = ""
    return labels


def reconcile(ctx, namespace, name):
    """Bring the Endpoints ``namespace/name`` in line with its Service."""
    ep_res = ctx.res("", "endpoints")
    service = ctx.store.get(ctx.res("", "services"), namespace, name)
    current = ctx.store.get(ep_res, namespace, name)
    if service is None or service["metadata"].get("deletionTimestamp"):
        if current is not None:
            ctx.delete(ep_res, current)
        return
    if not (service.get("spec") or {}).get("selector"):
        return
    subsets = desired_subsets(service, ctx.store.objects(
        ctx.res("", "pods"), namespace))
    labels = desired_labels(service)
    if current is None:
        body = {"apiVersion": "v1", "kind": "Endpoints",
                "metadata": {"name": name, "namespace": namespace,
                             "labels": labels}}
        if subsets:
            body["subsets"] = subsets
        ctx.create(ep_res, body)
        return
    if current.get("subsets", []) == subsets and \
            (current["metadata"].get("labels") or {}) == labels:
        return
    new = copy.deepcopy(current)
    new["metadata"]["labels"] = labels
    new.pop("subsets", None)
    if subsets:
        new["subsets"] = subsets
    ctx.objects.replace_object(ep_res, new)
