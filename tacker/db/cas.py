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


def swap(session, version, values, also=()):
    """Write ``values`` where the row still holds ``version``.

    ``values`` maps column names to Python values (JSON columns take the
    decoded document); ``also`` adds conditions the row must meet.
    Raises StaleRecord when the row changed or is gone.
    """
    table = version.model.__table__
    dialect_name = session.get_bind().dialect.name
    where = [column == value for column, value in
             zip(table.primary_key.columns, version.key)]
    where += [_same_text(table.c[name], stored_digest, dialect_name)
              for name, stored_digest in version.stored]
    where += list(also)
    result = session.execute(
        sa.update(table).where(*where).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise exceptions.StaleRecord(table=table.name,
                                     id='/'.join(map(str, version.key)))
