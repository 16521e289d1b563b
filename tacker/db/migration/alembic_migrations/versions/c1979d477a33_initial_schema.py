"""The initial TackerDB schema: the v1 and v2 tables this slice uses.

Revision ID: c1979d477a33
Revises:
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa

from tacker.db import types

revision = 'c1979d477a33'
down_revision = None
branch_labels = None
depends_on = None


def _json(name, nullable=True):
    return sa.Column(name, types.Json(), nullable=nullable)


def _str(name, length=255, nullable=True):
    return sa.Column(name, sa.String(length), nullable=nullable)


def _timestamps():
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime())]


def _soft_delete():
    return _timestamps() + [
        sa.Column('deleted_at', sa.DateTime()),
        sa.Column('deleted', sa.Boolean(), nullable=False)]


def _v1_tables():
    op.create_table(
        'vnf_instances',
        _str('id', 36, nullable=False),
        _str('vnf_instance_name'),
        sa.Column('vnf_instance_description', sa.Text()),
        _str('vnf_provider', nullable=False),
        _str('vnf_product_name', nullable=False),
        _str('vnf_software_version', nullable=False),
        _str('vnfd_version', nullable=False),
        _str('vnfd_id', 36, nullable=False),
        _str('instantiation_state', nullable=False),
        _str('task_state'),
        _json('vim_connection_info'),
        _str('tenant_id', 64, nullable=False),
        _str('vnf_pkg_id', 36, nullable=False),
        _json('vnf_metadata'),
        *_soft_delete(),
        sa.PrimaryKeyConstraint('id'))
    op.create_table(
        'vnf_instantiated_info',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        _str('vnf_instance_id', 36, nullable=False),
        _str('flavour_id', nullable=False),
        _json('ext_cp_info', nullable=False),
        _json('ext_virtual_link_info'),
        _json('ext_managed_virtual_link_info'),
        _json('vnfc_resource_info'),
        _json('vnf_virtual_link_resource_info'),
        _json('virtual_storage_resource_info'),
        _json('vnfc_info'),
        _str('vnf_state', nullable=False),
        sa.Column('instance_id', sa.Text()),
        _str('instantiation_level_id'),
        _json('additional_params'),
        _json('scale_status'),
        *_soft_delete(),
        sa.ForeignKeyConstraint(['vnf_instance_id'], ['vnf_instances.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_table(
        'vnf_lcm_op_occs',
        _str('id', 36, nullable=False),
        _str('vnf_instance_id', 36, nullable=False),
        _str('operation_state', 16, nullable=False),
        sa.Column('state_entered_time', sa.DateTime()),
        sa.Column('start_time', sa.DateTime()),
        _str('operation', 16, nullable=False),
        sa.Column('is_automatic_invocation', sa.Boolean(), nullable=False),
        _json('operation_params'),
        sa.Column('is_cancel_pending', sa.Boolean(), nullable=False),
        _json('error'),
        _json('resource_changes'),
        _json('changed_info'),
        _json('changed_ext_connectivity'),
        sa.Column('error_point', sa.Integer()),
        _str('grant_id', 36),
        _str('tenant_id', 64),
        *_soft_delete(),
        sa.ForeignKeyConstraint(['vnf_instance_id'], ['vnf_instances.id']),
        sa.PrimaryKeyConstraint('id'))


def _vim_tables():
    op.create_table(
        'vims',
        _str('id', 36, nullable=False),
        _str('tenant_id', 64),
        _str('type', 64, nullable=False),
        _str('name', nullable=False),
        sa.Column('description', sa.Text()),
        _json('placement_attr'),
        sa.Column('shared', sa.Boolean(), nullable=False),
        sa.Column('is_default', sa.Boolean(), nullable=False),
        _str('status'),
        _json('extra'),
        sa.Column('deleted_at', sa.DateTime()),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('tenant_id', 'name', 'deleted_at',
                            name='uniq_vims0tenant_id0name0deleted_at'))
    op.create_table(
        'vimauths',
        _str('id', 36, nullable=False),
        _str('vim_id', 36, nullable=False),
        _str('password', nullable=False),
        _str('auth_url', nullable=False),
        _json('vim_project', nullable=False),
        _json('auth_cred', nullable=False),
        sa.ForeignKeyConstraint(['vim_id'], ['vims.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('vim_id'))


def _package_tables():
    op.create_table(
        'vnf_packages',
        _str('id', 36, nullable=False),
        _str('tenant_id', 64, nullable=False),
        _str('onboarding_state', nullable=False),
        _str('operational_state', nullable=False),
        _str('usage_state', nullable=False),
        _str('algorithm', 64),
        _str('hash', 128),
        sa.Column('location_glance_store', sa.Text()),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('downloading', sa.Integer()),
        _json('user_data'),
        *_soft_delete(),
        sa.PrimaryKeyConstraint('id'))
    op.create_table(
        'vnf_package_vnfd',
        _str('id', 36, nullable=False),
        _str('package_uuid', 36, nullable=False),
        _str('vnfd_id', 36, nullable=False),
        _str('vnf_provider', nullable=False),
        _str('vnf_product_name', nullable=False),
        _str('vnf_software_version', nullable=False),
        _str('vnfd_version', nullable=False),
        sa.Column('deleted_at', sa.DateTime()),
        _str('deleted', 36, nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(['package_uuid'], ['vnf_packages.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('package_uuid', 'deleted',
                            name='uniq_vnf_package_vnfd0package_uuid0'
                                 'deleted'))


def _v2_tables():
    op.create_table(
        'VnfInstanceV2',
        _str('id', nullable=False),
        _str('vnfInstanceName'),
        sa.Column('vnfInstanceDescription', sa.Text()),
        _str('vnfdId', nullable=False),
        _str('vnfProvider', nullable=False),
        _str('vnfProductName', nullable=False),
        _str('vnfSoftwareVersion', nullable=False),
        _str('vnfdVersion', nullable=False),
        _json('vnfConfigurableProperties'),
        _json('vimConnectionInfo'),
        _str('instantiationState', nullable=False),
        _json('instantiatedVnfInfo'),
        _json('metadata'),
        _json('extensions'),
        sa.PrimaryKeyConstraint('id'))
    op.create_table(
        'VnfLcmOpOccV2',
        _str('id', nullable=False),
        _str('operationState', nullable=False),
        sa.Column('stateEnteredTime', sa.DateTime(), nullable=False),
        sa.Column('startTime', sa.DateTime(), nullable=False),
        _str('vnfInstanceId', nullable=False),
        _str('grantId'),
        _str('operation', nullable=False),
        sa.Column('isAutomaticInvocation', sa.Boolean(), nullable=False),
        _json('operationParams'),
        sa.Column('isCancelPending', sa.Boolean(), nullable=False),
        _str('cancelMode'),
        _json('error'),
        _json('resourceChanges'),
        _json('changedInfo'),
        _json('changedExtConnectivity'),
        _json('modificationsTriggeredByVnfPkgChange'),
        _str('vnfSnapshotInfoId'),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_VnfLcmOpOccV2_vnfInstanceId', 'VnfLcmOpOccV2',
                    ['vnfInstanceId'])


def upgrade():
    _v1_tables()
    _vim_tables()
    _package_tables()
    _v2_tables()
