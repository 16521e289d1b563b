"""``benchmarks/dbsync_pass.py`` runs and reports what each pass did.

Small (12 instances, 144 pods) and only about counts, never time: the
requests each shape makes of the cluster, the rows each pass writes, and
that every replaced pod reached TackerDB through the watch; with
``--watch``, that the passes after the first ask the cluster nothing.
"""

import json
import os
import pathlib
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

INSTANCES, NAMESPACES, KINDS = 12, 2, 5
ROOT = pathlib.Path(__file__).resolve().parents[4]


def _run(tmp_path_factory, *extra):
    out = subprocess.run(
        [sys.executable, '-m', 'benchmarks.dbsync_pass',
         '--instances', str(INSTANCES), '--namespaces', str(NAMESPACES),
         '--staleness-pods', '4', '--tacker-sample', '5', '--json']
        + list(extra),
        capture_output=True, text=True, timeout=300,
        cwd=str(tmp_path_factory.mktemp('bench')),
        env={**os.environ, 'PYTHONPATH': str(ROOT)})
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    return _run(tmp_path_factory)


@pytest.fixture(scope='module')
def watch_report(tmp_path_factory):
    return _run(tmp_path_factory, '--watch')


def test_reports_the_keys_the_issue_names(report):
    for key in ('instances', 'pods', 'no_drift_pass_s',
                'no_drift_k8s_requests', 'drift_pass_s',
                'drift_rows_written', 'tacker_shape_pass_s', 'raw_floor_s',
                'rss_mb', 'staleness_p50_s', 'staleness_p99_s'):
        assert report[key] is not None, key
    assert report['instances'] == INSTANCES
    assert report['pods'] == INSTANCES * 3 * 4


def test_our_pass_lists_each_namespace_once_per_kind(report):
    assert report['cold_k8s_requests'] == NAMESPACES * KINDS
    assert report['no_drift_k8s_requests'] == NAMESPACES * KINDS
    assert report['no_drift_rows_written'] == 0


def test_a_drift_pass_writes_the_changed_instances(report):
    assert report['drift_changed'] > 0
    assert report['drift_rows_written'] >= report['drift_changed']


def test_baselines_ask_what_they_say(report):
    assert report['raw_floor_k8s_requests'] == NAMESPACES
    assert report['tacker_shape_sample'] == 5
    assert report['tacker_shape_k8s_requests'] == 5


def test_every_replaced_pod_reaches_tackerdb(report):
    assert report['staleness_replaced'] == 4
    assert report['staleness_missing'] == 0
    assert 0 < report['staleness_p50_s'] <= report['staleness_p99_s']


def test_with_the_watch_only_the_cold_pass_lists(watch_report):
    assert watch_report['watch'] is True
    # The first pass lists while the caches start (and list, and open
    # their watches); after that, nothing.
    assert watch_report['cold_k8s_requests'] >= NAMESPACES * KINDS
    assert watch_report['no_drift_k8s_requests'] == 0
    assert watch_report['no_drift_rows_written'] == 0
    assert watch_report['drift_k8s_requests'] == 0
    assert watch_report['drift_changed'] > 0
