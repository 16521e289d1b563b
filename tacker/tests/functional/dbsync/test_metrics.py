"""The Prometheus metrics, scraped as Prometheus would: from the /metrics
of a running conductor, and from the file of ``tacker-db-sync
--metrics-file``."""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from oslo_service import service as os_service
from prometheus_client import parser
import pytest

from tacker.cmd import db_sync
from tacker.common import coordination
from tacker.conductor import service as conductor_service
from tacker.tests.functional.dbsync import cnf
import tacker.conf

CONF = tacker.conf.CONF
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))


def _free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _samples(text):
    """{(sample name, sorted labels): value} of an exposition text."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in parser.text_string_to_metric_families(text)
            for s in family.samples}


class Scrape:
    def __init__(self, samples):
        self.samples = samples

    def __call__(self, name, **labels):
        return self.samples.get((name, tuple(sorted(labels.items()))), 0.0)

    def total(self, name, **labels):
        """Sum over the series of ``name`` that have ``labels``."""
        return sum(value for (sample, found), value in self.samples.items()
                   if sample == name
                   and set(labels.items()) <= set(found))


def _scrape(svc):
    with urllib.request.urlopen(svc.metrics_server.url, timeout=5) as answer:
        assert answer.status == 200
        return Scrape(_samples(answer.read().decode()))


def _wait(predicate, seconds=15):
    return cnf.wait_until(predicate, seconds)


@pytest.fixture
def serving(sqlite_world, sync_conf):
    """Start a conductor that serves /metrics.

    Its timer's first pass runs at once, the next in an hour: the test
    runs the others (``periodic_sync``, the timer's own function).
    """
    started = []

    def start(**options):
        # The periodic pass alone unless a test asks for the watch: its
        # passes then list, and only the test's own passes write.
        options.setdefault('watch', False)
        sync_conf.config(interval=3600, initial_delay=0,
                         metrics_port=_free_port(), group='database_sync',
                         **options)
        svc = conductor_service.ConductorService()
        launcher = os_service.Launcher(CONF)
        launcher.launch_service(svc)
        started.append(launcher)
        assert _wait(lambda: svc.passes >= 1)
        return svc

    yield start
    for launcher in started:
        launcher.stop()


def _scale(world, inst, replicas):
    world.sim.scale('Deployment', inst.namespace, 'vdu1', replicas)
    world.sim.wait_settled()


def _kill_one(world, inst):
    world.sim.kill_pod(inst.namespace, inst.stored()[0]['VDU1'][0])
    world.sim.wait_settled()


def test_drift_counts_each_change_once(sqlite_world, serving):
    v2 = sqlite_world.deploy('v2', vdus=['VDU1'])
    v1 = sqlite_world.deploy('v1', vdus=['VDU1'])
    svc = serving()
    vim = sqlite_world.vim.id
    first = _scrape(svc)
    assert first('tacker_dbsync_passes_total', kind='periodic') == 1
    assert first('tacker_dbsync_instances', outcome='unchanged',
                 api_version='v2') == 1
    assert first('tacker_dbsync_instances', outcome='unchanged',
                 api_version='v1') == 1
    assert first('tacker_dbsync_partition_instances') == 2
    assert first('tacker_dbsync_vim_up', vim=vim) == 1
    assert first('tacker_dbsync_last_success_timestamp_seconds',
                 vim=vim) > time.time() - 60
    assert first.total('tacker_dbsync_changes_total') == 0

    _kill_one(sqlite_world, v2)   # v2: one pod renamed
    _scale(sqlite_world, v1, 2)   # v1: one pod added, its level moves
    sqlite_world.sim.reset_request_log()
    svc.periodic_sync()
    sent = len(sqlite_world.sim.requests)
    second = _scrape(svc)

    assert second('tacker_dbsync_passes_total', kind='periodic') == 2
    assert second('tacker_dbsync_pass_duration_seconds_count',
                  kind='periodic') == 2
    changes = {(labels, value) for (name, labels), value in
               second.samples.items()
               if name == 'tacker_dbsync_changes_total' and value}
    assert changes == {
        ((('api_version', 'v2'), ('change', 'renamed')), 1.0),
        ((('api_version', 'v1'), ('change', 'added')), 1.0),
        ((('api_version', 'v1'), ('change', 'scale_level')), 1.0)}
    assert second('tacker_dbsync_instances', outcome='changed',
                  api_version='v2') == 1
    assert second('tacker_dbsync_instances', outcome='unchanged',
                  api_version='v2') == 0
    # Every request the cluster saw was counted, as a LIST answered 200.
    counted = second.total('tacker_dbsync_kubernetes_requests_total',
                           vim=vim)
    before = first.total('tacker_dbsync_kubernetes_requests_total', vim=vim)
    assert sent > 0 and counted - before == sent
    assert second.total('tacker_dbsync_kubernetes_requests_total', vim=vim,
                        verb='LIST', code='200') == counted
    assert second.total('tacker_dbsync_kubernetes_request_duration_seconds'
                        '_count', vim=vim, verb='LIST') == counted

    svc.periodic_sync()  # nothing left to write: nothing more counted
    assert _scrape(svc).total('tacker_dbsync_changes_total') == 3


def test_a_vim_failure_sets_vim_up_to_0(sqlite_world, serving):
    sqlite_world.deploy('v2', vdus=['VDU1'])
    svc = serving()
    vim = sqlite_world.vim.id
    seen_up = _scrape(svc)('tacker_dbsync_last_success_timestamp_seconds',
                           vim=vim)
    sqlite_world.sim.refuse_tokens()
    svc.periodic_sync()
    down = _scrape(svc)
    assert down('tacker_dbsync_vim_up', vim=vim) == 0
    assert down('tacker_dbsync_instances', outcome='failed',
                api_version='v2') == 1
    assert down('tacker_dbsync_instances', outcome='unchanged',
                api_version='v2') == 0
    assert down.total('tacker_dbsync_kubernetes_requests_total', vim=vim,
                      code='401') >= 1
    assert down('tacker_dbsync_last_success_timestamp_seconds',
                vim=vim) == seen_up

    sqlite_world.sim.reset_faults()
    svc.periodic_sync()
    up = _scrape(svc)
    assert up('tacker_dbsync_vim_up', vim=vim) == 1
    assert up('tacker_dbsync_instances', outcome='failed',
              api_version='v2') == 0
    assert up('tacker_dbsync_last_success_timestamp_seconds',
              vim=vim) > seen_up
    # No label carries the token, the instance or an address with it.
    text = urllib.request.urlopen(svc.metrics_server.url).read().decode()
    assert cnf.TOKEN not in text


def test_a_held_lock_is_one_conflict(sqlite_world, serving):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    svc = serving()
    _scale(sqlite_world, inst, 2)
    taken, release = threading.Event(), threading.Event()

    def hold():
        with coordination.instance_lock(inst.id):
            taken.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert taken.wait(10)
        svc.periodic_sync()
    finally:
        release.set()
        holder.join(10)
    held = _scrape(svc)
    assert held('tacker_dbsync_lock_conflicts_total') == 1
    assert held('tacker_dbsync_instances', outcome='skipped',
                api_version='v2') == 1
    assert held.total('tacker_dbsync_changes_total') == 0

    svc.periodic_sync()
    free = _scrape(svc)
    assert free('tacker_dbsync_lock_conflicts_total') == 1
    assert free('tacker_dbsync_changes_total', api_version='v2',
                change='scale_level') == 1


def test_watch_mode_counts_event_passes_and_staleness(sqlite_world,
                                                      serving):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    svc = serving(watch=True, watch_debounce=0.2)
    assert _wait(lambda: svc.watches is not None and svc.watches.watched())
    cache = svc.watches.informers.get(*next(iter(svc.watches.watched())))
    assert _wait(lambda: cache.synced)
    before = _scrape(svc)
    _scale(sqlite_world, inst, 2)
    assert _wait(lambda: inst.stored()[1] == {'vdu1_aspect': 1})
    assert _wait(lambda: _scrape(svc)(
        'tacker_dbsync_staleness_seconds_count') >= 1)
    after = _scrape(svc)
    assert after('tacker_dbsync_passes_total', kind='event') >= 1
    assert after('tacker_dbsync_passes_total', kind='periodic') == 1
    # The debounce is part of it: at least 0.2 s, and well under the
    # hour of the periodic pass.
    assert 0.2 <= after('tacker_dbsync_staleness_seconds_sum') < 30
    assert after('tacker_dbsync_changes_total', api_version='v2',
                 change='scale_level') == 1
    # The caches' own requests are counted too: a WATCH per kind.
    assert before.total('tacker_dbsync_kubernetes_requests_total',
                        verb='WATCH', code='200') >= 5


def test_metrics_file_after_a_one_off_pass(sqlite_world, tmp_path, capsys):
    inst = sqlite_world.deploy('v1', vdus=['VDU1'])
    _scale(sqlite_world, inst, 2)
    (tmp_path / 'textfiles').mkdir()
    path = tmp_path / 'textfiles' / 'tacker_dbsync.prom'
    assert db_sync.main(['--metrics-file', str(path)]) == 0
    capsys.readouterr()
    found = Scrape(_samples(path.read_text()))
    assert found('tacker_dbsync_passes_total', kind='once') == 1
    assert found('tacker_dbsync_passes_total', kind='periodic') == 0
    assert found('tacker_dbsync_changes_total', api_version='v1',
                 change='added') == 1
    assert found('tacker_dbsync_instances', outcome='changed',
                 api_version='v1') == 1
    assert found('tacker_dbsync_vim_up', vim=sqlite_world.vim.id) == 1
    # Written through a rename: no temporary file is left beside it.
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_metrics_file_in_a_missing_directory_is_refused_before_the_pass(
        sqlite_world, tmp_path, capsys):
    inst = sqlite_world.deploy('v1', vdus=['VDU1'])
    _scale(sqlite_world, inst, 2)
    before = inst.raw()
    path = tmp_path / 'missing' / 'tacker_dbsync.prom'
    assert db_sync.main(['--metrics-file', str(path)]) == 2
    assert 'tacker-db-sync: --metrics-file %s: cannot write' % path in \
        capsys.readouterr().err
    assert inst.raw() == before


def test_a_port_that_cannot_be_bound_stops_start_up(
        sqlite_world, sync_conf, capsys):
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        sync_conf.config(interval=30, metrics_port=port,
                         group='database_sync')
        assert db_sync.main(['--daemon']) == 2
        err = capsys.readouterr().err
        assert err.startswith(
            'tacker-db-sync: Invalid configuration: [database_sync] '
            'metrics_bind_host = 127.0.0.1, metrics_port = %d: cannot '
            'serve the metrics there (' % port), err
        assert err.count('\n') == 1 and 'Traceback' not in err


def _start_up(tmp_path, command, options):
    path = tmp_path / 'tacker.conf'
    path.write_text('[DEFAULT]\nstate_path = %s\n[database_sync]\n'
                    'interval = 30\n%s\n' % (tmp_path, options))
    return subprocess.run(
        [sys.executable, '-m', command, '--config-file', str(path)]
        + (['--daemon'] if command == 'tacker.cmd.db_sync' else []),
        cwd=REPO, capture_output=True, text=True, timeout=60)


def test_a_port_out_of_range_stops_start_up_with_one_line(tmp_path):
    result = _start_up(tmp_path, 'tacker.cmd.db_sync',
                       'metrics_port = 70000')
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        'tacker-db-sync: Invalid configuration: [database_sync] '
        'metrics_port = 70000: Should be less than or equal to 65535']


def test_an_address_the_host_lacks_stops_the_conductor(tmp_path):
    # 192.0.2.1 (TEST-NET-1) is no address of this host.
    result = _start_up(tmp_path, 'tacker.cmd.conductor',
                       'metrics_bind_host = 192.0.2.1\nmetrics_port = %d'
                       % _free_port())
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        'tacker-conductor: Invalid configuration: [database_sync] '
        'metrics_bind_host = 192.0.2.1, metrics_port = '), result.stderr
    assert 'Traceback' not in result.stderr
