"""Counting what the database receives, for tests that assert "once"."""

import sqlalchemy as sa

from tacker.db import api as db_api


class InstanceUpdates:
    """The UPDATE statements of one instance's ``VnfInstanceV2`` row.

    Counted at the engine, so every writer in the process is seen (the
    API, the conductor and the synchronization when they share it).
    """

    def __init__(self, instance_id):
        self.instance_id = instance_id
        self.count = 0

    def _before(self, conn, cursor, statement, params, context, many):
        if statement.lstrip().upper().startswith('UPDATE') and \
                'VnfInstanceV2' in statement and \
                self.instance_id in str(params):
            self.count += 1

    def __enter__(self):
        sa.event.listen(db_api.get_engine(), 'before_cursor_execute',
                        self._before)
        return self

    def __exit__(self, *exc_info):
        sa.event.remove(db_api.get_engine(), 'before_cursor_execute',
                        self._before)
