"""Instance locks on the file backend and on Redis."""

import subprocess
import sys
import textwrap
import uuid

import pytest

from tacker.common import coordination
from tacker.common import exceptions
from tacker.tests import db_backends


@pytest.fixture(params=['file', 'redis'])
def backend(request, conf, tmp_path):
    if request.param == 'redis':
        db_backends.require_service('redis', '127.0.0.1', 6379)
        url = 'redis://127.0.0.1:6379'
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
