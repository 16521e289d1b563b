"""deployment.build: names Kubernetes would refuse are 400 at build."""

import shutil

import pytest

from tacker.common import exceptions
from tacker.vnfm.infra_drivers.kubernetes import deployment
from tacker.vnfpkgm import build as package_build
from tacker.vnfpkgm import vnfd as vnfd_mod

FILE = 'Files/kubernetes/vdu1-deployment.yaml'


@pytest.fixture
def package_dir(tmp_path):
    target = tmp_path / 'pkg'
    shutil.copytree(package_build.SAMPLES_DIR / 'sample_cnf', target)
    return target


def _build(package_dir):
    flavour = vnfd_mod.get_vnfd(str(package_dir)).flavour('simple')
    return deployment.build(instance_id='i-1', package_dir=str(package_dir),
                            flavour=flavour, files=(FILE,),
                            namespace='default', vim=None)


def test_a_valid_manifest_builds(package_dir):
    assert set(_build(package_dir).targets) == {'VDU1'}


@pytest.mark.parametrize('name', ['VDU1', 'vdu_1', 'vdu1/..', 'vdu1.'])
def test_an_object_name_kubernetes_refuses_is_400_naming_file(package_dir,
                                                              name):
    path = package_dir / FILE
    path.write_text(path.read_text().replace('name: vdu1',
                                             'name: %s' % name, 1))
    with pytest.raises(exceptions.Invalid) as caught:
        _build(package_dir)
    assert FILE in caught.value.message
    assert 'metadata.name' in caught.value.message


@pytest.mark.parametrize('namespace', ['Bad_NS!/..', 'a' * 64, ''])
def test_namespace_of_checks_kubernetes_rule(namespace):
    if namespace == '':
        assert deployment.namespace_of({'namespace': ''}) == 'default'
        return
    with pytest.raises(exceptions.Invalid) as caught:
        deployment.namespace_of({'namespace': namespace})
    assert 'additionalParams.namespace' in caught.value.message
