"""Declarative base and the column mixins Tacker's tables share."""

from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import orm


class Base(orm.DeclarativeBase):
    pass


BASE = Base


def _now():
    return timeutils.utcnow()


class Timestamps:
    created_at = orm.mapped_column(sa.DateTime, default=_now,
                                   nullable=False)
    updated_at = orm.mapped_column(sa.DateTime, onupdate=_now)


class SoftDelete(Timestamps):
    """v1 rows are never removed: ``deleted`` marks them."""

    deleted_at = orm.mapped_column(sa.DateTime)
    deleted = orm.mapped_column(sa.Boolean, default=False, nullable=False)
