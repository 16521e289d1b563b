"""VNF instances, one module per API version (``v1``, ``v2``).

Each module reads an instance into a frozen record (what the
synchronization and the LCM operations work on), writes it back with a
compare-and-swap against the record read, and gives the API its rows as
plain dicts.  The queries the two share are here.
"""

from tacker.common import exceptions
from tacker.db import api as db_api


def select(query, to_record, *, id_column, state_column,
           instantiation_state=None, ids=None):
    """The records of ``query``'s rows, by id; optionally filtered."""
    query = query.order_by(id_column)
    if instantiation_state is not None:
        query = query.where(state_column == instantiation_state)
    if ids is not None:
        query = query.where(id_column.in_(list(ids)))
    with db_api.reader_session() as session:
        return [to_record(row) for row in session.execute(query)]


def select_one(query, to_record, *, what, instance_id):
    """The one record of ``query``; NotFound naming ``what`` if none."""
    with db_api.reader_session() as session:
        row = session.execute(query).first()
    if row is None:
        raise exceptions.NotFound(what=what, id=instance_id)
    return to_record(row)
