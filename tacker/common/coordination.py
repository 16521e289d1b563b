"""Instance locks on a tooz coordination backend.

``instance_lock(instance_id)`` is a context manager that takes the lock
named ``tacker-<instance id>`` without waiting, or raises ``LockHeld``;
it always releases what it took.  The synchronization and every LCM
operation use the same name, so whichever comes second backs off.

tooz 9.1's file lock keeps a reference count on the lock object even when
``acquire`` fails, so each attempt asks the coordinator for a new lock
object and releases only a lock it acquired, once.

A backend that cannot be reached fails the lock at once with
``CoordinationUnavailable`` (an HTTP 503 for the API), rather than after
tooz's own retries: its Redis driver tries a refused connection fifteen
times, about a minute, while the API request or the pass waits.  So a
network backend is probed (one TCP connection, ``PROBE_TIMEOUT``) before
the coordinator is started and then at most every ``PROBE_EVERY``
seconds before a lock; one found unreachable, by the probe or by tooz,
is not asked again for ``UNREACHABLE_HOLD`` seconds.  A backend that
dies between two probes still costs the requests in that window tooz's
retries.
"""

import contextlib
import functools
import socket
import threading
import time
import urllib.parse
import uuid

from oslo_log import log as logging
from tooz import coordination
from tooz import hashring

from tacker.common import exceptions
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

_STATE = {'coordinator': None, 'url': None}
_GUARD = threading.Lock()

# Seconds a TCP probe of a network backend may take.
PROBE_TIMEOUT = 2.0
# Seconds between probes of a backend that answered.
PROBE_EVERY = 1.0
# Seconds a backend found unreachable is not asked again.
UNREACHABLE_HOLD = 5.0
# Where each network backend listens unless its URL says.
_DEFAULT_PORTS = {'redis': 6379, 'rediss': 6379, 'etcd3': 2379,
                  'etcd3+http': 2379, 'etcd3+https': 2379, 'zookeeper': 2181,
                  'kazoo': 2181, 'memcached': 11211, 'mysql': 3306,
                  'postgresql': 5432}
# url -> (monotonic time of the last probe that found it up, or None;
#         monotonic time until which it counts as down; why).
_HEALTH = {}


def display_url(url):
    """The backend URL without its password, fit for logs and errors."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(':%s@' % parts.password, ':***@', 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def scrubbed(text, url=None):
    """``text`` without the password of ``url`` (default: the backend's)."""
    url = CONF.coordination.backend_url if url is None else url
    password = urllib.parse.urlsplit(url).password
    return text.replace(password, '***') if password else text


@functools.lru_cache(maxsize=16)
def _address(url):
    """``(host, port)`` of a network backend; None for file:// and such."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None  # tooz says what is wrong with it
    return parts.hostname, port or _DEFAULT_PORTS[parts.scheme]


def _unavailable(url, reason, now):
    reason = scrubbed(reason, url)
    _HEALTH[url] = (None, now + UNREACHABLE_HOLD, reason)
    return exceptions.CoordinationUnavailable(backend=display_url(url),
                                              reason=reason)


def _check_reachable(url, clock=time.monotonic):
    """Raise CoordinationUnavailable unless the backend looks reachable."""
    address = _address(url)
    if address is None:
        return
    now = clock()
    probed, down_until, reason = _HEALTH.get(url, (None, 0.0, None))
    if now < down_until:
        raise exceptions.CoordinationUnavailable(backend=display_url(url),
                                                 reason=reason)
    if probed is not None and now - probed < PROBE_EVERY:
        return
    try:
        socket.create_connection(address, timeout=PROBE_TIMEOUT).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        LOG.error('The coordination backend %(url)s cannot be reached '
                  '(%(reason)s): instance locks fail for the next %(hold)ss.',
                  {'url': display_url(url), 'reason': reason,
                   'hold': UNREACHABLE_HOLD})
        raise _unavailable(url, reason, now)
    if probed is None and down_until:
        LOG.info('The coordination backend %s answers again.',
                 display_url(url))
    _HEALTH[url] = (now, 0.0, None)


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


def connect():
    """Start this process's coordinator now rather than at the first lock.

    Loading the backend's driver and connecting take a tenth of a second
    or more; a service pays that at start-up, not inside the first write
    of a pass.  Raises ``tooz.coordination.ToozError`` (or the driver's
    error) when the backend cannot be reached, CoordinationUnavailable
    when the probe finds it down.
    """
    _check_reachable(CONF.coordination.backend_url)
    _coordinator()


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
        _HEALTH.clear()
    if coordinator is not None:
        _stop(coordinator)


@contextlib.contextmanager
def instance_lock(instance_id):
    """Hold ``tacker-<instance_id>`` for the block, or raise LockHeld.

    Raises CoordinationUnavailable when the backend cannot be reached.
    """
    url = CONF.coordination.backend_url
    _check_reachable(url)
    try:
        lock = _coordinator().get_lock(lock_name(instance_id).encode())
        acquired = lock.acquire(blocking=False)
    except coordination.ToozConnectionError as exc:
        raise _unavailable(url, _first_line(exc), time.monotonic())
    if not acquired:
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


def _first_line(exc):
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def is_locked(instance_id):
    """True when some holder has the instance's lock right now."""
    try:
        with instance_lock(instance_id):
            return False
    except exceptions.LockHeld:
        return True


class PartitionUnsupported(exceptions.TackerError):
    msg_fmt = ('The coordination backend %(backend)s has no group '
               'membership: every conductor synchronizes every instance '
               '(still safe: the instance locks and compare-and-swap '
               'writes keep them from writing twice).')


class SyncPartition:
    """This conductor's share of the instances, among all conductors.

    Conductors join the group ``tacker-db-sync`` of the coordination
    backend; each pass reads the live members and puts them on a
    consistent hash ring, and a conductor synchronizes the instances the
    ring gives it.  A conductor that dies stops heartbeating, the backend
    drops it after its member timeout, and the next pass of the others
    takes its instances over.  Reading the members on every pass (rather
    than following join/leave events) keeps nothing stale.
    """

    GROUP = b'tacker-db-sync'

    def __init__(self, url=None, member_id=None, *, group=None):
        # ``group``: another group than GROUP, for tests that share a
        # backend with other tests.
        self.GROUP = group.encode() if group else self.GROUP
        self.url = url or CONF.coordination.backend_url
        self.member_id = (member_id or 'conductor-%s-%s' % (
            socket.gethostname(), uuid.uuid4().hex[:8])).encode()
        self._coordinator = coordination.get_coordinator(self.url,
                                                         self.member_id)
        self._coordinator.start(start_heart=True)
        try:
            self._join()
        except NotImplementedError:
            self._coordinator.stop()
            raise PartitionUnsupported(backend=self.url.split(':', 1)[0])

    def _join(self):
        try:
            self._coordinator.create_group(self.GROUP).get()
        except coordination.GroupAlreadyExist:
            pass
        try:
            self._coordinator.join_group(self.GROUP).get()
        except coordination.MemberAlreadyExist:
            pass

    def members(self):
        try:
            members = set(self._coordinator.get_members(self.GROUP).get())
        except coordination.GroupNotCreated:
            # The backend lost the group itself (a Redis restarted without
            # its data): without this, no pass would ever find it again.
            self._join()
            members = set(self._coordinator.get_members(self.GROUP).get())
        if self.member_id not in members:
            # Dropped after a long stall (heartbeats missed): join again.
            self._join()
            members.add(self.member_id)
        return members

    def owner_filter(self):
        """A predicate ``instance_id -> bool`` for one pass."""
        members = self.members()
        if len(members) == 1:
            return lambda instance_id: True
        ring = hashring.HashRing(members)
        me = self.member_id

        def owns(instance_id):
            return me in ring.get_nodes(instance_id.encode())
        return owns

    def leave(self):
        try:
            self._coordinator.leave_group(self.GROUP).get()
        except coordination.ToozError as exc:
            LOG.warning('Leaving the synchronization group failed: %s', exc)
        self._coordinator.stop()
