"""Declarative base and the column mixins Tacker's tables share.

Timestamps and soft delete follow Tacker 16's migrations, not its
models, where the two disagree: ``created_at`` is NOT NULL, ``deleted``
is a nullable ``Flag`` (SMALLINT on PostgreSQL, Boolean elsewhere).
"""

from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import orm

from tacker.db import storage_v2
from tacker.db import types


class ObjectJsonColumn(types.InJsonColumn, storage_v2.ObjectJson):
    """A versioned-object field in a JSON column, as Tacker stores it.

    Tacker writes such a field as the object's JSON text inside the JSON
    column: every v2 object field, and v1 op occs' ``operation_params``,
    ``error``, ``resource_changes``, ``changed_info`` and
    ``changed_ext_connectivity``.  Plain JSON is read too.
    """

    cache_ok = True


class Base(orm.DeclarativeBase):
    pass


BASE = Base


def now():
    return timeutils.utcnow()


class Timestamps:
    created_at = orm.mapped_column(sa.DateTime, default=now,
                                   nullable=False)
    updated_at = orm.mapped_column(sa.DateTime, onupdate=now)


class SoftDelete(Timestamps):
    """v1 rows are never removed: ``deleted`` marks them."""

    deleted_at = orm.mapped_column(sa.DateTime)
    deleted = orm.mapped_column(types.Flag, default=False)


def live(deleted):
    """The condition "this row is not soft-deleted" on a ``deleted`` Flag.

    False is bound through the column's type, so PostgreSQL's SMALLINT
    is compared with 0, never with a boolean.
    """
    return deleted == sa.literal(False, deleted.type)
