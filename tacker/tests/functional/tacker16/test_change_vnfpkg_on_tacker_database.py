"""Our change_vnfpkg on a database Tacker 16 built, read back by Tacker 16.

Tacker 16's own migrations (its models on SQLite) build the schema; our
LCM instantiates the sample CNF on the simulator and moves it to
``sample_cnf_v2`` by a rolling update; then Tacker 16's
``VnfInstanceV2`` and ``VnfLcmOpOccV2`` objects and view builders load
the instance and the op occ.  What they show is what an operator of
that Tacker would see after our change_vnfpkg.
"""

import pytest

from tacker.db.instances import v2 as v2_instances
from tacker.db import packages
from tacker.tests import factories
from tacker.tests.functional.api.conftest import fapi_conf  # noqa: F401
from tacker.tests.functional.vnflcm import helpers
from tacker_k8s_sim import simulator

pytestmark = pytest.mark.slow

NEW_IMAGE = 'nginx:1.27'


@pytest.fixture
def cluster():
    with simulator.Simulator(token=factories.TOKEN) as sim:
        yield sim


def test_tacker16_loads_the_record_after_change_vnfpkg(
        fapi_conf, tacker_db, tacker16, cluster):  # noqa: F811
    old = factories.onboarded_package()
    new = factories.onboarded_package(sample='sample_cnf_v2')
    inst = v2_instances.create(
        package=packages.find_for_vnfd(old.vnfd.vnfd_id), name='cnf',
        description=None, metadata=None)['id']
    helpers.assert_completed(helpers.run('v2', inst, 'INSTANTIATE', {
        'flavourId': 'simple',
        'vimConnectionInfo': factories.v2_vim_connection(cluster.url)}))
    params = {
        'vnfdId': new.vnfd.vnfd_id,
        'additionalParams': {
            'upgrade_type': 'RollingUpdate',
            'lcm-kubernetes-def-files': list(
                new.vnfd.flavour('simple').kubernetes_files),
            'vdu_params': [{'vdu_id': 'VDU1'}]},
        'vnfConfigurableProperties': {'isAutoscaleEnabled': False}}
    occ = helpers.assert_completed(helpers.run('v2', inst, 'CHANGE_VNFPKG',
                                               params))
    running = helpers.running_pods_by_vdu(cluster)

    seen = tacker16.read(tacker_db.url, v2=[inst])['v2'][inst]
    assert seen['load_ok'] == {'object': True, 'view': True}, seen
    for side in ('object', 'view'):
        assert seen[side]['instantiation_state'] == 'INSTANTIATED'
        assert seen[side]['pods_per_vdu'] == running
    view = seen['view']
    assert view['vnfd'] == {
        'vnfdId': new.vnfd.vnfd_id, 'vnfProvider': 'Company',
        'vnfProductName': 'Sample CNF', 'vnfSoftwareVersion': '2.0',
        'vnfdVersion': '2.0'}
    assert view['vnfConfigurableProperties'] == {'isAutoscaleEnabled': False}
    info = view['instantiatedVnfInfo']
    vdu1 = info['metadata']['vdu_reses']['VDU1']
    assert vdu1['spec']['template']['spec']['containers'][0]['image'] == \
        NEW_IMAGE
    assert info['metadata']['lcm-kubernetes-def-files'] == params[
        'additionalParams']['lcm-kubernetes-def-files']

    read = tacker16.run('read-op-occs', tacker_db.url, '--v2', occ.id)
    shown = read['v2'][occ.id]
    assert 'view' in shown, shown
    assert shown['state'] == 'COMPLETED'
    assert shown['view']['operation'] == 'CHANGE_VNFPKG'
    assert shown['view']['operationParams'] == params
