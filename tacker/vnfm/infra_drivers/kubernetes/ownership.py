"""Which pods belong to which VDU, decided from one namespace snapshot.

A pod belongs to a VDU only through controller ``ownerReferences`` whose
uid is the uid of the VDU's current object (or of a ReplicaSet that
object controls): Pod -> ReplicaSet -> Deployment, Pod -> ReplicaSet,
Pod -> StatefulSet, Pod -> DaemonSet.  A bare-Pod VDU is the pod of that
name with no controller.  Names are never matched by prefix or pattern,
so dots, names Kubernetes truncated, ``web`` next to ``web-api`` and one
name used by two kinds all resolve correctly; an ownerReference left
over from a deleted and recreated owner (old uid) counts for nothing.

Each snapshot is indexed once (by kind and name, children by
controller uid) and the index is kept on the snapshot itself, so it
lives and dies with it, and observing every VDU of a namespace costs
O(objects) in total.

This module also judges whether a VDU has settled (see
``observe_vdu``).  It reads the snapshot's dicts and never changes them.
It does no I/O and does not log.  It reads only items ``list_shape``
accepted (the observer checks every item of every LIST answer first),
so it trusts the types of the fields it reads.
"""

from tacker.vnfm.infra_drivers.kubernetes import model


PHASE_RUNNING = "Running"
PHASE_PENDING = "Pending"
FINISHED_PHASES = frozenset(("Failed", "Succeeded"))
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"

#: Pod metadata keys an ObservedPod keeps (what v1 records store).
POD_METADATA_KEYS = ("name", "namespace", "uid", "generateName", "labels",
                     "ownerReferences", "creationTimestamp",
                     "resourceVersion")

_SNAPSHOT_FIELDS = (
    (model.POD, "pods"),
    (model.REPLICA_SET, "replicasets"),
    (model.DEPLOYMENT, "deployments"),
    (model.STATEFUL_SET, "statefulsets"),
    (model.DAEMON_SET, "daemonsets"),
)

_INDEX_ATTR = "_ownership_index"


def _meta(obj):
    return obj.get("metadata") or {}


def _status(obj):
    return obj.get("status") or {}


def _int(value, default=0):
    # The API omits zero-valued status counts (omitempty).
    return default if value is None else int(value)


def controller_ref(obj):
    """The ownerReference with ``controller: true``, or None."""
    for ref in _meta(obj).get("ownerReferences") or ():
        if ref.get("controller") is True:
            return ref
    return None


class SnapshotIndex:
    """Lookups over one snapshot, built in one pass over its objects."""

    def __init__(self, snapshot):
        # No reference back to the snapshot: the snapshot owns the index.
        # kind -> {name: object}: a watch-fed cache's snapshot keeps its
        # index as long as it lives, and a (kind, name) tuple per object
        # would cost more than the dict entry it keys.
        self._by_name = {}
        # kind -> {controller uid: [objects]}: no dict per owner.
        self._children = {}
        namespace = snapshot.namespace
        for kind, field in _SNAPSHOT_FIELDS:
            named = self._by_name.setdefault(kind, {})
            children = self._children.setdefault(kind, {})
            for obj in getattr(snapshot, field):
                meta = _meta(obj)
                obj_ns = meta.get("namespace")
                if obj_ns is not None and obj_ns != namespace:
                    continue
                name = meta.get("name")
                if name is not None:
                    named[name] = obj
                ref = controller_ref(obj)
                if ref and ref.get("uid"):
                    children.setdefault(ref["uid"], []).append(obj)

    def get(self, kind, name):
        named = self._by_name.get(kind)
        return None if named is None else named.get(name)

    def children(self, owner, kind):
        """Objects of ``kind`` whose controller is exactly ``owner``.

        The owner's uid is the key, so a child whose ownerReference
        names a deleted namesake (another uid) is not returned.
        """
        uid = _meta(owner).get("uid")
        if not uid:
            return []
        return list(self._children.get(kind, {}).get(uid, ()))


def index(snapshot):
    """The (memoized) index of ``snapshot``."""
    if isinstance(snapshot, SnapshotIndex):
        return snapshot
    found = getattr(snapshot, _INDEX_ATTR, None)
    if found is None:
        found = SnapshotIndex(snapshot)
        # A frozen dataclass; the index is a cache, not part of its value.
        object.__setattr__(snapshot, _INDEX_ATTR, found)
    return found


def observe_vdus(snapshot, targets):
    """``{vdu_id: VduObservation}`` for every target of one namespace."""
    idx = index(snapshot)
    return {target.vdu_id: observe_vdu(idx, target) for target in targets}


def inputs_of(snapshot, targets):
    """What ``observe_vdus`` reads of ``snapshot`` for ``targets``.

    One tuple per target: its workload object (None when missing), then
    for a Deployment each ReplicaSet it controls followed by that
    ReplicaSet's pods, and for the other controllers their pods.  These
    objects are all the observation of the target depends on, so where
    two snapshots give equal inputs (the same cached objects, or equal
    ones) they give equal observations; finding the inputs costs a few
    index lookups, observing them builds every running pod.
    """
    idx = index(snapshot)
    found = []
    for target in targets:
        workload = idx.get(target.kind, target.name)
        read = [workload]
        if workload is not None and target.kind == model.DEPLOYMENT:
            for rs in idx.children(workload, model.REPLICA_SET):
                read.append(rs)
                read.extend(idx.children(rs, model.POD))
        elif workload is not None and target.kind != model.POD:
            read.extend(idx.children(workload, model.POD))
        found.append(tuple(read))
    return tuple(found)


def observe_vdu(snapshot, target):
    """What the cluster shows for ``target`` (a ``model.VduTarget``).

    ``snapshot`` is a ``model.NamespaceSnapshot`` or its index.

    Settled means: no owned pod Pending (or of unknown phase) or
    Terminating, ``status.observedGeneration`` caught up with
    ``metadata.generation``, the status counts agree with the spec (see
    the per-kind helpers) and as many pods run as desired.  Finished
    pods (Failed, Succeeded) are counted in ``failed`` only; they do
    not unsettle a VDU by themselves.  A missing workload is settled:
    there is nothing to wait for.
    """
    idx = index(snapshot)
    resolver = _RESOLVERS[target.kind]
    workload = idx.get(target.kind, target.name)
    if target.kind == model.POD and workload is not None:
        if controller_ref(workload) is not None:
            # A pod of that name exists but some controller owns it; it
            # is not this bare-Pod VDU.
            workload = None
    if workload is None:
        return model.VduObservation(
            vdu_id=target.vdu_id, kind=target.kind, resource_found=False,
            running=(), desired=None, settled=True)
    pods, desired, problems = resolver(idx, workload)
    return _observation(target, workload, pods, desired, problems)


def _observation(target, workload, pods, desired, problems):
    running = []
    pending = terminating = failed = 0
    for pod in pods:
        phase = _status(pod).get("phase")
        deleting = _meta(pod).get("deletionTimestamp") is not None
        if phase in FINISHED_PHASES:
            failed += 1
        elif deleting:
            terminating += 1
        elif phase == PHASE_RUNNING:
            running.append(_observed_pod(pod))
        else:
            # Pending, Unknown or no phase yet: not counted, and the VDU
            # has not settled.
            pending += 1
    running.sort(key=lambda p: p.name)

    reasons = []
    pod_text = _pod_counts_text(pending, terminating)
    if pod_text:
        reasons.append(pod_text)
    if target.kind != model.POD:
        # Pods carry metadata.generation on recent clusters, but their
        # status.observedGeneration is optional; a pod's phase already
        # says whether it has settled.
        reasons.extend(_generation_problem(workload))
    reasons.extend(problems)
    check_count = desired is not None and not (
        target.kind == model.POD and failed)
    if check_count and len(running) != desired:
        reasons.append("%d of %d desired pods Running"
                       % (len(running), desired))
    return model.VduObservation(
        vdu_id=target.vdu_id, kind=target.kind, resource_found=True,
        running=tuple(running), pending=pending, terminating=terminating,
        failed=failed, desired=desired, settled=not reasons,
        unsettled_reason="; ".join(reasons) if reasons else None)


def _pod_counts_text(pending, terminating):
    """E.g. "2 pods Pending, 1 Terminating"; "" when both are zero."""
    pairs = ((pending, "Pending"), (terminating, "Terminating"))
    counts = [(n, label) for n, label in pairs if n]
    if not counts:
        return ""
    first, label = counts[0]
    words = ["%d %s %s" % (first, "pod" if first == 1 else "pods", label)]
    words.extend("%d %s" % item for item in counts[1:])
    return ", ".join(words)


def _observed_pod(pod):
    meta = _meta(pod)
    kept = {key: meta[key] for key in POD_METADATA_KEYS if key in meta}
    ref = controller_ref(pod)
    return model.ObservedPod.build(
        name=meta.get("name"), uid=meta.get("uid"),
        phase=_status(pod).get("phase"), metadata=kept,
        owner_kind=ref.get("kind") if ref else None,
        owner_name=ref.get("name") if ref else None)


def _generation_problem(workload):
    generation = _meta(workload).get("generation")
    if generation is None:
        return []
    observed = _int(_status(workload).get("observedGeneration"))
    if observed < int(generation):
        return ["observedGeneration %d behind generation %d"
                % (observed, int(generation))]
    return []


def _spec_replicas(workload):
    # The API defaults spec.replicas to 1.
    return _int((workload.get("spec") or {}).get("replicas"), default=1)


def _active(pods):
    return [p for p in pods
            if _status(p).get("phase") not in FINISHED_PHASES]


def _resolve_pod(idx, pod):
    return [pod], 1, []


def _resolve_replica_set(idx, rs):
    pods = idx.children(rs, model.POD)
    desired = _spec_replicas(rs)
    problems = []
    status_replicas = _int(_status(rs).get("replicas"))
    if status_replicas != desired:
        problems.append("ReplicaSet status.replicas %d differs from "
                        "spec.replicas %d" % (status_replicas, desired))
    return pods, desired, problems


def _resolve_stateful_set(idx, sts):
    pods = idx.children(sts, model.POD)
    desired = _spec_replicas(sts)
    problems = []
    status_replicas = _int(_status(sts).get("replicas"))
    if status_replicas != desired:
        problems.append("StatefulSet status.replicas %d differs from "
                        "spec.replicas %d" % (status_replicas, desired))
    return pods, desired, problems


def _resolve_daemon_set(idx, ds):
    pods = idx.children(ds, model.POD)
    status = _status(ds)
    desired = _int(status.get("desiredNumberScheduled"))
    updated = _int(status.get("updatedNumberScheduled"))
    current = _int(status.get("currentNumberScheduled"))
    problems = []
    if not updated == desired == current:
        problems.append("DaemonSet rollout in progress (updated %d, "
                        "current %d, desired %d)"
                        % (updated, current, desired))
    return pods, desired, problems


def _revision_key(rs):
    meta = _meta(rs)
    try:
        revision = int((meta.get("annotations") or {}).get(
            REVISION_ANNOTATION, -1))
    except (TypeError, ValueError):
        revision = -1
    return (revision, meta.get("creationTimestamp") or "",
            meta.get("name") or "")


def _resolve_deployment(idx, deployment):
    replica_sets = sorted(idx.children(deployment, model.REPLICA_SET),
                          key=_revision_key)
    pods = []
    problems = []
    for position, rs in enumerate(replica_sets):
        owned = idx.children(rs, model.POD)
        pods.extend(owned)
        is_newest = position == len(replica_sets) - 1
        if not is_newest:
            left = max(len(_active(owned)),
                       _int(_status(rs).get("replicas")))
            if left:
                problems.append("old ReplicaSet %s still has %d %s"
                                % (_meta(rs).get("name"), left,
                                   "pod" if left == 1 else "pods"))
    desired = _spec_replicas(deployment)
    status = _status(deployment)
    status_replicas = _int(status.get("replicas"))
    updated = _int(status.get("updatedReplicas"))
    if not status_replicas == updated == desired:
        problems.insert(0, "Deployment rollout in progress (updatedReplicas "
                        "%d of %d, status.replicas %d)"
                        % (updated, desired, status_replicas))
    return pods, desired, problems


_RESOLVERS = {
    model.POD: _resolve_pod,
    model.REPLICA_SET: _resolve_replica_set,
    model.STATEFUL_SET: _resolve_stateful_set,
    model.DAEMON_SET: _resolve_daemon_set,
    model.DEPLOYMENT: _resolve_deployment,
}
