"""Our migrations build the schema Tacker 16's migrations build.

For every table this project uses, both databases are reflected (one
built by Tacker 16 itself, ``tacker_db``; one by our ``upgrade head``)
and compared column by column (type as the server reports it,
nullability, server default) and key by key (primary key, unique keys,
indexes, foreign keys), on MariaDB and PostgreSQL.  On SQLite Tacker's
migrations do not run and its models disagree with them (types,
lengths, nullability), so there only tables and column names are
compared.  A difference that remains is listed in ``JUSTIFIED`` with the
reason it is kept; anything else fails, and so does a justification
that no longer applies.
"""

import subprocess
import sys

import pytest
import sqlalchemy as sa

from tacker.db import migration
from tacker.db import models
from tacker.tests import db_backends

# (backend, what differs): why it is kept.  Backends: mysql (MariaDB),
# postgresql, sqlite (Tacker's side there comes from its models, which
# disagree with its own migrations in places; its migrations do not run
# on SQLite).
_MARIADB_ONLY_NULLABLE = (
    # Tacker's migrations changed these columns' types on MariaDB without
    # restating NOT NULL, which MariaDB then drops; its models and its
    # PostgreSQL schema keep NOT NULL, and every row either program
    # writes has a value, so ours stays NOT NULL.
    "vimauths.auth_cred: ours ('TEXT', False, None), Tacker ('TEXT', True, "
    "None)",
    "vimauths.password: ours ('VARCHAR(255)', False, None), Tacker "
    "('VARCHAR(255)', True, None)",
    "vimauths.vim_project: ours ('TEXT', False, None), Tacker ('TEXT', "
    "True, None)",
    "vims.type: ours ('VARCHAR(64)', False, None), Tacker ('VARCHAR(64)', "
    "True, None)",
    "vnf_lcm_op_occs.operation: ours ('VARCHAR(16)', False, None), Tacker "
    "('VARCHAR(16)', True, None)",
    "vnf_lcm_op_occs.operation_state: ours ('VARCHAR(16)', False, None), "
    "Tacker ('VARCHAR(16)', True, None)",
)
# Every op occ this project writes carries its instance's project
# (vnflcm.begin); the column becomes NOT NULL once the test factories
# that insert op occs without one are brought in line.
_OP_OCC_TENANT = ("vnf_lcm_op_occs.tenant_id: ours ('VARCHAR(64)', True, "
                  "None), Tacker ('VARCHAR(64)', False, None)")
JUSTIFIED = {('mysql', what) for what in _MARIADB_ONLY_NULLABLE} | {
    ('mysql', _OP_OCC_TENANT), ('postgresql', _OP_OCC_TENANT)}


def _columns(inspector, table):
    found = {}
    for column in inspector.get_columns(table):
        default = column.get('default')
        found[column['name']] = (
            str(column['type']).upper(), bool(column['nullable']),
            None if default is None else str(default))
    return found


def _keys(inspector, table):
    pk = tuple(inspector.get_pk_constraint(table)['constrained_columns'])
    uniques = {tuple(u['column_names'])
               for u in inspector.get_unique_constraints(table)}
    indexes = {(tuple(i['column_names']), bool(i['unique']))
               for i in inspector.get_indexes(table)}
    # MariaDB reports a unique key as a unique index too.
    indexes -= {(cols, True) for cols in uniques}
    foreign = {(tuple(f['constrained_columns']), f['referred_table'],
                tuple(f['referred_columns']))
               for f in inspector.get_foreign_keys(table)}
    return {'primary key': {pk}, 'unique': uniques, 'index': indexes,
            'foreign key': foreign}


def _names_only(inspector, table):
    return {name: None for name in _columns(inspector, table)}


def _differences(ours, theirs, tables, *, full=True):
    found = set()
    ours_tables = set(ours.get_table_names())
    theirs_tables = set(theirs.get_table_names())
    for table in tables:
        if table not in theirs_tables or table not in ours_tables:
            found.add('%s: ours %s, Tacker %s' % (
                table, table in ours_tables, table in theirs_tables))
            continue
        describe = _columns if full else _names_only
        mine, tackers = describe(ours, table), describe(theirs, table)
        for name in sorted(set(mine) | set(tackers)):
            if mine.get(name) != tackers.get(name):
                found.add('%s.%s: ours %s, Tacker %s' % (
                    table, name, mine.get(name, 'none'),
                    tackers.get(name, 'none')))
        if not full:
            continue
        my_keys, tacker_keys = _keys(ours, table), _keys(theirs, table)
        for kind in my_keys:
            for key in my_keys[kind] ^ tacker_keys[kind]:
                side = 'ours' if key in my_keys[kind] else 'Tacker'
                found.add('%s %s %s: only %s' % (table, kind, key, side))
    return found


@pytest.fixture
def our_db(tacker_db, tmp_path):
    database = db_backends.TestDatabase(tacker_db.backend, str(tmp_path))
    engine = sa.create_engine(database.url)
    try:
        migration.upgrade('head', engine=engine)
        yield engine
    finally:
        engine.dispose()
        database.drop()


def test_our_schema_is_tackers(tacker_db, our_db):
    theirs = sa.create_engine(tacker_db.url)
    try:
        found = _differences(sa.inspect(our_db), sa.inspect(theirs),
                             sorted(models.BASE.metadata.tables),
                             full=tacker_db.backend != 'sqlite')
    finally:
        theirs.dispose()
    backend = tacker_db.backend
    justified = {what for (where, what) in JUSTIFIED if where == backend}
    assert sorted(found - justified) == []
    # A justification that no longer applies is removed, not kept.
    assert sorted(justified - found) == []


# Tacker's migrations do not run on SQLite, so a Tacker database there
# has no revision to recognise.
@pytest.mark.parametrize('tacker_db', ['mysql', 'postgresql'],
                         indirect=True)
def test_db_manage_calls_a_tacker_database_compatible(tacker_db, tmp_path):
    conf = tmp_path / 'tacker.conf'
    conf.write_text('[DEFAULT]\nstate_path = %s\n[database]\n'
                    'connection = %s\n' % (tmp_path, tacker_db.url))
    for command in ('upgrade', 'current'):
        done = subprocess.run(
            [sys.executable, '-m', 'tacker.cmd.db_manage', '--config-file',
             str(conf), command], capture_output=True, text=True,
            timeout=120)
        assert (done.returncode, done.stdout.strip()) == (
            0, 'Tacker 16 database at revision ca2ad037c320: compatible, '
               'nothing to do'), done.stderr
