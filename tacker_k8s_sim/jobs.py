"""The Job controller: pods from the template until enough succeed.

``reconcile_job`` counts the Job's pods (by ownerReferences uid), keeps
``min(parallelism, completions - succeeded)`` of them active, and
writes the status Kubernetes reports: active, ready, terminating,
succeeded, failed, startTime, and on finishing completionTime with the
Complete (or, past backoffLimit, Failed) conditions.  A finished Job is
left as it is.  The simulated kubelet runs a Job's pods to completion
(see ``controllers.py``); deleting the Job is the garbage collector's.
"""

from tacker_k8s_sim import objects
from tacker_k8s_sim import pods
from tacker_k8s_sim import workloads


def _condition(kind, reason, message, now):
    return {"type": kind, "status": "True", "lastProbeTime": now,
            "lastTransitionTime": now, "reason": reason,
            "message": message}


def _finished(status):
    return any(c.get("type") in ("Complete", "Failed")
               and c.get("status") == "True"
               for c in status.get("conditions") or ())


def wanted_active(spec, succeeded):
    """How many pods should run now (parallelism, completions left)."""
    if spec.get("suspend"):
        return 0
    parallelism = spec.get("parallelism", 1)
    completions = spec.get("completions")
    if completions is None:
        # A work queue: once one pod succeeded, no new pods start.
        return 0 if succeeded else parallelism
    return max(0, min(parallelism, completions - succeeded))


def complete(spec, succeeded, active):
    completions = spec.get("completions")
    if completions is None:
        return succeeded > 0 and active == 0
    return succeeded >= completions


def reconcile_job(ctx, job):
    meta = job["metadata"]
    old = job.get("status") or {}
    if meta.get("deletionTimestamp") or _finished(old):
        return
    spec = job["spec"]
    owned = ctx.owned_pods(meta["uid"])
    active = [p for p in owned if pods.active(p)]
    # Counts never go down: a finished pod deleted later still counts.
    succeeded = max(old.get("succeeded", 0), sum(
        1 for p in owned if pods.phase(p) == "Succeeded"))
    failed = max(old.get("failed", 0), sum(
        1 for p in owned if pods.phase(p) == "Failed"))
    now = objects.now_iso()
    conditions = []
    if failed > spec.get("backoffLimit", 6):
        message = "Job has reached the specified backoff limit"
        conditions = [
            _condition("FailureTarget", "BackoffLimitExceeded", message, now),
            _condition("Failed", "BackoffLimitExceeded", message, now)]
        wanted = 0
    elif complete(spec, succeeded, len(active)):
        message = "Reached expected number of succeeded pods"
        conditions = [
            _condition("SuccessCriteriaMet", "CompletionsReached", message,
                       now),
            _condition("Complete", "CompletionsReached", message, now)]
        wanted = 0
    else:
        wanted = wanted_active(spec, succeeded)
    active = _scale(ctx, job, active, wanted)
    status = {
        "active": len(active),
        "ready": sum(1 for p in active if pods.ready(p)),
        "terminating": sum(1 for p in owned if pods.terminating(p)),
        "succeeded": succeeded,
        "failed": failed,
        "uncountedTerminatedPods": {},
    }
    workloads.omit_zero(status, "active", "succeeded", "failed")
    if old.get("startTime") or not spec.get("suspend"):
        status["startTime"] = old.get("startTime") or now
    if spec.get("suspend"):
        conditions = [_condition("Suspended", "JobSuspended",
                                 "Job suspended", now)]
    if conditions:
        status["conditions"] = _keep_times(old, conditions)
    if conditions and conditions[-1]["type"] == "Complete":
        status["completionTime"] = now
    ctx.objects.replace_status(ctx.res("batch", "jobs"), job, status)


def _keep_times(old, conditions):
    """Conditions already set keep their transition times."""
    before = {c.get("type"): c for c in old.get("conditions") or ()}
    return [before.get(c["type"]) if before.get(c["type"], {}).get(
        "status") == c["status"] else c for c in conditions]


def _scale(ctx, job, active, wanted):
    meta = job["metadata"]
    if len(active) > wanted:
        doomed = sorted(active, key=workloads.deletion_rank)[
            :len(active) - wanted]
        for pod in doomed:
            ctx.delete_pod(pod)
        return [p for p in active if p not in doomed]
    ref = pods.owner_ref(ctx.res("batch", "jobs"), job)
    for _ in range(wanted - len(active)):
        pod = workloads.pod_from_template(
            job["spec"]["template"], namespace=meta["namespace"],
            name=ctx.names.generate(meta["name"] + "-"), owner_ref=ref)
        created = ctx.create_pod(pod)
        if created is not None:
            active.append(created)
    return active
