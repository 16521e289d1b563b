"""tacker-db-manage as an operator runs it, on SQLite."""

import sqlite3
import subprocess
import sys

import pytest

from tacker.db import migration

TACKER16_HEAD = 'ca2ad037c320'


def _run(tmp_path, *args):
    conf = tmp_path / 'tacker.conf'
    conf.write_text('[DEFAULT]\nstate_path = %s\n[database]\n'
                    'connection = sqlite:///%s/tacker.sqlite\n'
                    % (tmp_path, tmp_path))
    done = subprocess.run(
        [sys.executable, '-m', 'tacker.cmd.db_manage', '--config-file',
         str(conf), *args], capture_output=True, text=True, timeout=120)
    assert 'Traceback' not in done.stderr
    return done.returncode, done.stdout.strip(), done.stderr.strip()


def _sql(tmp_path, statement):
    with sqlite3.connect(tmp_path / 'tacker.sqlite') as connection:
        connection.execute(statement)


@pytest.fixture
def upgraded(tmp_path):
    rc, out, _ = _run(tmp_path, 'upgrade')
    assert (rc, out) == (0, 'TackerDB is at revision %s' % migration.head())
    return tmp_path


def test_a_tacker_database_is_left_alone_and_called_compatible(upgraded):
    _sql(upgraded, "UPDATE alembic_version SET version_num = '%s'"
         % TACKER16_HEAD)
    for command in ('upgrade', 'current'):
        rc, out, _ = _run(upgraded, command)
        assert (rc, out) == (0, 'Tacker 16 database at revision %s: '
                                'compatible, nothing to do' % TACKER16_HEAD)


def test_a_tacker_database_lacking_a_column_says_what_is_missing(upgraded):
    _sql(upgraded, "UPDATE alembic_version SET version_num = '1c6b0d82afcd'")
    _sql(upgraded, 'ALTER TABLE vnf_instances DROP COLUMN vnf_metadata')
    rc, out, _ = _run(upgraded, 'upgrade')
    assert rc == 1
    assert out == ('Tacker database at revision 1c6b0d82afcd: missing '
                   'vnf_instances.vnf_metadata; nothing was changed')


def test_stamp_records_a_revision_and_refuses_an_unknown_one(upgraded):
    _sql(upgraded, "UPDATE alembic_version SET version_num = '%s'"
         % TACKER16_HEAD)
    rc, _, err = _run(upgraded, 'stamp', 'no-such-revision')
    assert rc == 1
    assert err.startswith('tacker-db-manage: ')
    assert "no-such-revision" in err
    rc, out, _ = _run(upgraded, 'stamp', 'head')
    assert (rc, out) == (0, 'TackerDB is stamped at revision %s'
                         % migration.head())
    assert _run(upgraded, 'current')[1] == migration.head()
