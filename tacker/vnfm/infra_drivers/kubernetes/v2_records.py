"""The v2 record adapter: ``instantiatedVnfInfo`` <-> the core model.

``stored_from_v2`` reads a ``VnfInstanceV2.instantiatedVnfInfo`` JSON
dict into a ``model.StoredInstance``: entries from ``vnfcResourceInfo``
(v2 uses the pod name as the entry id), levels from ``scaleStatus``,
VDU targets and stored replicas from ``metadata.vdu_reses``.

``apply_plan_v2`` returns a new ``instantiatedVnfInfo`` with a plan
applied and leaves its input untouched.  It owns only these fields:
``vnfcResourceInfo[].id`` / ``computeResource.resourceId``,
``vnfcInfo[].id`` / ``vnfcResourceInfoId``, the list membership of both
lists, ``scaleStatus[].scaleLevel`` and
``metadata.vdu_reses[*].spec.replicas``.  Every other field of every
entry (``vnfcConfigurableProperties``, ``metadata``, ...) is kept, and
entries keep their order; added entries are appended.
"""

import collections
import json

from tacker.vnfm.infra_drivers.kubernetes import model


VNFC_STATE_STARTED = "STARTED"


def vnfc_info_id(vdu_id, pod_name):
    return "%s-%s" % (vdu_id, pod_name)


def targets_from_vdu_reses(vdu_reses):
    """``{vdu_id: VduTarget}`` from ``metadata.vdu_reses`` manifests."""
    targets = {}
    for vdu_id, manifest in sorted((vdu_reses or {}).items()):
        manifest = manifest or {}
        targets[vdu_id] = model.VduTarget(
            vdu_id=vdu_id, kind=manifest.get("kind"),
            name=(manifest.get("metadata") or {}).get("name"))
    return targets


def stored_from_v2(instance_id, instantiated_vnf_info, vdu_targets=None):
    """A ``model.StoredInstance`` from an ``instantiatedVnfInfo`` dict.

    ``vdu_targets`` overrides the targets read from ``vdu_reses``.
    """
    info = instantiated_vnf_info or {}
    vnfcs = []
    for entry in info.get("vnfcResourceInfo") or ():
        compute = entry.get("computeResource") or {}
        vnfcs.append(model.StoredVnfc(
            entry_id=entry.get("id"), vdu_id=entry.get("vduId"),
            pod_name=compute.get("resourceId"),
            resource_kind=compute.get("vimLevelResourceType")))
    levels = {status["aspectId"]: int(status.get("scaleLevel", 0))
              for status in info.get("scaleStatus") or ()
              if status.get("aspectId") is not None}
    vdu_reses = (info.get("metadata") or {}).get("vdu_reses") or {}
    if vdu_targets is None:
        vdu_targets = targets_from_vdu_reses(vdu_reses)
    replicas = {}
    for vdu_id, manifest in vdu_reses.items():
        value = ((manifest or {}).get("spec") or {}).get("replicas")
        if (manifest or {}).get("kind") in model.KINDS_WITH_REPLICAS and \
                value is not None:
            replicas[vdu_id] = int(value)
    return model.StoredInstance(
        instance_id=instance_id, api_version="v2", vnfcs=tuple(vnfcs),
        scale_levels=levels, vdu_targets=dict(vdu_targets),
        replicas=replicas)


def apply_plan_v2(instantiated_vnf_info, plan):
    """A new ``instantiatedVnfInfo`` with ``plan`` applied."""
    # The document is JSON (read from, and written back to, a JSON
    # column): a JSON round trip copies it in less than half the time
    # copy.deepcopy takes.
    info = json.loads(json.dumps(instantiated_vnf_info or {}))
    if plan.is_empty:
        return info
    resources = info.get("vnfcResourceInfo") or []
    vnfc_infos = info.get("vnfcInfo") or []

    # Per entry id, the actions the plan asks for, in order.  A record may
    # hold one id twice (a second entry claiming a pod); reconcile then
    # keeps the first and acts on the later ones, and so must this.
    actions = collections.defaultdict(list)
    added = []
    for change in plan.vdu_changes:
        for rename in change.renamed:
            actions[rename.entry_id].append((change.vdu_id, rename.pod.name))
        for vnfc in change.removed:
            actions[vnfc.entry_id].append(None)
        added.extend((change.vdu_id, change.kind, pod)
                     for pod in change.added)

    new_resources = []
    next_action = _Actions(actions, [e.get("id") for e in resources])
    for entry in resources:
        entry_id = entry.get("id")
        action = next_action(entry_id)
        if action is _KEEP:
            new_resources.append(entry)
        elif action is not None:
            pod_name = action[1]
            entry["id"] = pod_name
            entry.setdefault("computeResource", {})["resourceId"] = pod_name
            new_resources.append(entry)
    new_vnfc_infos = []
    next_action = _Actions(actions,
                           [e.get("vnfcResourceInfoId") for e in vnfc_infos])
    for entry in vnfc_infos:
        action = next_action(entry.get("vnfcResourceInfoId"))
        if action is _KEEP:
            new_vnfc_infos.append(entry)
        elif action is not None:
            vdu_id, pod_name = action
            entry["vnfcResourceInfoId"] = pod_name
            entry["id"] = vnfc_info_id(entry.get("vduId") or vdu_id,
                                       pod_name)
            new_vnfc_infos.append(entry)
    for vdu_id, kind, pod in added:
        new_resources.append({
            "id": pod.name, "vduId": vdu_id,
            "computeResource": {"resourceId": pod.name,
                                "vimLevelResourceType": kind},
            "metadata": {}})
        new_vnfc_infos.append({
            "id": vnfc_info_id(vdu_id, pod.name), "vduId": vdu_id,
            "vnfcResourceInfoId": pod.name,
            "vnfcState": VNFC_STATE_STARTED})
    info["vnfcResourceInfo"] = new_resources
    if new_vnfc_infos or "vnfcInfo" in info:
        info["vnfcInfo"] = new_vnfc_infos

    _apply_levels(info, plan.level_changes)
    _apply_replicas(info, plan.vdu_changes)
    return info


_KEEP = object()


class _Actions:
    """Hands out the action for each occurrence of an entry id in order.

    The first ``occurrences - actions`` occurrences are kept as they are;
    each later one takes the next action: ``(vdu_id, pod)`` to rename,
    None to remove.
    """

    def __init__(self, actions, ids):
        self._actions = actions
        self._total = collections.Counter(ids)
        self._seen = collections.Counter()

    def __call__(self, entry_id):
        index = self._seen[entry_id]
        self._seen[entry_id] += 1
        queue = self._actions.get(entry_id, ())
        kept = max(0, self._total[entry_id] - len(queue))
        if index < kept:
            return _KEEP
        return queue[index - kept] if index - kept < len(queue) else _KEEP


def _apply_levels(info, level_changes):
    if not level_changes:
        return
    model.set_scale_levels(info.setdefault("scaleStatus", []),
                           level_changes, aspect_key="aspectId",
                           level_key="scaleLevel")


def _apply_replicas(info, vdu_changes):
    vdu_reses = (info.get("metadata") or {}).get("vdu_reses") or {}
    for change in vdu_changes:
        manifest = vdu_reses.get(change.vdu_id)
        if change.replicas is None or not isinstance(manifest, dict):
            continue
        manifest.setdefault("spec", {})["replicas"] = change.replicas
