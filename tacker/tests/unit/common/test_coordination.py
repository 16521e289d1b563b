"""Instance locks and the partition on file, Redis and etcd."""

import shutil
import socket
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from tacker.common import coordination
from tacker.common import exceptions
from tacker.tests import db_backends


@pytest.fixture(params=['file', 'redis', 'etcd'])
def backend(request, conf, tmp_path):
    if request.param == 'redis':
        db_backends.require_service('redis', '127.0.0.1', 6379)
        url = 'redis://127.0.0.1:6379'
    elif request.param == 'etcd':
        url = request.getfixturevalue('etcd').url
    else:
        url = 'file://%s' % (tmp_path / 'locks')
    conf.config(backend_url=url, group='coordination')
    yield url
    coordination.stop()


def _hold_elsewhere(url, name, seconds):
    """A second process holding the lock, as another conductor would."""
    code = textwrap.dedent('''
        import sys, time
        from tooz import coordination
        c = coordination.get_coordinator(sys.argv[1], b'other')
        c.start(start_heart=True)
        lock = c.get_lock(sys.argv[2].encode())
        assert lock.acquire(blocking=True)
        print('held', flush=True)
        time.sleep(float(sys.argv[3]))
        lock.release()
        c.stop()
    ''')
    proc = subprocess.Popen([sys.executable, '-c', code, url, name,
                             str(seconds)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == 'held'
    return proc


def test_lock_is_exclusive_and_released(backend):
    instance_id = str(uuid.uuid4())
    with coordination.instance_lock(instance_id):
        assert coordination.is_locked(instance_id)
        with pytest.raises(exceptions.LockHeld) as err:
            with coordination.instance_lock(instance_id):
                pass
    assert err.value.code == 409
    assert not coordination.is_locked(instance_id)


def test_lock_held_by_another_process_is_seen(backend):
    instance_id = str(uuid.uuid4())
    other = _hold_elsewhere(backend, coordination.lock_name(instance_id), 30)
    try:
        with pytest.raises(exceptions.LockHeld):
            with coordination.instance_lock(instance_id):
                pass
    finally:
        other.kill()
        other.wait()
    if backend.startswith('file'):
        # A killed holder frees a file lock at once.
        with coordination.instance_lock(instance_id):
            pass


def test_a_failed_attempt_does_not_break_later_ones(backend):
    instance_id = str(uuid.uuid4())
    with coordination.instance_lock(instance_id):
        for _ in range(3):
            assert coordination.is_locked(instance_id)
    with coordination.instance_lock(instance_id):
        pass


IDS = [str(uuid.UUID(int=i)) for i in range(200)]


def _split(*partitions):
    filters = [p.owner_filter() for p in partitions]
    return [{i for i in IDS if owns(i)} for owns in filters]


def test_conductors_share_instances_without_overlap(backend):
    # A group of its own: other tests may use the same Redis at once.
    group = 'tacker-db-sync-test-%s' % uuid.uuid4().hex[:8]
    first = coordination.SyncPartition(backend, 'conductor-a', group=group)
    second = coordination.SyncPartition(backend, 'conductor-b', group=group)
    try:
        mine, theirs = _split(first, second)
        assert mine and theirs
        assert not mine & theirs and mine | theirs == set(IDS)
    finally:
        second.leave()
    (everything,) = _split(first)
    first.leave()
    assert everything == set(IDS)


@pytest.mark.parametrize('kind', ['file', 'etcd'])
def test_a_dead_conductors_instances_are_taken_over(request, tmp_path,
                                                    kind):
    # Members are dropped once they miss heartbeats for ``timeout`` s.
    if kind == 'etcd':
        url = request.getfixturevalue('etcd').url + '?timeout=2'
    else:
        url = 'file://%s?timeout=2' % (tmp_path / 'locks')
    code = textwrap.dedent('''
        import sys, time
        from tacker.common import coordination
        p = coordination.SyncPartition(sys.argv[1], 'doomed')
        print('joined', flush=True)
        time.sleep(60)
    ''')
    doomed = subprocess.Popen([sys.executable, '-c', code, url],
                              stdout=subprocess.PIPE, text=True)
    survivor = None
    try:
        assert doomed.stdout.readline().strip() == 'joined'
        survivor = coordination.SyncPartition(url, 'survivor')
        (share,) = _split(survivor)
        assert 0 < len(share) < len(IDS)
        doomed.kill()  # no leave: heartbeats just stop
        doomed.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and len(share) < len(IDS):
            time.sleep(0.5)
            (share,) = _split(survivor)
        assert share == set(IDS)
    finally:
        doomed.kill()
        if survivor is not None:
            survivor.leave()


def test_a_backend_without_groups_is_reported(conf):
    db_backends.require_service('mariadb', '127.0.0.1', 3306)
    with pytest.raises(coordination.PartitionUnsupported):
        coordination.SyncPartition('mysql://root@127.0.0.1/mysql', 'x')


def test_etcd_lock_of_a_killed_holder_expires_with_its_lease(conf, etcd):
    url = etcd.url + '?timeout=3'
    conf.config(backend_url=url, group='coordination')
    instance_id = str(uuid.uuid4())
    holder = _hold_elsewhere(url, coordination.lock_name(instance_id), 300)
    try:
        assert coordination.is_locked(instance_id)
        holder.kill()  # kill -9: no release, the lease just stops
        holder.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and coordination.is_locked(
                instance_id):
            time.sleep(0.5)
        assert not coordination.is_locked(instance_id)
    finally:
        holder.kill()
        coordination.stop()


def test_locks_and_partition_survive_an_etcd_restart(conf, etcd):
    conf.config(backend_url=etcd.url, group='coordination')
    partition = coordination.SyncPartition(etcd.url, 'restarted')
    instance_id = str(uuid.uuid4())
    try:
        with coordination.instance_lock(instance_id):
            pass
        etcd.restart()
        deadline = time.monotonic() + 30
        while True:
            try:
                with coordination.instance_lock(instance_id):
                    pass
                members = partition.members()
                break
            except Exception:  # noqa: the gateway may still be coming up
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        assert partition.member_id in members
        (share,) = _split(partition)
        assert share == set(IDS)
    finally:
        partition.leave()
        coordination.stop()


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _redis_server(port, workdir):
    server = subprocess.Popen(
        ['redis-server', '--port', str(port), '--bind', '127.0.0.1',
         '--save', '', '--appendonly', 'no', '--dir', str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(('127.0.0.1', port), 1).close()
            return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise
            time.sleep(0.05)


def test_the_partition_comes_back_after_redis_restarts_empty(tmp_path):
    # A private server, restarted without persistence: it comes back with
    # no group, no member and no heartbeat key.
    _require_redis_server()
    port = _free_port()
    url = 'redis://127.0.0.1:%d?timeout=3' % port
    server = _redis_server(port, tmp_path)
    partition = None
    try:
        partition = coordination.SyncPartition(url, 'restarted')
        assert partition.members() == {b'restarted'}
        server.kill()
        server.wait()
        server = _redis_server(port, tmp_path)
        deadline = time.monotonic() + 20
        while True:
            try:
                members = partition.members()
                break
            except Exception:  # noqa: the client reconnects on its own
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert members == {b'restarted'}
        (share,) = _split(partition)
        assert share == set(IDS)
    finally:
        if partition is not None:
            partition.leave()
        server.kill()
        server.wait()


def _require_redis_server():
    if shutil.which('redis-server') is None:
        message = 'redis-server is not installed'
        if db_backends.in_ci():
            pytest.fail('CI=true but ' + message, pytrace=False)
        pytest.skip(message)


# Without the probe, tooz's Redis driver retries a refused connection
# for about a minute: the timeout is what tells the two apart.
@pytest.mark.timeout(30)
def test_an_unreachable_backend_is_a_503_naming_it_without_password(conf):
    port = _free_port()  # nothing listens there
    conf.config(backend_url='redis://:s3cret@127.0.0.1:%d' % port,
                group='coordination')
    try:
        for _ in range(3):
            with pytest.raises(exceptions.CoordinationUnavailable) as err:
                with coordination.instance_lock(str(uuid.uuid4())):
                    pass
            assert err.value.code == 503
            assert '127.0.0.1:%d' % port in err.value.message
            assert 's3cret' not in err.value.message
    finally:
        coordination.stop()


@pytest.mark.timeout(60)
def test_locks_work_again_once_the_backend_is_back(conf, tmp_path,
                                                   monkeypatch):
    _require_redis_server()
    monkeypatch.setattr(coordination, 'UNREACHABLE_HOLD', 0.5)
    monkeypatch.setattr(coordination, 'PROBE_EVERY', 0.0)
    port = _free_port()
    conf.config(backend_url='redis://127.0.0.1:%d' % port,
                group='coordination')
    server = _redis_server(port, tmp_path)
    instance_id = str(uuid.uuid4())
    try:
        with coordination.instance_lock(instance_id):
            pass
        server.kill()
        server.wait()
        with pytest.raises(exceptions.CoordinationUnavailable):
            with coordination.instance_lock(instance_id):
                pass
        server = _redis_server(port, tmp_path)
        deadline = time.monotonic() + 20
        while True:
            try:
                with coordination.instance_lock(instance_id):
                    assert coordination.is_locked(instance_id)
                break
            except exceptions.CoordinationUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert not coordination.is_locked(instance_id)
    finally:
        coordination.stop()
        server.kill()
        server.wait()
