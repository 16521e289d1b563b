"""Helpers of the API unit tests: a recording conductor, requests, rows."""

import datetime
import json
import uuid

import webob

from tacker.db import api as db_api
from tacker.db import vims
from tacker.db.models import v1
from tacker.db.models import v2
from tacker.vnfpkgm import build
from tacker.vnfpkgm import store as package_store

SAMPLE_CNF = build.SAMPLES_DIR / 'sample_cnf'
SAMPLE_VNFD_ID = '7f3d3b0e-6a55-4b7c-9f0e-5d7c2a1e9b01'
SECRETS = ('sekrit-token', 'sekrit-password', 'BEGIN-CA-sekrit')
_ZIP = {}


class RecordingConductor:
    """Stands in for ConductorAPI: remembers what would have been cast."""

    def __init__(self):
        self.casts = []

    def start_lcm(self, api_version, op_occ_id):
        self.casts.append((api_version, op_occ_id))


class BrokenConductor:
    def start_lcm(self, api_version, op_occ_id):
        raise RuntimeError('the broker is gone (password=sekrit-password)')


def call(app, method, path, body=None, *, raw=None, headers=None,
         content_type='application/json'):
    """Send one request through the WSGI app; returns the webob Response."""
    req = webob.Request.blank(path, method=method)
    if raw is not None:
        req.body = raw
        req.content_type = content_type
    elif body is not None:
        req.body = json.dumps(body).encode()
        req.content_type = content_type
    for name, value in (headers or {}).items():
        req.headers[name] = value
    return req.get_response(app)


def assert_problem(resp, status, detail=None, contains=None):
    assert resp.status_int == status, resp.text
    assert resp.content_type == 'application/problem+json', resp.headers
    body = resp.json
    assert body['status'] == status
    assert body['title']
    assert isinstance(body['detail'], str) and body['detail']
    if detail is not None:
        assert body['detail'] == detail
    if contains is not None:
        assert contains in body['detail'], body['detail']
    return body


def assert_no_secrets(text):
    for secret in SECRETS:
        assert secret not in text


def sample_zip():
    if 'zip' not in _ZIP:
        _ZIP['zip'] = build.build_csar_bytes(SAMPLE_CNF)
    return _ZIP['zip']


def onboarded_package(tenant_id='admin'):
    """The sample CNF onboarded straight through the store; its id."""
    package_id = str(uuid.uuid4())
    package_store.PackageStore().onboard(package_id, sample_zip(),
                                         tenant_id=tenant_id)
    return package_id


def vim(tenant_id='admin', *, name='k8s', url='https://k8s.example:6443'):
    return vims.create_vim(
        name=name, tenant_id=tenant_id, auth_url=url,
        auth_cred={'bearer_token': SECRETS[0], 'ssl_ca_cert': SECRETS[2]},
        is_default=True)


VNFC_V1 = {
    'tacker_object.name': 'VnfcResourceInfo',
    'tacker_object.namespace': 'tacker',
    'tacker_object.version': '1.0',
    'tacker_object.data': {
        'id': '0c0d4a5e-11b5-4e2e-9c7a-2b1f4d0b1a01',
        'vdu_id': 'VDU1',
        'compute_resource': {
            'tacker_object.name': 'ResourceHandle',
            'tacker_object.data': {
                'vim_connection_id': 'conn-1',
                'resource_id': 'vdu1-5588797866-fs6vb',
                'vim_level_resource_type': 'Deployment'}},
        'storage_resource_ids': [],
        'metadata': {'Deployment': '{"name": "vdu1"}'}},
}

VNFC_V1_PLAIN = {
    'id': '0c0d4a5e-11b5-4e2e-9c7a-2b1f4d0b1a02',
    'vdu_id': 'VDU1',
    'compute_resource': {'vim_connection_id': 'conn-1',
                         'resource_id': 'vdu1-5588797866-x2k4p',
                         'vim_level_resource_type': 'Deployment'},
    'storage_resource_ids': [],
}


def v1_instance(package_id, *, state='INSTANTIATED', task_state=None,
                tenant_id='admin', vim_id=None):
    """A v1 instance row (+ instantiated info when INSTANTIATED)."""
    instance_id = str(uuid.uuid4())
    connections = []
    if vim_id:
        connections = [{'id': 'conn-1', 'vim_id': vim_id,
                        'vim_type': 'kubernetes',
                        'access_info': {'bearer_token': SECRETS[0],
                                        'password': SECRETS[1]},
                        'interface_info': {'ssl_ca_cert': SECRETS[2]}}]
    with db_api.writer_session() as session:
        session.add(v1.VnfInstance(
            id=instance_id, vnf_instance_name='cnf',
            vnf_provider='Company', vnf_product_name='Sample CNF',
            vnf_software_version='1.0', vnfd_version='1.0',
            vnfd_id=SAMPLE_VNFD_ID, instantiation_state=state,
            task_state=task_state, vim_connection_info=connections,
            tenant_id=tenant_id, vnf_pkg_id=package_id,
            vnf_metadata={'namespace': 'default'}))
        session.flush()
        if state == 'INSTANTIATED':
            session.add(v1.VnfInstantiatedInfo(
                vnf_instance_id=instance_id, flavour_id='simple',
                ext_cp_info=[], vnf_state='STARTED',
                vnfc_resource_info=[VNFC_V1, VNFC_V1_PLAIN],
                scale_status=[{'aspect_id': 'vdu1_aspect',
                               'scale_level': 1}],
                vnfc_info=[], additional_params={'namespace': 'default'}))
    return instance_id


V2_INFO = {
    'flavourId': 'simple', 'vnfState': 'STARTED',
    'scaleStatus': [{'aspectId': 'vdu1_aspect', 'scaleLevel': 1}],
    'vnfcResourceInfo': [{
        'id': 'vdu1-5588797866-fs6vb', 'vduId': 'VDU1',
        'computeResource': {'resourceId': 'vdu1-5588797866-fs6vb',
                            'vimLevelResourceType': 'Deployment'}}],
    'metadata': {'namespace': 'default'},
}


def v2_instance(*, state='INSTANTIATED', vim_id='vim-x'):
    instance_id = str(uuid.uuid4())
    with db_api.writer_session() as session:
        session.add(v2.VnfInstanceV2(
            id=instance_id, vnfInstanceName='cnf', vnfdId=SAMPLE_VNFD_ID,
            vnfProvider='Company', vnfProductName='Sample CNF',
            vnfSoftwareVersion='1.0', vnfdVersion='1.0',
            instantiationState=state,
            vimConnectionInfo={'vim1': {
                'vimId': vim_id, 'vimType': 'ETSINFV.KUBERNETES.V_1',
                'interfaceInfo': {'endpoint': 'https://k8s:6443',
                                  'ssl_ca_cert': SECRETS[2]},
                'accessInfo': {'bearer_token': SECRETS[0]}}},
            instantiatedVnfInfo=(V2_INFO if state == 'INSTANTIATED'
                                 else None),
            metadata_={'owner': 'test'}))
    return instance_id


def v1_op_occ(instance_id, *, state='COMPLETED', operation='INSTANTIATE',
              tenant_id='admin'):
    op_id = str(uuid.uuid4())
    when = datetime.datetime(2026, 1, 2, 3, 4, 5)
    with db_api.writer_session() as session:
        session.add(v1.VnfLcmOpOcc(
            id=op_id, vnf_instance_id=instance_id, operation_state=state,
            operation=operation, start_time=when, state_entered_time=when,
            is_automatic_invocation=False, is_cancel_pending=False,
            operation_params={
                'flavourId': 'simple',
                'vimConnectionInfo': [{'id': 'c', 'vimType': 'kubernetes',
                                       'accessInfo': {
                                           'password': SECRETS[1]}}]},
            tenant_id=tenant_id))
    return op_id


def v2_op_occ(instance_id, *, state='COMPLETED', operation='INSTANTIATE'):
    op_id = str(uuid.uuid4())
    when = datetime.datetime(2026, 1, 2, 3, 4, 5)
    with db_api.writer_session() as session:
        session.add(v2.VnfLcmOpOccV2(
            id=op_id, vnfInstanceId=instance_id, operationState=state,
            operation=operation, startTime=when, stateEnteredTime=when,
            isAutomaticInvocation=False, isCancelPending=False,
            operationParams={'flavourId': 'simple', 'vimConnectionInfo': {
                'v': {'vimType': 'kubernetes',
                      'accessInfo': {'bearer_token': SECRETS[0]}}}}))
    return op_id
