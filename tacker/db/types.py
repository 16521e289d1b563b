"""Column types shared by the models."""

import json

import sqlalchemy as sa
from sqlalchemy.dialects import mysql


def _long_text():
    return sa.Text().with_variant(mysql.LONGTEXT(), 'mysql', 'mariadb')


class Json(sa.types.TypeDecorator):
    """A JSON document stored as text.

    Tacker keeps JSON in text columns; storing the exact text also lets a
    compare-and-swap compare what was read with what is there now.
    """

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(_long_text())

    def process_bind_param(self, value, dialect):
        return dump(value)

    def process_result_value(self, value, dialect):
        return load(value)


def dump(value):
    if value is None:
        return None
    return json.dumps(value, separators=(',', ':'))


def load(text):
    if text is None:
        return None
    return json.loads(text)
