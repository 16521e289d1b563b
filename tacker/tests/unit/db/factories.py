"""Rows for repository tests, written straight through the ORM."""

import datetime
import uuid

from tacker.db import api as db_api
from tacker.db.models import v1
from tacker.db.models import v2


def v1_instance(*, state='INSTANTIATED', task_state=None,
                vnfc_resource_info=None, scale_status=None,
                namespace='default'):
    instance_id = str(uuid.uuid4())
    with db_api.writer_session() as session:
        session.add(v1.VnfInstance(
            id=instance_id, vnf_provider='Company', vnf_product_name='CNF',
            vnf_software_version='1.0', vnfd_version='1.0',
            vnfd_id=str(uuid.uuid4()), instantiation_state=state,
            task_state=task_state, vim_connection_info=[],
            tenant_id='project-a', vnf_pkg_id=str(uuid.uuid4()),
            vnf_metadata={'namespace': namespace}))
        session.flush()
        if state == 'INSTANTIATED':
            session.add(v1.VnfInstantiatedInfo(
                vnf_instance_id=instance_id, flavour_id='simple',
                ext_cp_info=[], vnf_state='STARTED',
                vnfc_resource_info=vnfc_resource_info or [],
                scale_status=scale_status or [], vnfc_info=[]))
    return instance_id


def v1_op_occ(instance_id, state, *, minutes_ago=0, operation='SCALE'):
    when = datetime.datetime(2026, 1, 1) - datetime.timedelta(
        minutes=minutes_ago)
    with db_api.writer_session() as session:
        session.add(v1.VnfLcmOpOcc(
            id=str(uuid.uuid4()), vnf_instance_id=instance_id,
            operation_state=state, operation=operation, start_time=when,
            state_entered_time=when, created_at=when,
            is_automatic_invocation=False, is_cancel_pending=False))


def v2_instance(*, state='INSTANTIATED', info=None):
    instance_id = str(uuid.uuid4())
    with db_api.writer_session() as session:
        session.add(v2.VnfInstanceV2(
            id=instance_id, vnfdId=str(uuid.uuid4()), vnfProvider='Company',
            vnfProductName='CNF', vnfSoftwareVersion='1.0',
            vnfdVersion='1.0', instantiationState=state,
            vimConnectionInfo={}, instantiatedVnfInfo=info,
            metadata_={}))
    return instance_id


def v2_op_occ(instance_id, state, *, minutes_ago=0, operation='SCALE'):
    when = datetime.datetime(2026, 1, 1) - datetime.timedelta(
        minutes=minutes_ago)
    with db_api.writer_session() as session:
        session.add(v2.VnfLcmOpOccV2(
            id=str(uuid.uuid4()), vnfInstanceId=instance_id,
            operationState=state, operation=operation, startTime=when,
            stateEnteredTime=when, isAutomaticInvocation=False,
            isCancelPending=False))
