"""The synchronization around a change_vnfpkg (a rolling update).

While the CHANGE_VNFPKG op occ runs, the instance is skipped.  Once it
has ended, a pass that still sees the pods of two ReplicaSets (Tacker
16's conductor ends the operation when none of the old pod *names* is
left, so a pod the old ReplicaSet created during the rollout, to replace
a killed one, can outlive it) defers; once the rollout has settled, one
pass writes exactly the new ReplicaSet's pods, in one UPDATE.
"""

import pytest

from kubernetes import client

from tacker.tests import db_counts
from tacker.tests import factories
from tacker.vnfm.infra_drivers.kubernetes import outcome


def _status(result, inst):
    return {o.instance_id: o for o in result.outcomes}[inst.id].status


def _new_image(sim, inst, image):
    deployment = sim.get('deployments', inst.namespace, 'vdu1')
    template = deployment['spec']['template']
    template['spec']['containers'][0]['image'] = image
    client.AppsV1Api(sim.api_client()).patch_namespaced_deployment(
        'vdu1', inst.namespace, {'spec': {'template': template}})
    sim.step()


def _replica_sets_with_pods(sim, inst):
    owners = {p['metadata']['ownerReferences'][0]['name']
              for p in sim.pods(inst.namespace)
              if p['metadata'].get('ownerReferences')}
    return sorted(owners)


def _names(world, inst):
    return sorted(p['metadata']['name'] for p in world.pods_of(
        inst.namespace, 'Deployment', 'vdu1'))


@pytest.mark.parametrize('state', ['STARTING', 'PROCESSING'])
def test_change_vnfpkg_in_progress_skips(world, engine, state):
    inst = world.deploy('v2', vdus=['VDU1'], replicas={'VDU1': 2})
    factories.op_occ('v2', inst.id, state, operation='CHANGE_VNFPKG')
    before = inst.raw()
    world.sim.hold_pending(True)
    _new_image(world.sim, inst, 'nginx:1.27')
    with db_counts.InstanceUpdates(inst.id) as updates:
        assert _status(engine.run_pass(), inst) == outcome.SKIPPED
    assert updates.count == 0 and inst.raw() == before


def test_two_replica_sets_after_change_vnfpkg_defer_then_one_write(
        world, engine):
    sim = world.sim
    inst = world.deploy('v2', vdus=['VDU1'], replicas={'VDU1': 2})
    old_pods = _names(world, inst)
    factories.op_occ('v2', inst.id, 'COMPLETED', operation='CHANGE_VNFPKG')
    before = inst.raw()
    sim.hold_pending(True)
    _new_image(sim, inst, 'nginx:1.27')
    # Kubernetes heals an old pod in the middle of the rollout.
    sim.kill_pod(inst.namespace, old_pods[0])
    sim.step()
    assert len(_replica_sets_with_pods(sim, inst)) == 2
    with db_counts.InstanceUpdates(inst.id) as updates:
        assert _status(engine.run_pass(), inst) == outcome.DEFERRED
        assert updates.count == 0 and inst.raw() == before

        sim.hold_pending(False)
        sim.wait_settled(timeout=10)
        assert len(_replica_sets_with_pods(sim, inst)) == 1
        assert _status(engine.run_pass(), inst) == outcome.CHANGED
        assert updates.count == 1
        assert _status(engine.run_pass(), inst) == outcome.UNCHANGED
        assert updates.count == 1
    running = _names(world, inst)
    assert inst.stored()[0]['VDU1'] == running
    assert len(running) == 2 and not set(running) & set(old_pods)
