import copy
import itertools
import json

import pytest

from tacker.tests.unit.vnfm.infra_drivers.kubernetes import fakes
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import reconcile as rec
from tacker.vnfm.infra_drivers.kubernetes import v1_records

INST = fakes.INSTANCE_ID
VIM = "7a4e5b0c-0000-4000-8000-00000000aaaa"
TARGETS = {"VDU1": model.VduTarget("VDU1", "Deployment", "vdu1"),
           "VDU2": model.VduTarget("VDU2", "Deployment", "vdu2")}


def plain_entry(entry_id, vdu_id, pod_name):
    return {
        "id": entry_id, "vdu_id": vdu_id,
        "compute_resource": {"vim_connection_id": VIM,
                             "resource_id": pod_name,
                             "vim_level_resource_type": "Deployment"},
        "storage_resource_ids": [], "vnfc_cp_info": [],
        "metadata": {"Pod": json.dumps({"name": pod_name}),
                     "Deployment": json.dumps({"name": vdu_id.lower()})}}


def wrapped(name, data):
    return {"tacker_object.name": name,
            "tacker_object.namespace": "tacker",
            "tacker_object.version": "1.0",
            "tacker_object.data": data,
            "tacker_object.changes": sorted(data)}


def versioned_entry(entry_id, vdu_id, pod_name):
    data = plain_entry(entry_id, vdu_id, pod_name)
    data["compute_resource"] = wrapped("ResourceHandle",
                                       data["compute_resource"])
    return wrapped("VnfcResourceInfo", data)


def plain_status(level):
    return [{"aspect_id": "vdu1_aspect", "scale_level": level}]


def versioned_status(level):
    return [wrapped("ScaleInfo", s) for s in plain_status(level)]


def ids():
    counter = itertools.count(1)
    return lambda: "new-%d" % next(counter)


def plan_for(entries, status, running, targets=None):
    targets = targets or {"VDU1": TARGETS["VDU1"]}
    stored = v1_records.stored_from_v1(
        INST, vnfc_resource_info=entries, scale_status=status,
        vdu_targets=targets)
    observations = {vdu: fakes.observation(vdu, running.get(vdu, []))
                    for vdu in targets}
    scaling = {vdu: fakes.scaling(vdu, min_=0, initial=0, deltas=(1, 1, 1),
                                  aspect="%s_aspect" % vdu.lower())
               for vdu in targets}
    return rec.reconcile(stored, observations, scaling, now=0.0,
                         unsettled_since={}, settle_timeout=0.0)


@pytest.mark.parametrize("make_entry, make_status", [
    (plain_entry, plain_status),
    (versioned_entry, versioned_status),
    (versioned_entry, plain_status),
])
def test_reads_plain_and_versioned(make_entry, make_status):
    stored = v1_records.stored_from_v1(
        INST, vnfc_resource_info=[make_entry("e1", "VDU1", "p1"),
                                  make_entry("e2", "VDU1", "p2")],
        scale_status=make_status(1), vdu_targets=TARGETS)
    assert stored == model.StoredInstance(
        instance_id=INST, api_version="v1",
        vnfcs=(model.StoredVnfc("e1", "VDU1", "p1", "Deployment"),
               model.StoredVnfc("e2", "VDU1", "p2", "Deployment")),
        scale_levels={"vdu1_aspect": 1}, vdu_targets=TARGETS)


def test_none_values():
    stored = v1_records.stored_from_v1(INST, vnfc_resource_info=None,
                                       scale_status=None, vdu_targets={})
    assert stored.vnfcs == () and stored.scale_levels == {}


@pytest.mark.parametrize("make_entry", [plain_entry, versioned_entry])
def test_rename_keeps_id_and_writes_plain_dicts(make_entry):
    entries = [make_entry("e1", "VDU1", "p1"),
               make_entry("e2", "VDU1", "p2")]
    status = plain_status(2)
    before = copy.deepcopy((entries, status))
    plan = plan_for(entries, status, {"VDU1": ["p2", "p3"]})
    new, new_status = v1_records.apply_plan_v1(entries, status, plan,
                                               id_factory=ids())
    assert (entries, status) == before
    assert [e["id"] for e in new] == ["e1", "e2"]
    renamed = new[0]
    assert renamed["compute_resource"] == {
        "vim_connection_id": VIM, "resource_id": "p3",
        "vim_level_resource_type": "Deployment"}
    pod_meta = plan.vdu_changes[0].renamed[0].pod.metadata
    assert renamed["metadata"]["Pod"] == json.dumps(pod_meta,
                                                    sort_keys=True)
    assert renamed["metadata"]["Deployment"] == json.dumps({"name": "vdu1"})
    assert new[1] == plain_entry("e2", "VDU1", "p2")
    assert "tacker_object.data" not in json.dumps(new)
    assert new_status == plain_status(2)


def test_scale_out_adds_entries_copied_from_a_sibling():
    entries = [plain_entry("e1", "VDU1", "p1")]
    plan = plan_for(entries, plain_status(1), {"VDU1": ["p1", "p2"]})
    new, status = v1_records.apply_plan_v1(entries, plain_status(1), plan,
                                           id_factory=ids())
    assert new[0] == entries[0]
    added = new[1]
    assert added["id"] == "new-1" and added["vdu_id"] == "VDU1"
    assert added["compute_resource"] == {
        "vim_connection_id": VIM, "resource_id": "p2",
        "vim_level_resource_type": "Deployment"}
    assert added["storage_resource_ids"] == []
    assert added["vnfc_cp_info"] == []
    assert json.loads(added["metadata"]["Pod"])["name"] == "p2"
    assert added["metadata"]["Deployment"] == json.dumps({"name": "vdu1"})
    assert status == plain_status(2)


def test_added_to_a_vdu_without_entries_uses_other_vdus_vim():
    entries = [plain_entry("e1", "VDU1", "p1")]
    plan = plan_for(entries, plain_status(1),
                    {"VDU1": ["p1"], "VDU2": ["q1"]}, TARGETS)
    new, status = v1_records.apply_plan_v1(entries, plain_status(1), plan,
                                           id_factory=ids())
    added = new[1]
    assert added["vdu_id"] == "VDU2"
    assert added["compute_resource"] == {
        "vim_connection_id": VIM, "resource_id": "q1",
        "vim_level_resource_type": "Deployment"}
    assert set(added["metadata"]) == {"Pod"}
    assert status == [{"aspect_id": "vdu1_aspect", "scale_level": 1},
                      {"aspect_id": "vdu2_aspect", "scale_level": 1}]


def test_explicit_vim_connection_id():
    plan = plan_for([], [], {"VDU1": ["p1"]})
    new, _ = v1_records.apply_plan_v1([], [], plan, id_factory=ids(),
                                      vim_connection_id="vim-x")
    assert new[0]["compute_resource"]["vim_connection_id"] == "vim-x"


def test_scale_in_removes_entries():
    entries = [plain_entry("e%d" % i, "VDU1", "p%d" % i) for i in (1, 2, 3)]
    plan = plan_for(entries, plain_status(3), {"VDU1": ["p3"]})
    new, status = v1_records.apply_plan_v1(entries, plain_status(3), plan)
    assert [e["id"] for e in new] == ["e3"]
    assert status == plain_status(1)


def test_default_id_factory_gives_uuids():
    plan = plan_for([], [], {"VDU1": ["p1"]})
    new, _ = v1_records.apply_plan_v1([], [], plan)
    assert len(new[0]["id"]) == 36


def test_apply_then_reconcile_is_empty():
    entries = [versioned_entry("e1", "VDU1", "p1"),
               versioned_entry("e2", "VDU1", "p2")]
    running = {"VDU1": ["p2", "p7", "p8"], "VDU2": ["q1"]}
    plan = plan_for(entries, versioned_status(1), running, TARGETS)
    new, status = v1_records.apply_plan_v1(entries, versioned_status(1),
                                           plan, id_factory=ids())
    assert plan_for(new, status, running, TARGETS).is_empty


def test_unwrap_does_not_share_containers():
    entry = versioned_entry("e1", "VDU1", "p1")
    plain = v1_records.unwrap(entry)
    plain["metadata"]["Pod"] = "x"
    assert entry["tacker_object.data"]["metadata"]["Pod"] != "x"


def test_targets_from_entries_name_the_workload_tacker_recorded():
    entries = [
        {'id': 'a', 'vdu_id': 'VDU1',
         'compute_resource': {'resource_id': 'vdu1-rel-5d8f-abcde',
                              'vim_level_resource_type': 'Deployment'},
         'metadata': {'Deployment': json.dumps({'name': 'vdu1-rel'}),
                      'Pod': '{}'}},
        {'id': 'b', 'vdu_id': 'VDU4',
         'compute_resource': {'resource_id': 'vdu4',
                              'vim_level_resource_type': 'Pod'},
         'metadata': {}},
        # Nothing names the workload of VDU9: no target, no guess.
        {'id': 'c', 'vdu_id': 'VDU9',
         'compute_resource': {'resource_id': 'vdu9-0',
                              'vim_level_resource_type': 'StatefulSet'},
         'metadata': {'StatefulSet': 'not json'}},
    ]
    targets = v1_records.targets_from_entries(entries)
    assert {v: (t.kind, t.name) for v, t in targets.items()} == {
        'VDU1': ('Deployment', 'vdu1-rel'), 'VDU4': ('Pod', 'vdu4')}
