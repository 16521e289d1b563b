"""observer: one VIM's failure, of whatever kind, is that VIM's only."""

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
