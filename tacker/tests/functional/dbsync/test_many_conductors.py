"""Several conductors share the instances: each synchronized once."""

from tacker.common import coordination
from tacker.dbsync import engine as engine_mod
from tacker.vnfm.infra_drivers.kubernetes import outcome


def test_two_conductors_split_the_work_and_write_each_instance_once(
        sqlite_world, sync_conf, tmp_path):
    url = 'file://%s' % (tmp_path / 'group')
    instances = [sqlite_world.deploy('v2', namespace='shared',
                                     vdus=['VDU1'],
                                     names={'VDU1': 'web%d' % i})
                 for i in range(8)]
    for i in range(8):
        sqlite_world.sim.scale('Deployment', 'shared', 'web%d' % i, 2)
    sqlite_world.sim.wait_settled()

    engines = [engine_mod.SyncEngine(
        partition=coordination.SyncPartition(url, name))
        for name in ('conductor-a', 'conductor-b')]
    try:
        results = [e.run_pass() for e in engines]
    finally:
        for e in engines:
            e.partition.leave()
            e.close()
    checked = [{o.instance_id for o in r.outcomes} for r in results]
    # Which conductor gets which instance is the hash ring's business
    # (the split itself is tested on 200 ids in test_coordination);
    # here: none checked twice, none left out.
    assert not checked[0] & checked[1]
    assert checked[0] | checked[1] == {i.id for i in instances}
    assert all(o.status == outcome.CHANGED
               for r in results for o in r.outcomes)
    assert results[0].not_owned == len(checked[1])
    assert all(i.stored()[1] == {'vdu1_aspect': 1} for i in instances)
