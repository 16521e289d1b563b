"""``benchmarks/conductors.py`` at a tiny size, as a user would read it.

Two conductors (real processes of the synchronization-only service) on
a private redis-server share 40 instances on PostgreSQL; one is killed
with kill -9.  Only counts are checked, never time: no instance missed
or checked twice in any round, every instance with exactly one live
owner afterwards, and every instance of the dead conductor taken over.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from tacker.tests import db_backends

pytestmark = [pytest.mark.slow, pytest.mark.postgresql]

ROOT = pathlib.Path(__file__).resolve().parents[4]
CONDUCTORS, INSTANCES = 2, 40


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    db_backends.require_service('postgresql', '127.0.0.1', 5432)
    if shutil.which('redis-server') is None:
        message = 'redis-server is not installed'
        if db_backends.in_ci():
            pytest.fail('CI=true but ' + message, pytrace=False)
        pytest.skip(message)
    tmp = tmp_path_factory.mktemp('conductors')
    svg = tmp / 'partition.svg'
    out = subprocess.run(
        [sys.executable, '-m', 'benchmarks.conductors',
         '--conductors', str(CONDUCTORS), '--instances', str(INSTANCES),
         '--namespaces', '2', '--interval', '2', '--initial-delay', '2',
         '--membership-timeout', '3', '--rounds', '2', '--after-rounds',
         '1', '--json', '--svg', str(svg)],
        capture_output=True, text=True, timeout=180, cwd=str(tmp),
        env={**os.environ, 'PYTHONPATH': str(ROOT)})
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result['svg_text'] = svg.read_text()
    return result


def test_no_round_misses_or_repeats_an_instance(report):
    rows = report['rounds'] + report['after_rounds']
    assert len(report['rounds']) == 2 and len(report['after_rounds']) == 1
    for row in rows:
        assert (row['missed'], row['duplicated']) == (0, 0), row
        # Nothing drifted, and every check really compared the instance.
        assert row['statuses'] == {'unchanged': INSTANCES}, row
    for row in report['rounds']:
        counts = [c['instances'] for c in row['conductors'].values()]
        assert len(counts) == CONDUCTORS and sum(counts) == INSTANCES


def test_every_instance_has_exactly_one_live_owner_after_the_kill(report):
    owners = report['owners_after']
    assert owners == {'instances': INSTANCES,
                      'exactly_one_live_owner': INSTANCES, 'no_owner': 0,
                      'several_owners': 0, 'owned_by_dead': 0}
    survivors = [n for n in report['member_ids']
                 if n != report['kill']['victim']]
    assert sorted(report['after_rounds'][0]['conductors']) == survivors


def test_the_dead_conductors_instances_are_taken_over(report):
    kill = report['kill']
    assert kill['victim_instances'] > 0
    assert kill['taken_over'] == kill['victim_instances']
    assert kill['not_taken_over'] == 0
    assert kill['victim_passes_after_kill'] == 0
    assert all(view['first_seen_without_s'] is not None
               for view in kill['membership_views'].values())


def test_the_backend_traffic_and_the_picture_are_there(report):
    traffic = report['traffic']
    # Every live member heartbeats and every pass reads the group.
    assert traffic['steady_calls'].get('psetex', 0) > 0
    assert traffic['steady_calls'].get('hkeys', 0) > 0
    assert report['svg_text'].startswith('<svg ')
    assert report['kill']['victim'] in report['svg_text']
