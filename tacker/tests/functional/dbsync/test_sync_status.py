"""``tacker-db-sync --status`` asks a running conductor over RabbitMQ.

A real ``ConductorService`` (its timer, its RPC server) runs passes on
each database backend against two simulated clusters, one of which
refuses the VIM's token; ``tacker-db-sync --status`` in a process of its
own asks it, on a RabbitMQ topic of this test's own (any listener of a
topic may take a call: a shared topic would let another conductor of
this machine's broker answer).
"""

import json
import os
import socket
import subprocess
import sys
import time
import uuid

import kombu
import pytest

from tacker.cmd import db_sync
from tacker.common import rpc
from tacker.conductor import endpoints
from tacker.conductor import rpc_api
from tacker.conductor import service as conductor_service
import tacker.conf
from tacker.tests import db_backends
from tacker.tests.functional.dbsync import cnf
from tacker_k8s_sim import simulator

RABBIT = 'rabbit://guest:guest@127.0.0.1:5672/'
KOMBU = 'amqp://guest:guest@127.0.0.1:5672//'
HOST = 'status-test-conductor'
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))


@pytest.fixture
def topic(sync_conf):
    """A [conductor] topic of this test alone; its queues go afterwards."""
    db_backends.require_service('rabbitmq', '127.0.0.1', 5672)
    rpc.cleanup()
    name = 'tacker-status-test-%s' % uuid.uuid4().hex[:12]
    sync_conf.config(transport_url=RABBIT)
    sync_conf.config(topic=name, group='conductor')
    yield name
    rpc.cleanup()
    with kombu.Connection(KOMBU, connect_timeout=5) as connection:
        channel = connection.channel()
        for queue in (name, '%s.%s' % (name, HOST)):
            channel.queue_delete(queue)


def _config_file(tmp_path, topic, **extra):
    path = tmp_path / 'status.conf'
    text = ('[DEFAULT]\ntransport_url = %s\n[conductor]\ntopic = %s\n'
            % (RABBIT, topic))
    for group, values in extra.items():
        text += '[%s]\n' % group + ''.join(
            '%s = %s\n' % item for item in values.items())
    path.write_text(text)
    return str(path)


def _db_sync(*args, timeout=60):
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run(
        [sys.executable, '-m', 'tacker.cmd.db_sync'] + list(args),
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


def _wait(predicate, timeout=30):
    return cnf.wait_until(predicate, timeout, interval=0.1)


@pytest.mark.rabbitmq
def test_status_shows_a_vim_failure_and_an_instance_change(
        world, topic, sync_conf, tmp_path):
    drifted = world.deploy('v2', vdus=['VDU1'])
    world.sim.scale('Deployment', drifted.namespace,
                    drifted.names['VDU1'], 2)
    world.sim.wait_settled()
    # A second cluster that takes another token than the one its VIM has.
    with simulator.Simulator(token='another-token-91c2', nodes=1) as other:
        refused = cnf.World(other, package=world)
        unseen = refused.deploy('v2', vdus=['VDU1'])
        sync_conf.config(interval=1, initial_delay=0, watch=False,
                         group='database_sync')
        svc = conductor_service.ConductorService(
            rpc_server_factory=lambda: endpoints.rpc_server(host=HOST))
        svc.start()
        try:
            assert _wait(lambda: svc.passes >= 1)
            done = _db_sync('--config-file', _config_file(tmp_path, topic),
                            '--status', '--instance', drifted.id,
                            '--instance', unseen.id)
            raw = _db_sync('--config-file', _config_file(tmp_path, topic),
                           '--status', '--format', 'json')
        finally:
            svc.stop()
    assert done.returncode == 0, done.stderr
    out = done.stdout
    print(out)
    lines = out.splitlines()
    refused_line = [line for line in lines
                    if line.startswith(refused.vim.id)]
    assert refused_line and 'HTTP 401' in refused_line[0], out
    fine_line = [line for line in lines if line.startswith(world.vim.id)]
    assert fine_line and fine_line[0].split()[4] == '0', out
    instance_line = [line for line in lines
                     if line.startswith(drifted.id)]
    assert instance_line, out
    # LAST CHECKED, LAST CHANGED (the first pass wrote the new scale).
    fields = instance_line[0].split()
    assert fields[1] == 'v2' and fields[2] == world.vim.id
    assert fields[4].endswith('Z') and fields[4] != '-', out
    assert fields[5] == 'unchanged' or fields[5] == 'changed', out
    unseen_line = [line for line in lines if line.startswith(unseen.id)]
    assert unseen_line and 'failed' in unseen_line[0], out
    assert 'HTTP 401' in unseen_line[0] and unseen_line[0].split()[4] == '-'
    for text in (out, done.stderr, raw.stdout, raw.stderr):
        assert cnf.TOKEN not in text and 'guest' not in text
    answer = json.loads(raw.stdout)
    assert 'instances' not in answer
    assert answer['last_full_pass']['kind'] == 'periodic'
    by_vim = {v['vim_id']: v for v in answer['vims']}
    assert by_vim[refused.vim.id]['consecutive_failures'] >= 1
    assert by_vim[refused.vim.id]['last_success'] is None
    assert by_vim[world.vim.id]['last_failure_reason'] is None
    assert by_vim[world.vim.id]['endpoint'] == world.sim.url


@pytest.mark.rabbitmq
def test_status_without_a_conductor_names_the_topic(topic, tmp_path):
    done = _db_sync('--config-file', _config_file(tmp_path, topic),
                    '--status', '--status-timeout', '1')
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith('tacker-db-sync: no tacker-conductor answered '
                           'on RPC topic %s at rabbit://127.0.0.1:5672/ '
                           'within 1s' % topic), done.stderr
    assert 'Traceback' not in done.stderr
    assert 'guest' not in done.stderr + done.stdout


def test_status_refuses_options_of_a_pass(sqlite_db, sync_conf, capsys):
    sync_conf.config(transport_url=RABBIT)
    assert db_sync.main(['--status', '--daemon']) == 2
    assert 'it takes no --daemon' in capsys.readouterr().err
    assert db_sync.main(['--status', '--dry-run']) == 2
    assert 'it takes no --dry-run' in capsys.readouterr().err
    sync_conf.config(transport_url='fake://')
    assert db_sync.main(['--status']) == 2
    assert 'fake://' in capsys.readouterr().err


def test_status_with_the_broker_down_says_so_at_once(sqlite_db, sync_conf,
                                                     capsys):
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    # Nothing listens on that port now.
    sync_conf.config(transport_url='rabbit://guest:pw-3e1f@127.0.0.1:%d/'
                     % port)
    sync_conf.config(topic='tacker-status-nobody', group='conductor')
    started = time.monotonic()
    assert db_sync.main(['--status', '--status-timeout', '2']) == 1
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err
    assert err == ('tacker-db-sync: cannot reach the message broker at '
                   'rabbit://127.0.0.1:%d/ (Connection refused), so no '
                   'conductor on RPC topic tacker-status-nobody can be '
                   'asked\n' % port)


def test_a_1_0_client_is_still_served(sqlite_db, sync_conf):
    """start_lcm at 1.0 reaches a 1.1 endpoint; sync_status needs 1.1."""
    received = []
    sync_conf.config(transport_url='fake://')
    rpc.cleanup()
    server = endpoints.rpc_server(
        host='compat', url='fake://', endpoint=endpoints.ConductorEndpoint(
            max_workers=1, run=lambda *args: received.append(args)))
    server.start()
    try:
        old = rpc.get_client(topic_name(), version='1.0', url='fake://')
        old.cast({}, 'start_lcm', api_version='v2', op_occ_id='occ-1')
        answer = rpc_api.ConductorAPI(url='fake://').sync_status(
            ['x'], timeout=10)
        assert _wait(lambda: received == [('v2', 'occ-1')], timeout=10)
    finally:
        server.stop()
        server.wait()
        rpc.cleanup()
    assert answer['unknown_instances'] == ['x'] and answer['vims'] == []
    assert answer['last_pass'] is None and answer['host']


def topic_name():
    return tacker.conf.CONF.conductor.topic
