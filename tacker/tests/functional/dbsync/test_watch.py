"""Watch mode: caches fed by watches; changes reach TackerDB in seconds,
and the passes read the caches instead of the cluster."""

import json
import time

from oslo_service import service as os_service
import pytest

from tacker.common import coordination
from tacker.conductor import service as conductor_service
from tacker.tests.functional.dbsync import cnf
from tacker.vnfm.infra_drivers.kubernetes import informer
from tacker.vnfm.infra_drivers.kubernetes import ownership
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import vim_access
from tacker.vnfm.infra_drivers.kubernetes import watcher
import tacker.conf


def _wait(predicate, seconds=15):
    return cnf.wait_until(predicate, seconds)


def _only_cache(manager):
    """The cache of the one (VIM, namespace) ``manager`` watches."""
    return manager.informers.get(*next(iter(manager.informers.watched())))


def _lists(sim):
    """The requests that were not watches (LIST, GET, ...)."""
    return [r for r in sim.requests
            if str(r[2].get('watch', '')).lower() not in ('1', 'true')]


def _pods(inst):
    return inst.stored()[0]['VDU1']


def _running(world, inst):
    return sorted(p['metadata']['name'] for p in world.pods_of(
        inst.namespace, 'Deployment', 'vdu1'))


@pytest.fixture
def watching_conductor(sqlite_world, sync_conf):
    # The periodic pass is far away: only events can explain a write.
    sync_conf.config(interval=3600, initial_delay=0, watch=True,
                     watch_debounce=0.2, group='database_sync')
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    svc = conductor_service.ConductorService()
    launcher = os_service.Launcher(tacker.conf.CONF)
    launcher.launch_service(svc)
    assert _wait(lambda: svc.passes >= 1 and svc.watches is not None
                 and svc.watches.watched())
    (pair,) = svc.watches.watched()
    cache = svc.watches.informers.get(*pair)
    assert _wait(lambda: cache.synced)
    yield svc, inst, cache
    launcher.stop()


def _vim(sim):
    return vim_access.VimAccess(vim_id='vim-a', endpoint=sim.url,
                                bearer_token=cnf.TOKEN)


@pytest.fixture
def namespace_cache(sqlite_world, sync_conf):
    """A started NamespaceInformer factory; stops what it started."""
    started = []

    def start(namespace, *, on_change=None, **kwargs):
        kwargs.setdefault('timeout', 2)
        kwargs.setdefault('resync_interval', 0)
        cache = informer.NamespaceInformer(
            _vim(sqlite_world.sim), namespace,
            on_change or (lambda *_: None), **kwargs)
        started.append(cache)
        cache.start()
        assert _wait(lambda: cache.synced)
        return cache

    yield start
    for cache in started:
        cache.stop()
    for cache in started:
        cache.join(5)


def _cached_pods(cache):
    return sorted(p['metadata']['name']
                  for p in cache.serve().snapshot.pods)


def _sim_pods(sim, namespace):
    return sorted(p['metadata']['name'] for p in sim.pods(namespace))


@pytest.fixture
def two_in_a_namespace(sqlite_world, sync_conf):
    """A watching conductor and two instances sharing one namespace.

    Yields (service, touched, other): the tests kill a pod of the first.
    """
    sync_conf.config(interval=3600, initial_delay=0, watch=True,
                     watch_debounce=0.2, group='database_sync')
    namespace = 'ns-shared-%d' % time.monotonic_ns()
    touched, other = (
        sqlite_world.deploy('v2', namespace=namespace, vdus=['VDU1'],
                            names={'VDU1': name})
        for name in ('web-a', 'web-b'))
    svc = conductor_service.ConductorService()
    launcher = os_service.Launcher(tacker.conf.CONF)
    launcher.launch_service(svc)
    try:
        # The first periodic pass is over: from here on only events (and
        # the test's own passes) run passes.
        assert _wait(lambda: svc.passes >= 1 and svc.watches is not None
                     and svc.watches.watched())
        assert _wait(lambda: _only_cache(svc.watches).synced)
        yield svc, touched, other
    finally:
        launcher.stop()


def _kill_a_pod_of(world, inst):
    """Kill the instance's pod; the pods running once it was replaced."""
    (old,) = _pods(inst)
    world.sim.kill_pod(inst.namespace, old)
    world.sim.wait_settled()
    return _running_named(world, inst, inst.names['VDU1'])


def test_an_event_passes_only_the_instance_it_touches(sqlite_world,
                                                      two_in_a_namespace):
    svc, touched, other = two_in_a_namespace
    manager = svc.watches
    # The caches' first sync asks for one pass of the namespace.
    assert _wait(lambda: manager.passes >= 1)
    time.sleep(0.5)
    manager.recent.clear()
    before = other.raw()
    running = _kill_a_pod_of(sqlite_world, touched)
    assert _wait(lambda: _pods(touched) == running)
    checked = {o.instance_id for r in list(manager.recent)
               for o in r.outcomes}
    assert checked == {touched.id}
    assert other.raw() == before


def test_a_full_pass_plans_again_only_the_instance_an_event_touched(
        sqlite_world, two_in_a_namespace):
    # The event gives the namespace a new cache version, yet the
    # untouched instance's objects are the same, so its earlier finding
    # stands (the same Outcome, not planned again).
    svc, touched, other = two_in_a_namespace

    def outcomes():
        result = svc.engine.run_pass(wait=10)
        assert not result.vim_failures
        return {o.instance_id: o for o in result.outcomes}

    first = outcomes()
    assert {o.status for o in first.values()} == {'unchanged'}
    assert outcomes()[other.id] is first[other.id]
    running = _kill_a_pod_of(sqlite_world, touched)
    assert _wait(lambda: _pods(touched) == running)
    later = outcomes()
    assert later[other.id] is first[other.id]
    assert later[touched.id] is not first[touched.id]
    assert later[touched.id].status == 'unchanged'


def _running_named(world, inst, name):
    return sorted(p['metadata']['name'] for p in world.pods_of(
        inst.namespace, 'Deployment', name))


def test_a_restarted_conductor_catches_up_with_what_changed_meanwhile(
        sqlite_world, sync_conf):
    # What happened while no conductor watched reaches TackerDB from the
    # new conductor's first LIST, and its caches then serve the passes.
    sync_conf.config(interval=3600, initial_delay=0, watch=True,
                     watch_debounce=0.2, group='database_sync')
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])

    def started():
        svc = conductor_service.ConductorService()
        launcher = os_service.Launcher(tacker.conf.CONF)
        launcher.launch_service(svc)
        assert _wait(lambda: svc.passes >= 1 and svc.watches is not None
                     and svc.watches.watched())
        assert _wait(lambda: _only_cache(svc.watches).synced)
        return svc, launcher

    _svc, launcher = started()
    (old,) = _pods(inst)
    launcher.stop()
    sqlite_world.sim.kill_pod(inst.namespace, old)
    sqlite_world.sim.wait_settled()
    running = _running(sqlite_world, inst)
    assert running != [old] and _pods(inst) == [old]
    svc, launcher = started()
    try:
        assert _wait(lambda: _pods(inst) == running)
        sqlite_world.sim.reset_request_log()
        result = svc.engine.run_pass(wait=10)
        assert result.counts()['unchanged'] == 1
        assert _lists(sqlite_world.sim) == []
    finally:
        launcher.stop()


def test_a_steady_state_pass_asks_the_cluster_nothing(
        sqlite_world, watching_conductor):
    svc, inst, _cache = watching_conductor
    before = inst.raw()
    sqlite_world.sim.reset_request_log()
    result = svc.engine.run_pass(wait=10)
    assert result.counts()['unchanged'] == 1 and not result.vim_failures
    assert _lists(sqlite_world.sim) == []
    assert inst.raw() == before


def test_a_killed_pod_is_synchronized_without_a_list(
        sqlite_world, watching_conductor):
    svc, inst, cache = watching_conductor
    (old,) = _pods(inst)
    sqlite_world.sim.reset_request_log()
    sqlite_world.sim.kill_pod(inst.namespace, old)
    sqlite_world.sim.wait_settled()
    running = _running(sqlite_world, inst)
    assert running != [old]
    assert _wait(lambda: set(running) <= set(_cached_pods(cache)))
    assert _wait(lambda: _pods(inst) == running)
    assert svc.passes == 1  # still only the first periodic pass
    assert _lists(sqlite_world.sim) == []


def test_an_expired_version_lists_again(sqlite_world, namespace_cache):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    cache = namespace_cache(inst.namespace)
    assert [kind.lists for kind in cache.kinds] == [1] * 5
    sim = sqlite_world.sim
    with sim.store.lock:
        # A change, then its history forgotten before any watch saw it:
        # every watch now gets 410 Gone.
        sim.scale('Deployment', inst.namespace, 'vdu1', 2)
        sim.compact()
    assert _wait(lambda: all(kind.lists == 2 for kind in cache.kinds))
    sim.wait_settled()
    want = _sim_pods(sqlite_world.sim, inst.namespace)
    assert len(want) == 2
    assert _wait(lambda: cache.synced and _cached_pods(cache) == want)


@pytest.mark.slow
def test_a_dropped_watch_resumes_from_its_version(
        sqlite_world, namespace_cache):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    cache = namespace_cache(inst.namespace, watch_seconds=1)
    pods = next(kind for kind in cache.kinds if kind.field == 'pods')
    sim = sqlite_world.sim
    sim.drop_connections(verb='watch', seconds=3)
    # The next watch request of every kind is dropped: not served.
    assert _wait(lambda: not cache.synced)
    assert cache.serve() is None
    (old,) = _sim_pods(sim, inst.namespace)
    sim.kill_pod(inst.namespace, old)
    sim.wait_settled()
    want = _sim_pods(sim, inst.namespace)
    assert _wait(lambda: cache.synced and _cached_pods(cache) == want, 30)
    assert old not in want
    # Resumed from the version it had, not listed again.
    assert pods.restarts >= 1 and pods.lists == 1


def test_a_bookmark_moves_the_version_only(sqlite_world, namespace_cache):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    cache = namespace_cache(inst.namespace)
    daemonsets = next(k for k in cache.kinds if k.field == 'daemonsets')
    version, changes = int(daemonsets.version), daemonsets.changes
    sqlite_world.sim.scale('Deployment', inst.namespace, 'vdu1', 2)
    sqlite_world.sim.wait_settled()
    # No daemonset changed, but the cluster's version moved on, and the
    # bookmarks of the daemonsets watch carry it.
    assert _wait(lambda: int(daemonsets.version) > version)
    assert daemonsets.changes == changes
    assert daemonsets.items()[0] == ()


def test_pods_before_their_replica_set_defer_then_end_right(
        sqlite_world, sync_conf):
    # Events of two kinds arrive on two streams, in any order: a pod can
    # be cached before the ReplicaSet that owns it.
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    sim = sqlite_world.sim
    told = []
    cache = informer.NamespaceInformer(
        _vim(sim), inst.namespace,
        lambda vim, ns, workloads: told.append(workloads), timeout=2,
        resync_interval=0)
    try:
        by_field = {kind.field: kind for kind in cache.kinds}
        for kind in cache.kinds:
            kind.listed = kind.healthy = True
        target = model.VduTarget('VDU1', 'Deployment', 'vdu1')

        def feed(field, objects):
            for obj in objects:
                by_field[field].apply_event(json.dumps(
                    {'type': 'ADDED', 'object': obj}))

        feed('deployments', sim.list('deployments', inst.namespace))
        assert told == [(('Deployment', 'vdu1'),)]
        del told[:]
        feed('pods', sim.pods(inst.namespace))
        # The pod's owner is unknown yet: the event cannot be placed, so
        # the watcher is told nothing narrower than the namespace.
        assert told == [None]
        early = ownership.observe_vdu(cache.serve().snapshot, target)
        assert not early.settled and early.running == ()
        feed('replicasets', sim.list('replicasets', inst.namespace))
        late = ownership.observe_vdu(cache.serve().snapshot, target)
        assert late.settled
        assert list(late.running_names) == _pods(inst)
        (replica_set,) = sim.list('replicasets', inst.namespace)
        del told[:]
        feed('pods', sim.pods(inst.namespace))
        assert told == [(('ReplicaSet', replica_set['metadata']['name']),
                         ('Deployment', 'vdu1'))]
    finally:
        cache.api_client.close()


def test_a_malformed_list_item_fails_the_vim(sqlite_world, sync_conf,
                                             engine):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    sim = sqlite_world.sim
    # Only the passes of the test run (a long debounce).
    manager = watcher.WatchManager(engine, debounce=3600)
    try:
        sim.corrupt_list_items(field='metadata.ownerReferences',
                               value='not-a-list', path='/pods')
        first = engine.run_pass()
        ((failure,),) = [first.vim_failures]
        assert 'malformed' in failure.reason
        assert first.counts()['failed'] == 1
        cache = _only_cache(manager)
        assert _wait(lambda: cache.serve() is not None)
        again = engine.run_pass()
        assert 'malformed' in again.vim_failures[0].reason
        sim.reset_faults()
        assert _wait(lambda: cache.synced, 30)
        sim.reset_request_log()
        healed = engine.run_pass()
        assert healed.counts()['unchanged'] == 1
        assert not healed.vim_failures and _lists(sim) == []
    finally:
        manager.stop()
    assert _pods(inst) == _running(sqlite_world, inst)


def test_a_malformed_watch_event_fails_the_vim(sqlite_world, sync_conf,
                                               engine):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    sim = sqlite_world.sim
    manager = watcher.WatchManager(engine, debounce=3600, watch_seconds=1)
    try:
        engine.run_pass()
        cache = _only_cache(manager)
        assert _wait(lambda: cache.synced)
        # Every pod answer from now on, streamed or listed, is malformed.
        sim.reset_request_log()
        sim.corrupt_list_items(field='metadata.ownerReferences',
                               value='not-a-list', path='/pods')
        # A new pods watch is open (they last a second), then it changes.
        assert _wait(lambda: any(r[1].endswith('/pods')
                                 for r in sim.requests))
        (old,) = _pods(inst)
        sim.kill_pod(inst.namespace, old)
        assert _wait(lambda: cache.serve() is not None
                     and cache.serve().failure is not None, 30)
        result = engine.run_pass()
        ((failure,),) = [result.vim_failures]
        assert 'malformed' in failure.reason
        assert result.counts()['failed'] == 1
        assert _pods(inst) == [old]
        sim.reset_faults()
        assert _wait(lambda: cache.synced, 30)
        assert engine.run_pass().counts()['changed'] == 1
    finally:
        manager.stop()
    assert _pods(inst) == _running(sqlite_world, inst)


def test_pages_of_a_small_limit_list_everything(sqlite_world,
                                                namespace_cache):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    sim = sqlite_world.sim
    sim.scale('Deployment', inst.namespace, 'vdu1', 11)
    sim.wait_settled()
    sim.reset_request_log()
    cache = namespace_cache(inst.namespace, page_size=3)
    want = _sim_pods(sim, inst.namespace)
    assert len(want) == 11 and _cached_pods(cache) == want
    pages = [r for r in _lists(sim) if r[1].endswith('/pods')]
    assert len(pages) == 4
    assert all(r[2]['limit'] == '3' for r in pages)
    assert [bool(r[2].get('continue')) for r in pages] == [
        False, True, True, True]


def test_the_resync_relist_corrects_a_cache_that_missed_an_event(
        sqlite_world, namespace_cache):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    sim = sqlite_world.sim
    signalled = []
    cache = namespace_cache(inst.namespace, resync_interval=2,
                            on_change=lambda vim, ns, *_: signalled.append(ns))
    pods = next(kind for kind in cache.kinds if kind.field == 'pods')
    (name,) = _sim_pods(sim, inst.namespace)
    # As if the pod's event had been lost: the cache no longer has it.
    pods.apply_event(json.dumps({'type': 'DELETED', 'object': {
        'metadata': {'name': name, 'namespace': inst.namespace}}}))
    assert _cached_pods(cache) == []
    seen = len(signalled)
    assert _wait(lambda: pods.lists >= 2 and _cached_pods(cache) == [name])
    # The correction asks for a pass, like any change.
    assert len(signalled) > seen


def test_a_failing_cluster_is_reported_as_without_the_cache(
        sqlite_world, sync_conf, engine):
    sqlite_world.deploy('v2', vdus=['VDU1'])
    sim = sqlite_world.sim
    manager = watcher.WatchManager(engine, debounce=3600, watch_seconds=1)
    try:
        engine.run_pass()
        cache = _only_cache(manager)
        assert _wait(lambda: cache.synced)
        sim.refuse_tokens()
        # A watch that breaks leaves the cache; the pass lists and fails.
        assert _wait(lambda: not cache.synced)
        result = engine.run_pass()
        ((failure,),) = [result.vim_failures]
        assert 'HTTP 401' in failure.reason
        sim.reset_faults()
        assert _wait(lambda: cache.synced, 40)
        sim.reset_request_log()
        assert engine.run_pass().counts()['unchanged'] == 1
        assert _lists(sim) == []
    finally:
        manager.stop()


def test_watch_survives_a_cluster_outage(sqlite_world, watching_conductor):
    svc, inst, _cache = watching_conductor
    sim = sqlite_world.sim
    sim.drop_connections(seconds=2)
    time.sleep(2.5)
    sim.scale('Deployment', inst.namespace, 'vdu1', 2)
    assert _wait(lambda: inst.stored()[1] == {'vdu1_aspect': 1}, 40)


def test_caches_follow_the_namespaces_a_full_pass_wants(
        sqlite_world, sync_conf, engine):
    first = sqlite_world.deploy('v2', vdus=['VDU1'])
    second = sqlite_world.deploy('v2', vdus=['VDU1'])
    manager = watcher.WatchManager(engine, debounce=3600)
    try:
        vim = _vim(sqlite_world.sim)
        manager.ensure({vim: {first.namespace, second.namespace}})
        gone = manager.informers.get(vim, second.namespace)
        assert _wait(lambda: gone.synced)
        manager.ensure({vim: {first.namespace}})
        assert manager.watched() == {(vim, first.namespace)}
        # The dropped cache's watches have ended.
        assert _wait(lambda: not any(k.is_alive() for k in gone.kinds))
    finally:
        manager.stop()
    assert manager.watched() == set()


def test_stopping_the_watches_runs_no_last_pass(sqlite_world, sync_conf,
                                                engine):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    sim = sqlite_world.sim
    # Events are queued, but the debounce outlasts the test.
    manager = watcher.WatchManager(engine, debounce=3600)
    try:
        engine.run_pass()
        cache = _only_cache(manager)
        assert _wait(lambda: cache.synced)
        (old,) = _pods(inst)
        sim.kill_pod(inst.namespace, old)
        sim.wait_settled()
        assert _wait(lambda: old not in _cached_pods(cache))
        sim.reset_request_log()
    finally:
        manager.stop()
    # A pass after the caches are gone would LIST the namespace and
    # write the new pod.
    assert _lists(sim) == []
    assert _pods(inst) == [old]
    assert manager.passes == 0


def test_the_caches_of_one_vim_share_a_bound_on_lists(sqlite_world,
                                                      sync_conf):
    sync_conf.config(max_concurrent_lists=2, group='database_sync')
    sim = sqlite_world.sim
    namespaces = ['ns-bound-%d-%d' % (i, time.monotonic_ns())
                  for i in range(3)]
    for name in namespaces:
        sim.create({'apiVersion': 'v1', 'kind': 'Namespace',
                    'metadata': {'name': name}})
    sim.inject_latency(0.1, verb='list')
    sim.reset_request_log()
    caches = informer.Informers(lambda *_: None)
    try:
        caches.ensure({(_vim(sim), name) for name in namespaces})
        assert _wait(lambda: all(
            caches.get(_vim(sim), name) is not None
            and caches.get(_vim(sim), name).synced for name in namespaces))
    finally:
        caches.stop()
    # 15 LISTs (3 namespaces x 5 kinds), never more than 2 at a time.
    assert len(_lists(sim)) == 15
    assert sim.max_in_flight == 2


def test_an_instance_left_out_of_step_is_retried_with_backoff(
        sqlite_world, watching_conductor):
    svc, inst, cache = watching_conductor
    (old,) = _pods(inst)
    manager = svc.watches
    with coordination.instance_lock(inst.id):
        # An LCM operation holds the instance: the event pass skips it.
        sqlite_world.sim.kill_pod(inst.namespace, old)
        sqlite_world.sim.wait_settled()
        assert _wait(lambda: (manager.backoff_of(inst.id) or (0,))[0] >= 3)
        assert _pods(inst) == [old]
    # No event since and no periodic pass: the retry alone writes it.
    running = _running(sqlite_world, inst)
    assert _wait(lambda: _pods(inst) == running, 30)
    assert manager.backoff_of(inst.id) is None
    assert svc.passes == 1
