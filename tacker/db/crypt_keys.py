"""Tacker's ``CryptKey`` table: the encrypted key of v2 credentials.

Tacker 16 creates the table; this project only reads the row in use.
The table is declared here, not among the models, because this project
never creates or writes it.
"""

import dataclasses

import sqlalchemy as sa

from tacker.db import api as db_api

_TABLE = sa.table('CryptKey', sa.column('id'), sa.column('secretUuid'),
                  sa.column('encryptedKey'), sa.column('keyType'),
                  sa.column('inUse'))


@dataclasses.dataclass(frozen=True)
class CryptKey:
    id: str
    secret_uuid: str | None
    encrypted_key: str = dataclasses.field(repr=False)
    key_type: str


def in_use():
    """The rows marked in use (Tacker keeps exactly one)."""
    query = sa.select(_TABLE.c.id, _TABLE.c.secretUuid,
                      _TABLE.c.encryptedKey, _TABLE.c.keyType).where(
        _TABLE.c.inUse == sa.true())
    with db_api.reader_session() as session:
        return [CryptKey(id=r.id, secret_uuid=r.secretUuid,
                         encrypted_key=r.encryptedKey, key_type=r.keyType)
                for r in session.execute(query)]
