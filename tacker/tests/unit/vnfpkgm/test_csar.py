import hashlib
import os
import zipfile

import pytest

from tacker.tests.unit.vnfpkgm import packages
from tacker.vnfpkgm import csar
from tacker.vnfpkgm import errors

K8S = "Files/kubernetes/vdu1-deployment.yaml"


def test_sample_passes_every_check(sample_cnf_zip):
    with csar.open_csar(sample_cnf_zip) as pkg:
        assert pkg.meta.entry_definitions == packages.TOP
        assert len(pkg.meta.artifacts) == 5
        assert pkg.meta.kubernetes_files[0] == K8S
        assert packages.META in pkg.names
        assert pkg.unpacked_size > 0


def test_open_from_path(sample_zips):
    with csar.open_csar(sample_zips["sample_cnf_multi"]) as pkg:
        assert pkg.meta.entry_definitions.endswith("multi_top.vnfd.yaml")


def test_extract_writes_every_file(sample_cnf_zip, tmp_path):
    dest = tmp_path / "pkg"
    meta = csar.extract_csar(sample_cnf_zip, str(dest))
    assert (dest / packages.TOP).is_file()
    data = (dest / K8S).read_bytes()
    artifact = next(a for a in meta.artifacts if a.path == K8S)
    assert hashlib.sha256(data).hexdigest() == artifact.hash


def test_extract_never_overwrites(sample_cnf_zip, tmp_path):
    dest = tmp_path / "pkg"
    (dest / "Files" / "kubernetes").mkdir(parents=True)
    (dest / K8S).write_text("mine")
    with pytest.raises(FileExistsError):
        csar.extract_csar(sample_cnf_zip, str(dest))
    assert (dest / K8S).read_text() == "mine"


def test_not_a_zip():
    with pytest.raises(errors.InvalidZip) as exc:
        csar.open_csar(b"this is no zip at all")
    assert exc.value.code == 400
    assert "not a readable zip" in str(exc.value)


def test_truncated_zip(sample_cnf_zip):
    with pytest.raises(errors.InvalidZip):
        csar.open_csar(sample_cnf_zip[:len(sample_cnf_zip) // 2])


@pytest.mark.parametrize("name,reason", [
    ("../evil.yaml", "'..' component"),
    ("Files/../../evil.yaml", "'..' component"),
    ("/etc/evil.yaml", "absolute path"),
    ("C:/evil.yaml", "absolute path"),
    ("Files\\..\\evil.yaml", "backslash"),
])
def test_zip_slip_is_rejected(sample_cnf_zip, name, reason):
    data = packages.rezip(sample_cnf_zip, raw_names={name: b"x"})
    with pytest.raises(errors.UnsafeZipEntry) as exc:
        csar.open_csar(data)
    assert name in str(exc.value)
    assert reason in str(exc.value)


def test_symlink_entry_is_rejected(sample_cnf_zip):
    info = zipfile.ZipInfo("Files/link")
    info.external_attr = (0o120777 << 16)
    data = packages.rezip(sample_cnf_zip, add={info: b"/etc/passwd"})
    with pytest.raises(errors.UnsafeZipEntry) as exc:
        csar.open_csar(data)
    assert "Files/link" in str(exc.value)
    assert "symbolic link" in str(exc.value)


def test_duplicate_entry_is_rejected(sample_cnf_zip):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicates
        data = packages.rezip(sample_cnf_zip, add={K8S: b"other"})
    with pytest.raises(errors.InvalidZip) as exc:
        csar.open_csar(data)
    assert K8S in str(exc.value)


def test_missing_tosca_meta(sample_cnf_zip):
    data = packages.rezip(sample_cnf_zip, drop={packages.META})
    with pytest.raises(errors.ToscaMetaMissing) as exc:
        csar.open_csar(data)
    assert "TOSCA-Metadata/TOSCA.meta" in str(exc.value)


def _with_meta(data, text):
    return packages.rezip(data, replace={packages.META: text.encode()})


def _meta(data):
    return packages.read_member(data, packages.META).decode()


def test_tosca_meta_without_entry_definitions(sample_cnf_zip):
    text = _meta(sample_cnf_zip).replace(
        "Entry-Definitions: " + packages.TOP + "\n", "")
    with pytest.raises(errors.InvalidToscaMeta) as exc:
        csar.open_csar(_with_meta(sample_cnf_zip, text))
    assert "TOSCA.meta" in str(exc.value)
    assert "Entry-Definitions" in str(exc.value)


def test_entry_definitions_names_missing_file(sample_cnf_zip):
    data = packages.rezip(sample_cnf_zip, drop={packages.TOP})
    with pytest.raises(errors.EntryDefinitionsMissing) as exc:
        csar.open_csar(data)
    assert packages.TOP in str(exc.value)


@pytest.mark.parametrize("entry", ["../top.yaml", "/top.yaml",
                                   "http://example.com/top.yaml"])
def test_entry_definitions_outside_package(sample_cnf_zip, entry):
    text = _meta(sample_cnf_zip).replace(packages.TOP, entry)
    with pytest.raises(errors.InvalidToscaMeta) as exc:
        csar.open_csar(_with_meta(sample_cnf_zip, text))
    assert entry in str(exc.value)


def test_hash_mismatch_names_file_and_hashes(sample_cnf_zip):
    tampered = b"kind: Deployment  # tampered\n"
    data = packages.rezip(sample_cnf_zip, replace={K8S: tampered})
    expected = next(a.hash for a in csar.parse_tosca_meta(
        _meta(sample_cnf_zip)).artifacts if a.path == K8S)
    with pytest.raises(errors.ArtifactHashMismatch) as exc:
        csar.open_csar(data)
    message = str(exc.value)
    assert K8S in message
    assert expected in message
    assert hashlib.sha256(tampered).hexdigest() in message


def test_listed_artifact_missing(sample_cnf_zip):
    data = packages.rezip(sample_cnf_zip, drop={K8S})
    with pytest.raises(errors.ArtifactMissing) as exc:
        csar.open_csar(data)
    assert K8S in str(exc.value)
    assert "TOSCA.meta" in str(exc.value)


def test_unsupported_algorithm(sample_cnf_zip):
    text = _meta(sample_cnf_zip).replace("Algorithm: SHA-256",
                                         "Algorithm: MD5", 1)
    with pytest.raises(errors.UnsupportedHashAlgorithm) as exc:
        csar.open_csar(_with_meta(sample_cnf_zip, text))
    assert "MD5" in str(exc.value)
    assert K8S in str(exc.value)


def test_artifact_without_hash(sample_cnf_zip):
    lines = [ln for ln in _meta(sample_cnf_zip).splitlines()
             if not ln.startswith("Hash:")]
    with pytest.raises(errors.InvalidToscaMeta) as exc:
        csar.open_csar(_with_meta(sample_cnf_zip, "\n".join(lines)))
    assert "has no Hash" in str(exc.value)


def test_malformed_meta_line_names_line(sample_cnf_zip):
    text = _meta(sample_cnf_zip).replace("CSAR-Version: 1.1",
                                         "this line has no colon")
    with pytest.raises(errors.InvalidToscaMeta) as exc:
        csar.open_csar(_with_meta(sample_cnf_zip, text))
    assert "line 2" in str(exc.value)


def test_url_artifact_is_rejected(sample_cnf_zip):
    text = _meta(sample_cnf_zip) + (
        "\nSource: https://example.com/chart.tgz\nAlgorithm: SHA-256\n"
        "Hash: 00\n")
    with pytest.raises(errors.InvalidToscaMeta) as exc:
        csar.open_csar(_with_meta(sample_cnf_zip, text))
    assert "https://example.com/chart.tgz" in str(exc.value)


def test_name_blocks_and_sha512_are_understood(sample_cnf_zip):
    body = packages.read_member(sample_cnf_zip, K8S)
    text = ("TOSCA-Meta-File-Version: 1.0\r\nEntry-Definitions: %s\r\n\r\n"
            "Name: %s\r\nContent-Type: application/yaml\r\n"
            "Algorithm: sha-512\r\nHash: %s\r\n" % (
                packages.TOP, K8S, hashlib.sha512(body).hexdigest().upper()))
    with csar.open_csar(_with_meta(sample_cnf_zip, text)) as pkg:
        assert pkg.meta.kubernetes_files == (K8S,)
        assert pkg.meta.artifacts[0].algorithm == "SHA-512"


def test_size_limit(sample_cnf_zip):
    with pytest.raises(errors.PackageTooLarge):
        csar.open_csar(sample_cnf_zip, max_size=1000)


def test_read_tosca_meta_from_directory(sample_cnf_zip, tmp_path):
    csar.extract_csar(sample_cnf_zip, str(tmp_path / "p"))
    meta = csar.read_tosca_meta(str(tmp_path / "p"))
    assert meta.entry_definitions == packages.TOP
    os.remove(tmp_path / "p" / packages.META)
    with pytest.raises(errors.ToscaMetaMissing):
        csar.read_tosca_meta(str(tmp_path / "p"))


def _as_source_blocks(text):
    return text.replace("\nName: ", "\nSource: ")


def test_old_source_blocks_read_like_name_blocks(sample_cnf_zip):
    # Packages onboarded before the builder wrote SOL004's Name: keep
    # opening, with the same artifacts.
    text = _meta(sample_cnf_zip)
    assert "\nSource: " not in text
    with csar.open_csar(_with_meta(sample_cnf_zip,
                                   _as_source_blocks(text))) as old, \
            csar.open_csar(sample_cnf_zip) as new:
        assert old.meta.artifacts == new.meta.artifacts


@pytest.mark.parametrize("block,path", [
    ("Name: %s\nSource: Files/other.yaml" % K8S, K8S),
    ("Source: Files/other.yaml\nName: %s" % K8S, K8S),
], ids=["name-first", "source-first"])
def test_name_wins_over_source_as_in_tacker(block, path):
    text = "Entry-Definitions: %s\n\n%s\nAlgorithm: SHA-256\nHash: ab\n" % (
        packages.TOP, block)
    assert csar.parse_tosca_meta(text).artifacts[0].path == path


@pytest.mark.parametrize("block", [
    "Algorithm: SHA-256\nHash: ab",
    "Content-Type: application/yaml\nHash: ab",
], ids=["algorithm-and-hash", "hash-only"])
def test_artifact_block_without_name_is_rejected(block):
    text = "Entry-Definitions: %s\n\n%s\n" % (packages.TOP, block)
    with pytest.raises(errors.InvalidToscaMeta) as exc:
        csar.parse_tosca_meta(text)
    assert "has no Name" in str(exc.value)


@pytest.mark.parametrize("algorithm,digest", [
    ("SHA-224", hashlib.sha224), ("sha-384", hashlib.sha384),
])
def test_every_tacker_hash_algorithm_is_verified(sample_cnf_zip, algorithm,
                                                 digest):
    body = packages.read_member(sample_cnf_zip, K8S)
    text = ("Entry-Definitions: %s\n\nName: %s\nAlgorithm: %s\nHash: %s\n"
            % (packages.TOP, K8S, algorithm, digest(body).hexdigest()))
    with csar.open_csar(_with_meta(sample_cnf_zip, text)) as pkg:
        assert pkg.meta.artifacts[0].algorithm == algorithm.upper()
    tampered = packages.rezip(_with_meta(sample_cnf_zip, text),
                              replace={K8S: body + b"\n"})
    with pytest.raises(errors.ArtifactHashMismatch):
        csar.open_csar(tampered)
