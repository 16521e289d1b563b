"""Rows and packages for the LCM tests: instances, VIMs, the sample CNF."""

import datetime
import uuid

from tacker.db import api as db_api
from tacker.db import vims
from tacker.db.models import v1
from tacker.db.models import v2
from tacker.vnfpkgm import build
from tacker.vnfpkgm import store as package_store

TENANT = 'project-a'
TOKEN = 'lcm-test-token-7f3d'
SAMPLE_CNF = build.SAMPLES_DIR / 'sample_cnf'
SAMPLE_VNFD_ID = '7f3d3b0e-6a55-4b7c-9f0e-5d7c2a1e9b01'

_ZIPS = {}


def sample_zip():
    if 'sample_cnf' not in _ZIPS:
        _ZIPS['sample_cnf'] = build.build_csar_bytes(SAMPLE_CNF)
    return _ZIPS['sample_cnf']


def onboard_sample():
    """Onboard the sample CNF; returns ``(package id, vnfd id)``."""
    package_id = str(uuid.uuid4())
    result = package_store.PackageStore().onboard(
        package_id, sample_zip(), tenant_id=TENANT)
    return package_id, result.vnfd.vnfd_id


def register_vim(url, token=TOKEN, *, name='k8s', is_default=True):
    return vims.create_vim(
        name=name, tenant_id=TENANT, auth_url=url,
        auth_cred={'bearer_token': token}, is_default=is_default)


def v1_instance(package_id, vnfd_id, *, state='NOT_INSTANTIATED',
                task_state=None, info=None):
    """A v1 instance; ``info`` (columns) adds instantiated info."""
    instance_id = str(uuid.uuid4())
    with db_api.writer_session() as session:
        session.add(v1.VnfInstance(
            id=instance_id, vnf_instance_name='cnf', vnf_provider='Company',
            vnf_product_name='Sample CNF', vnf_software_version='1.0',
            vnfd_version='1.0', vnfd_id=vnfd_id, instantiation_state=state,
            task_state=task_state, vim_connection_info=[],
            tenant_id=TENANT, vnf_pkg_id=package_id,
            vnf_metadata={}))
        session.flush()
        if info is not None:
            values = dict(flavour_id='simple', ext_cp_info=[],
                          vnf_state='STARTED', vnfc_resource_info=[],
                          scale_status=[], vnfc_info=[])
            values.update(info)
            session.add(v1.VnfInstantiatedInfo(vnf_instance_id=instance_id,
                                               **values))
    return instance_id


def v2_instance(vnfd_id, *, state='NOT_INSTANTIATED', info=None,
                vim_connection_info=None):
    instance_id = str(uuid.uuid4())
    with db_api.writer_session() as session:
        session.add(v2.VnfInstanceV2(
            id=instance_id, vnfInstanceName='cnf', vnfdId=vnfd_id,
            vnfProvider='Company', vnfProductName='Sample CNF',
            vnfSoftwareVersion='1.0', vnfdVersion='1.0',
            instantiationState=state,
            vimConnectionInfo=vim_connection_info or {},
            instantiatedVnfInfo=info, metadata_={}))
    return instance_id


def op_occ(api_version, instance_id, state, *, operation='SCALE'):
    when = datetime.datetime(2026, 1, 1)
    op_id = str(uuid.uuid4())
    with db_api.writer_session() as session:
        if api_version == 'v1':
            session.add(v1.VnfLcmOpOcc(
                id=op_id, vnf_instance_id=instance_id,
                operation_state=state, operation=operation, start_time=when,
                state_entered_time=when, is_automatic_invocation=False,
                is_cancel_pending=False))
        else:
            session.add(v2.VnfLcmOpOccV2(
                id=op_id, vnfInstanceId=instance_id, operationState=state,
                operation=operation, startTime=when, stateEnteredTime=when,
                isAutomaticInvocation=False, isCancelPending=False))
    return op_id


def v2_vim_connection(url, token=TOKEN):
    return {'vim1': {'vimType': 'ETSINFV.KUBERNETES.V_1',
                     'interfaceInfo': {'endpoint': url},
                     'accessInfo': {'bearer_token': token}}}
