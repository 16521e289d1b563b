"""v2 tables: CamelCase names, SOL JSON, no soft delete.

Object-valued fields use ``storage_v2.ObjectJson`` (Tacker's JSON text in
a JSON column); key-value fields hold plain JSON.
"""

import sqlalchemy as sa
from sqlalchemy import orm

from tacker.db.models import base
from tacker.db import storage_v2
from tacker.db import types

_col = orm.mapped_column


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
    vnfConfigurableProperties = _col(types.Json)
    vimConnectionInfo = _col(storage_v2.ObjectJson)
    instantiationState = _col(sa.String(255), nullable=False)
    instantiatedVnfInfo = _col(storage_v2.ObjectJson)
    # 'metadata' is reserved by SQLAlchemy's declarative base.
    metadata_ = _col('metadata', types.Json)
    extensions = _col(types.Json)


class VnfLcmOpOccV2(base.BASE):
    __tablename__ = 'VnfLcmOpOccV2'

    id = _col(sa.String(255), primary_key=True)
    operationState = _col(sa.String(255), nullable=False)
    stateEnteredTime = _col(sa.DateTime, nullable=False)
    startTime = _col(sa.DateTime, nullable=False)
    vnfInstanceId = _col(sa.String(255), nullable=False, index=True)
    grantId = _col(sa.String(255))
    operation = _col(sa.String(255), nullable=False)
    isAutomaticInvocation = _col(sa.Boolean, nullable=False)
    operationParams = _col(types.Json)
    isCancelPending = _col(sa.Boolean, nullable=False)
    cancelMode = _col(sa.String(255))
    error = _col(storage_v2.ObjectJson)
    resourceChanges = _col(storage_v2.ObjectJson)
    changedInfo = _col(storage_v2.ObjectJson)
    changedExtConnectivity = _col(storage_v2.ObjectJson)
    modificationsTriggeredByVnfPkgChange = _col(storage_v2.ObjectJson)
    vnfSnapshotInfoId = _col(sa.String(255))
