"""v1 tables, with the table and column names of Tacker's database."""

import sqlalchemy as sa
from sqlalchemy import orm

from tacker.db.models import base
from tacker.db import types

_col = orm.mapped_column


class VnfInstance(base.SoftDelete, base.BASE):
    __tablename__ = 'vnf_instances'

    id = _col(sa.String(36), primary_key=True)
    vnf_instance_name = _col(sa.String(255))
    vnf_instance_description = _col(sa.Text)
    vnf_provider = _col(sa.String(255), nullable=False)
    vnf_product_name = _col(sa.String(255), nullable=False)
    vnf_software_version = _col(sa.String(255), nullable=False)
    vnfd_version = _col(sa.String(255), nullable=False)
    vnfd_id = _col(sa.String(36), nullable=False)
    instantiation_state = _col(sa.String(255), nullable=False)
    task_state = _col(sa.String(255))
    vim_connection_info = _col(types.Json)
    tenant_id = _col(sa.String(64), nullable=False)
    vnf_pkg_id = _col(sa.String(36), nullable=False)
    vnf_metadata = _col(types.Json)


class VnfInstantiatedInfo(base.SoftDelete, base.BASE):
    __tablename__ = 'vnf_instantiated_info'

    id = _col(sa.Integer, primary_key=True, autoincrement=True)
    vnf_instance_id = _col(sa.String(36),
                           sa.ForeignKey('vnf_instances.id'),
                           nullable=False)
    flavour_id = _col(sa.String(255), nullable=False)
    ext_cp_info = _col(types.Json, nullable=False)
    ext_virtual_link_info = _col(types.Json)
    ext_managed_virtual_link_info = _col(types.Json)
    vnfc_resource_info = _col(types.Json)
    vnf_virtual_link_resource_info = _col(types.Json)
    virtual_storage_resource_info = _col(types.Json)
    vnfc_info = _col(types.Json)
    vnf_state = _col(sa.String(255), nullable=False)
    instance_id = _col(sa.Text)
    instantiation_level_id = _col(sa.String(255))
    additional_params = _col(types.Json)
    scale_status = _col(types.Json)


class VnfLcmOpOcc(base.SoftDelete, base.BASE):
    __tablename__ = 'vnf_lcm_op_occs'

    id = _col(sa.String(36), primary_key=True)
    vnf_instance_id = _col(sa.String(36),
                           sa.ForeignKey('vnf_instances.id'),
                           nullable=False)
    operation_state = _col(sa.String(16), nullable=False)
    state_entered_time = _col(sa.DateTime)
    start_time = _col(sa.DateTime)
    operation = _col(sa.String(16), nullable=False)
    is_automatic_invocation = _col(sa.Boolean, default=False,
                                   nullable=False)
    operation_params = _col(types.Json)
    is_cancel_pending = _col(sa.Boolean, default=False, nullable=False)
    error = _col(types.Json)
    resource_changes = _col(types.Json)
    changed_info = _col(types.Json)
    changed_ext_connectivity = _col(types.Json)
    error_point = _col(sa.Integer)
    grant_id = _col(sa.String(36))
    tenant_id = _col(sa.String(64))


class Vim(base.Timestamps, base.BASE):
    __tablename__ = 'vims'
    __table_args__ = (
        sa.UniqueConstraint('tenant_id', 'name', 'deleted_at',
                            name='uniq_vims0tenant_id0name0deleted_at'),
    )

    id = _col(sa.String(36), primary_key=True)
    tenant_id = _col(sa.String(64))
    type = _col(sa.String(64), nullable=False)
    name = _col(sa.String(255), nullable=False)
    description = _col(sa.Text)
    placement_attr = _col(types.Json)
    shared = _col(sa.Boolean, default=False, nullable=False)
    is_default = _col(sa.Boolean, default=False, nullable=False)
    status = _col(sa.String(255))
    extra = _col(types.Json)
    deleted_at = _col(sa.DateTime)


class VimAuth(base.BASE):
    __tablename__ = 'vimauths'

    id = _col(sa.String(36), primary_key=True)
    vim_id = _col(sa.String(36), sa.ForeignKey('vims.id'), nullable=False,
                  unique=True)
    password = _col(sa.String(255), nullable=False, default='')
    auth_url = _col(sa.String(255), nullable=False)
    vim_project = _col(types.Json, nullable=False)
    auth_cred = _col(types.Json, nullable=False)


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
    size = _col(sa.BigInteger, default=0, nullable=False)
    downloading = _col(sa.Integer, default=0)
    user_data = _col(types.Json)


class VnfPackageVnfd(base.Timestamps, base.BASE):
    __tablename__ = 'vnf_package_vnfd'
    __table_args__ = (
        sa.UniqueConstraint('package_uuid', 'deleted',
                            name='uniq_vnf_package_vnfd0package_uuid0'
                                 'deleted'),
    )

    id = _col(sa.String(36), primary_key=True)
    package_uuid = _col(sa.String(36), sa.ForeignKey('vnf_packages.id'),
                        nullable=False)
    vnfd_id = _col(sa.String(36), nullable=False)
    vnf_provider = _col(sa.String(255), nullable=False)
    vnf_product_name = _col(sa.String(255), nullable=False)
    vnf_software_version = _col(sa.String(255), nullable=False)
    vnfd_version = _col(sa.String(255), nullable=False)
    deleted_at = _col(sa.DateTime)
    # '0' while live, the row id once deleted (Tacker's convention).
    deleted = _col(sa.String(36), default='0', nullable=False)
