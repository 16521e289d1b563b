"""What the API server does to a batch/v1 Job it is given.

Defaults (parallelism, completions, backoffLimit...), the generated
selector and the labels it adds to the pod template, and the checks
that refuse a Job, as Kubernetes' job strategy has them.  Running the
Job is the controller's business (``jobs.py``).
"""

CONTROLLER_UID = "batch.kubernetes.io/controller-uid"
JOB_NAME = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID = "controller-uid"
LEGACY_JOB_NAME = "job-name"
_RESTART_POLICIES = ("OnFailure", "Never")


def default(spec):
    """Spec defaults; pod template defaults are the caller's."""
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")


def generate_selector(job):
    """Select the Job's own pods by its uid, unless manualSelector."""
    spec = job["spec"]
    if spec.get("manualSelector"):
        return
    meta = job["metadata"]
    tmeta = spec["template"].setdefault("metadata", {})
    labels = dict(tmeta.get("labels") or {})
    labels.update({CONTROLLER_UID: meta["uid"], JOB_NAME: meta["name"],
                   LEGACY_CONTROLLER_UID: meta["uid"],
                   LEGACY_JOB_NAME: meta["name"]})
    tmeta["labels"] = labels
    spec["selector"] = {"matchLabels": {CONTROLLER_UID: meta["uid"]}}


def causes(spec):
    """(field, message) pairs for what validation refuses."""
    found = []
    for field in ("parallelism", "completions", "backoffLimit"):
        value = spec.get(field)
        if value is not None and (not isinstance(value, int)
                                  or isinstance(value, bool) or value < 0):
            found.append(("spec." + field, "Invalid value: %r: must be "
                          "greater than or equal to 0" % (value,)))
    template = spec.get("template")
    if not isinstance(template, dict):
        return found + [("spec.template", "Required value")]
    policy = (template.get("spec") or {}).get("restartPolicy")
    if policy not in _RESTART_POLICIES:
        found.append(("spec.template.spec.restartPolicy",
                      'Unsupported value: "%s": supported values: '
                      '"OnFailure", "Never"' % policy))
    if spec.get("manualSelector") and not spec.get("selector"):
        found.append(("spec.selector", "Required value"))
    return found
