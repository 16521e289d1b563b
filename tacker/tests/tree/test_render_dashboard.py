"""tools/render-dashboard.py: the queries it sends for the dashboard, and
its refusal to draw a panel whose query fails or finds nothing.

The Prometheus here is a small HTTP server answering ``query_range`` the
way Prometheus does (a matrix, or an ``error`` with HTTP 400); the
drawing itself needs matplotlib and a real scrape, and is run by hand
(doc/source/contributor/testing.rst).
"""

import http.server
import importlib.util
import json
import pathlib
import threading
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
TOOL = ROOT / 'tools' / 'render-dashboard.py'
DASHBOARD = ROOT / 'etc' / 'grafana' / 'tacker-db-sync-dashboard.json'


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location('render_dashboard', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def dashboard():
    return json.loads(DASHBOARD.read_text())


@pytest.mark.parametrize('expr, step, scrape, expected', [
    ('rate(x{instance=~"$instance"}[$__rate_interval])', 2, 2,
     'rate(x{instance=~".*"}[8s])'),
    ('rate(x[$__rate_interval])', 30, 15, 'rate(x[60s])'),
    ('rate(x[$__rate_interval])', 60, 15, 'rate(x[75s])'),
    ('increase(x{instance=~"${instance}"}[$__range])', 5, 5,
     'increase(x{instance=~".*"}[900s])'),
    ('x[[instance]] offset $__interval', 7, 2, 'x.* offset 7s'),
    ('$__interval_ms', 2.5, 2, '2500'),
])
def test_variables_and_macros_are_substituted(tool, expr, step, scrape,
                                              expected):
    assert tool.substitute(expr, {'instance': '.*'}, step=step,
                           range_seconds=900,
                           scrape_interval=scrape) == expected


def test_an_unknown_variable_is_an_error(tool):
    with pytest.raises(tool.RenderError, match=r'\$nope'):
        tool.substitute('x{a="$nope"}', {}, step=2, range_seconds=60,
                        scrape_interval=2)


def test_every_dashboard_query_is_left_without_a_variable(tool, dashboard):
    variables = tool.variable_values(dashboard, {})
    assert variables == {'instance': '.*'}
    for panel in dashboard['panels']:
        for target in panel['targets']:
            expr = tool.substitute(target['expr'], variables, step=2,
                                   range_seconds=600, scrape_interval=2)
            assert '$' not in expr and '[[' not in expr, (panel['title'],
                                                          expr)


def test_chosen_conductors_become_a_regex(tool, dashboard):
    assert tool.variable_values(
        dashboard, {'instance': ['10.0.0.1:9464']}) == {
        'instance': '10.0.0.1:9464'}
    assert tool.variable_values(
        dashboard, {'instance': ['a:1', 'b.c:2']}) == {
        'instance': r'(a:1|b\.c:2)'}
    with pytest.raises(tool.RenderError, match='no such variable'):
        tool.variable_values(dashboard, {'conductor': ['a']})


@pytest.mark.parametrize('fmt, labels, expected', [
    ('p50 {{kind}}', {'kind': 'event'}, 'p50 event'),
    ('{{change}} {{api_version}}', {'change': 'added', 'api_version': 'v2'},
     'added v2'),
    ('{{vim}} {{ verb }} {{code}}', {'vim': 'v', 'verb': 'LIST'},
     'v LIST'),
    ('', {'__name__': 'up', 'job': 'j'}, 'up{job="j"}'),
])
def test_legend(tool, fmt, labels, expected):
    assert tool.legend(fmt, labels) == expected


@pytest.mark.parametrize('value, unit, expected', [
    (0.25, 's', '250 ms'), (2.5, 's', '2.5 s'), (90, 's', '1.5 min'),
    (0, 's', '0 s'), (0.04, 'reqps', '0.04 req/s'),
    (1500, 'reqps', '1.5 K req/s'), (2, 'short', '2'),
    (12000, 'short', '12 K'),
])
def test_units(tool, value, unit, expected):
    assert tool.format_value(value, unit) == expected


class _Prometheus(http.server.BaseHTTPRequestHandler):
    """query_range: 400 for lock conflicts, only NaN for staleness."""

    queries = []

    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(
            int(self.headers['Content-Length'])).decode())
        query = form['query'][0]
        self.queries.append(query)
        start = float(form['start'][0])
        if 'lock_conflicts' in query:
            self._answer(400, {'status': 'error', 'errorType': 'bad_data',
                               'error': 'parse error: unexpected'})
            return
        value = 'NaN' if 'staleness' in query else '1'
        self._answer(200, {'status': 'success', 'data': {
            'resultType': 'matrix', 'result': [{
                'metric': {'kind': 'periodic', 'vim': 'vim-1'},
                'values': [[start, value], [start + 2, value]]}]}})

    def _answer(self, code, body):
        raw = json.dumps(body).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture
def prometheus():
    _Prometheus.queries = []
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Prometheus)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_failing_and_empty_panels_are_named(tool, dashboard, prometheus):
    panels = tool.query_panels(dashboard, prometheus, start=1000.0,
                               end=1600.0, step=2, scrape_interval=2,
                               variables={'instance': '.*'})
    problems = {panel['title']: found for panel, _s, found in panels}
    assert len(problems) == len(dashboard['panels'])
    staleness = problems.pop('Staleness (watch mode, p50 / p99)')
    assert [p.split('\n')[0] for p in staleness] == [
        'Staleness (watch mode, p50 / p99) (panel 5), query A: no data',
        'Staleness (watch mode, p50 / p99) (panel 5), query B: no data']
    conflicts = problems.pop('Lock conflicts per 5 minutes')
    assert len(conflicts) == 1
    assert conflicts[0].startswith('Lock conflicts per 5 minutes (panel 6)'
                                   ', query A: bad_data: parse error')
    assert 'tacker_dbsync_lock_conflicts_total{instance=~".*"}' in \
        conflicts[0]
    assert all(found == [] for found in problems.values()), problems
    assert all('$' not in q for q in _Prometheus.queries)


def test_the_command_fails_and_writes_no_png(tool, prometheus, tmp_path,
                                             capsys):
    output = tmp_path / 'dashboard.png'
    code = tool.main(['--prometheus', prometheus, '--output', str(output),
                      '--minutes', '5', '--scrape-interval', '2'])
    assert code == 1
    assert not output.exists()
    err = capsys.readouterr().err
    assert 'Staleness (watch mode, p50 / p99) (panel 5), query A: no ' \
        'data' in err
    assert 'Lock conflicts per 5 minutes (panel 6), query A: bad_data' in err
    assert '3 problem(s); no PNG written' in err


def test_an_unreachable_prometheus_is_an_error(tool, tmp_path, capsys):
    code = tool.main(['--prometheus', 'http://127.0.0.1:1', '--output',
                      str(tmp_path / 'x.png')])
    assert code == 1
    assert 'cannot query http://127.0.0.1:1' in capsys.readouterr().err
