"""Compare-and-swap writes on rows read earlier.

A reader keeps, beside the decoded values, a digest (MD5) of the stored
text of the columns it may write later (a ``RowVersion``).  ``swap`` then
updates the row only where every one of those columns still hashes to
that digest, in one ``UPDATE ... WHERE``; when no row matched, someone
else wrote in between and ``StaleRecord`` is raised with nothing written.

Hashing the stored text (not a re-serialization of the decoded value)
keeps this correct for rows written by other programs, whatever their JSON
formatting, and the database hashes its own copy (``digest_of``), so the
statement carries 32 characters per column rather than the document.  No
version column is needed, so the schema stays Tacker's.  SQLite has no
MD5 of its own: ``tacker.db.api`` gives every SQLite connection one.
"""

import dataclasses
import functools
import hashlib

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from tacker.common import exceptions


@dataclasses.dataclass(frozen=True)
class RowVersion:
    """What the guarded columns of one row held when it was read."""

    model: type
    key: tuple
    stored: tuple  # ((column name, digest of the stored text or None), ...)


def digest(text):
    """The MD5 (hex) of a stored text, as ``digest_of`` computes it."""
    if text is None:
        return None
    if isinstance(text, (bytes, bytearray)):
        return hashlib.md5(bytes(text)).hexdigest()
    # A number from SQLite (its md5 also sees the integer columns a
    # digest read selects) hashes as its text, as on the other databases.
    return hashlib.md5(str(text).encode('utf-8')).hexdigest()


def digest_of(column, dialect_name):
    """A SQL expression: the MD5 (hex) of ``column``'s stored text."""
    if dialect_name == 'postgresql':
        # json::text is the stored text, unchanged.
        return sa.func.md5(sa.cast(column, sa.Text()))
    if dialect_name in ('mysql', 'mariadb'):
        # The bytes of the text in UTF-8, whatever the column's charset.
        return sa.func.md5(sa.cast(column, mysql.CHAR(charset='utf8mb4')))
    return sa.func.md5(sa.type_coerce(column, sa.Text()))


def raw_columns(model, names):
    """Select expressions giving each column's stored text, not decoded."""
    table = model.__table__
    return [sa.type_coerce(table.c[name], sa.Text()).label('raw_' + name)
            for name in names]


def version(model, key, texts):
    """A RowVersion of ``texts``: ((column name, stored text), ...)."""
    return RowVersion(model=model, key=tuple(key),
                      stored=tuple((name, digest(text))
                                   for name, text in texts))


def version_from_row(model, row, names):
    """A RowVersion from a row selected with ``raw_columns``."""
    table = model.__table__
    key = tuple(getattr(row, c.name) for c in table.primary_key.columns)
    return version(model, key,
                   [(name, getattr(row, 'raw_' + name)) for name in names])


def _same_text(column, stored_digest, dialect_name):
    if stored_digest is None:
        return column.is_(None)
    return digest_of(column, dialect_name) == stored_digest


@functools.lru_cache(maxsize=128)
def _statement(table, dialect_name, guarded, value_names, also):
    """The UPDATE of ``swap``, with a parameter for every value.

    One statement per shape (table, which guarded columns are NULL,
    which columns are written, the extra conditions), built once: a
    statement built anew for every write spends more in SQLAlchemy's
    cache-key computation than in the database.  ``guarded`` is
    ((column name, True if stored NULL), ...); the values are bound as
    ``key_<column>``, ``digest_<column>`` and ``value_<column>``.
    """
    where = [column == sa.bindparam('key_' + column.name, type_=column.type)
             for column in table.primary_key.columns]
    for name, is_null in guarded:
        column = table.c[name]
        where.append(column.is_(None) if is_null else
                     digest_of(column, dialect_name) ==
                     sa.bindparam('digest_' + name, type_=sa.String()))
    where += list(also)
    return (sa.update(table).where(*where)
            .values({name: sa.bindparam('value_' + name,
                                        type_=table.c[name].type)
                     for name in value_names})
            .execution_options(synchronize_session=False))


def swap(session, version, values, also=()):
    """Write ``values`` where the row still holds ``version``.

    ``values`` maps column names to Python values (JSON columns take the
    decoded document); ``also`` adds conditions the row must meet (the
    same expression objects from one call to the next, so that the
    statement is built once for them).
    Raises StaleRecord when the row changed or is gone.
    """
    table = version.model.__table__
    names = tuple(sorted(values))
    statement = _statement(
        table, session.get_bind().dialect.name,
        tuple((name, stored is None) for name, stored in version.stored),
        names, tuple(also))
    params = {'key_' + column.name: value for column, value in
              zip(table.primary_key.columns, version.key)}
    params.update(('digest_' + name, stored)
                  for name, stored in version.stored if stored is not None)
    params.update(('value_' + name, values[name]) for name in names)
    result = session.execute(statement, params)
    if result.rowcount != 1:
        raise exceptions.StaleRecord(table=table.name,
                                     id='/'.join(map(str, version.key)))
