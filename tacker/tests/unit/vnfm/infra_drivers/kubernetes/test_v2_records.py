import copy

from tacker.tests.unit.vnfm.infra_drivers.kubernetes import fakes
from tacker.tests.unit.vnfm.infra_drivers.kubernetes import k8s_objects as k8s
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import outcome
from tacker.vnfm.infra_drivers.kubernetes import ownership
from tacker.vnfm.infra_drivers.kubernetes import reconcile as rec
from tacker.vnfm.infra_drivers.kubernetes import v2_records

INST = fakes.INSTANCE_ID


def info(pods=("vdu1-5588797866-fs6vb",), level=0, replicas=None):
    return {
        "flavourId": "simple", "vnfState": "STARTED",
        "scaleStatus": [{"aspectId": "vdu1_aspect", "scaleLevel": level}],
        "maxScaleLevels": [{"aspectId": "vdu1_aspect", "scaleLevel": 2}],
        "vnfcResourceInfo": [
            {"id": p, "vduId": "VDU1", "metadata": {"keep": i},
             "computeResource": {"resourceId": p,
                                 "vimLevelResourceType": "Deployment"}}
            for i, p in enumerate(pods)],
        "vnfcInfo": [
            {"id": "VDU1-" + p, "vduId": "VDU1", "vnfcResourceInfoId": p,
             "vnfcState": "STARTED",
             "vnfcConfigurableProperties": {"prop": p}}
            for p in pods],
        "metadata": {
            "namespace": "default", "tenant": "default",
            "lcm-kubernetes-def-files": ["Files/kubernetes/deployment.yaml"],
            "vdu_reses": {"VDU1": {
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "vdu1", "namespace": "default"},
                "spec": {"replicas": (len(pods) if replicas is None
                                      else replicas),
                         "template": {"spec": {}}}}}}}


def plan_for(record, running):
    stored = v2_records.stored_from_v2(INST, record)
    return rec.reconcile(
        stored, {"VDU1": fakes.observation("VDU1", running)},
        {"VDU1": fakes.scaling("VDU1")}, now=0.0, unsettled_since={},
        settle_timeout=0.0)


def test_stored_from_v2():
    stored = v2_records.stored_from_v2(INST, info(["p1", "p2"], level=1))
    assert stored == model.StoredInstance(
        instance_id=INST, api_version="v2",
        vnfcs=(model.StoredVnfc("p1", "VDU1", "p1", "Deployment"),
               model.StoredVnfc("p2", "VDU1", "p2", "Deployment")),
        scale_levels={"vdu1_aspect": 1},
        vdu_targets={"VDU1": model.VduTarget("VDU1", "Deployment",
                                             "vdu1")},
        replicas={"VDU1": 2})


def test_stored_from_v2_explicit_targets_and_empty_record():
    targets = {"VDU9": model.VduTarget("VDU9", "Pod", "vdu9")}
    stored = v2_records.stored_from_v2(INST, {}, targets)
    assert stored.vnfcs == () and stored.vdu_targets == targets


def test_rename_follows_into_vnfc_info_and_keeps_other_fields():
    record = info(["p1", "p2"], level=1)
    before = copy.deepcopy(record)
    plan = plan_for(record, ["p2", "p3"])
    new = v2_records.apply_plan_v2(record, plan)
    assert record == before
    assert new["vnfcResourceInfo"] == [
        {"id": "p3", "vduId": "VDU1", "metadata": {"keep": 0},
         "computeResource": {"resourceId": "p3",
                             "vimLevelResourceType": "Deployment"}},
        before["vnfcResourceInfo"][1]]
    assert new["vnfcInfo"][0] == {
        "id": "VDU1-p3", "vduId": "VDU1", "vnfcResourceInfoId": "p3",
        "vnfcState": "STARTED", "vnfcConfigurableProperties": {"prop": "p1"}}
    assert new["vnfcInfo"][1] == before["vnfcInfo"][1]
    assert new["scaleStatus"] == before["scaleStatus"]
    assert new["maxScaleLevels"] == before["maxScaleLevels"]


def test_scale_out_appends_entries_and_updates_level_and_replicas():
    record = info(["p1"], level=0)
    new = v2_records.apply_plan_v2(record, plan_for(record, ["p1", "p2",
                                                             "p3"]))
    assert [e["id"] for e in new["vnfcResourceInfo"]] == ["p1", "p2", "p3"]
    assert new["vnfcResourceInfo"][2] == {
        "id": "p3", "vduId": "VDU1",
        "computeResource": {"resourceId": "p3",
                            "vimLevelResourceType": "Deployment"},
        "metadata": {}}
    assert new["vnfcInfo"][2] == {
        "id": "VDU1-p3", "vduId": "VDU1", "vnfcResourceInfoId": "p3",
        "vnfcState": "STARTED"}
    assert new["scaleStatus"] == [{"aspectId": "vdu1_aspect",
                                   "scaleLevel": 2}]
    spec = new["metadata"]["vdu_reses"]["VDU1"]["spec"]
    assert spec == {"replicas": 3, "template": {"spec": {}}}


def test_scale_in_drops_both_entries():
    record = info(["p1", "p2", "p3"], level=2)
    new = v2_records.apply_plan_v2(record, plan_for(record, ["p2"]))
    assert [e["id"] for e in new["vnfcResourceInfo"]] == ["p2"]
    assert [e["vnfcResourceInfoId"] for e in new["vnfcInfo"]] == ["p2"]
    assert new["scaleStatus"][0]["scaleLevel"] == 0
    assert new["metadata"]["vdu_reses"]["VDU1"]["spec"]["replicas"] == 1


def test_missing_scale_status_entry_is_added():
    record = info(["p1"])
    record["scaleStatus"] = []
    new = v2_records.apply_plan_v2(record, plan_for(record, ["p1"]))
    assert new["scaleStatus"] == [{"aspectId": "vdu1_aspect",
                                   "scaleLevel": 0}]


def test_replicas_only_drift():
    record = info(["p1", "p2"], level=1, replicas=5)
    plan = plan_for(record, ["p1", "p2"])
    assert plan.outcome == outcome.CHANGED
    new = v2_records.apply_plan_v2(record, plan)
    assert new["metadata"]["vdu_reses"]["VDU1"]["spec"]["replicas"] == 2
    assert plan_for(new, ["p1", "p2"]).is_empty


def test_empty_plan_returns_an_equal_copy():
    record = info(["p1"])
    plan = plan_for(record, ["p1"])
    assert plan.is_empty
    new = v2_records.apply_plan_v2(record, plan)
    assert new == record and new is not record
    assert new["vnfcInfo"] is not record["vnfcInfo"]


def test_apply_then_reconcile_is_empty():
    record = info(["p1", "p2"], level=1)
    running = ["p2", "p4", "p5"]
    new = v2_records.apply_plan_v2(record, plan_for(record, running))
    assert plan_for(new, running).is_empty


def test_an_id_stored_twice_keeps_one_entry():
    record = info(["p1", "p1"], level=1)
    for running in (["p1"], ["p1", "p7"]):
        new = v2_records.apply_plan_v2(record, plan_for(record, running))
        ids = [e["id"] for e in new["vnfcResourceInfo"]]
        assert sorted(ids) == sorted(running)
        assert sorted(e["vnfcResourceInfoId"]
                      for e in new["vnfcInfo"]) == sorted(running)
        assert plan_for(new, running).is_empty


def test_from_raw_objects_to_new_record():
    """A pod auto-healed by Kubernetes, end to end through the pure core."""
    dep, rs, pods = k8s.deployment_tree("vdu1", 2)
    record = info([p["metadata"]["name"] for p in pods], level=1)
    healed = k8s.pods_of(rs, model.REPLICA_SET, 1, start=5)
    snap = k8s.snapshot([dep, rs, pods[0]] + healed)
    stored = v2_records.stored_from_v2(INST, record)
    observations = ownership.observe_vdus(snap,
                                          stored.vdu_targets.values())
    plan = rec.reconcile(stored, observations,
                         {"VDU1": fakes.scaling("VDU1")}, now=0.0,
                         unsettled_since={}, settle_timeout=30.0)
    old, new = pods[1]["metadata"]["name"], healed[0]["metadata"]["name"]
    assert plan.log_lines() == [
        "Database synchronization succeeded. vnf: %s vdu: VDU1 pods: "
        "%s -> %s; replicas: 2" % (INST, old, new)]
    record2 = v2_records.apply_plan_v2(record, plan)
    assert [e["id"] for e in record2["vnfcResourceInfo"]] == [
        pods[0]["metadata"]["name"], new]
