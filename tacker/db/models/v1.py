"""v1 tables as Tacker 16's migrations build them.

Column types, lengths, nullability and server defaults are those of
Tacker's database, not of its models where the two disagree.  JSON
columns Tacker's migrations made ``sa.JSON`` are ``types.JsonColumn``;
its ``types.Json`` (TEXT) columns are ``types.TextJson``.  Tacker leaves
some columns nullable on MariaDB only (an ``alter_column`` without
``existing_nullable``); those stay NOT NULL here.

``vnf_packages_user_data``'s unique key and indexes exist on MariaDB and
PostgreSQL only (``ddl_if``): Tacker's SQLite databases, built from its
models, have none, so no code may rely on them.
"""

import sqlalchemy as sa
from sqlalchemy import orm

from tacker.db.models import base
from tacker.db import types

_col = orm.mapped_column
live = base.live


class VnfInstance(base.SoftDelete, base.BASE):
    __tablename__ = 'vnf_instances'

    id = _col(sa.String(36), primary_key=True)
    vnf_instance_name = _col(sa.String(255))
    vnf_instance_description = _col(sa.String(1024))
    vnf_provider = _col(sa.String(255), nullable=False)
    vnf_product_name = _col(sa.String(255), nullable=False)
    vnf_software_version = _col(sa.String(255), nullable=False)
    vnfd_version = _col(sa.String(255), nullable=False)
    vnfd_id = _col(sa.String(255), nullable=False)
    instantiation_state = _col(sa.String(255), nullable=False)
    task_state = _col(sa.String(255))
    vim_connection_info = _col(types.JsonColumn)
    tenant_id = _col(sa.String(64), nullable=False)
    vnf_pkg_id = _col(sa.String(36), nullable=False)
    vnf_metadata = _col(types.JsonColumn)


class VnfInstantiatedInfo(base.SoftDelete, base.BASE):
    __tablename__ = 'vnf_instantiated_info'

    id = _col(sa.Integer, primary_key=True, autoincrement=True)
    vnf_instance_id = _col(sa.String(36),
                           sa.ForeignKey('vnf_instances.id'),
                           nullable=False)
    flavour_id = _col(sa.String(255), nullable=False)
    ext_cp_info = _col(types.JsonColumn)
    ext_virtual_link_info = _col(types.JsonColumn)
    ext_managed_virtual_link_info = _col(types.JsonColumn)
    vnfc_resource_info = _col(types.JsonColumn)
    vnf_virtual_link_resource_info = _col(types.JsonColumn)
    virtual_storage_resource_info = _col(types.JsonColumn)
    vnfc_info = _col(types.JsonColumn)
    vnf_state = _col(sa.String(255), nullable=False)
    instance_id = _col(sa.Text)
    instantiation_level_id = _col(sa.String(255))
    additional_params = _col(types.JsonColumn)
    scale_status = _col(types.JsonColumn)


class VnfLcmOpOcc(base.SoftDelete, base.BASE):
    __tablename__ = 'vnf_lcm_op_occs'

    id = _col(sa.String(36), primary_key=True)
    vnf_instance_id = _col(sa.String(36),
                           sa.ForeignKey('vnf_instances.id'),
                           nullable=False)
    operation_state = _col(sa.String(16), nullable=False)
    state_entered_time = _col(sa.DateTime, nullable=False)
    start_time = _col(sa.DateTime, nullable=False)
    operation = _col(sa.String(16), nullable=False)
    is_automatic_invocation = _col(types.Flag, default=False,
                                   nullable=False)
    # Tacker's objects keep these as JSON text inside the JSON column.
    operation_params = _col(base.ObjectJsonColumn)
    is_cancel_pending = _col(types.Flag, default=False, nullable=False)
    error = _col(base.ObjectJsonColumn)
    resource_changes = _col(base.ObjectJsonColumn)
    changed_info = _col(base.ObjectJsonColumn)
    changed_ext_connectivity = _col(base.ObjectJsonColumn)
    # Tacker: 0 at creation (NOT NULL in the schema its models build).
    error_point = _col(sa.Integer, default=0)
    grant_id = _col(sa.String(36))
    # NOT NULL in Tacker; nullable here until every writer (and test
    # fixture) gives the instance's tenant.
    tenant_id = _col(sa.String(64))


class Vim(base.Timestamps, base.BASE):
    __tablename__ = 'vims'
    __table_args__ = (
        sa.UniqueConstraint('tenant_id', 'name', 'deleted_at',
                            name='uniq_vims0tenant_id0name0deleted_at'),
    )

    id = _col(sa.String(36), primary_key=True)
    tenant_id = _col(sa.String(64), nullable=False)
    type = _col(sa.String(64), nullable=False)
    name = _col(sa.String(255), nullable=False)
    description = _col(sa.Text)
    placement_attr = _col(types.TextJson)
    shared = _col(sa.Boolean, default=False, nullable=False,
                  server_default=sa.false())
    is_default = _col(sa.Boolean, default=False, nullable=False,
                      server_default=sa.false())
    extra = _col(types.JsonColumn)
    # The one v1 table whose created_at Tacker left nullable.
    created_at = _col(sa.DateTime, default=base.now)
    deleted_at = _col(sa.DateTime)


class VimAuth(base.BASE):
    __tablename__ = 'vimauths'

    id = _col(sa.String(36), primary_key=True)
    vim_id = _col(sa.String(36), sa.ForeignKey('vims.id'), nullable=False)
    password = _col(sa.String(255), nullable=False, default='')
    auth_url = _col(sa.String(255), nullable=False)
    vim_project = _col(types.TextJson, nullable=False)
    auth_cred = _col(types.TextJson, nullable=False)


class VnfPackage(base.SoftDelete, base.BASE):
    __tablename__ = 'vnf_packages'

    id = _col(sa.String(36), primary_key=True)
    tenant_id = _col(sa.String(64), nullable=False)
    onboarding_state = _col(sa.String(255), nullable=False)
    operational_state = _col(sa.String(255), nullable=False)
    usage_state = _col(sa.String(255), nullable=False)
    algorithm = _col(sa.String(64))
    hash = _col(sa.String(128))
    location_glance_store = _col(sa.Text)
    size = _col(sa.BigInteger, default=0, nullable=False,
                server_default='0')
    downloading = _col(sa.Integer, default=0, nullable=False,
                       server_default='0')


# Tacker builds these only with its migrations: its models, which build
# its SQLite databases, declare neither.
_SERVER_BACKENDS = ('mysql', 'mariadb', 'postgresql')


class VnfPackageUserData(base.SoftDelete, base.BASE):
    """One ``userDefinedData`` entry of a package: a row per key."""

    __tablename__ = 'vnf_packages_user_data'
    __table_args__ = (
        sa.UniqueConstraint(
            'package_uuid', 'key', 'deleted',
            name='uniq_vnf_packages_user_data0package_uuid0key0deleted',
        ).ddl_if(dialect=_SERVER_BACKENDS),
        sa.Index('vnf_packages_user_data_key_idx', 'key').ddl_if(
            dialect=_SERVER_BACKENDS),
        sa.Index('vnf_packages_user_data_value_idx', 'value').ddl_if(
            dialect=_SERVER_BACKENDS),
    )

    id = _col(sa.Integer, primary_key=True, autoincrement=True)
    package_uuid = _col(sa.String(36), sa.ForeignKey('vnf_packages.id'),
                        nullable=False)
    key = _col(sa.String(255), nullable=False)
    value = _col(sa.String(255), nullable=False)


class VnfPackageVnfd(base.Timestamps, base.BASE):
    __tablename__ = 'vnf_package_vnfd'
    __table_args__ = (
        # One live package per VNFD id, as in Tacker.
        sa.UniqueConstraint('vnfd_id', 'deleted',
                            name='uniq_vnf_package_vnfd0vnfd_id0deleted'),
    )

    id = _col(sa.String(36), primary_key=True)
    package_uuid = _col(sa.String(36), sa.ForeignKey('vnf_packages.id'),
                        nullable=False)
    vnfd_id = _col(sa.String(255), nullable=False)
    vnf_provider = _col(sa.String(255), nullable=False)
    vnf_product_name = _col(sa.String(255), nullable=False)
    vnf_software_version = _col(sa.String(255), nullable=False)
    vnfd_version = _col(sa.String(255), nullable=False)
    deleted_at = _col(sa.DateTime)
    # '0' while live, the row id once deleted (Tacker's convention).
    deleted = _col(sa.String(36), default='0')
