import contextlib
import os
import uuid

import pytest
import sqlalchemy as sa

from tacker.common import exceptions
from tacker.db import api as db_api
from tacker.db.models import v1 as models
from tacker.tests import factories
from tacker.tests.unit.vnfpkgm import packages
from tacker.vnfpkgm import errors
from tacker.vnfpkgm import store as store_mod
from tacker.vnfpkgm import vnfd

K8S = "Files/kubernetes/vdu1-deployment.yaml"


@pytest.fixture
def store(tmp_path):
    return store_mod.PackageStore(str(tmp_path / "csars"))


def _new_row(state="CREATED"):
    return factories.created_package(tenant_id="tenant",
                                     onboarding_state=state)


def _rows(package_id):
    with db_api.reader_session() as session:
        package = session.get(models.VnfPackage, package_id)
        vnfds = session.execute(sa.select(models.VnfPackageVnfd).where(
            models.VnfPackageVnfd.package_uuid == package_id)).scalars().all()
        return ((package.onboarding_state, package.deleted)
                if package else None,
                [(v.vnfd_id, v.deleted) for v in vnfds])


def _files(store):
    if not os.path.isdir(store.csar_path):
        return []
    return sorted(os.listdir(store.csar_path))


def test_onboard_sample(db, store, sample_cnf_zip):
    package_id = _new_row()
    result = store.onboard(package_id, sample_cnf_zip)
    assert result.path == os.path.join(store.csar_path, package_id)
    assert result.size == len(sample_cnf_zip)
    assert result.algorithm == "sha512" and len(result.hash) == 128
    assert result.vnfd.package_dir == result.path
    assert _files(store) == [package_id]
    assert os.path.isfile(os.path.join(result.path, K8S))
    with db_api.reader_session() as session:
        row = session.get(models.VnfPackage, package_id)
        assert (row.onboarding_state, row.operational_state,
                row.usage_state) == ("ONBOARDED", "ENABLED", "NOT_IN_USE")
        assert (row.algorithm, row.hash, row.size) == (
            "sha512", result.hash, len(sample_cnf_zip))
        vnfd_row = session.execute(sa.select(models.VnfPackageVnfd).where(
            models.VnfPackageVnfd.package_uuid == package_id)).scalar_one()
        assert (vnfd_row.vnfd_id, vnfd_row.vnf_provider,
                vnfd_row.vnf_product_name, vnfd_row.vnf_software_version,
                vnfd_row.vnfd_version, vnfd_row.deleted) == (
            "7f3d3b0e-6a55-4b7c-9f0e-5d7c2a1e9b01", "Company", "Sample CNF",
            "1.0", "1.0", "0")
    facts = store.get_vnfd(package_id).flavour("simple").vdu_scaling("VDU1")
    assert (facts.aspect_id, facts.step_deltas) == ("vdu1_aspect", (1, 1))


def test_onboard_multi_from_path_creating_the_row(sqlite_db, store,
                                                  sample_zips):
    package_id = str(uuid.uuid4())
    result = store.onboard(package_id, sample_zips["sample_cnf_multi"],
                           tenant_id="tenant")
    assert result.vnfd.flavour("simple").vdu_scaling("VDU2").step_deltas == (
        1, 2)
    assert _rows(package_id) == (
        ("ONBOARDED", False), [("2c9a6a4e-1f0b-4d8e-a7c3-8e1b5f4d6a02", "0")])


def test_onboard_unknown_package_without_tenant(sqlite_db, store,
                                                sample_cnf_zip):
    package_id = str(uuid.uuid4())
    with pytest.raises(exceptions.PackageNotFound):
        store.onboard(package_id, sample_cnf_zip)
    assert _rows(package_id) == (None, [])
    assert _files(store) == []


def test_package_id_must_be_a_plain_name(sqlite_db, store, sample_cnf_zip):
    with pytest.raises(errors.InvalidPackage):
        store.onboard("../escape", sample_cnf_zip, tenant_id="t")
    assert _files(store) == []


# --- every malformed package: a clear error, and nothing left behind


def _edited(tmp_path, rel, old, new, sample=packages.SAMPLE_CNF):
    src = packages.copy_sample(tmp_path, sample)
    packages.edit(src, rel, old, new)
    return packages.zip_of(src)


MULTI_FLAVOUR = "Definitions/sample_cnf_multi_df_simple.yaml"
BROKEN = {
    "bad zip": (
        lambda z, t: b"PK\x03\x04 definitely not a zip",
        errors.InvalidZip, "zip"),
    "missing TOSCA.meta": (
        lambda z, t: packages.rezip(z, drop={packages.META}),
        errors.ToscaMetaMissing, "TOSCA-Metadata/TOSCA.meta"),
    "hash mismatch": (
        lambda z, t: packages.rezip(z, replace={K8S: b"kind: Pod\n"}),
        errors.ArtifactHashMismatch, K8S),
    "missing listed file": (
        lambda z, t: packages.rezip(z, drop={K8S}),
        errors.ArtifactMissing, K8S),
    "zip-slip": (
        lambda z, t: packages.rezip(z, raw_names={"../../evil": b"x"}),
        errors.UnsafeZipEntry, "../../evil"),
    "broken YAML": (
        lambda z, t: _edited(t, packages.FLAVOUR, "name: vdu1",
                             "name: {vdu1"),
        errors.VnfdYamlError, packages.FLAVOUR),
    "import leaving the package": (
        lambda z, t: _edited(t, packages.TYPES,
                             "  - etsi_nfv_sol001_vnfd_types.yaml",
                             "  - ../../../../etc/hosts"),
        errors.ImportOutsidePackage, "../../../../etc/hosts"),
    "URL import": (
        lambda z, t: _edited(t, packages.TOP,
                             "  - sample_cnf_types.yaml",
                             "  - http://example.com/types.yaml"),
        errors.RemoteImportRejected, "http://example.com/types.yaml"),
    "missing policy": (
        lambda z, t: _edited(t, packages.FLAVOUR,
                             "          aspect: vdu5_aspect\n",
                             "          aspect: vdu1_aspect\n"),
        errors.ScalingPolicyMissing, "vdu5_aspect"),
    "missing delta": (
        lambda z, t: _edited(t, MULTI_FLAVOUR, "                - delta_1\n"
                             "                - delta_2\n",
                             "                - delta_1\n"
                             "                - delta_7\n",
                             sample=packages.SAMPLE_MULTI),
        errors.StepDeltaNotFound, "delta_7"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_package_leaves_nothing(sqlite_db, store, sample_cnf_zip,
                                       tmp_path, case):
    make, error, named = BROKEN[case]
    data = make(sample_cnf_zip, tmp_path)
    package_id = _new_row()
    with pytest.raises(error) as exc:
        store.onboard(package_id, data)
    assert named in str(exc.value)
    assert _rows(package_id) == (("CREATED", False), [])
    assert _files(store) == []


def test_broken_package_creates_no_row(sqlite_db, store, sample_cnf_zip):
    package_id = str(uuid.uuid4())
    data = packages.rezip(sample_cnf_zip, drop={K8S})
    with pytest.raises(errors.ArtifactMissing):
        store.onboard(package_id, data, tenant_id="tenant")
    assert _rows(package_id) == (None, [])
    assert _files(store) == []


def test_database_error_leaves_no_files(db, store, sample_cnf_zip):
    package_id = _new_row()
    with db_api.writer_session() as session:  # a clashing live vnfd row
        session.add(models.VnfPackageVnfd(
            id=str(uuid.uuid4()), package_uuid=package_id, vnfd_id="x",
            vnf_provider="x", vnf_product_name="x",
            vnf_software_version="x", vnfd_version="x", deleted="0"))
    with pytest.raises(Exception):
        store.onboard(package_id, sample_cnf_zip)
    assert _rows(package_id) == (("CREATED", False), [("x", "0")])
    assert _files(store) == []


def test_failed_commit_removes_the_renamed_directory(
        sqlite_db, store, sample_cnf_zip, monkeypatch):
    real = db_api.writer_session

    @contextlib.contextmanager
    def failing_commit():
        with real() as session:
            yield session
            assert os.path.isdir(os.path.join(store.csar_path, package_id))
            raise RuntimeError("connection lost at commit")

    package_id = _new_row()
    monkeypatch.setattr(db_api, "writer_session", failing_commit)
    with pytest.raises(RuntimeError):
        store.onboard(package_id, sample_cnf_zip)
    monkeypatch.undo()
    assert _rows(package_id) == (("CREATED", False), [])
    assert _files(store) == []


def test_onboarding_twice_is_a_conflict(sqlite_db, store, sample_cnf_zip):
    package_id = _new_row()
    store.onboard(package_id, sample_cnf_zip)
    with pytest.raises(exceptions.PackageStateConflict) as exc:
        store.onboard(package_id, sample_cnf_zip)
    assert exc.value.code == 409
    assert _files(store) == [package_id]
    assert len(_rows(package_id)[1]) == 1


def test_stale_target_from_a_crash_is_replaced(sqlite_db, store,
                                               sample_cnf_zip):
    package_id = _new_row()
    os.makedirs(os.path.join(store.csar_path, package_id, "junk"))
    store.onboard(package_id, sample_cnf_zip)
    assert not os.path.exists(os.path.join(store.csar_path, package_id,
                                           "junk"))


def test_cleanup_orphans(sqlite_db, store, sample_cnf_zip):
    kept = _new_row()
    store.onboard(kept, sample_cnf_zip)
    no_row = str(uuid.uuid4())
    not_onboarded = _new_row()
    lost = _new_row("ONBOARDED")
    for name in (no_row, not_onboarded, ".onboarding-%s-abc" % no_row,
                 ".deleting-%s-abc" % kept, "lost+found"):
        os.makedirs(os.path.join(store.csar_path, name, "Definitions"))
    open(os.path.join(store.csar_path, "notes.txt"), "w").close()

    assert store.cleanup_orphans().removed == ()  # all younger than grace
    report = store.cleanup_orphans(grace_seconds=0)
    assert sorted(os.path.basename(p) for p in report.removed) == sorted([
        no_row, not_onboarded, ".onboarding-%s-abc" % no_row,
        ".deleting-%s-abc" % kept])
    assert report.missing == (lost,)
    assert _files(store) == sorted([kept, "lost+found", "notes.txt"])


def test_delete(sqlite_db, store, sample_cnf_zip):
    package_id = _new_row()
    store.onboard(package_id, sample_cnf_zip)
    path = os.path.join(store.csar_path, package_id)
    first = store.get_vnfd(package_id)
    store.delete(package_id)
    assert _files(store) == []
    (state, deleted), vnfds = _rows(package_id)
    assert deleted is True
    assert vnfds[0][1] != "0"
    assert vnfd.CACHE._key(path) not in vnfd.CACHE._entries
    with pytest.raises(exceptions.PackageNotFound):
        store.get_vnfd(package_id)
    with pytest.raises(exceptions.PackageNotFound):
        store.delete(package_id)
    assert first.vnfd_id


def test_delete_in_use_is_refused(sqlite_db, store, sample_cnf_zip):
    package_id = _new_row()
    store.onboard(package_id, sample_cnf_zip)
    with db_api.writer_session() as session:
        session.get(models.VnfPackage, package_id).usage_state = "IN_USE"
    with pytest.raises(exceptions.PackageStateConflict):
        store.delete(package_id)
    assert _files(store) == [package_id]
