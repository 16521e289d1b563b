"""The metrics' pure parts: labels, verbs, and what a pass result counts."""

from prometheus_client import parser
import pytest

from tacker.dbsync import metrics
from tacker.dbsync import sync
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import outcome


@pytest.mark.parametrize('method,url,verb', [
    ('GET', 'https://k8s:6443/api/v1/namespaces/ns/pods?limit=500', 'LIST'),
    ('GET', 'https://k8s:6443/api/v1/namespaces/ns/pods?watch=True'
            '&resourceVersion=7', 'WATCH'),
    ('GET', 'https://k8s:6443/apis/apps/v1/namespaces/ns/deployments?'
            'watch=true', 'WATCH'),
    ('GET', 'https://k8s:6443/apis/apps/v1/namespaces/ns/replicasets',
     'LIST'),
    ('GET', 'https://k8s:6443/api/v1/namespaces/ns/pods/web-1', 'GET'),
    ('GET', 'https://k8s:6443/api/v1/namespaces/ns/pods/web-1/log', 'GET'),
    ('GET', 'https://k8s:6443/api/v1/namespaces', 'LIST'),
    ('GET', 'https://k8s:6443/api/v1/namespaces/ns', 'GET'),
    ('GET', 'https://k8s:6443/api/v1/pods', 'LIST'),
    ('GET', 'https://k8s:6443/version', 'GET'),
    ('GET', 'https://rancher/k8s/clusters/c-1/api/v1/namespaces/ns/pods',
     'LIST'),
    ('POST', 'https://k8s:6443/api/v1/namespaces/ns/pods', 'CREATE'),
    ('put', 'https://k8s:6443/api/v1/namespaces/ns/pods/p', 'UPDATE'),
    ('PATCH', 'https://k8s:6443/apis/apps/v1/namespaces/ns/deployments/d',
     'PATCH'),
    ('DELETE', 'https://k8s:6443/api/v1/namespaces/ns/pods/p', 'DELETE'),
])
def test_request_verb_names_the_kubernetes_verb(method, url, verb):
    assert metrics.request_verb(method, url) == verb


@pytest.mark.parametrize('vim_id,label', [
    ('5f1c3a8e-0a4b-4c1e-9d2f-7b6a5c4d3e2f',
     '5f1c3a8e-0a4b-4c1e-9d2f-7b6a5c4d3e2f'),
    ('https://k8s.example:6443', 'https://k8s.example:6443'),
    ('https://admin:s3cret@k8s.example:6443/prefix?token=abc#x',
     'https://k8s.example:6443/prefix'),
    ('https://[fd00::1]:6443', 'https://[fd00::1]:6443'),
])
def test_a_vim_label_holds_no_credentials(vim_id, label):
    assert metrics.vim_label(vim_id) == label


def _scrape(found):
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in parser.text_string_to_metric_families(
                found.text().decode())
            for s in family.samples}


def _changed(instance_id, api_version, renamed=0, added=0, levels=0):
    plan = model.InstancePlan(
        instance_id, outcome.CHANGED,
        vdu_changes=(model.VduChange('VDU1', 'Deployment',
                                     renamed=(object(),) * renamed,
                                     added=(object(),) * added),),
        level_changes=(object(),) * levels)
    return outcome.Outcome(instance_id, api_version, outcome.CHANGED,
                           plan=plan)


def _result(*outcomes, **kwargs):
    return outcome.PassResult(tuple(outcomes), (), 0.5, **kwargs)


def test_a_pass_counts_its_changes_and_sets_the_instance_gauges():
    found = metrics.SyncMetrics()
    found.pass_done(_result(
        _changed('a', 'v2', renamed=2),
        _changed('b', 'v1', added=1, levels=1),
        outcome.Outcome('c', 'v2', outcome.SKIPPED, sync.LOCK_HELD),
        outcome.Outcome('d', 'v2', outcome.SKIPPED,
                        'LCM operation in progress')),
        kind='periodic', full=True)
    samples = _scrape(found)
    assert samples[('tacker_dbsync_changes_total',
                    (('api_version', 'v2'), ('change', 'renamed')))] == 2
    assert samples[('tacker_dbsync_changes_total',
                    (('api_version', 'v1'), ('change', 'added')))] == 1
    assert samples[('tacker_dbsync_changes_total',
                    (('api_version', 'v1'), ('change', 'scale_level')))] == 1
    # Only the held lock is a conflict; an open op occ is not.
    assert samples[('tacker_dbsync_lock_conflicts_total', ())] == 1
    assert samples[('tacker_dbsync_instances',
                    (('api_version', 'v2'), ('outcome', 'skipped')))] == 2
    assert samples[('tacker_dbsync_partition_instances', ())] == 4

    # The next full pass zeroes what it no longer saw.
    found.pass_done(_result(outcome.Outcome('a', 'v2', outcome.UNCHANGED)),
                    kind='periodic', full=True)
    samples = _scrape(found)
    assert samples[('tacker_dbsync_instances',
                    (('api_version', 'v2'), ('outcome', 'skipped')))] == 0
    assert samples[('tacker_dbsync_instances',
                    (('api_version', 'v2'), ('outcome', 'unchanged')))] == 1
    assert samples[('tacker_dbsync_passes_total',
                    (('kind', 'periodic'),))] == 2


def test_dry_runs_and_overlapped_passes_write_no_change_count():
    found = metrics.SyncMetrics()
    found.pass_done(_result(_changed('a', 'v2', renamed=1), dry_run=True),
                    kind='once', full=True)
    found.pass_done(_result(overlapped=True), kind='event', full=False)
    samples = _scrape(found)
    assert sum(v for (name, _), v in samples.items()
               if name == 'tacker_dbsync_changes_total') == 0
    assert samples[('tacker_dbsync_passes_total', (('kind', 'once'),))] == 1
    assert samples[('tacker_dbsync_passes_total', (('kind', 'event'),))] == 0


def test_engines_do_not_count_into_each_other():
    one, other = metrics.SyncMetrics(), metrics.SyncMetrics()
    one.pass_done(_result(), kind='event', full=False)
    assert _scrape(other)[('tacker_dbsync_passes_total',
                           (('kind', 'event'),))] == 0


def test_a_pass_that_could_not_read_tackerdb_keeps_the_gauges():
    found = metrics.SyncMetrics()
    found.pass_done(_result(outcome.Outcome('a', 'v2', outcome.UNCHANGED)),
                    kind='periodic', full=True)
    found.pass_done(_result(outcome.Outcome('*', '-', outcome.FAILED,
                                            'TackerDB unreadable')),
                    kind='periodic', full=True)
    samples = _scrape(found)
    assert samples[('tacker_dbsync_instances',
                    (('api_version', 'v2'), ('outcome', 'unchanged')))] == 1
    assert samples[('tacker_dbsync_partition_instances', ())] == 1
    assert samples[('tacker_dbsync_passes_total',
                    (('kind', 'periodic'),))] == 2
    assert ('tacker_dbsync_instances',
            (('api_version', '-'), ('outcome', 'failed'))) not in samples


def test_a_full_pass_drops_the_series_of_vims_it_no_longer_sees():
    from tacker.vnfm.infra_drivers.kubernetes import observer
    from tacker.vnfm.infra_drivers.kubernetes import vim_access
    found = metrics.SyncMetrics()
    old = vim_access.VimAccess('vim-old', 'https://old.example/')
    new = vim_access.VimAccess('vim-new', 'https://new.example/')
    down = vim_access.VimAccess('vim-down', 'https://down.example/')

    def seen(*vims, failing=()):
        return observer.Observation(
            {(v, 'default'): object() for v in vims},
            {v: observer.VimFailure(v.vim_id, v.endpoint, 'HTTP 401')
             for v in failing})

    def vims(name):
        return {dict(labels)['vim'] for (series, labels) in _scrape(found)
                if series == name}

    found.observed(seen(old, new, failing=[down]), full=True)
    assert vims('tacker_dbsync_vim_up') == {'vim-old', 'vim-new',
                                            'vim-down'}
    # An event pass sees one namespace: the others are not gone.
    found.observed(seen(new), full=False)
    assert vims('tacker_dbsync_vim_up') == {'vim-old', 'vim-new',
                                            'vim-down'}
    found.observed(seen(new), full=True)
    assert vims('tacker_dbsync_vim_up') == {'vim-new'}
    assert vims('tacker_dbsync_last_success_timestamp_seconds') == {
        'vim-new'}
