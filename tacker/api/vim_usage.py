"""Which VNF instances use a VIM (a VIM in use may not be deleted).

The VIM id sits inside JSON text columns (v1 ``vim_connection_info``, v2
``vimConnectionInfo``): a ``LIKE`` on the text narrows the rows in SQL,
and the parsed JSON decides, so an id that merely appears elsewhere in
the text does not count.
"""

import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.db.models import v1 as v1_models
from tacker.db.models import v2 as v2_models
from tacker.vnfm.infra_drivers.kubernetes import v1_records


def _vim_ids(connections):
    connections = v1_records.unwrap(connections or [])
    if isinstance(connections, dict):
        connections = list(connections.values())
    ids = set()
    for entry in connections:
        if isinstance(entry, dict):
            ids.add(entry.get('vimId') or entry.get('vim_id'))
    return ids


def instances_using(vim_id):
    """Ids of live v1 and v2 instances connected to ``vim_id``."""
    pattern = '%' + vim_id + '%'
    v1, v2 = v1_models.VnfInstance, v2_models.VnfInstanceV2
    # A cast, not a type coercion: PostgreSQL has no LIKE on json.
    v1_col = sa.cast(v1.vim_connection_info, sa.Text)
    v2_col = sa.cast(v2.vimConnectionInfo, sa.Text)
    users = []
    with db_api.reader_session() as session:
        for row in session.execute(
                sa.select(v1.id, v1.vim_connection_info)
                .where(v1.deleted.is_(False), v1_col.like(pattern))):
            if vim_id in _vim_ids(row.vim_connection_info):
                users.append(row.id)
        for row in session.execute(
                sa.select(v2.id, v2.vimConnectionInfo)
                .where(v2_col.like(pattern))):
            if vim_id in _vim_ids(row.vimConnectionInfo):
                users.append(row.id)
    return sorted(users)
