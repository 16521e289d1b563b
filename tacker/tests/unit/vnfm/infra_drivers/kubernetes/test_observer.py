"""observer: one VIM's failure, of whatever kind, is that VIM's only."""

from tacker.vnfm.infra_drivers.kubernetes import informer
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import observer
from tacker.vnfm.infra_drivers.kubernetes import vim_access
from tacker_k8s_sim import simulator


class _Clients(vim_access.ClientCache):
    """The real cache, but one VIM's client cannot be built (a defect)."""

    def __init__(self, broken):
        super().__init__()
        self._broken = broken

    def get(self, vim):
        if vim == self._broken:
            raise TypeError('sequence item 1: expected str instance')
        return super().get(vim)


def test_an_unexpected_error_of_one_vim_fails_that_vim_only(caplog):
    with simulator.Simulator(token='t') as sim:
        good = vim_access.VimAccess('good', sim.url, bearer_token='t')
        bad = vim_access.VimAccess('bad', sim.url, bearer_token='t',
                                   username='u')
        clients = _Clients(bad)
        try:
            found = observer.observe({good: {'default'}, bad: {'default'}},
                                     clients, timeout=2, max_workers=2)
        finally:
            clients.close()
    assert found.snapshot(good, 'default') is not None
    assert set(found.failures) == {bad}
    assert found.failures[bad].reason == 'unexpected error (TypeError)'


def test_a_malformed_item_names_the_list_item_and_field():
    with simulator.Simulator(token='t') as sim:
        sim.create({'apiVersion': 'v1', 'kind': 'Pod',
                    'metadata': {'name': 'p'},
                    'spec': {'containers': [{'name': 'c', 'image': 'i'}]}},
                   'default')
        sim.corrupt_list_items(item=0, field='metadata', path='/pods$',
                               count=1)
        vim = vim_access.VimAccess('v', sim.url, bearer_token='t')
        clients = vim_access.ClientCache()
        try:
            found = observer.observe({vim: {'default'}}, clients, timeout=2,
                                     max_workers=1)
        finally:
            clients.close()
    assert found.failures[vim].reason == (
        'LIST pods in namespace default: Kubernetes answered a malformed '
        'PodList: item 0 has no metadata')


class _Caches:
    """Informers stand-in: what each (VIM, namespace) cache answers."""

    def __init__(self, answers):
        self.answers = answers
        self.asked = []

    def serve(self, vim, namespace, deadline=None):
        self.asked.append((vim.vim_id, namespace))
        return self.answers.get((vim.vim_id, namespace))


def test_cached_namespaces_are_served_and_the_rest_listed():
    with simulator.Simulator(token='t') as sim:
        sim.create({'apiVersion': 'v1', 'kind': 'Namespace',
                    'metadata': {'name': 'listed'}})
        cached = vim_access.VimAccess('cached', sim.url, bearer_token='t')
        mixed = vim_access.VimAccess('mixed', sim.url, bearer_token='t')
        failing = vim_access.VimAccess('failing', sim.url, bearer_token='t')
        kept = model.NamespaceSnapshot(namespace='default')
        caches = _Caches({
            ('cached', 'default'): informer.Served(snapshot=kept),
            ('mixed', 'default'): informer.Served(snapshot=kept),
            ('failing', 'default'): informer.Served(
                failure='WATCH pods in namespace default: malformed'),
        })
        clients = vim_access.ClientCache()
        sim.reset_request_log()
        try:
            found = observer.observe(
                {cached: {'default'}, mixed: {'default', 'listed'},
                 failing: {'default', 'listed'}},
                clients, timeout=2, max_workers=2, informers=caches)
        finally:
            clients.close()
        listed = [path for _m, path, _q in sim.requests]
    assert found.snapshot(cached, 'default') is kept
    assert found.snapshot(mixed, 'default') is kept
    assert found.snapshot(mixed, 'listed').namespace == 'listed'
    assert found.failures[failing].reason == \
        'WATCH pods in namespace default: malformed'
    assert found.snapshot(failing, 'listed') is None
    # Only the namespace no cache served was listed, once per kind.
    assert len(listed) == 5
    assert all('/namespaces/listed/' in path for path in listed)


def _observe_lists(max_lists, *, faults=()):
    """(Observation, most LISTs the cluster served at once)."""
    with simulator.Simulator(token='t') as sim:
        for name in ('a', 'b', 'c'):
            sim.create({'apiVersion': 'v1', 'kind': 'Namespace',
                        'metadata': {'name': name}})
        # One fault answers a request: the errors first, then latency.
        for fault in faults:
            fault(sim)
        sim.inject_latency(0.2)
        vim = vim_access.VimAccess('v', sim.url, bearer_token='t')
        clients = vim_access.ClientCache()
        sim.reset_request_log()
        try:
            found = observer.observe({vim: {'a', 'b', 'c'}}, clients,
                                     timeout=5, max_workers=1,
                                     max_lists=max_lists)
        finally:
            clients.close()
        return found, vim, sim.max_in_flight, len(sim.requests)


def test_lists_of_one_vim_run_in_parallel_up_to_the_bound():
    found, vim, most, sent = _observe_lists(4)
    assert not found.failures
    assert {ns for (_v, ns) in found.snapshots} == {'a', 'b', 'c'}
    assert sent == 15  # 3 namespaces x 5 kinds
    assert 1 < most <= 4
    _found, _vim, most, _sent = _observe_lists(1)
    assert most == 1


def test_of_parallel_failures_the_first_in_order_is_reported():
    # Two namespaces fail; whichever fails first in time, the report
    # names the first in (namespace, kind) order.
    found, vim, _most, _sent = _observe_lists(4, faults=(
        lambda sim: sim.inject_error(503, path='/namespaces/c/'),
        lambda sim: sim.inject_error(500, path='/namespaces/b/pods'),
    ))
    assert found.failures[vim].reason.startswith(
        'LIST pods in namespace b: ')
