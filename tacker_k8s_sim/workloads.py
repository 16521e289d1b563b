"""Workload controllers: Deployment, ReplicaSet, StatefulSet, DaemonSet.

Each ``reconcile_*`` function looks at one workload and the objects it
owns (by ownerReferences uid, as Kubernetes does), makes at most a
bounded set of writes towards the desired state and updates the
workload's status.  They are level-triggered: calling one twice in a
row changes nothing the second time once the cluster has settled.
"""

import copy
import math
import re

from tacker_k8s_sim import names
from tacker_k8s_sim import objects
from tacker_k8s_sim import pods

HASH_LABEL = "pod-template-hash"
REVISION_LABEL = "controller-revision-hash"
STS_POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
STS_POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"


def omit_zero(status, *fields):
    for field in fields:
        if not status.get(field):
            status.pop(field, None)
    return status


def _resolve(value, total, *, round_up):
    """An int-or-percent field of a rolling update strategy."""
    if isinstance(value, str) and value.endswith("%"):
        share = total * int(value[:-1]) / 100.0
        return int(math.ceil(share) if round_up else math.floor(share))
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def pod_from_template(template, *, namespace, name, owner_ref, labels=None):
    meta = copy.deepcopy(template.get("metadata") or {})
    pod_labels = dict(meta.get("labels") or {})
    pod_labels.update(labels or {})
    pod_meta = {"name": name, "namespace": namespace,
                "labels": pod_labels, "ownerReferences": [owner_ref]}
    if meta.get("annotations"):
        pod_meta["annotations"] = meta["annotations"]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta,
            "spec": copy.deepcopy(template.get("spec") or {})}


def deletion_rank(pod):
    """Sort key: the pods Kubernetes gives up first come first."""
    status = pod.get("status") or {}
    return (
        1 if (pod.get("spec") or {}).get("nodeName") else 0,
        {"Pending": 0, "Unknown": 1, "Running": 2}.get(
            status.get("phase"), 0),
        1 if pods.ready(pod) else 0,
        -int(pod["metadata"]["resourceVersion"]),
    )


# -- ReplicaSet -------------------------------------------------------------

def reconcile_replicaset(ctx, rs):
    meta = rs["metadata"]
    if meta.get("deletionTimestamp"):
        return
    res = ctx.res("apps", "replicasets")
    spec = rs["spec"]
    wanted = spec.get("replicas", 1)
    owned = ctx.owned_pods(meta["uid"])
    live = [p for p in owned if pods.active(p)]
    occupied = len(live)
    if ctx.fail_new_pods:
        # Crash-loop back-off: failed pods are not replaced while the
        # failure injection is on, else replacements would churn.
        occupied += sum(1 for p in owned if pods.failed(p))
    missing = wanted - occupied
    if missing > 0:
        ref = pods.owner_ref(res, rs)
        for _ in range(missing):
            pod = pod_from_template(
                spec["template"], namespace=meta["namespace"],
                name=ctx.names.generate(meta["name"] + "-"),
                owner_ref=ref)
            created = ctx.create_pod(pod)
            if created is not None:
                live.append(created)
    elif missing < 0:
        doomed = sorted(live, key=deletion_rank)[:-missing]
        for pod in doomed:
            ctx.delete_pod(pod)
        live = [p for p in live if p not in doomed]
    ready = sum(1 for p in live if pods.ready(p))
    status = dict(rs.get("status") or {})
    status.update({"replicas": len(live), "fullyLabeledReplicas": len(live),
                   "readyReplicas": ready, "availableReplicas": ready,
                   "observedGeneration": meta.get("generation", 1)})
    omit_zero(status, "fullyLabeledReplicas", "readyReplicas",
              "availableReplicas")
    ctx.objects.replace_status(res, rs, status)


# -- Deployment -------------------------------------------------------------

def _revision(rs):
    try:
        return int((rs["metadata"].get("annotations") or {}).get(
            REVISION_ANNOTATION, 0))
    except ValueError:
        return 0


def _new_replicaset(ctx, dep, template_hash, replicas, revision):
    meta = dep["metadata"]
    spec = dep["spec"]
    template = copy.deepcopy(spec["template"])
    tmeta = template.setdefault("metadata", {})
    tmeta["labels"] = dict(tmeta.get("labels") or {},
                           **{HASH_LABEL: template_hash})
    selector = copy.deepcopy(spec["selector"])
    selector["matchLabels"] = dict(selector.get("matchLabels") or {},
                                   **{HASH_LABEL: template_hash})
    surge = _resolve(((spec.get("strategy") or {}).get("rollingUpdate")
                      or {}).get("maxSurge", 0), spec["replicas"],
                     round_up=True)
    body = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": "%s-%s" % (meta["name"], template_hash),
            "namespace": meta["namespace"],
            "labels": dict(tmeta["labels"]),
            "annotations": {
                REVISION_ANNOTATION: str(revision),
                "deployment.kubernetes.io/desired-replicas":
                    str(spec["replicas"]),
                "deployment.kubernetes.io/max-replicas":
                    str(spec["replicas"] + surge),
            },
            "ownerReferences": [pods.owner_ref(
                ctx.res("apps", "deployments"), dep)],
        },
        "spec": {"replicas": replicas, "selector": selector,
                 "template": template,
                 "minReadySeconds": spec.get("minReadySeconds", 0)},
    }
    return ctx.create(ctx.res("apps", "replicasets"), body)


def _bump_revision(ctx, rs, revision):
    if _revision(rs) == revision:
        return rs
    new = copy.deepcopy(rs)
    new["metadata"].setdefault("annotations", {})[REVISION_ANNOTATION] = \
        str(revision)
    return ctx.objects.replace_object(ctx.res("apps", "replicasets"), new)


def reconcile_deployment(ctx, dep):
    meta = dep["metadata"]
    if meta.get("deletionTimestamp"):
        return
    rs_res = ctx.res("apps", "replicasets")
    spec = dep["spec"]
    wanted = spec.get("replicas", 1)
    status = dict(dep.get("status") or {})
    collisions = status.get("collisionCount", 0)
    template_hash = names.template_hash(spec["template"], collisions)
    owned = [rs for rs in ctx.owned(rs_res, meta["uid"])
             if not rs["metadata"].get("deletionTimestamp")]
    new_rs = next((rs for rs in owned if (rs["metadata"].get("labels")
                                          or {}).get(HASH_LABEL)
                   == template_hash), None)
    olds = [rs for rs in owned if rs is not new_rs]
    top_revision = max([_revision(rs) for rs in owned] or [0])
    strategy = spec.get("strategy") or {}
    rolling = strategy.get("rollingUpdate") or {}
    surge = _resolve(rolling.get("maxSurge", "25%"), wanted, round_up=True)
    unavailable = _resolve(rolling.get("maxUnavailable", "25%"), wanted,
                           round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    pods_of = {rs["metadata"]["uid"]: [
        p for p in ctx.owned_pods(rs["metadata"]["uid"]) if pods.active(p)]
        for rs in owned}
    old_pods = sum(len(pods_of[rs["metadata"]["uid"]]) for rs in olds)
    old_spec = sum(rs["spec"].get("replicas", 0) for rs in olds)

    if new_rs is None:
        name = "%s-%s" % (meta["name"], template_hash)
        clash = ctx.store.get(rs_res, meta["namespace"], name)
        if clash is not None:
            status["collisionCount"] = collisions + 1
            ctx.objects.replace_status(ctx.res("apps", "deployments"), dep,
                                       status)
            return
        if strategy.get("type") == "Recreate":
            initial = 0 if (old_spec or old_pods) else wanted
        elif old_spec == 0:
            initial = wanted
        else:
            initial = max(0, min(wanted, wanted + surge - old_spec))
        new_rs = _new_replicaset(ctx, dep, template_hash, initial,
                                 top_revision + 1)
        if new_rs is None:
            return
        pods_of[new_rs["metadata"]["uid"]] = []
    elif olds and _revision(new_rs) < top_revision:
        # Rolling back to an older template reuses its ReplicaSet.
        new_rs = _bump_revision(ctx, new_rs, top_revision + 1)

    new_uid = new_rs["metadata"]["uid"]
    dep = _annotate_revision(ctx, dep, _revision(new_rs))
    if strategy.get("type") == "Recreate":
        for rs in olds:
            new_rs_count = rs["spec"].get("replicas", 0)
            if new_rs_count:
                ctx.objects.set_replicas(rs_res, rs, 0)
        if old_pods == 0:
            ctx.objects.set_replicas(rs_res, new_rs, wanted)
    else:
        _roll(ctx, new_rs, olds, pods_of, wanted=wanted, surge=surge,
              unavailable=unavailable)
    _prune_history(ctx, olds, spec.get("revisionHistoryLimit", 10))
    _deployment_status(ctx, dep, new_uid, pods_of, unavailable)


def _annotate_revision(ctx, dep, revision):
    """The Deployment shows the revision of its newest ReplicaSet."""
    annotations = dep["metadata"].get("annotations") or {}
    if annotations.get(REVISION_ANNOTATION) == str(revision):
        return dep
    new = copy.deepcopy(dep)
    new["metadata"]["annotations"] = dict(
        annotations, **{REVISION_ANNOTATION: str(revision)})
    return ctx.objects.replace_object(ctx.res("apps", "deployments"), new)


def _roll(ctx, new_rs, olds, pods_of, *, wanted, surge, unavailable):
    rs_res = ctx.res("apps", "replicasets")
    new_count = new_rs["spec"].get("replicas", 0)
    total = new_count + sum(rs["spec"].get("replicas", 0) for rs in olds)
    if new_count > wanted or not olds:
        new_rs = ctx.objects.set_replicas(rs_res, new_rs, wanted)
    elif new_count < wanted:
        room = wanted + surge - total
        if room > 0:
            new_rs = ctx.objects.set_replicas(
                rs_res, new_rs, min(wanted, new_count + room))
    new_count = new_rs["spec"].get("replicas", 0)
    new_uid = new_rs["metadata"]["uid"]
    counts = {rs["metadata"]["uid"]: rs["spec"].get("replicas", 0)
              for rs in olds}
    counts_all = dict(counts, **{new_uid: new_count})
    # Pods above a ReplicaSet's spec are about to go: never count them
    # as available, or one step would scale the old set down twice.
    ready_of = {uid: min(counts_all.get(uid, 0),
                         sum(1 for p in group if pods.ready(p)))
                for uid, group in pods_of.items()}
    all_pods = sum(counts_all.values())
    min_available = wanted - unavailable
    # First drop old pods that are not ready: they cost no availability.
    budget = (all_pods - min_available
              - (new_count - ready_of.get(new_uid, 0)))
    for rs in sorted(olds, key=_revision):
        uid = rs["metadata"]["uid"]
        cut = min(max(0, budget), max(0, counts[uid] - ready_of[uid]))
        counts[uid] -= cut
        budget -= cut
    # Then ready old pods, as long as enough stay available.
    budget = sum(ready_of.values()) - min_available
    for rs in sorted(olds, key=_revision):
        uid = rs["metadata"]["uid"]
        cut = min(max(0, budget), counts[uid])
        counts[uid] -= cut
        budget -= cut
    for rs in olds:
        uid = rs["metadata"]["uid"]
        if counts[uid] != rs["spec"].get("replicas", 0):
            ctx.objects.set_replicas(rs_res, rs, counts[uid])


def _prune_history(ctx, olds, limit):
    spare = [rs for rs in olds if not rs["spec"].get("replicas")
             and not (rs.get("status") or {}).get("replicas")]
    spare.sort(key=_revision)
    for rs in spare[:max(0, len(spare) - int(limit))]:
        ctx.delete(ctx.res("apps", "replicasets"), rs)


def _deployment_status(ctx, dep, new_uid, pods_of, unavailable):
    meta = dep["metadata"]
    wanted = dep["spec"].get("replicas", 1)
    live = [p for group in pods_of.values() for p in group]
    ready = sum(1 for p in live if pods.ready(p))
    updated = len(pods_of.get(new_uid, ()))
    old = dict(dep.get("status") or {})
    status = {
        "observedGeneration": meta.get("generation", 1),
        "replicas": len(live),
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "unavailableReplicas": max(0, len(live) - ready,
                                   wanted - ready),
    }
    if old.get("collisionCount"):
        status["collisionCount"] = old["collisionCount"]
    omit_zero(status, "replicas", "updatedReplicas", "readyReplicas",
              "availableReplicas", "unavailableReplicas")
    complete = (updated == wanted and len(live) == wanted
                and ready == wanted)
    conditions = {c["type"]: c for c in old.get("conditions") or ()}
    _set_condition(conditions, "Available",
                   "True" if ready >= wanted - unavailable else "False",
                   "MinimumReplicasAvailable" if ready >= wanted
                   - unavailable else "MinimumReplicasUnavailable")
    _set_condition(conditions, "Progressing", "True",
                   "NewReplicaSetAvailable" if complete
                   else "ReplicaSetUpdated")
    status["conditions"] = [conditions["Available"],
                            conditions["Progressing"]]
    ctx.objects.replace_status(ctx.res("apps", "deployments"), dep, status)


def _set_condition(conditions, kind, value, reason):
    have = conditions.get(kind)
    if have and have.get("status") == value and have.get("reason") == \
            reason:
        return
    now = objects.now_iso()
    conditions[kind] = {"type": kind, "status": value, "reason": reason,
                        "message": reason, "lastUpdateTime": now,
                        "lastTransitionTime": now}


# -- StatefulSet ------------------------------------------------------------

def _ordinal(sts_name, pod_name):
    match = re.match(r"^%s-(\d+)$" % re.escape(sts_name), pod_name)
    return int(match.group(1)) if match else None


def _sts_pod(ctx, sts, ordinal, revision):
    meta = sts["metadata"]
    spec = sts["spec"]
    name = "%s-%d" % (meta["name"], ordinal)
    pod = pod_from_template(
        spec["template"], namespace=meta["namespace"], name=name,
        owner_ref=pods.owner_ref(ctx.res("apps", "statefulsets"), sts),
        labels={REVISION_LABEL: revision, STS_POD_NAME_LABEL: name,
                STS_POD_INDEX_LABEL: str(ordinal)})
    pod["spec"]["hostname"] = name
    if spec.get("serviceName"):
        pod["spec"]["subdomain"] = spec["serviceName"]
    volumes = pod["spec"].setdefault("volumes", [])
    for claim in spec.get("volumeClaimTemplates") or ():
        cname = (claim.get("metadata") or {}).get("name", "data")
        pvc_name = "%s-%s" % (cname, name)
        _ensure_pvc(ctx, sts, claim, pvc_name)
        if not any(v.get("name") == cname for v in volumes):
            volumes.append({"name": cname, "persistentVolumeClaim": {
                "claimName": pvc_name}})
    if not volumes:
        del pod["spec"]["volumes"]
    return pod


def _ensure_pvc(ctx, sts, claim, pvc_name):
    res = ctx.res("", "persistentvolumeclaims")
    namespace = sts["metadata"]["namespace"]
    if ctx.store.get(res, namespace, pvc_name) is not None:
        return
    labels = dict((sts["spec"].get("selector") or {}).get("matchLabels")
                  or {})
    ctx.create(res, {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                     "metadata": {"name": pvc_name, "namespace": namespace,
                                  "labels": labels},
                     "spec": copy.deepcopy(claim.get("spec") or {})})


def reconcile_statefulset(ctx, sts):
    meta = sts["metadata"]
    if meta.get("deletionTimestamp"):
        return
    spec = sts["spec"]
    wanted = spec.get("replicas", 1)
    ordered = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"
    revision = "%s-%s" % (meta["name"],
                          names.template_hash(spec["template"]))
    by_ordinal = {}
    for pod in ctx.owned_pods(meta["uid"]):
        ordinal = _ordinal(meta["name"], pod["metadata"]["name"])
        if ordinal is not None:
            by_ordinal[ordinal] = pod
    # A failed pod is deleted so it comes back under the same name.
    if not ctx.fail_new_pods:
        for ordinal, pod in list(by_ordinal.items()):
            if pods.failed(pod):
                ctx.delete_pod(pod, grace=0)
                by_ordinal.pop(ordinal)
                gone = ctx.store.get(ctx.res("", "pods"), meta["namespace"],
                                     pod["metadata"]["name"])
                if gone is not None:
                    by_ordinal[ordinal] = gone
    healthy = True
    for ordinal in range(wanted):
        pod = by_ordinal.get(ordinal)
        if pod is None:
            taken = ctx.store.get(ctx.res("", "pods"), meta["namespace"],
                                  "%s-%d" % (meta["name"], ordinal))
            if taken is None:
                created = ctx.create_pod(_sts_pod(ctx, sts, ordinal,
                                                  revision))
                if created is not None:
                    by_ordinal[ordinal] = created
            healthy = False
            if ordered:
                break
        elif not pods.ready(pod):
            healthy = False
            if ordered:
                break
    condemned = sorted((o for o in by_ordinal if o >= wanted),
                       reverse=True)
    for ordinal in condemned:
        pod = by_ordinal[ordinal]
        if ordered and not healthy:
            break
        if pods.terminating(pod):
            if ordered:
                break
            continue
        ctx.delete_pod(pod)
        if ordered:
            break
    strategy = spec.get("updateStrategy") or {}
    if healthy and not condemned and strategy.get(
            "type", "RollingUpdate") == "RollingUpdate":
        partition = int((strategy.get("rollingUpdate") or {}).get(
            "partition", 0) or 0)
        for ordinal in range(wanted - 1, partition - 1, -1):
            pod = by_ordinal.get(ordinal)
            labels = pod["metadata"].get("labels") or {}
            if labels.get(REVISION_LABEL) != revision:
                ctx.delete_pod(pod)
                break
    _statefulset_status(ctx, sts, by_ordinal, revision)


def _statefulset_status(ctx, sts, by_ordinal, revision):
    res = ctx.res("", "pods")
    namespace = sts["metadata"]["namespace"]
    live = []
    for pod in by_ordinal.values():
        pod = ctx.store.get(res, namespace, pod["metadata"]["name"])
        if pod is not None and pods.active(pod):
            live.append(pod)
    old = sts.get("status") or {}
    ready = sum(1 for p in live if pods.ready(p))
    updated = sum(1 for p in live if (p["metadata"].get("labels") or {})
                  .get(REVISION_LABEL) == revision)
    wanted = sts["spec"].get("replicas", 1)
    current_rev = old.get("currentRevision") or revision
    if updated == wanted == len(live):
        current_rev = revision
    current = sum(1 for p in live if (p["metadata"].get("labels") or {})
                  .get(REVISION_LABEL) == current_rev)
    status = {
        "observedGeneration": sts["metadata"].get("generation", 1),
        "replicas": len(live),
        "readyReplicas": ready,
        "currentReplicas": current,
        "updatedReplicas": updated,
        "availableReplicas": ready,
        "currentRevision": current_rev,
        "updateRevision": revision,
        "collisionCount": 0,
    }
    omit_zero(status, "readyReplicas", "currentReplicas",
              "updatedReplicas")
    ctx.objects.replace_status(ctx.res("apps", "statefulsets"), sts, status)


# -- DaemonSet --------------------------------------------------------------

def reconcile_daemonset(ctx, ds):
    meta = ds["metadata"]
    if meta.get("deletionTimestamp"):
        return
    spec = ds["spec"]
    revision = names.template_hash(spec["template"])
    node_names = [n["metadata"]["name"] for n in ctx.nodes()]
    owned = ctx.owned_pods(meta["uid"])
    per_node = {}
    for pod in owned:
        node = (pod.get("spec") or {}).get("nodeName")
        if node not in node_names:
            if not pods.terminating(pod):
                ctx.delete_pod(pod)
            continue
        if pods.failed(pod) and not ctx.fail_new_pods:
            ctx.delete_pod(pod, grace=0)
            continue
        per_node.setdefault(node, []).append(pod)
    ref = pods.owner_ref(ctx.res("apps", "daemonsets"), ds)
    for node in node_names:
        here = per_node.get(node, [])
        live = [p for p in here if pods.active(p) or pods.failed(p)]
        if not live:
            if not any(pods.terminating(p) for p in here):
                pod = pod_from_template(
                    spec["template"], namespace=meta["namespace"],
                    name=ctx.names.generate(meta["name"] + "-"),
                    owner_ref=ref, labels={REVISION_LABEL: revision})
                pod["spec"]["nodeName"] = node
                created = ctx.create_pod(pod)
                if created is not None:
                    per_node[node] = here + [created]
        elif len(live) > 1:
            for extra in sorted(live, key=deletion_rank)[:-1]:
                ctx.delete_pod(extra)
    _roll_daemonset(ctx, ds, node_names, per_node, revision)
    _daemonset_status(ctx, ds, node_names, revision)


def _roll_daemonset(ctx, ds, node_names, per_node, revision):
    strategy = ds["spec"].get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return
    budget = _resolve((strategy.get("rollingUpdate") or {}).get(
        "maxUnavailable", 1), len(node_names), round_up=True) or 1
    unready = sum(1 for node in node_names
                  if not any(pods.ready(p) for p in per_node.get(node, ())))
    budget -= unready
    for node in node_names:
        if budget <= 0:
            return
        for pod in per_node.get(node, ()):
            labels = pod["metadata"].get("labels") or {}
            if pods.active(pod) and labels.get(REVISION_LABEL) != revision:
                ctx.delete_pod(pod)
                budget -= 1
                break


def _daemonset_status(ctx, ds, node_names, revision):
    current = ready = updated = 0
    for pod in ctx.owned_pods(ds["metadata"]["uid"]):
        if not pods.active(pod):
            continue
        if (pod.get("spec") or {}).get("nodeName") not in node_names:
            continue
        current += 1
        if pods.ready(pod):
            ready += 1
        if (pod["metadata"].get("labels") or {}).get(
                REVISION_LABEL) == revision:
            updated += 1
    status = {
        "observedGeneration": ds["metadata"].get("generation", 1),
        "desiredNumberScheduled": len(node_names),
        "currentNumberScheduled": current,
        "numberMisscheduled": 0,
        "numberReady": ready,
        "updatedNumberScheduled": updated,
        "numberAvailable": ready,
        "numberUnavailable": max(0, len(node_names) - ready),
    }
    omit_zero(status, "updatedNumberScheduled", "numberAvailable",
              "numberUnavailable")
    ctx.objects.replace_status(ctx.res("apps", "daemonsets"), ds, status)
