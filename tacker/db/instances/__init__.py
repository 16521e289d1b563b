"""VNF instances, one module per API version (``v1``, ``v2``).

Each module reads an instance into a frozen record (what the
synchronization and the LCM operations work on), writes it back with a
compare-and-swap against the record read, and gives the API its rows as
plain dicts.  The queries the two share are here.
"""

import pickle

from tacker.common import exceptions
from tacker.db import api as db_api
from tacker.db import cas

# Ids per query when the changed records are read again: the rows of
# one query are fetched at once, decoded and as text.
_IN_CHUNK = 100


class Packed:
    """A record kept as the bytes of its pickle, unpacked when used.

    A decoded record is a tree of small dicts and texts, about six
    times the size of its pickle (26 KB against 4.1 KB for an instance of
    three VDUs and twelve pods), and the synchronization keeps one per
    instance from pass to pass.  Kept packed, a record takes its decoded
    size only while a pass uses it.  The bytes are made here, by this
    process, and never leave it.
    """

    __slots__ = ('id', '_data')

    def __init__(self, record):
        self.id = record.id
        self._data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)

    def unpack(self):
        """A new record, equal to the one packed."""
        return pickle.loads(self._data)


class Reader:
    """Reads one version's instances as records.

    ``select()`` gives the query of every live instance, ``to_record``
    turns one of its rows into a record; ``what`` names the table in a
    NotFound.
    """

    def __init__(self, select, to_record, *, id_column, state_column,
                 what):
        self._select, self._to_record = select, to_record
        self._id, self._state, self._what = id_column, state_column, what

    def _filtered(self, query, instantiation_state, ids):
        query = query.order_by(self._id)
        if instantiation_state is not None:
            query = query.where(self._state == instantiation_state)
        if ids is not None:
            query = query.where(self._id.in_(list(ids)))
        return query

    def list_instances(self, instantiation_state=None, ids=None):
        """The records, by id; only in that state / with those ids."""
        query = self._filtered(self._select(), instantiation_state, ids)
        with db_api.reader_session() as session:
            return [self._to_record(row) for row in session.execute(query)]

    def packed_instances(self, instantiation_state=None, ids=None, *,
                         memo):
        """The records as ``Packed``, by id; as ``list_instances`` selects.

        ``memo`` is a dict the caller keeps between calls.  A first query
        reads only each row's digest (see ``_digests``), and only the rows
        whose digest differs from the one remembered are read, decoded
        and packed again; the others are the very ``Packed`` objects of
        the previous call, so that their identity says the row has not
        changed.  A row that changes between the two queries is simply
        read again next time (its remembered digest is the older one).
        """
        with db_api.reader_session() as session:
            query = self._filtered(self._digests(session), instantiation_state,
                                   ids)
            digests = {row[0]: tuple(row[1:])
                       for row in session.execute(query)}
            stale = [i for i, digest in digests.items()
                     if i not in memo or memo[i][0] != digest]
            for start in range(0, len(stale), _IN_CHUNK):
                query = self._select().where(
                    self._id.in_(stale[start:start + _IN_CHUNK]))
                for row in session.execute(query):
                    record = self._to_record(row)
                    memo[record.id] = (digests[record.id], Packed(record))
        if ids is None:
            for gone in set(memo) - set(digests):
                del memo[gone]
        return [memo[i][1] for i in sorted(digests)]

    def _digests(self, session):
        """The id and a digest (MD5) of every selected column, per row.

        The database hashes its own text, so a pass moves a few bytes
        per row, and what is kept between passes is as small.
        """
        dialect = session.get_bind().dialect.name
        query = self._select()
        columns = [self._id.label('digest_id')]
        for index, column in enumerate(query.selected_columns):
            if column.key.startswith('raw_'):
                continue  # the same column, as text
            columns.append(cas.digest_of(column, dialect).label(
                'digest_%d' % index))
        return query.with_only_columns(*columns,
                                       maintain_column_froms=True)

    def get_instance(self, instance_id):
        """The record of one instance; NotFound when there is none."""
        query = self._select().where(self._id == instance_id)
        with db_api.reader_session() as session:
            row = session.execute(query).first()
        if row is None:
            raise exceptions.NotFound(what=self._what, id=instance_id)
        return self._to_record(row)
