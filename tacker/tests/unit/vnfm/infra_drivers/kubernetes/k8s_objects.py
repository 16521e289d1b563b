"""Raw Kubernetes objects shaped like the API's LIST JSON, for tests.

Objects carry what the real API sends and the code reads: uids,
controller ownerReferences, generation / observedGeneration, status
counts (zero counts omitted, as the API does), pod phases and
deletionTimestamp.  Pod names follow Kubernetes' generateName rule: the
owner's name plus "-", cut to 58 characters, plus 5 characters.
"""

import itertools
import uuid

from tacker.vnfm.infra_drivers.kubernetes import model


NAMESPACE = "default"
MAX_GENERATE_BASE = 58
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_counter = itertools.count(1)


def new_uid():
    return str(uuid.UUID(int=next(_counter)))


def suffix(number, length=5):
    """A deterministic Kubernetes-style random suffix."""
    chars = []
    for _ in range(length):
        number, digit = divmod(number, len(_SUFFIX_ALPHABET))
        chars.append(_SUFFIX_ALPHABET[digit])
    return "".join(chars)


def generated_name(owner_name, number):
    return (owner_name + "-")[:MAX_GENERATE_BASE] + suffix(number)


def owner_ref(owner, kind, *, uid=None, controller=True):
    meta = owner["metadata"] if isinstance(owner, dict) else None
    return {
        "apiVersion": "v1" if kind == model.POD else "apps/v1",
        "kind": kind,
        "name": meta["name"] if meta else owner,
        "uid": uid or (meta["uid"] if meta else new_uid()),
        "controller": controller,
        "blockOwnerDeletion": True,
    }


def _metadata(name, uid, *, generation=None, labels=None,
              owner_refs=None, deleting=False, annotations=None,
              created="2024-01-01T00:00:00Z"):
    meta = {
        "name": name,
        "namespace": NAMESPACE,
        "uid": uid or new_uid(),
        "resourceVersion": str(next(_counter)),
        "creationTimestamp": created,
        "labels": dict(labels or {"app": name}),
    }
    if generation is not None:
        meta["generation"] = generation
    if owner_refs:
        meta["ownerReferences"] = list(owner_refs)
    if annotations:
        meta["annotations"] = dict(annotations)
    if deleting:
        meta["deletionTimestamp"] = "2024-01-01T00:05:00Z"
    return meta


def _counts(**counts):
    # The API leaves zero-valued counts out.
    return {key: value for key, value in counts.items() if value}


def deployment(name, replicas=1, *, uid=None, generation=1,
               observed_generation=None, status_replicas=None,
               updated_replicas=None):
    return {
        "metadata": _metadata(name, uid, generation=generation),
        "spec": {"replicas": replicas,
                 "selector": {"matchLabels": {"app": name}}},
        "status": dict(
            observedGeneration=(generation if observed_generation is None
                                else observed_generation),
            **_counts(
                replicas=(replicas if status_replicas is None
                          else status_replicas),
                updatedReplicas=(replicas if updated_replicas is None
                                 else updated_replicas),
                readyReplicas=replicas, availableReplicas=replicas)),
    }


def replicaset(name, replicas=1, *, owner=None, owner_uid=None, uid=None,
               revision=1, status_replicas=None, generation=1,
               created="2024-01-01T00:00:00Z"):
    refs = ([owner_ref(owner, model.DEPLOYMENT, uid=owner_uid)]
            if owner is not None else None)
    return {
        "metadata": _metadata(
            name, uid, generation=generation, owner_refs=refs,
            created=created,
            annotations={"deployment.kubernetes.io/revision":
                         str(revision)}),
        "spec": {"replicas": replicas},
        "status": dict(observedGeneration=generation, **_counts(
            replicas=(replicas if status_replicas is None
                      else status_replicas),
            readyReplicas=replicas)),
    }


def statefulset(name, replicas=1, *, uid=None, generation=1,
                status_replicas=None):
    return {
        "metadata": _metadata(name, uid, generation=generation),
        "spec": {"replicas": replicas, "serviceName": name},
        "status": dict(observedGeneration=generation, **_counts(
            replicas=(replicas if status_replicas is None
                      else status_replicas),
            readyReplicas=replicas, currentReplicas=replicas,
            updatedReplicas=replicas)),
    }


def daemonset(name, nodes=1, *, uid=None, generation=1, updated=None):
    return {
        "metadata": _metadata(name, uid, generation=generation),
        "spec": {"selector": {"matchLabels": {"app": name}}},
        "status": dict(observedGeneration=generation, **_counts(
            desiredNumberScheduled=nodes, currentNumberScheduled=nodes,
            numberReady=nodes,
            updatedNumberScheduled=nodes if updated is None else updated)),
    }


def pod(name, *, owner=None, owner_kind=None, owner_uid=None, uid=None,
        phase="Running", deleting=False):
    refs = None
    if owner is not None:
        refs = [owner_ref(owner, owner_kind, uid=owner_uid)]
    return {
        "metadata": _metadata(name, uid, owner_refs=refs,
                              deleting=deleting),
        "spec": {"containers": [{"name": "app", "image": "nginx"}]},
        "status": {"phase": phase},
    }


def pods_of(owner, owner_kind, count, *, start=0, phase="Running",
            deleting=False):
    """``count`` pods controlled by ``owner``, named like Kubernetes."""
    name = owner["metadata"]["name"]
    if owner_kind == model.STATEFUL_SET:
        names = ["%s-%d" % (name, i) for i in range(start, start + count)]
    else:
        names = [generated_name(name, 7919 * (i + 1) + len(name))
                 for i in range(start, start + count)]
    return [pod(n, owner=owner, owner_kind=owner_kind, phase=phase,
                deleting=deleting) for n in names]


def deployment_tree(name, replicas, *, template_hash="5588797866",
                    revision=1, start=0):
    """A settled Deployment, its ReplicaSet and its running pods."""
    dep = deployment(name, replicas)
    rs = replicaset("%s-%s" % (name, template_hash), replicas, owner=dep,
                    revision=revision)
    return dep, rs, pods_of(rs, model.REPLICA_SET, replicas, start=start)


def snapshot(objects, namespace=NAMESPACE):
    """A NamespaceSnapshot from a flat list of objects of any kind."""
    groups = {"pods": [], "replicasets": [], "deployments": [],
              "statefulsets": [], "daemonsets": []}
    for obj in objects:
        groups[kind_field(obj)].append(obj)
    return model.NamespaceSnapshot(namespace=namespace, **groups)


def kind_field(obj):
    spec = obj.get("spec") or {}
    if "containers" in spec:
        return "pods"
    if "serviceName" in spec:
        return "statefulsets"
    if "replicas" not in spec:
        return "daemonsets"
    refs = obj["metadata"].get("ownerReferences") or ()
    if any(ref.get("kind") == model.DEPLOYMENT for ref in refs) or \
            "deployment.kubernetes.io/revision" in (
                obj["metadata"].get("annotations") or {}):
        return "replicasets"
    return "deployments"
