"""One pass against two clusters while the first one misbehaves.

Two simulated clusters, each registered as a VIM, each running one CNF
whose pods drifted (a pod killed, the Deployment scaled).  Every fault of
the matrix hits the first cluster's LIST requests only; the pass must
finish, report that VIM with a reason naming the problem, leave its
instance's stored JSON as it was, and still synchronize the instance of
the healthy cluster.
"""

import pytest

from tacker.tests.functional.dbsync import cnf
from tacker.vnfm.infra_drivers.kubernetes import outcome
from tacker_k8s_sim import simulator

TIMEOUT = 1  # [database_sync] kubernetes_request_timeout, seconds
HANG = TIMEOUT + 3

LIST = {'verb': 'list'}

# fault name -> (how to inject it on a Simulator, a word of the reason)
FAULTS = {
    'http-401': (lambda sim: sim.refuse_tokens(**LIST), 'HTTP 401'),
    'http-403': (lambda sim: sim.inject_error(403, **LIST), 'HTTP 403'),
    'http-404': (lambda sim: sim.inject_error(404, **LIST), 'HTTP 404'),
    'http-409': (lambda sim: sim.inject_error(409, **LIST), 'HTTP 409'),
    'http-410': (lambda sim: sim.inject_error(410, **LIST), 'HTTP 410'),
    'http-429': (lambda sim: sim.inject_error(429, **LIST), 'HTTP 429'),
    'http-500': (lambda sim: sim.inject_error(500, **LIST), 'HTTP 500'),
    'http-503': (lambda sim: sim.inject_error(503, **LIST), 'HTTP 503'),
    'hang': (lambda sim: sim.inject_latency(HANG, **LIST),
             'no answer within %s s' % TIMEOUT),
    'drop': (lambda sim: sim.drop_connections(**LIST), 'connection failed'),
    'truncated-body': (lambda sim: sim.truncate_answers(**LIST),
                       'cut short'),
    'html-answer': (lambda sim: sim.answer_html(**LIST), 'text/html'),
    'malformed-items': (
        lambda sim: sim.corrupt_list_items(field='metadata', **LIST),
        'malformed'),
}


@pytest.fixture
def clusters(sqlite_db, sync_conf):
    """(faulty world, healthy world), each its own cluster and VIM."""
    sync_conf.config(kubernetes_request_timeout=TIMEOUT,
                     group='database_sync')
    with simulator.Simulator(token=cnf.TOKEN, nodes=2) as first, \
            simulator.Simulator(token=cnf.TOKEN, nodes=2) as second:
        faulty = cnf.World(first)
        yield faulty, cnf.World(second, package=faulty)


def _drift(world, inst):
    """A pod killed and the Deployment scaled, behind Tacker's back."""
    victim = inst.stored()[0]['VDU1'][0]
    world.sim.kill_pod(inst.namespace, victim)
    world.sim.scale('Deployment', inst.namespace, inst.names['VDU1'], 2)
    world.sim.wait_settled()


def _running(world, inst):
    return sorted(p['metadata']['name'] for p in world.pods_of(
        inst.namespace, 'Deployment', inst.names['VDU1']))


@pytest.mark.parametrize('fault', sorted(FAULTS))
def test_a_faulty_cluster_fails_alone(clusters, engine, fault):
    faulty, healthy = clusters
    broken = faulty.deploy('v1', vdus=['VDU1'])
    fine = healthy.deploy('v2', vdus=['VDU1'])
    _drift(faulty, broken)
    _drift(healthy, fine)
    before = broken.raw()
    inject, words = FAULTS[fault]
    inject(faulty.sim)

    result = engine.run_pass()

    assert isinstance(result, outcome.PassResult)
    failures = {f.vim_id: f for f in result.vim_failures}
    assert list(failures) == [faulty.vim.id]
    assert words in failures[faulty.vim.id].reason, \
        failures[faulty.vim.id].reason
    outcomes = {o.instance_id: o for o in result.outcomes}
    assert outcomes[broken.id].status == outcome.FAILED
    assert broken.raw() == before
    assert outcomes[fine.id].status == outcome.CHANGED
    assert fine.stored()[0]['VDU1'] == _running(healthy, fine)
