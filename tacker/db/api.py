"""Sessions on TackerDB through oslo.db's enginefacade.

Callers use ``writer_session()`` / ``reader_session()``; each yields a
SQLAlchemy session inside one transaction, committed when the block ends
without an exception and rolled back otherwise.

JSON cells reach the models as text on every backend: psycopg2 parses a
PostgreSQL ``json`` column (Tacker's v2 columns) by itself, which would
hide Tacker's JSON-text-in-JSON form and the exact stored text the
compare-and-swap needs, so connections to PostgreSQL are told not to.
"""

import contextlib
import os
import threading

from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa
from sqlalchemy import engine as sa_engine

from tacker.db import cas
import tacker.conf

CONF = tacker.conf.CONF

_LOCK = threading.Lock()
_FACADE = {'ctx': None}


def _json_as_text(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith('psycopg2'):
        from psycopg2 import extras

        def unparsed(text):
            return text
        extras.register_default_json(dbapi_connection, loads=unparsed)
        extras.register_default_jsonb(dbapi_connection, loads=unparsed)


sa.event.listen(sa_engine.Engine, 'connect', _json_as_text)


def _sqlite_md5(dbapi_connection, _record):
    # The compare-and-swap writes and the pass's digest reads hash the
    # stored text in SQL (tacker.db.cas); SQLite has no MD5 of its own.
    if type(dbapi_connection).__module__.startswith('sqlite3'):
        dbapi_connection.create_function('md5', 1, cas.digest,
                                         deterministic=True)


sa.event.listen(sa_engine.Engine, 'connect', _sqlite_md5)


class _Context:
    """The minimal object enginefacade attaches its transaction state to."""


def _context_manager():
    with _LOCK:
        if _FACADE['ctx'] is None:
            _make_sqlite_directory(CONF.database.connection)
            ctx = enginefacade.transaction_context()
            ctx.configure(sqlite_fk=True, **_engine_options())
            _FACADE['ctx'] = ctx
        return _FACADE['ctx']


def _make_sqlite_directory(connection):
    # The embedded default lives under $state_path, which a fresh machine
    # does not have yet; SQLite cannot create the directory itself.
    url = sa_engine.make_url(connection)
    if url.get_backend_name() == 'sqlite' and url.database not in (
            None, '', ':memory:'):
        os.makedirs(os.path.dirname(os.path.abspath(url.database)),
                    exist_ok=True)


def _engine_options():
    db = CONF.database
    return {
        'connection': db.connection,
        'max_pool_size': db.max_pool_size,
        'max_overflow': db.max_overflow,
        'pool_timeout': db.pool_timeout,
        'connection_recycle_time': db.connection_recycle_time,
        'max_retries': db.max_retries,
        'retry_interval': db.retry_interval,
    }


def reset():
    """Forget the engine, so the next session uses the current options."""
    with _LOCK:
        ctx = _FACADE['ctx']
        _FACADE['ctx'] = None
    if ctx is not None:
        try:
            ctx.writer.get_engine().dispose()
        except Exception:  # noqa: a never-started facade has no engine
            pass


def get_engine():
    return _context_manager().writer.get_engine()


@contextlib.contextmanager
def writer_session():
    with _context_manager().writer.using(_Context()) as session:
        yield session


@contextlib.contextmanager
def reader_session():
    with _context_manager().reader.using(_Context()) as session:
        yield session
