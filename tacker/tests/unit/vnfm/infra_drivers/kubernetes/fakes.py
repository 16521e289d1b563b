"""Small builders of core-model values for the reconcile tests."""

from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfpkgm import scaling as scaling_mod


INSTANCE_ID = "c2a7d3a6-8b51-4a56-a5a4-2e0c4e6f9d01"


def pod(name, kind=model.DEPLOYMENT):
    return model.ObservedPod.build(
        name=name, uid="uid-" + name, phase="Running",
        metadata={"name": name, "namespace": "default",
                  "uid": "uid-" + name},
        owner_kind=(model.REPLICA_SET if kind == model.DEPLOYMENT
                    else kind),
        owner_name="owner")


def observation(vdu_id, pod_names, kind=model.DEPLOYMENT, *, settled=True,
                reason=None, found=True):
    return model.VduObservation(
        vdu_id=vdu_id, kind=kind, resource_found=found,
        running=tuple(pod(n, kind) for n in sorted(pod_names)),
        desired=len(pod_names) if found else None,
        settled=settled, unsettled_reason=reason)


def vnfc(entry_id, vdu_id, pod_name, kind=model.DEPLOYMENT):
    return model.StoredVnfc(entry_id=entry_id, vdu_id=vdu_id,
                            pod_name=pod_name, resource_kind=kind)


def instance(vnfcs, targets, scale_levels=None, *, api_version="v2",
             replicas=None):
    return model.StoredInstance(
        instance_id=INSTANCE_ID, api_version=api_version,
        vnfcs=tuple(vnfcs), scale_levels=dict(scale_levels or {}),
        vdu_targets={vdu: model.VduTarget(vdu, kind, name)
                     for vdu, (kind, name) in targets.items()},
        replicas=dict(replicas or {}))


def scaling(vdu_id, min_=1, max_=3, initial=1, aspect="vdu1_aspect",
            deltas=(1, 1)):
    return scaling_mod.VduScaling(
        vdu_id=vdu_id, min_instances=min_, max_instances=max_,
        initial_delta=initial, aspect_id=aspect,
        step_deltas=tuple(deltas) if aspect else ())
