"""ConductorService: what an operator relies on when tacker-conductor runs.

Start-up recovery, the periodic pass on the service's own timer at the
configured interval, passes that fail without stopping the timer, the
RPC listener and the synchronization group joined and left with the
service.  The parts are real: SQLite, file or Redis locks, the real
engine (on an empty database a pass needs no cluster) and the in-process
``fake://`` transport.  Waits have generous deadlines; nothing asserts
how fast anything happens.
"""

import logging
import threading

from oslo_service import threadgroup
import pytest

from tacker.common import coordination
from tacker.common import rpc
from tacker.conductor import endpoints
from tacker.conductor import rpc_api
from tacker.conductor import service as conductor_service
from tacker.db import api as db_api
from tacker.db.instances import v1 as v1_instances
from tacker.dbsync import engine as engine_mod
from tacker.tests import db_backends
from tacker.tests import factories
from tacker import versions

DEADLINE = 60  # seconds: a loaded machine, not a speed requirement
FAR = 3600  # seconds: a pass that must not come during the test
PASS_FAILED = ('Database synchronization pass failed; the next one runs '
               'as scheduled.')
RECOVERY_FAILED = ('Recovery of crashed operations failed; it is retried '
                   'before the next pass.')


class CountingEngine(engine_mod.SyncEngine):
    """The real engine, counting its passes; the first ``failures`` raise."""

    def __init__(self, failures=0):
        super().__init__()
        self.failures = failures
        self.waits = []
        self.closed = False
        self._cond = threading.Condition()

    @property
    def calls(self):
        with self._cond:
            return len(self.waits)

    def run_pass(self, **kwargs):
        with self._cond:
            self.waits.append(kwargs.get('wait'))
            call = len(self.waits)
            self._cond.notify_all()
        if call <= self.failures:
            raise RuntimeError('pass %d blows up' % call)
        return super().run_pass(**kwargs)

    def wait_for(self, calls):
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.waits) >= calls,
                                       DEADLINE), (
                'only %d passes' % len(self.waits))

    def close(self):
        self.closed = True
        super().close()


class TimerGroup(threadgroup.ThreadGroup):
    """oslo.service's thread group, remembering how timers were added."""

    def __init__(self):
        super().__init__()
        self.added = []

    def add_timer(self, interval, callback, initial_delay=None, *args,
                  **kwargs):
        timer = super().add_timer(interval, callback, initial_delay, *args,
                                  **kwargs)
        self.added.append((interval, callback, initial_delay, timer))
        return timer


class Service(conductor_service.ConductorService):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tg = TimerGroup()


@pytest.fixture
def service_conf(conf, sqlite_db, tmp_path):
    conf.config(backend_url='file://%s' % (tmp_path / 'locks'),
                group='coordination')
    conf.config(interval=FAR, initial_delay=FAR, watch=False,
                group='database_sync')
    yield conf
    coordination.stop()


@pytest.fixture
def make_service(service_conf):
    """Builds services and stops any the test left running."""
    started = []

    def make(**kwargs):
        kwargs.setdefault('engine', CountingEngine())
        svc = Service(**kwargs)
        started.append(svc)
        return svc
    yield make
    for svc in started:
        if not svc.engine.closed:
            svc.stop()


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO, logger='tacker')
    return caplog


def _messages(logs, level):
    return [r.getMessage() for r in logs.records if r.levelname == level]


def _op_state(api_version, op_id):
    return versions.get(api_version).op_occs.get(op_id).state


# --- start-up recovery


def test_start_settles_what_a_crashed_conductor_left(make_service):
    claimed = factories.v1_instance(task_state='DB_SYNCHRONIZING')
    running = factories.v2_op_occ(factories.v2_instance(), 'PROCESSING')
    queued = factories.v1_op_occ(
        factories.v1_instance(task_state='SCALING'), 'STARTING')
    svc = make_service()
    svc.start()
    svc.stop()
    assert v1_instances.get_instance(claimed).task_state is None
    assert _op_state('v2', running) == 'FAILED_TEMP'
    assert _op_state('v1', queued) == 'ROLLED_BACK'


def test_the_lock_backend_is_reached_at_start_not_when_made(make_service):
    coordination.stop()
    svc = make_service()
    # Made (in the launcher's parent, before a fork): nothing connected.
    assert svc.engine.locks_connected is None
    assert coordination._STATE['coordinator'] is None
    svc.start()
    try:
        svc.engine.locks_connected.join(30)
        assert coordination._STATE['coordinator'] is not None
    finally:
        svc.stop()


def test_start_leaves_what_a_live_conductor_holds(make_service):
    instance_id = factories.v2_instance()
    running = factories.v2_op_occ(instance_id, 'PROCESSING')
    svc = make_service()
    with coordination.instance_lock(instance_id):
        svc.start()
    svc.stop()
    assert _op_state('v2', running) == 'PROCESSING'


# --- the periodic pass


def test_the_timer_uses_the_configured_interval_and_delay(
        make_service, service_conf, logs):
    service_conf.config(interval=7, initial_delay=FAR, group='database_sync')
    svc = make_service()
    svc.start()
    ((interval, callback, delay, _timer),) = svc.tg.added
    assert (interval, delay) == (7, FAR)
    assert callback == svc.periodic_sync
    assert ('Database synchronization runs every 7s, first in %ss.' % FAR
            in _messages(logs, 'INFO'))
    svc.stop()
    assert svc.passes == 0 and svc.engine.calls == 0


def test_interval_zero_schedules_no_pass(make_service, service_conf, logs):
    service_conf.config(interval=0, initial_delay=0, group='database_sync')
    svc = make_service()
    svc.start()
    assert svc.tg.added == [] and svc.tg.timers == []
    assert svc.engine.partition is None and svc.watches is None
    assert ('Periodic database synchronization is disabled '
            '([database_sync] interval = 0).' in _messages(logs, 'INFO'))
    svc.stop()
    assert svc.engine.calls == 0


def test_passes_repeat_and_wait_for_an_event_driven_one(
        make_service, service_conf):
    service_conf.config(interval=1, initial_delay=0, group='database_sync')
    svc = make_service()
    svc.start()
    svc.engine.wait_for(2)
    svc.stop()
    assert set(svc.engine.waits) == {conductor_service.PERIODIC_PASS_WAIT}


def test_each_pass_first_recovers_crashed_operations(
        make_service, service_conf):
    service_conf.config(interval=1, initial_delay=0, group='database_sync')
    svc = make_service()
    svc.start()
    svc.engine.wait_for(1)
    running = factories.v2_op_occ(factories.v2_instance(), 'PROCESSING')
    # The pass after next recovered only after the op occ was written.
    svc.engine.wait_for(svc.engine.calls + 2)
    svc.stop()
    assert _op_state('v2', running) == 'FAILED_TEMP'


def test_a_failing_pass_does_not_stop_the_timer(
        make_service, service_conf, logs):
    service_conf.config(interval=1, initial_delay=0, group='database_sync')
    svc = make_service(engine=CountingEngine(failures=2))
    svc.start()
    svc.engine.wait_for(4)
    svc.stop()
    assert svc.passes >= 3
    assert _messages(logs, 'ERROR').count(PASS_FAILED) == 2


def test_a_pass_on_a_broken_database_logs_and_returns(
        make_service, service_conf, tmp_path, logs):
    svc = make_service()
    svc.start()
    # An empty SQLite file: every query fails with "no such table".
    service_conf.config(connection='sqlite:///%s' % (tmp_path / 'empty.db'),
                        group='database')
    db_api.reset()
    svc.periodic_sync()  # the timer's function: it must not raise
    assert svc.passes == 1 and svc.engine.calls == 1
    assert RECOVERY_FAILED in _messages(logs, 'ERROR')
    svc.stop()


# --- stop


def test_stop_ends_the_timer_and_closes_the_engine(
        make_service, service_conf):
    service_conf.config(interval=1, initial_delay=0, group='database_sync')
    svc = make_service()
    svc.start()
    svc.engine.wait_for(1)
    ((_interval, _callback, _delay, timer),) = svc.tg.added
    svc.stop()
    timer.wait()  # returns once the timer's loop has ended
    calls = svc.engine.calls
    assert svc.tg.timers == []
    assert svc.engine.closed
    assert svc.engine.calls == calls == svc.passes


def test_watches_live_and_end_with_the_service(make_service, service_conf):
    service_conf.config(watch=True, group='database_sync')
    svc = make_service()
    svc.start()
    assert svc.watches is not None and svc.watches.watched() == set()
    svc.stop()
    assert svc.watches is None


def test_no_watches_unless_configured(make_service):
    svc = make_service()
    svc.start()
    assert svc.watches is None
    svc.stop()


# --- the RPC listener


@pytest.fixture
def fresh_transports():
    rpc.cleanup()
    yield
    rpc.cleanup()


def test_lcm_requests_are_served_while_the_service_runs(
        make_service, fresh_transports):
    received = []
    done = threading.Event()

    def run(api_version, op_occ_id):
        received.append((api_version, op_occ_id))
        done.set()

    endpoint = endpoints.ConductorEndpoint(max_workers=1, run=run)
    servers = []

    def factory():
        servers.append(endpoints.rpc_server(host='svc-test', url='fake://',
                                            endpoint=endpoint))
        return servers[-1]

    svc = make_service(rpc_server_factory=factory)
    assert servers == []  # nothing listens before start
    svc.start()
    rpc_api.ConductorAPI(url='fake://').start_lcm('v2', 'occ-1')
    assert done.wait(DEADLINE)
    svc.stop()
    assert received == [('v2', 'occ-1')]
    assert len(servers) == 1
    with pytest.raises(RuntimeError):  # stop shut its workers down
        endpoint.submit('v2', 'occ-2')


# --- the synchronization group


@pytest.fixture(params=['file',
                        pytest.param('redis', marks=pytest.mark.redis)])
def group_backend(request, service_conf):
    if request.param == 'redis':
        db_backends.require_service('redis', '127.0.0.1', 6379)
        service_conf.config(backend_url='redis://127.0.0.1:6379',
                            group='coordination')
    return request.param


def test_the_sync_group_is_joined_on_start_and_left_on_stop(
        make_service, group_backend):
    svc = make_service()
    svc.start()
    partition = svc.engine.partition
    assert partition is not None
    observer = coordination.SyncPartition()
    try:
        assert partition.member_id in observer.members()
        svc.stop()
        assert svc.engine.partition is None
        assert partition.member_id not in observer.members()
    finally:
        observer.leave()


@pytest.mark.mariadb
def test_a_backend_without_groups_synchronizes_everything(
        make_service, service_conf, logs):
    db_backends.require_service('mariadb', '127.0.0.1', 3306)
    service_conf.config(backend_url='mysql://root@127.0.0.1/mysql',
                        group='coordination')
    svc = make_service()
    svc.start()
    assert svc.engine.partition is None
    assert any('has no group membership' in m
               for m in _messages(logs, 'INFO'))
    svc.stop()
