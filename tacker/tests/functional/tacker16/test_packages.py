"""Tacker 16 accepts the packages we build, end to end.

Every sample ``tacker.vnfpkgm.build`` makes (the packages the sandbox,
the tests and the benchmarks onboard) goes through Tacker 16's own code
(``peer.py check-package``, one subprocess for all of them):

1. its v1 onboarding, ``csar_utils.load_csar_data`` (extraction, TOSCA
   parsing, artifact hashes), accepts it with the VNFD id, flavours and
   artifacts our parser reads;
2. its v2 ``Vnfd`` lists the same manifests (``get_vnf_artifact_files``);
3. for every flavour, its v2 Kubernetes driver accepts the files our LCM
   passes as ``lcm-kubernetes-def-files`` (no ``CnfDefinitionNotFound``)
   and maps each VDU to the manifest object ours maps it to.

A package in the old ``Source:`` form is checked as well, pinning why the
builder writes ``Name:``: Tacker's v1 onboarding takes it, its v2 driver
lists no manifest in it.
"""

import io
import zipfile

import pytest

from tacker.vnfm.infra_drivers.kubernetes import manifests
from tacker.vnfpkgm import build
from tacker.vnfpkgm import csar
from tacker.vnfpkgm import vnfd as vnfd_mod

OLD_FORM = 'old-source-form'


def _source_form(zip_path, out_path):
    """A copy of a built zip whose artifact blocks say Source:, not Name:."""
    with zipfile.ZipFile(zip_path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == csar.TOSCA_META:
                data = data.replace(b'\nName: ', b'\nSource: ')
            dst.writestr(info, data)
    out_path.write_bytes(buffer.getvalue())
    return out_path


def _ours(zip_path, package_dir):
    """What our parser and LCM make of a package."""
    meta = csar.extract_csar(str(zip_path), str(package_dir))
    vnfd = vnfd_mod.load_vnfd(str(package_dir))
    flavours = {}
    for flavour_id, flavour in vnfd.flavours.items():
        files = flavour.kubernetes_files
        targets = manifests.vdu_targets(
            flavour, manifests.load(str(package_dir), files), files)
        flavours[flavour_id] = {
            'files': list(files),
            'vdus': {vdu: [t.kind, t.name] for vdu, t in targets.items()}}
    return {'vnfd_id': vnfd.vnfd_id, 'artifacts': meta.artifacts,
            'flavours': flavours}


@pytest.fixture(scope='module')
def checked(tacker16, tmp_path_factory):
    """(ours, Tacker's) per package name; Tacker called once."""
    tmp = tmp_path_factory.mktemp('packages')
    zips = {d.name: tmp / (d.name + '.zip') for d in build.sample_dirs()}
    assert zips, 'no sample package under %s' % build.SAMPLES_DIR
    for name, path in zips.items():
        build.build_csar(build.SAMPLES_DIR / name, path)
    zips[OLD_FORM] = _source_form(zips['sample_cnf'], tmp / 'old.zip')
    ours = {name: _ours(path, tmp / ('unpacked-' + name))
            for name, path in zips.items()}
    theirs = tacker16.check_packages([
        {'zip': str(path),
         'flavours': {fid: f['files']
                      for fid, f in ours[name]['flavours'].items()}}
        for name, path in zips.items()])
    return {name: (ours[name], theirs[str(path)])
            for name, path in zips.items()}


SAMPLES = [d.name for d in build.sample_dirs()]


def test_every_sample_is_checked():
    # The samples the sandbox and the tests onboard, one flavour each
    # today; a new sample is picked up here by build.sample_dirs().
    assert {'sample_cnf', 'sample_cnf_multi'} <= set(SAMPLES)


@pytest.mark.parametrize('name', SAMPLES)
def test_tacker_v1_onboards_the_package(checked, name):
    ours, theirs = checked[name]
    assert 'error' not in theirs['v1'], theirs['v1']
    assert theirs['v1']['vnfd_id'] == ours['vnfd_id']
    assert theirs['v1']['flavours'] == sorted(ours['flavours'])
    assert theirs['v1']['artifacts'] == sorted(
        a.path for a in ours['artifacts'])


@pytest.mark.parametrize('name', SAMPLES)
def test_tacker_v2_lists_the_manifests(checked, name):
    ours, theirs = checked[name]
    assert 'error' not in theirs['v2'], theirs['v2']
    assert theirs['v2']['artifact_files'] == sorted(
        a.path for a in ours['artifacts'])


@pytest.mark.parametrize('name', SAMPLES)
def test_tacker_v2_driver_deploys_every_flavour(checked, name):
    ours, theirs = checked[name]
    for flavour_id, flavour in ours['flavours'].items():
        found = theirs['v2']['flavours'][flavour_id]
        assert 'error' not in found, (flavour_id, found)
        assert found['vdus'] == flavour['vdus'], flavour_id
        # Tacker's driver reaches every VDU node of the flavour.
        assert sorted(found['vdus']) == found['vdu_nodes'], flavour_id


def test_source_form_is_v1_only(checked):
    ours, theirs = checked[OLD_FORM]
    # Our parser reads it as before ...
    assert [a.path for a in ours['artifacts']] == [
        a.path for a in checked['sample_cnf'][0]['artifacts']]
    # ... and so does Tacker's v1 onboarding, but its v2 driver finds no
    # manifest in it.
    assert theirs['v1']['artifacts'] == checked['sample_cnf'][1]['v1'][
        'artifacts']
    assert theirs['v2']['artifact_files'] == []
    assert theirs['v2']['flavours']['simple']['error'].startswith(
        'CnfDefinitionNotFound')
