"""VNF instances, one module per API version (``v1``, ``v2``).

Each module reads an instance into a frozen record (what the
synchronization and the LCM operations work on), writes it back with a
compare-and-swap against the record read, and gives the API its rows as
plain dicts.  The queries the two share are here.
"""

from tacker.common import exceptions
from tacker.db import api as db_api


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

    def list_instances(self, instantiation_state=None, ids=None):
        """The records, by id; only in that state / with those ids."""
        query = self._select().order_by(self._id)
        if instantiation_state is not None:
            query = query.where(self._state == instantiation_state)
        if ids is not None:
            query = query.where(self._id.in_(list(ids)))
        with db_api.reader_session() as session:
            return [self._to_record(row) for row in session.execute(query)]

    def get_instance(self, instance_id):
        """The record of one instance; NotFound when there is none."""
        query = self._select().where(self._id == instance_id)
        with db_api.reader_session() as session:
            row = session.execute(query).first()
        if row is None:
            raise exceptions.NotFound(what=self._what, id=instance_id)
        return self._to_record(row)
