"""Instance locks on a tooz coordination backend.

``instance_lock(instance_id)`` is a context manager that takes the lock
named ``tacker-<instance id>`` without waiting, or raises ``LockHeld``;
it always releases what it took.  The synchronization and every LCM
operation use the same name, so whichever comes second backs off.

tooz 9.1's file lock keeps a reference count on the lock object even when
``acquire`` fails, so each attempt asks the coordinator for a new lock
object and releases only a lock it acquired, once.
"""

import contextlib
import threading
import uuid

from oslo_log import log as logging
from tooz import coordination

from tacker.common import exceptions
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

_STATE = {'coordinator': None, 'url': None}
_GUARD = threading.Lock()


def lock_name(instance_id):
    return 'tacker-%s' % instance_id


def _coordinator():
    url = CONF.coordination.backend_url
    with _GUARD:
        if _STATE['coordinator'] is None or _STATE['url'] != url:
            if _STATE['coordinator'] is not None:
                _stop(_STATE['coordinator'])
            member = ('tacker-%s' % uuid.uuid4().hex).encode()
            coordinator = coordination.get_coordinator(url, member)
            coordinator.start(start_heart=True)
            _STATE.update(coordinator=coordinator, url=url)
        return _STATE['coordinator']


def _stop(coordinator):
    try:
        coordinator.stop()
    except coordination.ToozError as exc:
        LOG.warning('Stopping the coordination backend failed: %s', exc)


def stop():
    """Leave the backend (at process exit, and between tests)."""
    with _GUARD:
        coordinator, _STATE['coordinator'] = _STATE['coordinator'], None
        _STATE['url'] = None
    if coordinator is not None:
        _stop(coordinator)


@contextlib.contextmanager
def instance_lock(instance_id):
    """Hold ``tacker-<instance_id>`` for the block, or raise LockHeld."""
    lock = _coordinator().get_lock(lock_name(instance_id).encode())
    if not lock.acquire(blocking=False):
        raise exceptions.LockHeld(id=instance_id)
    try:
        yield
    finally:
        try:
            lock.release()
        except coordination.ToozError as exc:
            # The lock will expire with the backend session; say so, since
            # the instance stays blocked until then.
            LOG.error('Releasing the lock of vnf %(id)s failed: %(err)s',
                      {'id': instance_id, 'err': exc})


def is_locked(instance_id):
    """True when some holder has the instance's lock right now."""
    try:
        with instance_lock(instance_id):
            return False
    except exceptions.LockHeld:
        return True
