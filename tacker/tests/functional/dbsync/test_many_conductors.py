"""Several conductors share the instances: each synchronized once."""

import collections
import time
import uuid

import pytest
import sqlalchemy as sa

from tacker.common import coordination
from tacker.db import api as db_api
from tacker.dbsync import engine as engine_mod
from tacker.tests import db_backends
from tacker.vnfm.infra_drivers.kubernetes import outcome


class _Writes:
    """UPDATEs of v2 instance rows, by id, as the database received them."""

    def __init__(self):
        self.by_instance = collections.Counter()
        self._engine = db_api.get_engine()
        sa.event.listen(self._engine, 'after_cursor_execute', self._seen)

    def _seen(self, conn, cursor, statement, params, context, many):
        plain = statement.lstrip().replace('"', '').replace('`', '')
        if plain.startswith('UPDATE VnfInstanceV2 ') and cursor.rowcount:
            ids = [p for p in (params.values() if isinstance(params, dict)
                               else params) if p in self.ids]
            self.by_instance.update(ids[:1])

    def close(self):
        sa.event.remove(self._engine, 'after_cursor_execute', self._seen)


def _backend_url(request, kind, tmp_path):
    if kind == 'redis':
        db_backends.require_service('redis', '127.0.0.1', 6379)
        return 'redis://127.0.0.1:6379'
    if kind == 'etcd':
        return request.getfixturevalue('etcd').url
    return 'file://%s' % (tmp_path / 'group')


@pytest.mark.parametrize('kind', ['file', 'redis', 'etcd'])
def test_two_conductors_split_the_work_and_write_each_instance_once(
        request, sqlite_world, sync_conf, tmp_path, kind):
    url = _backend_url(request, kind, tmp_path)
    group = 'tacker-db-sync-test-%s' % uuid.uuid4().hex[:8]
    instances = [sqlite_world.deploy('v2', namespace='shared',
                                     vdus=['VDU1'],
                                     names={'VDU1': 'web%d' % i})
                 for i in range(8)]
    for i in range(8):
        sqlite_world.sim.scale('Deployment', 'shared', 'web%d' % i, 2)
    sqlite_world.sim.wait_settled()

    engines = [engine_mod.SyncEngine(
        partition=coordination.SyncPartition(url, name, group=group))
        for name in ('conductor-a', 'conductor-b')]
    writes = _Writes()
    writes.ids = {i.id for i in instances}
    try:
        results = [e.run_pass() for e in engines]
    finally:
        writes.close()
        for e in engines:
            e.partition.leave()
            e.close()
    # What the database received: one write per instance, none twice.
    assert writes.by_instance == {i.id: 1 for i in instances}
    checked = [{o.instance_id for o in r.outcomes} for r in results]
    # Which conductor gets which instance is the hash ring's business
    # (the split itself is tested on 200 ids in test_coordination);
    # here: none checked twice, none left out.
    assert not checked[0] & checked[1]
    assert checked[0] | checked[1] == {i.id for i in instances}
    assert all(o.status == outcome.CHANGED
               for r in results for o in r.outcomes)
    assert results[0].not_owned == len(checked[1])
    assert all(i.stored()[1] == {'vdu1_aspect': 1} for i in instances)


def _messages(logs, level):
    return [r.getMessage() for r in logs.records if r.levelname == level]


def test_a_conductor_that_loses_the_backend_takes_no_instance(
        sqlite_world, sync_conf, etcd, logs):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    engine = engine_mod.SyncEngine(
        partition=coordination.SyncPartition(etcd.url, 'cut-off'))
    try:
        etcd.stop()
        for _ in range(2):
            result = engine.run_pass()
            assert result.outcomes == () and result.not_owned == 1
        lost = [m for m in _messages(logs, 'ERROR')
                if 'cannot tell which instances are its own' in m]
        assert len(lost) == 1  # once per outage, not once per pass
        etcd.start()
        sqlite_world.sim.scale('Deployment', inst.namespace,
                               inst.names['VDU1'], 2)
        sqlite_world.sim.wait_settled()
        deadline = time.monotonic() + 30
        while True:
            result = engine.run_pass()
            if result.outcomes or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert [o.status for o in result.outcomes] == [outcome.CHANGED]
        assert any('answers again' in m for m in _messages(logs, 'INFO'))
    finally:
        if etcd._proc is None:
            etcd.start()
        engine.partition.leave()
        engine.close()


def test_the_engine_reaches_the_lock_backend_when_it_is_made(
        sqlite_world, sync_conf, logs, tmp_path):
    sync_conf.config(backend_url='file://%s' % tmp_path, group='coordination')
    coordination.stop()
    engine = engine_mod.SyncEngine()
    try:
        engine.connect_locks().join(30)
        # Connected before any pass: the first write pays nothing for it.
        assert coordination._STATE['coordinator'] is not None
        assert not _messages(logs, 'ERROR')
    finally:
        engine.close()


def test_an_unusable_lock_backend_is_reported_when_the_engine_is_made(
        sqlite_world, sync_conf, logs):
    inst = sqlite_world.deploy('v2', vdus=['VDU1'])
    # A directory that cannot exist: the file driver fails at once.
    sync_conf.config(backend_url='file:///dev/null/locks',
                     group='coordination')
    coordination.stop()
    engine = engine_mod.SyncEngine()
    try:
        engine.connect_locks().join(30)
        assert [m for m in _messages(logs, 'ERROR')
                if 'Cannot reach the coordination backend' in m]
        # The engine works on: a pass still reports the instance.
        result = engine.run_pass()
        assert [o.instance_id for o in result.outcomes] == [inst.id]
    finally:
        engine.close()
        coordination.stop()
