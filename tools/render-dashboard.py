#!/usr/bin/env python3
"""Render a Grafana dashboard's panels from a real Prometheus into one PNG.

A developer tool for the documentation, where no Grafana can be run: it
reads the dashboard JSON (etc/grafana/tacker-db-sync-dashboard.json by
default), sends each panel's PromQL ``expr`` to Prometheus's HTTP API
(``/api/v1/query_range``) with the template variables and Grafana's
interval macros filled in, and draws the panels where the dashboard's
``gridPos`` puts them, with their titles, legends and units.

A query Prometheus refuses, or a panel whose queries return nothing
(or only NaN, as a quantile of no observations), is an error naming the
panel, and no PNG is written: a broken dashboard must not look fine.
``--allow-empty`` draws such panels as "No data" instead.

The product never imports this file.  Its one dependency, matplotlib,
lives in a side virtualenv this tool creates on first use (see
``--venv``); the queries use the standard library only.

    tools/render-dashboard.py --prometheus http://127.0.0.1:9090 \\
        --minutes 10 --scrape-interval 2 \\
        --output doc/source/user/tacker-db-sync-dashboard.png
"""

import argparse
import datetime
import json
import math
import os
import pathlib
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / 'etc' / 'grafana' / 'tacker-db-sync-dashboard.json'
VENV = pathlib.Path(os.environ.get(
    'RENDER_DASHBOARD_VENV',
    pathlib.Path.home() / '.cache' / 'tacker-k8s-sync' /
    'render-dashboard-venv'))
REQUIREMENT = 'matplotlib==3.10.*'
# Grafana's row height and column count: a panel of h = 8 is 8 rows.
COLUMNS = 24
# At most this many points per series (Prometheus refuses > 11,000).
MAX_POINTS = 600


class RenderError(Exception):
    """What makes the rendering fail; the message names the panel."""


# -- the queries --------------------------------------------------------------

def variable_values(dashboard, given):
    """{name: value} of the dashboard's template variables.

    ``given`` ({name: [values]}) wins; a variable that includes "All"
    takes its allValue (a regex matching all); a datasource variable is
    not part of any query.  A multi-value choice becomes a regex
    alternation, as Grafana formats it for ``=~``.
    """
    values = {}
    for var in dashboard.get('templating', {}).get('list', []):
        name = var['name']
        if var.get('type') == 'datasource':
            continue
        if name in given:
            chosen = given[name]
            values[name] = chosen[0] if len(chosen) == 1 else \
                '(%s)' % '|'.join(re.escape(v) for v in chosen)
        elif var.get('includeAll'):
            values[name] = var.get('allValue') or '.*'
        elif var.get('type') in ('constant', 'custom', 'textbox') and \
                var.get('query') is not None:
            values[name] = str(var['query']).split(',')[0].strip()
        else:
            raise RenderError('template variable %r has no value: give '
                              '--var %s=VALUE' % (name, name))
    for name in given:
        if name not in values:
            raise RenderError('--var %s: the dashboard has no such '
                              'variable' % name)
    return values


def _duration(seconds):
    seconds = max(1, int(math.ceil(seconds)))
    return '%ds' % seconds


def substitute(expr, variables, *, step, range_seconds, scrape_interval):
    """``expr`` with $var, ${var}, [[var]] and the interval macros set.

    The macros as Grafana defines them: $__interval is the step,
    $__rate_interval max(step + scrape interval, 4 x scrape interval),
    $__range the whole range.
    """
    macros = {
        '__rate_interval': _duration(max(step + scrape_interval,
                                         4 * scrape_interval)),
        '__interval_ms': str(int(step * 1000)),
        '__interval': _duration(step),
        '__range_s': str(int(range_seconds)),
        '__range_ms': str(int(range_seconds * 1000)),
        '__range': _duration(range_seconds),
    }
    known = dict(variables, **macros)

    def value(match):
        name = match.group(1) or match.group(2) or match.group(3)
        if name not in known:
            raise RenderError('unknown variable $%s in %s' % (name, expr))
        return known[name]

    # Longest names first inside the alternation is not needed: \w+ is
    # greedy, so $__interval_ms is never read as $__interval + "_ms".
    return re.sub(r'\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)', value,
                  expr)


def legend(fmt, labels):
    """A series' name: the legendFormat with {{label}} filled in."""
    if not fmt or fmt == '__auto':
        inner = ', '.join('%s="%s"' % item for item in sorted(
            (k, v) for k, v in labels.items() if k != '__name__'))
        return '%s{%s}' % (labels.get('__name__', ''), inner)
    return re.sub(r'\{\{\s*(\w+)\s*\}\}',
                  lambda m: labels.get(m.group(1), ''), fmt).strip()


def query_range(prometheus, expr, *, start, end, step, timeout=30):
    """The ``result`` of one range query; RenderError if refused."""
    form = urllib.parse.urlencode({'query': expr, 'start': start,
                                   'end': end, 'step': step}).encode()
    request = urllib.request.Request(
        '%s/api/v1/query_range' % prometheus.rstrip('/'), data=form,
        headers={'Content-Type': 'application/x-www-form-urlencoded'})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            body = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read())
        except ValueError:
            raise RenderError('HTTP %d from Prometheus' % exc.code)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise RenderError('cannot query %s: %s' % (prometheus, exc))
    if body.get('status') != 'success':
        raise RenderError('%s: %s' % (body.get('errorType', 'error'),
                                      body.get('error', body)))
    if body['data'].get('resultType') != 'matrix':
        raise RenderError('not a range vector: %s'
                          % body['data'].get('resultType'))
    return body['data']['result']


def prometheus_version(prometheus):
    """The server's version, from /api/v1/status/buildinfo."""
    url = '%s/api/v1/status/buildinfo' % prometheus.rstrip('/')
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return json.loads(resp.read())['data']['version']
    except (urllib.error.URLError, OSError, ValueError, KeyError):
        return '(version unknown)'


def panel_series(result, fmt):
    """[(name, [unix seconds], [values])] of one target, NaN kept."""
    series = []
    for item in result:
        times = [float(t) for t, _v in item['values']]
        values = [float(v) for _t, v in item['values']]
        series.append((legend(fmt, item['metric']), times, values))
    return series


def has_data(series):
    return any(math.isfinite(v) for _n, _t, values in series
               for v in values)


def query_panels(dashboard, prometheus, *, start, end, step,
                 scrape_interval, variables):
    """[(panel, series, problems)] for every panel that draws data."""
    panels = []
    for panel in dashboard['panels']:
        if panel.get('type') == 'row':
            continue
        title = '%s (panel %s)' % (panel.get('title', ''), panel.get('id'))
        if panel.get('type') != 'timeseries':
            raise RenderError('%s: panel type %r is not drawn by this tool'
                              % (title, panel.get('type')))
        series, problems = [], []
        for target in panel.get('targets', []):
            if target.get('hide'):
                continue
            expr = substitute(target['expr'], variables, step=step,
                              range_seconds=end - start,
                              scrape_interval=scrape_interval)
            try:
                found = panel_series(query_range(
                    prometheus, expr, start=start, end=end, step=step),
                    target.get('legendFormat', ''))
            except RenderError as exc:
                problems.append('%s, query %s: %s\n    %s'
                                % (title, target.get('refId'), exc, expr))
                continue
            if not has_data(found):
                problems.append('%s, query %s: no data\n    %s'
                                % (title, target.get('refId'), expr))
            series.extend(found)
        if not panel.get('targets'):
            problems.append('%s: no queries' % title)
        panels.append((panel, series, problems))
    return panels


# -- the drawing --------------------------------------------------------------

def _scaled(value, steps):
    for factor, suffix in steps:
        if abs(value) >= factor:
            return '%s %s' % (_number(value / factor), suffix)
    return _number(value)


def _number(value):
    if value == 0:
        return '0'
    if abs(value) >= 100:
        return '%.0f' % value
    return ('%.2f' % value).rstrip('0').rstrip('.')


def format_value(value, unit):
    """A tick label in the panel's unit, roughly as Grafana writes it."""
    if unit == 's':
        if value == 0:
            return '0 s'
        if abs(value) < 1:
            return '%s ms' % _number(value * 1000)
        if abs(value) < 60:
            return '%s s' % _number(value)
        if abs(value) < 3600:
            return '%s min' % _number(value / 60)
        return '%s hour' % _number(value / 3600)
    if unit == 'reqps':
        return '%s req/s' % _scaled(value, ((1e6, 'M'), (1e3, 'K')))
    if unit == 'percent':
        return '%s%%' % _number(value)
    if unit == 'percentunit':
        return '%s%%' % _number(value * 100)
    return _scaled(value, ((1e9, 'Bil'), (1e6, 'Mil'), (1e3, 'K')))


def ensure_matplotlib(venv):
    """Import matplotlib, or re-run this tool in a venv that has it."""
    try:
        import matplotlib  # noqa: F401
        return
    except ImportError:
        pass
    python = venv / 'bin' / 'python'
    if pathlib.Path(sys.prefix).resolve() == venv.resolve():
        raise RenderError('matplotlib is missing from %s' % venv)
    if not python.exists():
        sys.stderr.write('Creating %s with %s (once) ...\n'
                         % (venv, REQUIREMENT))
        subprocess.run([sys.executable, '-m', 'venv', str(venv)],
                       check=True)
        subprocess.run([str(python), '-m', 'pip', 'install', '-q',
                        REQUIREMENT], check=True)
    os.execv(str(python), [str(python), os.path.abspath(__file__)] +
             sys.argv[1:])


def _time_ticks(seconds, columns):
    """A tick every 1, 2, 5, ... minutes: about one per two columns."""
    from matplotlib import dates as mdates

    wanted = max(2, columns // 2)
    for minutes in (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720):
        if seconds / 60 / minutes <= wanted:
            break
    if minutes < 60:
        return mdates.MinuteLocator(byminute=range(0, 60, minutes),
                                    tz=datetime.timezone.utc)
    return mdates.HourLocator(byhour=range(0, 24, minutes // 60),
                              tz=datetime.timezone.utc)


def draw(dashboard, panels, output, *, start, end, source, dpi):
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import dates as mdates
    import matplotlib.patches
    from matplotlib import pyplot
    from matplotlib import ticker

    rows = max(p['gridPos']['y'] + p['gridPos']['h'] for p, _s, _e in
               panels)
    # Inches: the figure's width, one grid row, the heading above all.
    width, row, heading = 16.0, 0.3, 0.5
    height = rows * row + heading
    figure = pyplot.figure(figsize=(width, height), dpi=dpi)
    window = '%s - %s UTC' % tuple(
        datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
        .strftime('%Y-%m-%d %H:%M') for t in (start, end))
    figure.text(0.006, 1 - 0.3 / height, dashboard.get('title', ''),
                fontsize=12, fontweight='bold', va='center')
    figure.text(0.994, 1 - 0.3 / height, '%s    %s' % (window, source),
                fontsize=8.5, color='#555555', ha='right', va='center')
    for panel, series, _problems in panels:
        pos = panel['gridPos']
        # The panel's box in inches from the top left, less its frame:
        # room for the title above, the y tick labels on the left, the
        # time axis and the legend below.
        columns = max(1, min(4, pos['w'] // 6))
        lines = max(1, math.ceil(len(series) / columns))
        left = pos['x'] * width / COLUMNS + 0.75
        right = (pos['x'] + pos['w']) * width / COLUMNS - 0.15
        top = heading + pos['y'] * row + 0.35
        bottom = heading + (pos['y'] + pos['h']) * row - 0.32 - \
            0.15 * min(lines, 4)
        figure.patches.append(matplotlib.patches.Rectangle(
            ((pos['x'] * width / COLUMNS + 0.04) / width,
             1 - (heading + (pos['y'] + pos['h']) * row - 0.04) / height),
            (pos['w'] * width / COLUMNS - 0.08) / width,
            (pos['h'] * row - 0.08) / height, transform=figure.transFigure,
            facecolor='#fbfbfc', edgecolor='#d0d3d8', linewidth=0.8,
            zorder=-1))
        axes = figure.add_axes((left / width, 1 - bottom / height,
                                (right - left) / width,
                                (bottom - top) / height))
        axes.set_facecolor('#fbfbfc')
        axes.set_title(panel.get('title', ''), loc='left', fontsize=9.5,
                       fontweight='bold')
        unit = panel.get('fieldConfig', {}).get('defaults', {}).get(
            'unit', 'short')
        axes.yaxis.set_major_formatter(ticker.FuncFormatter(
            lambda v, _p, unit=unit: format_value(v, unit)))
        axes.xaxis.set_major_locator(_time_ticks(end - start, pos['w']))
        axes.xaxis.set_major_formatter(mdates.DateFormatter(
            '%H:%M', tz=datetime.timezone.utc))
        axes.tick_params(labelsize=7.5)
        axes.grid(True, color='#dddddd', linewidth=0.6)
        for spine in axes.spines.values():
            spine.set_color('#bbbbbb')
        axes.set_xlim(*(mdates.date2num(datetime.datetime.fromtimestamp(
            t, datetime.timezone.utc)) for t in (start, end)))
        if not has_data(series):
            axes.text(0.5, 0.5, 'No data', transform=axes.transAxes,
                      ha='center', va='center', color='#aa0000')
            continue
        for name, times, values in series:
            if not any(math.isfinite(v) for v in values):
                continue
            axes.plot([datetime.datetime.fromtimestamp(
                t, datetime.timezone.utc) for t in times], values,
                linewidth=1.2, label=name)
        finite = [v for _n, _t, values in series for v in values
                  if math.isfinite(v)]
        if max(finite) == min(finite) == 0:
            # A line of zeros (no conflicts yet) sits on the time axis.
            axes.set_ylim(-0.05, 1)
        else:
            axes.set_ylim(bottom=min(0, axes.get_ylim()[0]))
        # Below the time axis's labels, whatever the panel's height.
        anchor = ((left - 0.65) / width, 1 - (bottom + 0.2) / height)
        axes.legend(loc='upper left', bbox_to_anchor=anchor,
                    bbox_transform=figure.transFigure, ncol=columns,
                    fontsize=7.5, frameon=False, borderpad=0,
                    handlelength=1.2, columnspacing=1.0)
    figure.savefig(output, dpi=dpi, metadata={'Software': None})
    pyplot.close(figure)


# -- the command --------------------------------------------------------------

def _parser():
    parser = argparse.ArgumentParser(
        description='Run a Grafana dashboard\'s PromQL against Prometheus '
                    'and draw its panels into one PNG.')
    parser.add_argument('--prometheus', required=True, metavar='URL',
                        help='Prometheus base URL, e.g. '
                             'http://127.0.0.1:9090')
    parser.add_argument('--dashboard', type=pathlib.Path,
                        default=DASHBOARD,
                        help='Grafana dashboard JSON (default: %(default)s)')
    parser.add_argument('--output', type=pathlib.Path, required=True,
                        help='PNG to write')
    parser.add_argument('--minutes', type=float, default=15,
                        help='time range ending at --end (default: '
                             '%(default)s)')
    parser.add_argument('--end', type=float, default=None,
                        help='end of the range, Unix seconds (default: '
                             'now)')
    parser.add_argument('--step', type=float, default=None,
                        help='seconds between points (default: the range '
                             'over %d, at least the scrape interval)'
                             % MAX_POINTS)
    parser.add_argument('--scrape-interval', type=float, default=15,
                        help='Prometheus scrape interval in seconds, for '
                             '$__rate_interval (default: %(default)s)')
    parser.add_argument('--var', action='append', default=[],
                        metavar='NAME=VALUE',
                        help='set a template variable (repeat for several '
                             'values); default: its "All" value')
    parser.add_argument('--allow-empty', action='store_true',
                        help='draw panels without data as "No data" '
                             'instead of failing')
    parser.add_argument('--dpi', type=int, default=96)
    parser.add_argument('--venv', type=pathlib.Path, default=VENV,
                        help='virtualenv holding matplotlib, created if '
                             'missing (default: %(default)s; or '
                             '$RENDER_DASHBOARD_VENV)')
    return parser


def main(argv=None):
    import time

    args = _parser().parse_args(argv)
    try:
        given = {}
        for item in args.var:
            name, sep, value = item.partition('=')
            if not sep:
                raise RenderError('--var %s: expected NAME=VALUE' % item)
            given.setdefault(name, []).append(value)
        dashboard = json.loads(args.dashboard.read_text())
        variables = variable_values(dashboard, given)
        end = time.time() if args.end is None else args.end
        start = end - args.minutes * 60
        step = args.step or max(args.scrape_interval,
                                math.ceil((end - start) / MAX_POINTS))
        panels = query_panels(dashboard, args.prometheus, start=start,
                              end=end, step=step,
                              scrape_interval=args.scrape_interval,
                              variables=variables)
    except (RenderError, OSError, ValueError, KeyError) as exc:
        sys.stderr.write('render-dashboard: %s\n' % exc)
        return 1
    problems = [p for _panel, _series, found in panels for p in found]
    for problem in problems:
        sys.stderr.write('render-dashboard: %s\n' % problem)
    if problems and not args.allow_empty:
        sys.stderr.write('render-dashboard: %d problem(s); no PNG written '
                         '(--allow-empty draws them as "No data")\n'
                         % len(problems))
        return 1
    try:
        # After the queries, so that a broken dashboard fails without
        # a virtualenv; a re-run in the venv queries again.
        ensure_matplotlib(args.venv)
    except (RenderError, OSError, subprocess.CalledProcessError) as exc:
        sys.stderr.write('render-dashboard: %s\n' % exc)
        return 1
    draw(dashboard, panels, args.output, start=start, end=end,
         source='Prometheus %s, step %g s' % (
             prometheus_version(args.prometheus), step),
         dpi=args.dpi)
    print('%s: %d panels, %d bytes' % (args.output, len(panels),
                                       args.output.stat().st_size))
    return 0


if __name__ == '__main__':
    sys.exit(main())
