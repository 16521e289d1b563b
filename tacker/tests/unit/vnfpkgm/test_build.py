import hashlib
import io
import zipfile

from tacker.tests.unit.vnfpkgm import packages
from tacker.vnfpkgm import build
from tacker.vnfpkgm import csar


def test_build_is_reproducible_and_hashes_are_current(tmp_path):
    first = build.build_csar_bytes(packages.SAMPLE_CNF)
    assert build.build_csar_bytes(packages.SAMPLE_CNF) == first
    meta = csar.parse_tosca_meta(
        packages.read_member(first, packages.META).decode())
    assert [a.path for a in meta.artifacts] == [
        "Files/kubernetes/%s.yaml" % n for n in (
            "vdu1-deployment", "vdu2-statefulset", "vdu3-daemonset",
            "vdu4-pod", "vdu5-replicaset")]
    for artifact in meta.artifacts:
        body = (packages.SAMPLE_CNF / artifact.path).read_bytes()
        assert artifact.hash == hashlib.sha256(body).hexdigest()
        assert artifact.algorithm == "SHA-256"


def test_build_writes_sol004_name_blocks():
    # Tacker's v2 driver lists a package's manifests by these Name lines.
    text = packages.read_member(build.build_csar_bytes(packages.SAMPLE_CNF),
                                packages.META).decode()
    blocks = text.strip().split("\n\n")
    pod = "Files/kubernetes/vdu4-pod.yaml"
    body = (packages.SAMPLE_CNF / pod).read_bytes()
    assert ("Name: %s\n"
            "Content-Type: application/yaml\n"
            "Algorithm: SHA-256\n"
            "Hash: %s" % (pod, hashlib.sha256(body).hexdigest())) in blocks
    assert len(blocks) == 6
    assert "Source:" not in text


def test_build_replaces_stale_artifact_blocks(tmp_path):
    src = packages.copy_sample(tmp_path)
    meta = src / packages.META
    meta.write_text(meta.read_text() + "\nSource: Files/kubernetes/"
                    "vdu1-deployment.yaml\nAlgorithm: SHA-256\nHash: 00\n"
                    "\nName: Files/kubernetes/vdu2-statefulset.yaml\n"
                    "Algorithm: SHA-256\nHash: 00\n")
    packages.edit(src, "Files/kubernetes/vdu1-deployment.yaml",
                  "replicas: 1", "replicas: 2")
    with csar.open_csar(build.build_csar_bytes(src)) as pkg:
        assert len(pkg.meta.artifacts) == 5


def test_build_skips_hidden_files(tmp_path):
    src = packages.copy_sample(tmp_path)
    (src / "Files" / ".notes.swp").write_text("x")
    with zipfile.ZipFile(io.BytesIO(build.build_csar_bytes(src))) as zf:
        assert not [n for n in zf.namelist() if "/." in n]


def test_cli_single_and_all(tmp_path, capsys):
    out = tmp_path / "one.zip"
    assert build.main([str(packages.SAMPLE_MULTI), str(out)]) == 0
    with csar.open_csar(str(out)) as pkg:
        assert len(pkg.meta.kubernetes_files) == 4
    assert build.main(["--all", str(tmp_path / "all")]) == 0
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == [
        "sample_cnf.zip", "sample_cnf_multi.zip", "sample_cnf_v2.zip"]
    assert "sample_cnf.zip" in capsys.readouterr().out
