"""Decide what TackerDB must change to match the cluster: a pure function.

``reconcile`` compares one instance's stored VNFCs and scale levels with
the observations of its VDUs and returns an ``model.InstancePlan``.  It
reads no clock (the caller passes ``now``), does no I/O, logs nothing
and mutates none of its arguments; "no difference" is an empty plan with
outcome "unchanged", never an exception.  Writing the plan, logging its
lines and keeping the "unsettled since" clock are the caller's job.

Decisions, in order:

1. Every VDU of the instance (those with a target and those with stored
   entries) must have an observation; one missing means the picture is
   partial, so nothing is decided (error kind "unobserved").
2. A VDU that has not settled defers the whole instance until it has
   been unsettled for ``settle_timeout`` seconds; after that it is
   written as observed (running pods only) with a warning.
3. The running count of each VDU with scaling facts is checked against
   its vdu_profile and, with an aspect, turned into a scale level.  Any
   failure, or VDUs of one aspect implying different levels, means
   nothing is written for the instance (errors "out_of_range",
   "scale_level", "aspect_mismatch").  A VDU without scaling facts is
   synchronized by pod names only.
4. Per VDU, entries whose pod still runs stay as they are; entries of
   vanished pods are reused for new pods in sorted order (renames), the
   remaining new pods are added and the remaining entries removed.
5. An aspect's level is a change when it differs from the stored one; a
   stored record without an entry for the aspect counts as different,
   so the adapters add the entry.
"""

from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import outcome as outcome_mod
from tacker.vnfpkgm import scaling as scaling_mod


OUT_OF_RANGE_FMT = ("Failed to update database vnf %(vnf)s vdu: %(vdu)s. "
                    "Pod num is out of range. pod_num: %(count)d")
SCALE_LEVEL_FMT = ("Error computing 'scale_level'. current Pod num: "
                   "%(count)d delta: %(delta)d. vnf: %(vnf)s vdu: %(vdu)s")
ASPECT_MISMATCH_FMT = ("Failed to update database vnf %(vnf)s aspect: "
                       "%(aspect)s. Its VDUs imply different scale levels: "
                       "%(levels)s")
UNOBSERVED_FMT = ("Failed to update database vnf %(vnf)s vdu: %(vdu)s. "
                  "The VDU was not observed in the cluster snapshot.")
DEFERRED_FMT = ("vnf %(vnf)s vdu: %(vdu)s has not settled for %(age).0fs: "
                "%(reason)s")
SETTLE_WARNING_FMT = ("vnf %(vnf)s vdu: %(vdu)s has not settled for "
                      "%(age).0fs (settle_timeout %(timeout).0fs): "
                      "%(reason)s. Synchronizing what is observed.")


def reconcile(instance, observations, scaling, *, now, unsettled_since,
              settle_timeout):
    """Return the ``model.InstancePlan`` that makes ``instance`` true.

    :param instance: ``model.StoredInstance``
    :param observations: ``{vdu_id: model.VduObservation}``
    :param scaling: ``{vdu_id: VduScaling or None}``; a VDU absent or
        None has no scaling facts (no range check, no level)
    :param now: the caller's clock, in seconds
    :param unsettled_since: ``{vdu_id: time first seen unsettled}``; a
        VDU absent from it counts as unsettled since ``now``
    :param settle_timeout: seconds an unsettled VDU defers the instance
    """
    inst_id = instance.instance_id
    stored_by_vdu = _stored_by_vdu(instance)
    vdu_ids = sorted(set(instance.vdu_targets) | set(stored_by_vdu))

    unobserved = [vdu for vdu in vdu_ids if vdu not in observations]
    unsettled = frozenset(vdu for vdu in vdu_ids
                          if vdu in observations
                          and not observations[vdu].settled)
    base = dict(instance_id=inst_id, unsettled_vdus=unsettled,
                newly_unsettled=frozenset(
                    vdu for vdu in unsettled if vdu not in unsettled_since))
    if unobserved:
        return model.InstancePlan(
            outcome=outcome_mod.FAILED,
            errors=tuple(model.PlanError(
                kind=model.ERROR_UNOBSERVED, vdu_id=vdu,
                message=UNOBSERVED_FMT % {"vnf": inst_id, "vdu": vdu})
                for vdu in unobserved),
            **base)

    deferred, warnings = _settling(inst_id, observations, unsettled, now,
                                   unsettled_since, settle_timeout)
    if deferred:
        return model.InstancePlan(outcome=outcome_mod.DEFERRED,
                                  deferred_reasons=tuple(deferred),
                                  warnings=tuple(warnings), **base)

    levels, errors = _levels(inst_id, vdu_ids, observations, scaling)
    if errors:
        return model.InstancePlan(outcome=outcome_mod.FAILED,
                                  errors=tuple(errors),
                                  warnings=tuple(warnings), **base)

    level_changes = []
    for aspect_id in sorted(levels):
        new = levels[aspect_id]
        old = instance.scale_levels.get(aspect_id)
        if old != new:
            level_changes.append(model.LevelChange(
                aspect_id=aspect_id, old_level=old, new_level=new))
    changed_aspects = {c.aspect_id for c in level_changes}

    vdu_changes = []
    for vdu in vdu_ids:
        vdu_scaling = scaling.get(vdu)
        aspect_id = vdu_scaling.aspect_id if vdu_scaling else None
        change = _vdu_change(instance, vdu, stored_by_vdu.get(vdu, ()),
                             observations[vdu], aspect_id)
        if (change.has_pod_changes or aspect_id in changed_aspects
                or _replicas_drift(instance, change)):
            vdu_changes.append(change)

    outcome = (outcome_mod.CHANGED if vdu_changes or level_changes
               else outcome_mod.UNCHANGED)
    return model.InstancePlan(outcome=outcome,
                              vdu_changes=tuple(vdu_changes),
                              level_changes=tuple(level_changes),
                              warnings=tuple(warnings), **base)


def _stored_by_vdu(instance):
    grouped = {}
    for vnfc in instance.vnfcs:
        grouped.setdefault(vnfc.vdu_id, []).append(vnfc)
    return grouped


def _settling(inst_id, observations, unsettled, now, unsettled_since,
              settle_timeout):
    deferred = []
    warnings = []
    for vdu in sorted(unsettled):
        age = now - unsettled_since.get(vdu, now)
        reason = observations[vdu].unsettled_reason or "not settled"
        if age < settle_timeout:
            deferred.append(DEFERRED_FMT % {"vnf": inst_id, "vdu": vdu,
                                            "age": age, "reason": reason})
        else:
            warnings.append(SETTLE_WARNING_FMT % {
                "vnf": inst_id, "vdu": vdu, "age": age,
                "timeout": settle_timeout, "reason": reason})
    return deferred, warnings


def _levels(inst_id, vdu_ids, observations, scaling):
    """``({aspect_id: level}, [PlanError])`` from the running counts."""
    implied = {}
    errors = []
    for vdu in vdu_ids:
        vdu_scaling = scaling.get(vdu)
        if vdu_scaling is None:
            continue
        count = len(observations[vdu].running)
        try:
            level = vdu_scaling.level_for_count(count)
        except scaling_mod.PodCountOutOfRange:
            errors.append(model.PlanError(
                kind=model.ERROR_OUT_OF_RANGE, vdu_id=vdu,
                message=OUT_OF_RANGE_FMT % {"vnf": inst_id, "vdu": vdu,
                                            "count": count},
                aspect_id=vdu_scaling.aspect_id))
            continue
        except scaling_mod.PodCountMatchesNoLevel:
            errors.append(model.PlanError(
                kind=model.ERROR_SCALE_LEVEL, vdu_id=vdu,
                message=SCALE_LEVEL_FMT % {
                    "vnf": inst_id, "vdu": vdu, "count": count,
                    "delta": vdu_scaling.uniform_delta()},
                aspect_id=vdu_scaling.aspect_id))
            continue
        if vdu_scaling.aspect_id is not None:
            implied.setdefault(vdu_scaling.aspect_id, {})[vdu] = level

    levels = {}
    for aspect_id in sorted(implied):
        by_vdu = implied[aspect_id]
        if len(set(by_vdu.values())) > 1:
            errors.append(model.PlanError(
                kind=model.ERROR_ASPECT_MISMATCH, vdu_id=None,
                aspect_id=aspect_id,
                message=ASPECT_MISMATCH_FMT % {
                    "vnf": inst_id, "aspect": aspect_id,
                    "levels": ", ".join("%s=%d" % item
                                        for item in sorted(by_vdu.items()))}))
        else:
            levels[aspect_id] = next(iter(by_vdu.values()))
    return levels, errors


def _vdu_change(instance, vdu, stored, observation, aspect_id):
    running = {pod.name: pod for pod in observation.running}
    kept_names = set()
    vanished = []
    for vnfc in stored:
        if vnfc.pod_name in running and vnfc.pod_name not in kept_names:
            kept_names.add(vnfc.pod_name)
        else:
            # Its pod is gone (or a second entry claims the same pod).
            vanished.append(vnfc)
    vanished.sort(key=lambda v: (v.pod_name or "", v.entry_id))
    new_pods = [running[name] for name in sorted(running)
                if name not in kept_names]
    paired = min(len(vanished), len(new_pods))
    renamed = tuple(model.Rename(v.entry_id, v.pod_name, pod)
                    for v, pod in zip(vanished[:paired], new_pods[:paired]))
    target = instance.vdu_targets.get(vdu)
    kind = target.kind if target is not None else observation.kind
    return model.VduChange(
        vdu_id=vdu, kind=kind, renamed=renamed,
        added=tuple(new_pods[paired:]), removed=tuple(vanished[paired:]),
        old_count=len(stored), new_count=len(running),
        replicas=(len(running) if kind in model.KINDS_WITH_REPLICAS
                  else None),
        aspect_id=aspect_id)


def _replicas_drift(instance, change):
    if change.replicas is None or change.vdu_id not in instance.replicas:
        return False
    return instance.replicas[change.vdu_id] != change.replicas
