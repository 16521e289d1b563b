"""Compare-and-swap writes on rows read earlier.

A reader keeps, beside the decoded values, the stored text of the columns
it may write later (a ``RowVersion``).  ``swap`` then updates the row only
where every one of those columns still holds exactly that text, in one
``UPDATE ... WHERE``; when no row matched, someone else wrote in between
and ``StaleRecord`` is raised with nothing written.

Comparing the stored text (not a re-serialization of the decoded value)
keeps this correct for rows written by other programs, whatever their JSON
formatting.  No version column is needed, so the schema stays Tacker's.
"""

import dataclasses

import sqlalchemy as sa

from tacker.common import exceptions


@dataclasses.dataclass(frozen=True)
class RowVersion:
    """What the guarded columns of one row held when it was read."""

    model: type
    key: tuple
    stored: tuple  # ((column name, stored text or None), ...)


def raw_columns(model, names):
    """Select expressions giving each column's stored text, not decoded."""
    table = model.__table__
    return [sa.type_coerce(table.c[name], sa.Text()).label('raw_' + name)
            for name in names]


def version_from_row(model, row, names):
    """A RowVersion from a row selected with ``raw_columns``."""
    table = model.__table__
    key = tuple(getattr(row, c.name) for c in table.primary_key.columns)
    stored = tuple((name, getattr(row, 'raw_' + name)) for name in names)
    return RowVersion(model=model, key=key, stored=stored)


def _same_text(column, text, dialect_name):
    if text is None:
        return column.is_(None)
    guarded = sa.type_coerce(column, sa.Text())
    if dialect_name in ('mysql', 'mariadb'):
        # MySQL compares text case- and trailing-space-insensitively under
        # the usual collations; a binary comparison is exact.
        return sa.cast(guarded, sa.LargeBinary) == text.encode('utf-8')
    if dialect_name == 'postgresql':
        # Tacker's v2 columns are of type json, which has no '=';
        # json::text is the stored text, unchanged.
        return sa.cast(column, sa.Text()) == text
    return guarded == text


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
    where += [_same_text(table.c[name], text, dialect_name)
              for name, text in version.stored]
    where += list(also)
    result = session.execute(
        sa.update(table).where(*where).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise exceptions.StaleRecord(table=table.name,
                                     id='/'.join(map(str, version.key)))
