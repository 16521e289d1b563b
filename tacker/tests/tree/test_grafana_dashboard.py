"""The Grafana dashboard under etc/ asks only for what the conductor
exports: every metric its queries name, with every label they group by."""

import json
import pathlib
import re

import prometheus_client

from tacker.dbsync import metrics

ROOT = pathlib.Path(__file__).resolve().parents[3]
DASHBOARD = ROOT / 'etc' / 'grafana' / 'tacker-db-sync-dashboard.json'

_SUFFIXES = {'counter': ('_total',),
             'histogram': ('_bucket', '_sum', '_count'),
             'gauge': ('',)}
# Labels Prometheus adds to every scraped series.
_TARGET_LABELS = {'instance', 'job', 'le'}


def _exported():
    """{series name: label names} of a SyncMetrics."""
    found = {}
    for value in vars(metrics.SyncMetrics()).values():
        if isinstance(value, prometheus_client.metrics.MetricWrapperBase):
            for suffix in _SUFFIXES[value._type]:
                found[value._name + suffix] = set(value._labelnames)
    return found


def _expressions():
    dashboard = json.loads(DASHBOARD.read_text())
    for panel in dashboard['panels']:
        for target in panel['targets']:
            yield panel['title'], target['expr'], target['legendFormat']


def test_the_dashboard_queries_only_exported_series_and_labels():
    exported = _exported()
    expressions = list(_expressions())
    assert len(expressions) >= 9
    for title, expr, legend in expressions:
        names = set(re.findall(r'\btacker_dbsync_\w+', expr))
        assert names, (title, expr)
        for name in names:
            assert name in exported, (title, name)
        labels = set()
        for group in re.findall(r'by \(([^)]*)\)', expr):
            labels |= {part.strip() for part in group.split(',')}
        labels |= set(re.findall(r'\{\{(\w+)\}\}', legend))
        allowed = set().union(*(exported[n] for n in names)) | \
            _TARGET_LABELS
        assert labels <= allowed, (title, labels - allowed)
