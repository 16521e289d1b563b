"""v2 tables: CamelCase names, SOL JSON, no soft delete.

Object-valued fields use ``base.ObjectJsonColumn`` (Tacker's JSON text in
a JSON column); key-value fields hold plain JSON.  The DDL is Tacker 16's:
JSON columns (TEXT on SQLite, see ``types.InJsonColumn``), and enums that
are native on MariaDB, named types on PostgreSQL (Tacker's names) and
VARCHAR with a CHECK on SQLite.
"""

import sqlalchemy as sa
from sqlalchemy import orm

from tacker.common import states
from tacker.db.models import base
from tacker.db import types

_col = orm.mapped_column


def _enum(name, *values):
    # Tacker's models give no name (unnamed CHECK on SQLite); its
    # migrations name the PostgreSQL type after the column.
    return sa.Enum(*values, create_constraint=True).with_variant(
        sa.Enum(*values, name=name), 'postgresql')


INSTANTIATION_STATES = states.INSTANTIATION_STATES
OPERATION_STATES = states.OPERATION_STATES
OPERATIONS = ('INSTANTIATE', 'SCALE', 'SCALE_TO_LEVEL', 'CHANGE_FLAVOUR',
              'TERMINATE', 'HEAL', 'OPERATE', 'CHANGE_EXT_CONN',
              'MODIFY_INFO', 'CREATE_SNAPSHOT', 'REVERT_TO_SNAPSHOT',
              'CHANGE_VNFPKG')
CANCEL_MODES = ('GRACEFUL', 'FORCEFUL')


class VnfInstanceV2(base.BASE):
    __tablename__ = 'VnfInstanceV2'

    id = _col(sa.String(255), primary_key=True)
    vnfInstanceName = _col(sa.String(255))
    vnfInstanceDescription = _col(sa.Text)
    vnfdId = _col(sa.String(255), nullable=False)
    vnfProvider = _col(sa.String(255), nullable=False)
    vnfProductName = _col(sa.String(255), nullable=False)
    vnfSoftwareVersion = _col(sa.String(255), nullable=False)
    vnfdVersion = _col(sa.String(255), nullable=False)
    vnfConfigurableProperties = _col(types.JsonColumn)
    vimConnectionInfo = _col(base.ObjectJsonColumn)
    instantiationState = _col(_enum('instantiationState',
                                    *INSTANTIATION_STATES),
                              nullable=False)
    instantiatedVnfInfo = _col(base.ObjectJsonColumn)
    # 'metadata' is reserved by SQLAlchemy's declarative base.
    metadata_ = _col('metadata', types.JsonColumn)
    extensions = _col(types.JsonColumn)


class VnfLcmOpOccV2(base.BASE):
    __tablename__ = 'VnfLcmOpOccV2'

    id = _col(sa.String(255), primary_key=True)
    operationState = _col(_enum('operationState', *OPERATION_STATES),
                          nullable=False)
    stateEnteredTime = _col(sa.DateTime, nullable=False)
    startTime = _col(sa.DateTime, nullable=False)
    vnfInstanceId = _col(sa.String(255), nullable=False)
    grantId = _col(sa.String(255))
    operation = _col(_enum('operation', *OPERATIONS), nullable=False)
    isAutomaticInvocation = _col(sa.Boolean, nullable=False)
    operationParams = _col(types.JsonColumn)
    isCancelPending = _col(sa.Boolean, nullable=False)
    cancelMode = _col(_enum('cancelMode', *CANCEL_MODES))
    error = _col(base.ObjectJsonColumn)
    resourceChanges = _col(base.ObjectJsonColumn)
    changedInfo = _col(base.ObjectJsonColumn)
    changedExtConnectivity = _col(base.ObjectJsonColumn)
    modificationsTriggeredByVnfPkgChange = _col(base.ObjectJsonColumn)
    vnfSnapshotInfoId = _col(sa.String(255))
