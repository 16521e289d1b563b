"""The v1 record adapter: ``vnf_instantiated_info`` <-> the core model.

v1 keeps a CNF's VNFCs in ``vnf_instantiated_info.vnfc_resource_info``
(a JSON list) and its levels in ``scale_status`` (a JSON list of
``{aspect_id, scale_level}``).  Tacker stores their elements as
versioned-object primitives; ``tacker.db.storage_v1`` decodes and
encodes that form, so this module works on plain dicts only (it still
accepts primitives, for callers holding a stored list).

The v1 record has no copy of the manifests, so the caller passes the
VDU targets (from the VNFD: a VDU's ``properties.name`` is the name of
the manifest object, whose ``kind`` gives the target's kind).

A renamed entry keeps its id and gets the new pod name in
``compute_resource.resource_id`` and the new pod metadata, as sorted
JSON, in ``metadata["Pod"]``.  An added entry gets an id from
``id_factory`` and copies ``vim_connection_id`` and the non-Pod
``metadata`` keys (the workload's JSON) from another entry of its VDU.
"""

import json
import uuid

from tacker.db import storage_v1
from tacker.vnfm.infra_drivers.kubernetes import model


POD_METADATA_KEY = "Pod"

# Plain JSON values from (possibly) versioned-object primitives.
unwrap = storage_v1.to_plain


def stored_from_v1(instance_id, *, vnfc_resource_info, scale_status,
                   vdu_targets):
    """A ``model.StoredInstance`` from a v1 row's values.

    :param vnfc_resource_info: the ``vnfc_resource_info`` list
    :param scale_status: the ``scale_status`` list (may be None)
    :param vdu_targets: ``{vdu_id: model.VduTarget}`` from the VNFD
    """
    vnfcs = []
    for entry in unwrap(vnfc_resource_info or []):
        compute = entry.get("compute_resource") or {}
        vnfcs.append(model.StoredVnfc(
            entry_id=entry.get("id"), vdu_id=entry.get("vdu_id"),
            pod_name=compute.get("resource_id"),
            resource_kind=compute.get("vim_level_resource_type")))
    levels = {status["aspect_id"]: int(status.get("scale_level", 0))
              for status in unwrap(scale_status or [])
              if status.get("aspect_id") is not None}
    return model.StoredInstance(
        instance_id=instance_id, api_version="v1", vnfcs=tuple(vnfcs),
        scale_levels=levels, vdu_targets=dict(vdu_targets or {}))


def targets_from_entries(vnfc_resource_info):
    """``{vdu_id: VduTarget}`` named by the stored entries themselves.

    Tacker keeps, in each entry's ``metadata[<kind>]``, the JSON of the
    metadata of the workload that owns the pod; its name is the target.
    For instances whose package has no manifests (Helm charts).  A VDU
    none of whose entries names its workload is no target.
    """
    targets = {}
    for entry in unwrap(vnfc_resource_info or []):
        compute = entry.get("compute_resource") or {}
        kind = compute.get("vim_level_resource_type")
        vdu_id = entry.get("vdu_id")
        if vdu_id in targets or kind not in model.VDU_KINDS:
            continue
        name = _workload_name(entry.get("metadata") or {}, kind)
        if kind == "Pod":
            name = name or compute.get("resource_id")
        if name:
            targets[vdu_id] = model.VduTarget(vdu_id=vdu_id, kind=kind,
                                              name=name)
    return targets


def _workload_name(metadata, kind):
    try:
        workload = json.loads(metadata.get(kind) or "{}")
    except (TypeError, ValueError):
        return None
    name = workload.get("name") if isinstance(workload, dict) else None
    return name if isinstance(name, str) else None


def _new_id():
    return str(uuid.uuid4())


def apply_plan_v1(vnfc_resource_info, scale_status, plan, *,
                  id_factory=None, vim_connection_id=None):
    """``(new_vnfc_resource_info, new_scale_status)`` with ``plan`` applied.

    Both results are new plain-dict lists; the inputs are untouched.

    :param id_factory: callable returning a new entry id (uuid4 string
        by default)
    :param vim_connection_id: for entries added to a VDU that has no
        other entry; by default taken from any entry of the instance
    """
    id_factory = id_factory or _new_id
    entries = unwrap(vnfc_resource_info or [])
    statuses = unwrap(scale_status or [])
    if plan.is_empty:
        return entries, statuses

    renames = {}
    removed = set()
    for change in plan.vdu_changes:
        for rename in change.renamed:
            renames[rename.entry_id] = rename.pod
        removed.update(v.entry_id for v in change.removed)

    new_entries = []
    for entry in entries:
        if entry.get("id") in removed:
            continue
        pod = renames.get(entry.get("id"))
        if pod is not None:
            compute = entry.get("compute_resource") or {}
            compute["resource_id"] = pod.name
            entry["compute_resource"] = compute
            metadata = entry.get("metadata") or {}
            metadata[POD_METADATA_KEY] = _pod_metadata(pod)
            entry["metadata"] = metadata
        new_entries.append(entry)

    fallback_vim = vim_connection_id or next(
        ((e.get("compute_resource") or {}).get("vim_connection_id")
         for e in entries
         if (e.get("compute_resource") or {}).get("vim_connection_id")),
        None)
    for change in plan.vdu_changes:
        if not change.added:
            continue
        sibling = next((e for e in entries
                        if e.get("vdu_id") == change.vdu_id), None)
        for pod in change.added:
            new_entries.append(_new_entry(change, pod, sibling,
                                          fallback_vim, id_factory))

    model.set_scale_levels(statuses, plan.level_changes,
                           aspect_key="aspect_id", level_key="scale_level")
    return new_entries, statuses


def _pod_metadata(pod):
    return json.dumps(pod.metadata, sort_keys=True)


def _new_entry(change, pod, sibling, fallback_vim, id_factory):
    sibling_compute = (sibling or {}).get("compute_resource") or {}
    metadata = {key: value
                for key, value in ((sibling or {}).get("metadata")
                                   or {}).items()
                if key != POD_METADATA_KEY}
    metadata[POD_METADATA_KEY] = _pod_metadata(pod)
    return {
        "id": id_factory(),
        "vdu_id": change.vdu_id,
        "compute_resource": {
            "vim_connection_id": sibling_compute.get(
                "vim_connection_id", fallback_vim),
            "resource_id": pod.name,
            "vim_level_resource_type": sibling_compute.get(
                "vim_level_resource_type", change.kind),
        },
        "storage_resource_ids": [],
        "vnfc_cp_info": [],
        "metadata": metadata,
    }
