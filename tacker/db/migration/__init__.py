"""Alembic migrations of TackerDB, driven by ``tacker-db-manage``."""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration
from alembic import script

from tacker.db import api as db_api

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
