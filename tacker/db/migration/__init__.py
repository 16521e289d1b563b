"""Alembic migrations of TackerDB, driven by ``tacker-db-manage``.

A database may also be at a revision of Tacker's own chain (one Tacker's
``tacker-db-manage`` built): our migrations never run there.  Whether it
has what this project uses is a question of tables and columns, which
``missing_columns`` answers.
"""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration
from alembic import script
import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.db import models

SCRIPT_LOCATION = os.path.join(os.path.dirname(__file__),
                               'alembic_migrations')


def _config(connection=None):
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', SCRIPT_LOCATION)
    cfg.attributes['connection'] = connection
    return cfg


def upgrade(revision='head', engine=None):
    engine = engine or db_api.get_engine()
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def current(engine=None):
    """The revision the database is at, or None for an empty database."""
    engine = engine or db_api.get_engine()
    with engine.connect() as connection:
        return migration.MigrationContext.configure(
            connection).get_current_revision()


def head():
    return script.ScriptDirectory.from_config(_config()).get_current_head()


def revision(message, autogenerate=False, engine=None):
    engine = engine or db_api.get_engine()
    with engine.begin() as connection:
        return command.revision(_config(connection), message=message,
                                autogenerate=autogenerate)


# Tacker 16.0.0's head revision, for the message on a Tacker database.
TACKER16_HEAD = 'ca2ad037c320'


def known_revisions():
    scripts = script.ScriptDirectory.from_config(_config())
    return {rev.revision for rev in scripts.walk_revisions()}


def stamp(revision, engine=None):
    """Record ``revision`` without running migrations (replaces others)."""
    engine = engine or db_api.get_engine()
    with engine.begin() as connection:
        command.stamp(_config(connection), revision, purge=True)


def missing_columns(engine=None):
    """``table.column`` (or ``table``) this project uses but the DB lacks."""
    engine = engine or db_api.get_engine()
    inspector = sa.inspect(engine)
    tables = set(inspector.get_table_names())
    missing = []
    for table in models.BASE.metadata.sorted_tables:
        if table.name not in tables:
            missing.append(table.name)
            continue
        present = {c['name'] for c in inspector.get_columns(table.name)}
        missing += ['%s.%s' % (table.name, c.name) for c in table.columns
                    if c.name not in present]
    return missing
