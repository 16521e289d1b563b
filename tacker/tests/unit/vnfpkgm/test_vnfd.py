import os
import time

import pytest

from tacker.tests.unit.vnfpkgm import packages
from tacker.vnfpkgm import csar
from tacker.vnfpkgm import errors
from tacker.vnfpkgm import scaling
from tacker.vnfpkgm import vnfd

FLAVOUR = packages.FLAVOUR


@pytest.fixture
def src(tmp_path):
    return packages.copy_sample(tmp_path)


@pytest.fixture
def multi_src(tmp_path):
    return packages.copy_sample(tmp_path, packages.SAMPLE_MULTI)


@pytest.fixture
def unpacked(sample_zips, tmp_path):
    """Sample name -> directory of the unpacked sample zip."""
    result = {}
    for name, path in sample_zips.items():
        result[name] = str(tmp_path / name)
        csar.extract_csar(path, result[name])
    return result


# --- the samples read back as declared


def test_sample_cnf_identity_and_files(unpacked):
    model = vnfd.load_vnfd(unpacked["sample_cnf"])
    assert model.vnfd_id == "7f3d3b0e-6a55-4b7c-9f0e-5d7c2a1e9b01"
    assert (model.provider, model.product_name, model.software_version,
            model.vnfd_version) == ("Company", "Sample CNF", "1.0", "1.0")
    assert model.vnf_node_type == "company.provider.CNF"
    assert list(model.flavours) == ["simple"]
    assert model.kubernetes_files == tuple(
        "Files/kubernetes/%s.yaml" % n for n in (
            "vdu1-deployment", "vdu2-statefulset", "vdu3-daemonset",
            "vdu4-pod", "vdu5-replicaset"))
    assert model.flavour("simple").kubernetes_files == model.kubernetes_files


def test_sample_cnf_scaling_facts(unpacked):
    flavour = vnfd.load_vnfd(unpacked["sample_cnf"]).flavour("simple")
    assert {v: d.name for v, d in flavour.vdus.items()} == {
        "VDU1": "vdu1", "VDU2": "vdu2", "VDU3": "vdu3", "VDU4": "vdu4",
        "VDU5": "vdu5"}
    assert flavour.vdu_scaling("VDU1") == scaling.VduScaling(
        vdu_id="VDU1", min_instances=1, max_instances=3, initial_delta=1,
        aspect_id="vdu1_aspect", step_deltas=(1, 1))
    assert flavour.vdu_scaling("VDU2").aspect_id == "vdu2_aspect"
    assert flavour.vdu_scaling("VDU5").step_deltas == (1, 1)
    assert flavour.vdu_scaling("VDU3") == scaling.VduScaling(
        vdu_id="VDU3", min_instances=1, max_instances=3, initial_delta=1)
    assert flavour.vdu_scaling("VDU4") == scaling.VduScaling(
        vdu_id="VDU4", min_instances=1, max_instances=1, initial_delta=1)
    assert flavour.max_scale_levels == {
        "vdu1_aspect": 2, "vdu2_aspect": 2, "vdu5_aspect": 2}
    assert flavour.aspect_vdus("vdu5_aspect") == ("VDU5",)
    assert flavour.default_instantiation_level_id == "instantiation_level_1"
    assert flavour.scale_levels_for_instantiation_level() == {
        "vdu1_aspect": 0, "vdu2_aspect": 0, "vdu5_aspect": 0}
    assert flavour.scale_levels_for_instantiation_level(
        "instantiation_level_2") == {
            "vdu1_aspect": 1, "vdu2_aspect": 1, "vdu5_aspect": 1}
    counts = {v: flavour.pod_count_for_instantiation_level(
        "instantiation_level_2", v) for v in flavour.vdus}
    assert counts == {"VDU1": 2, "VDU2": 2, "VDU3": 1, "VDU4": 1, "VDU5": 2}
    assert flavour.pod_count_for_instantiation_level(None, "VDU1") == 1


def test_sample_multi_scaling_facts(unpacked):
    model = vnfd.load_vnfd(unpacked["sample_cnf_multi"])
    flavour = model.flavour("simple")
    vdu1 = flavour.vdu_scaling("VDU1")
    assert vdu1.step_deltas == (2, 2)
    assert [vdu1.count_at_level(n) for n in range(3)] == [1, 3, 5]
    vdu2 = flavour.vdu_scaling("VDU2")
    assert vdu2.step_deltas == (1, 2)
    assert [vdu2.count_at_level(n) for n in range(3)] == [1, 2, 4]
    assert (vdu2.min_instances, vdu2.max_instances) == (1, 4)
    assert flavour.aspect_vdus("front_aspect") == ("VDU3", "VDU4")
    assert flavour.aspects["vdu2_aspect"].step_deltas == ("delta_1",
                                                          "delta_2")
    counts = {v: flavour.pod_count_for_instantiation_level(
        "instantiation_level_2", v) for v in flavour.vdus}
    assert counts == {"VDU1": 3, "VDU2": 4, "VDU3": 2, "VDU4": 2}
    assert flavour.vdus["VDU2"].name == "multi-vdu2"


def test_manifest_names_match_vdu_names(unpacked):
    import yaml
    for name, path in unpacked.items():
        model = vnfd.load_vnfd(path)
        names = set()
        for rel in model.kubernetes_files:
            with open(os.path.join(path, rel)) as f:
                manifest = yaml.safe_load(f)
            names.add(manifest["metadata"]["name"])
            spec = manifest["spec"]
            if "selector" in spec:
                assert spec["selector"]["matchLabels"].items() <= (
                    spec["template"]["metadata"]["labels"].items())
        vdus = model.flavour("simple").vdus.values()
        assert names == {v.name for v in vdus}, name


def test_lookups_fail_with_typed_errors(unpacked):
    model = vnfd.load_vnfd(unpacked["sample_cnf"])
    with pytest.raises(errors.FlavourNotFound) as exc:
        model.flavour("complex")
    assert "complex" in str(exc.value) and "simple" in str(exc.value)
    flavour = model.flavour("simple")
    with pytest.raises(errors.VduNotFound):
        flavour.vdu_scaling("VDU9")
    with pytest.raises(errors.AspectNotFound):
        flavour.aspect_vdus("nope")
    with pytest.raises(errors.InstantiationLevelNotFound):
        flavour.pod_count_for_instantiation_level("nope", "VDU1")


def test_vdu_artifacts_override_package_list(src):
    packages.edit(src, FLAVOUR, "\n    VDU2:\n",
                  "      artifacts:\n"
                  "        manifest:\n"
                  "          type: tosca.artifacts.File\n"
                  "          file: ../Files/kubernetes/vdu1-deployment.yaml\n"
                  "\n    VDU2:\n")
    flavour = vnfd.load_vnfd(str(src)).flavour("simple")
    assert flavour.kubernetes_files == (
        "Files/kubernetes/vdu1-deployment.yaml",)


def test_artifact_outside_package(src):
    packages.edit(src, FLAVOUR, "\n    VDU2:\n",
                  "      artifacts:\n"
                  "        manifest: ../../etc/passwd\n"
                  "\n    VDU2:\n")
    message = _fails(src, errors.InvalidVnfd)
    assert "node_templates.VDU1.artifacts.manifest" in message


def test_no_initial_delta_defaults_to_min(src):
    # VDU3 loses its VduInitialDelta and gets min 2 (and levels of 2 pods).
    packages.edit(src, FLAVOUR, "        targets: [ VDU3 ]",
                  "        targets: []")
    packages.edit(src, FLAVOUR, "DaemonSet vdu3 (one pod per node, not "
                  "scalable)\n        vdu_profile:\n"
                  "          min_number_of_instances: 1",
                  "DaemonSet vdu3\n        vdu_profile:\n"
                  "          min_number_of_instances: 2")
    text = (src / FLAVOUR).read_text()
    head, tail = text.split("    - vdu3_instantiation_levels:")
    tail = tail.replace("number_of_instances: 1", "number_of_instances: 2", 2)
    (src / FLAVOUR).write_text(
        head + "    - vdu3_instantiation_levels:" + tail)
    flavour = vnfd.load_vnfd(str(src)).flavour("simple")
    assert flavour.vdu_scaling("VDU3").initial_delta == 2
    assert flavour.pod_count_for_instantiation_level(None, "VDU3") == 2


def test_single_delta_without_step_deltas_is_uniform(multi_src):
    rel = "Definitions/sample_cnf_multi_df_simple.yaml"
    packages.edit(multi_src, rel, "              step_deltas:\n"
                  "                - delta_2\n", "")
    flavour = vnfd.load_vnfd(str(multi_src)).flavour("simple")
    assert flavour.vdu_scaling("VDU1").step_deltas == (2, 2)


# --- malformed VNFDs: the message names the file and the field


def _fails(src, error):
    with pytest.raises(error) as exc:
        vnfd.load_vnfd(str(src))
    assert exc.value.code == 400
    return str(exc.value)


def test_broken_yaml_names_file_and_line(src):
    packages.edit(src, FLAVOUR, "        name: vdu2\n",
                  "        name: [vdu2\n")
    message = _fails(src, errors.VnfdYamlError)
    assert FLAVOUR in message
    line = next(n for n, text in enumerate(
        (src / FLAVOUR).read_text().splitlines(), start=1)
        if "name: [vdu2" in text)
    # The parser reports where it noticed the problem: that line or the next.
    assert "line %d " % line in message or "line %d " % (line + 1) in message


def test_document_must_be_a_mapping(src):
    (src / packages.TYPES).write_text("- just\n- a list\n")
    message = _fails(src, errors.InvalidVnfd)
    assert packages.TYPES in message


@pytest.mark.parametrize("target,error", [
    ("../../outside.yaml", errors.ImportOutsidePackage),
    ("/etc/passwd", errors.ImportOutsidePackage),
    ("https://forge.etsi.org/sol001/types.yaml", errors.RemoteImportRejected),
    ("file:///etc/passwd", errors.RemoteImportRejected),
    ("no_such_file.yaml", errors.ImportNotFound),
])
def test_bad_imports(src, target, error):
    packages.edit(src, packages.TYPES, "  - etsi_nfv_sol001_vnfd_types.yaml",
                  "  - etsi_nfv_sol001_vnfd_types.yaml\n  - " + target)
    message = _fails(src, error)
    assert packages.TYPES in message
    assert target in message


def test_import_through_symlink_leaving_package(src, tmp_path):
    (tmp_path / "outside.yaml").write_text("node_types: {}\n")
    os.symlink(tmp_path / "outside.yaml", src / "Definitions" / "link.yaml")
    packages.edit(src, packages.TYPES, "  - etsi_nfv_sol001_vnfd_types.yaml",
                  "  - etsi_nfv_sol001_vnfd_types.yaml\n  - link.yaml")
    message = _fails(src, errors.ImportOutsidePackage)
    assert "link.yaml" in message


def test_remote_repository_import(src):
    packages.edit(src, packages.TYPES, "  - etsi_nfv_sol001_vnfd_types.yaml",
                  "  - etsi_nfv_sol001_vnfd_types.yaml\n"
                  "  - file: types.yaml\n    repository: etsi")
    assert "types.yaml" in _fails(src, errors.RemoteImportRejected)


def test_missing_flavour(src):
    packages.edit(src, packages.TOP, "  - sample_cnf_df_simple.yaml\n", "")
    message = _fails(src, errors.FlavourNotFound)
    assert "'simple'" in message
    assert packages.TYPES in message


def test_vdu_profile_missing(src):
    packages.edit(src, FLAVOUR, "        vdu_profile:\n"
                  "          min_number_of_instances: 1\n"
                  "          max_number_of_instances: 1\n", "")
    message = _fails(src, errors.VduProfileMissing)
    assert FLAVOUR in message
    assert "node_templates.VDU4.properties.vdu_profile" in message


def test_scaling_policy_missing_for_aspect(src):
    packages.edit(src, FLAVOUR, "          aspect: vdu5_aspect",
                  "          aspect: vdu1_aspect")
    packages.edit(src, FLAVOUR, "        targets: [ VDU5 ]\n\n    - inst",
                  "        targets: [ ]\n\n    - inst")
    message = _fails(src, errors.ScalingPolicyMissing)
    assert FLAVOUR in message
    assert "aspects.vdu5_aspect" in message


def test_step_delta_without_matching_delta(multi_src):
    rel = "Definitions/sample_cnf_multi_df_simple.yaml"
    packages.edit(multi_src, rel, "                - delta_1\n"
                  "                - delta_2\n",
                  "                - delta_1\n"
                  "                - delta_9\n")
    message = _fails(multi_src, errors.StepDeltaNotFound)
    assert rel in message
    assert "vdu2_scaling_aspect_deltas.properties.deltas.delta_9" in message
    assert "VDU2" in message


def test_step_deltas_of_wrong_length(multi_src):
    rel = "Definitions/sample_cnf_multi_df_simple.yaml"
    packages.edit(multi_src, rel, "              max_scale_level: 2\n"
                  "              step_deltas:\n"
                  "                - delta_1\n"
                  "                - delta_2\n",
                  "              max_scale_level: 3\n"
                  "              step_deltas:\n"
                  "                - delta_1\n"
                  "                - delta_2\n")
    message = _fails(multi_src, errors.InvalidVnfd)
    assert "aspects.vdu2_aspect.step_deltas" in message


def test_levels_must_fit_the_profile(src):
    packages.edit(src, FLAVOUR, "          max_number_of_instances: 3\n",
                  "          max_number_of_instances: 2\n")
    message = _fails(src, errors.InvalidVnfd)
    assert "node_templates.VDU1.properties.vdu_profile" in message
    assert "3 pods" in message


def test_instantiation_level_count_must_match_scale_level(src):
    packages.edit(src, FLAVOUR, "            instantiation_level_2:\n"
                  "              number_of_instances: 2\n",
                  "            instantiation_level_2:\n"
                  "              number_of_instances: 3\n")
    message = _fails(src, errors.InvalidVnfd)
    assert ("vdu1_instantiation_levels.properties.levels."
            "instantiation_level_2.number_of_instances") in message


def test_unknown_aspect_in_deltas_policy(src):
    packages.edit(src, FLAVOUR, "          aspect: vdu5_aspect",
                  "          aspect: typo_aspect")
    message = _fails(src, errors.InvalidVnfd)
    assert "vdu5_scaling_aspect_deltas.properties.aspect" in message


def test_target_that_is_no_vdu(src):
    packages.edit(src, FLAVOUR, "        targets: [ VDU5 ]",
                  "        targets: [ VNF ]")
    assert "'VNF' is not a VDU" in _fails(src, errors.InvalidVnfd)


def test_missing_flavour_id(src):
    packages.edit(src, FLAVOUR, "      flavour_id: simple\n", "")
    assert "substitution_mappings.properties.flavour_id" in _fails(
        src, errors.InvalidVnfd)


def test_missing_descriptor_id(src):
    packages.edit(src, packages.TOP, "        descriptor_id: 7f3d3b0e-6a55-"
                  "4b7c-9f0e-5d7c2a1e9b01\n", "")
    packages.edit(src, packages.TYPES, "        default: 7f3d3b0e-6a55-4b7c-"
                  "9f0e-5d7c2a1e9b01\n", "")
    packages.edit(src, packages.TYPES, "[ valid_values: [ 7f3d3b0e-6a55-"
                  "4b7c-9f0e-5d7c2a1e9b01 ] ]", "[]")
    message = _fails(src, errors.InvalidVnfd)
    assert packages.TYPES in message and "descriptor_id" in message


# --- the cache


def test_cache_parses_once_and_invalidates(unpacked, monkeypatch):
    path = unpacked["sample_cnf"]
    calls = []
    real = vnfd.load_vnfd
    monkeypatch.setattr(vnfd, "load_vnfd",
                        lambda p: calls.append(p) or real(p))
    first = vnfd.get_vnfd(path)
    assert vnfd.get_vnfd(path) is first
    assert len(calls) == 1
    vnfd.invalidate(path)
    assert vnfd.get_vnfd(path) is not first
    assert len(calls) == 2


def test_cache_notices_a_replaced_directory(unpacked, sample_zips, tmp_path):
    path = unpacked["sample_cnf"]
    first = vnfd.get_vnfd(path)
    os.rename(path, str(tmp_path / "old"))
    time.sleep(0.01)
    csar.extract_csar(sample_zips["sample_cnf_multi"], path)
    second = vnfd.get_vnfd(path)
    assert second.vnfd_id != first.vnfd_id
