"""``tacker-db-sync --daemon``: the synchronization without the LCM side.

Beside a running Tacker, Tacker's conductor owns the LCM operations and
their op occs; ours must synchronize and nothing else.
"""

import os
import signal
import socket
import subprocess
import sys
import urllib.request

from tacker.cmd import db_sync
from tacker.common import states
from tacker.conductor import service as conductor_service
from tacker.db import api as db_api
from tacker.db.instances import v1 as v1_instances
from tacker.db import op_occs
import tacker.conf
from tacker.tests import factories
from tacker.tests.functional.dbsync import cnf

CONF = tacker.conf.CONF
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))


def _processing_op_occ(instance_id):
    """An op occ a conductor that died left PROCESSING (lock free)."""
    with db_api.writer_session() as session:
        occ_id = op_occs.V2.create(session, instance_id=instance_id,
                                   operation='SCALE', params={})
    assert op_occs.V2.transition(occ_id, from_states=[states.STARTING],
                                 to_state=states.PROCESSING)
    return occ_id


def test_sync_only_service_leaves_op_occs_to_their_conductor(
        sqlite_world, sync_conf):
    sync_conf.config(interval=0, group='database_sync')
    v2 = sqlite_world.deploy('v2', vdus=['VDU1'])
    v1 = sqlite_world.deploy('v1', vdus=['VDU1'])
    occ_id = _processing_op_occ(v2.id)
    v1_instances.claim_task_state(v1.id, states.DB_SYNCHRONIZING,
                                  now=factories.ago(minutes=3))

    sync_only = conductor_service.ConductorService(lcm=False)
    sync_only.start()
    sync_only.stop()
    # Its own leftover is cleared; the operation is not its to settle.
    assert v1_instances.get_instance(v1.id).task_state is None
    assert op_occs.V2.get(occ_id).state == states.PROCESSING

    full = conductor_service.ConductorService()
    full.start()
    full.stop()
    assert op_occs.V2.get(occ_id).state == states.FAILED_TEMP


def test_daemon_refuses_what_it_cannot_do(sqlite_world, sync_conf, capsys):
    sync_conf.config(interval=0, group='database_sync')
    assert db_sync.main(['--daemon']) == 2
    assert '[database_sync] interval > 0' in capsys.readouterr().err
    sync_conf.config(interval=30, group='database_sync')
    assert db_sync.main(['--daemon', '--dry-run']) == 2
    assert 'neither --dry-run nor --instance' in capsys.readouterr().err


def _wait(predicate, timeout=60):
    return cnf.wait_until(predicate, timeout, interval=0.3)


def test_daemon_synchronizes_on_its_timer_until_sigterm(sqlite_world,
                                                        tmp_path):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    occ_id = _processing_op_occ(sqlite_world.deploy('v2', vdus=['VDU1']).id)
    sqlite_world.sim.scale('Deployment', inst.namespace, 'vdu1', 2)
    sqlite_world.sim.wait_settled()
    conf = tmp_path / 'tacker.conf'
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        metrics_port = probe.getsockname()[1]
    # What an operator copies from Tacker's tacker.conf, and the interval.
    conf.write_text(
        '[DEFAULT]\nstate_path = %(tmp)s\n'
        '[database]\nconnection = %(db)s\n'
        '[vnf_package]\nvnf_package_csar_path = %(csar)s\n'
        '[coordination]\nbackend_url = %(locks)s\n'
        '[database_sync]\ninterval = 1\ninitial_delay = 0\n'
        'settle_timeout = 30\nkubernetes_request_timeout = 5\n'
        'metrics_port = %(metrics)d\n'
        % {'tmp': tmp_path, 'db': CONF.database.connection,
           'csar': CONF.vnf_package.vnf_package_csar_path,
           'locks': CONF.coordination.backend_url,
           'metrics': metrics_port})
    daemon = subprocess.Popen(
        [sys.executable, '-m', 'tacker.cmd.db_sync', '--config-file',
         str(conf), '--daemon'], cwd=REPO, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        synchronized = _wait(lambda: inst.stored()[1] == {'vdu1_aspect': 1})
        # It serves its metrics, and counted the write it just made.
        with urllib.request.urlopen('http://127.0.0.1:%d/metrics'
                                    % metrics_port, timeout=10) as answer:
            metrics = answer.read().decode()
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, _ = daemon.communicate(timeout=60)
    assert synchronized, out
    assert daemon.returncode == 0, out
    assert 'Database synchronization runs every 1s' in out
    assert ('tacker_dbsync_changes_total{api_version="v2",'
            'change="scale_level"} 1.0') in metrics, metrics
    assert 'Prometheus metrics of the synchronization are served at ' \
        'http://127.0.0.1:%d/metrics.' % metrics_port in out
    assert op_occs.V2.get(occ_id).state == states.PROCESSING
