"""``benchmarks/soak.py`` for two minutes, as CI runs it: a subprocess.

The soak stands up its own MariaDB server, RabbitMQ vhost, Redis
namespace, simulator, tacker-server and three conductors, so the test
only checks that the services it needs are there (a skip, or a failure
under ``CI=true``), runs it, and reads its figures.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from tacker.tests import db_backends

pytestmark = [pytest.mark.slow, pytest.mark.rabbitmq, pytest.mark.redis,
              pytest.mark.mariadb]

ROOT = pathlib.Path(__file__).resolve().parents[4]
MINUTES = 2
SEED = 20261202
INSTANCES = 4
TIMEOUT = 420


def _require_binaries():
    missing = [b for b in ('mariadb-install-db', 'rabbitmqctl', 'mariadb')
               if shutil.which(b) is None]
    if not os.path.exists('/usr/sbin/mariadbd'):
        missing.append('/usr/sbin/mariadbd')
    if not missing:
        return
    message = 'the soak needs %s' % ', '.join(missing)
    if db_backends.in_ci():
        pytest.fail('CI=true but ' + message, pytrace=False)
    pytest.skip(message)


def _figure(out, name):
    match = re.search(r'^%s: (\d+)$' % re.escape(name), out, re.M)
    assert match, 'no "%s" figure in:\n%s' % (name, out)
    return int(match.group(1))


@pytest.mark.timeout(TIMEOUT + 30)
def test_two_minutes_of_chaos_leave_every_record_true():
    db_backends.require_service('rabbitmq', '127.0.0.1', 5672)
    db_backends.require_service('redis', '127.0.0.1', 6379)
    _require_binaries()
    proc = subprocess.run(
        [sys.executable, '-m', 'benchmarks.soak', '--minutes', str(MINUTES),
         '--seed', str(SEED), '--conductors', '3',
         '--instances', str(INSTANCES), '--locks', 'both'],
        cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT)
    out = proc.stdout
    assert proc.returncode == 0, out[-20000:] + proc.stderr[-5000:]
    assert 'soak: PASSED' in out
    assert 'Traceback' not in out
    for name in ('records wrong', 'records excluded', 'stuck op occs',
                 'stuck locks', '5xx',
                 'chaos steps that failed', 'twin requests both accepted'):
        assert _figure(out, name) == 0, name
    # Both lock backends ran a round, each checked every instance, and
    # the chaos did what it says.
    assert _figure(out, 'records checked') == 2 * INSTANCES
    assert 'round file locks:' in out and 'round redis locks:' in out
    faults = re.search(r'^faults injected: (.*)$', out, re.M).group(1)
    for kind in ('pod_kill', 'hpa_scale_', 'api_', 'conductor_kill -9',
                 'conductor_restart', 'db_restart'):
        assert kind in faults, (kind, faults)
    operations = re.search(r'^operations tried: (.*)$', out, re.M).group(1)
    assert re.search(r'scale_(out|in) \d+', operations), operations
    assert 'soak: cleaned up' in out
