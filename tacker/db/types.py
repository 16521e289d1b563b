"""Column types shared by the models, and how JSON cells are decoded.

Tacker keeps JSON in text columns (v1) and in JSON columns (v2); storing
and reading the exact text also lets a compare-and-swap compare what was
read with what is there now.  The text is written the way Tacker's own
serializer writes it (``json.dumps`` with its default separators).

A cell that cannot be decoded, or nests deeper than anything written
here may (``json_depth.MAX_STORED_DEPTH``; every later recursive walk,
the views' and ``json.dumps``', would fail on it), is returned as an
``Unreadable`` value, not raised: one bad row must never make a whole
query fail.  Repositories
turn such a value into a problem of that record (``field_problem``).
"""

import dataclasses
import json

from oslo_log import log as logging
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from tacker.common import json_depth

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Unreadable:
    """What a JSON cell held when it could not be decoded.

    ``reason`` says what is wrong with it, never what it holds: cells may
    carry secrets.
    """

    reason: str


def _long_text():
    return sa.Text().with_variant(mysql.LONGTEXT(), 'mysql', 'mariadb')


class Json(sa.types.TypeDecorator):
    """A JSON document stored as its text."""

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
    return json.dumps(value)


def load(text):
    """The document a cell holds, or ``Unreadable``."""
    if text is None:
        return None
    if isinstance(text, (bytes, bytearray)):
        try:
            text = text.decode('utf-8')
        except UnicodeDecodeError:
            return Unreadable('not UTF-8 text')
    if not isinstance(text, str):
        # A driver that parsed the JSON itself (psycopg2 on a PostgreSQL
        # json column when the connection hook is not installed).
        return _shown(text)
    try:
        value = json.loads(text)
    except ValueError as exc:
        return Unreadable('not JSON (%s at character %s)'
                          % (getattr(exc, 'msg', 'invalid'),
                             getattr(exc, 'pos', '?')))
    except RecursionError:
        return Unreadable('JSON nested too deeply')
    if text.count('{') + text.count('[') <= json_depth.MAX_STORED_DEPTH:
        # Every level opens a bracket, so the text cannot nest deeper
        # than it has brackets (those inside strings only add to the
        # count): no need to walk the document.
        return value
    return _shown(value)


def _shown(value):
    if json_depth.too_deep(value, json_depth.MAX_STORED_DEPTH) is not None:
        return Unreadable('JSON nested more than %d levels deep'
                          % json_depth.MAX_STORED_DEPTH)
    return value


def field_problem(field, value, expected):
    """A one-line problem for ``field``, or None when ``value`` fits.

    ``expected`` is ``dict`` or ``list``; None is always accepted.
    """
    if value is None:
        return None
    if isinstance(value, Unreadable):
        return '%s: %s' % (field, value.reason)
    if not isinstance(value, expected):
        return '%s: a JSON %s was expected, found a JSON %s' % (
            field, _json_kind(expected), _json_kind(type(value)))
    return None


_JSON_KINDS = {dict: 'object', list: 'array', str: 'string', int: 'number',
               float: 'number', bool: 'boolean'}


def _json_kind(python_type):
    return _JSON_KINDS.get(python_type, python_type.__name__)


def readable_columns(obj):
    """``{attribute: value}`` of an ORM row; unreadable cells are None.

    For the API, which shows such a cell as null rather than failing
    the whole answer; each one is logged at ERROR.
    """
    mapper = sa.inspect(obj).mapper
    values = {}
    for column in mapper.column_attrs:
        value = getattr(obj, column.key)
        if isinstance(value, Unreadable):
            LOG.error('%(table)s %(id)s: column %(column)s cannot be read '
                      '(%(reason)s); it is shown as null.',
                      {'table': mapper.local_table.name,
                       'id': getattr(obj, 'id', '?'),
                       'column': column.columns[0].name,
                       'reason': value.reason})
            value = None
        values[column.key] = value
    return values


class Flag(sa.types.TypeDecorator):
    """A true/false column stored the way Tacker's migrations store it.

    Tacker's soft-delete ``deleted`` and v1 op occ flags are SMALLINT on
    PostgreSQL (its migrations pick ``SmallInteger`` there) and a
    Boolean (tinyint(1) / BOOLEAN) elsewhere.  Python sees ``bool`` on
    every backend; a NULL cell (Tacker's ``deleted`` is nullable) reads
    as None.

    ``IS`` against a boolean cannot be applied to a SMALLINT, and a
    bound value after ``IS`` is not valid SQL on MariaDB or PostgreSQL,
    so ``column.is_(False)`` and ``column.is_not(True)`` compile to
    ``=`` / ``!=`` with a bound value, and ``~column`` to
    ``column = false``.
    """

    impl = sa.Boolean
    cache_ok = True

    class comparator_factory(sa.types.TypeDecorator.Comparator):

        def operate(self, op, *other, **kwargs):
            operators = sa.sql.operators
            if op is operators.inv:
                return self.expr == False  # noqa: E712 (bound, typed)
            if (op in (operators.is_, operators.is_not) and other
                    and isinstance(other[0], bool)):
                op = operators.eq if op is operators.is_ else operators.ne
            return super().operate(op, *other, **kwargs)

    def load_dialect_impl(self, dialect):
        if dialect.name == 'postgresql':
            return dialect.type_descriptor(sa.SmallInteger())
        return dialect.type_descriptor(sa.Boolean())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if dialect.name == 'postgresql':
            return 1 if value else 0
        return bool(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return bool(value)


class _JsonDdl(sa.types.UserDefinedType):
    """The DDL ``JSON``, with the cell's text passed through untouched.

    MariaDB turns it into LONGTEXT utf8mb4_bin with a ``json_valid``
    CHECK, PostgreSQL into ``json``: what ``sa.JSON`` gives in Tacker's
    migrations.  Unlike ``sa.JSON`` it has no serializer of its own,
    so the text ``Json`` writes is the text stored, and the text read
    (``db.api`` stops psycopg2 parsing ``json``) is the text decoded.
    """

    cache_ok = True

    def get_col_spec(self, **kw):
        return 'JSON'


class InJsonColumn:
    """Mixin for a ``Json`` type: the column is JSON where Tacker's is.

    SQLite keeps TEXT: a JSON-named column there has NUMERIC affinity,
    which would turn the text ``1.0`` into a number and lose the exact
    stored text the compare-and-swap relies on.
    """

    JSON_BACKENDS = ('mysql', 'mariadb', 'postgresql')

    def load_dialect_impl(self, dialect):
        if dialect.name in self.JSON_BACKENDS:
            return _JsonDdl()
        return sa.Text()


class JsonColumn(InJsonColumn, Json):
    """A JSON document in a JSON column (Tacker's ``sa.JSON`` columns)."""

    cache_ok = True


class TextJson(Json):
    """A JSON document in a TEXT column, TEXT on MariaDB too.

    Tacker's ``types.Json`` columns its migrations made ``sa.Text``
    (``vims.placement_attr``, ``vimauths.vim_project``/``auth_cred``).
    """

    cache_ok = True

    def load_dialect_impl(self, dialect):
        return sa.Text()
