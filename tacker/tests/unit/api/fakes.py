"""Helpers of the API unit tests: a recording conductor, requests, and
what their records hold (secrets the API must never show).

The rows themselves are written by ``tacker.tests.factories``.
"""

import datetime
import json

import webob

from tacker.tests import factories

# The project of noauth requests, which owns the records by default.
TENANT = 'admin'
SECRETS = ('sekrit-token', 'sekrit-password', 'BEGIN-CA-sekrit')


class RecordingConductor:
    """Stands in for ConductorAPI: remembers what would have been cast."""

    def __init__(self):
        self.casts = []
        self.resumes = []

    def start_lcm(self, api_version, op_occ_id):
        self.casts.append((api_version, op_occ_id))

    def resume_lcm(self, api_version, op_occ_id, mode):
        self.resumes.append((api_version, op_occ_id, mode))


class BrokenConductor:
    def start_lcm(self, api_version, op_occ_id):
        raise RuntimeError('the broker is gone (password=sekrit-password)')

    def resume_lcm(self, api_version, op_occ_id, mode):
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


# --- what the records hold

VIM_CRED = {'bearer_token': SECRETS[0], 'ssl_ca_cert': SECRETS[2]}

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

# The instantiated-info columns of a v1 instance: both VNFC shapes.
V1_INFO = {
    'vnfc_resource_info': [VNFC_V1, VNFC_V1_PLAIN],
    'scale_status': [{'aspect_id': 'vdu1_aspect', 'scale_level': 1}],
    'additional_params': {'namespace': 'default'},
}


def v1_connections(vim_id):
    return [{'id': 'conn-1', 'vim_id': vim_id, 'vim_type': 'kubernetes',
             'access_info': {'bearer_token': SECRETS[0],
                             'password': SECRETS[1]},
             'interface_info': {'ssl_ca_cert': SECRETS[2]}}]


V2_INFO = {
    'flavourId': 'simple', 'vnfState': 'STARTED',
    'scaleStatus': [{'aspectId': 'vdu1_aspect', 'scaleLevel': 1}],
    'vnfcResourceInfo': [{
        'id': 'vdu1-5588797866-fs6vb', 'vduId': 'VDU1',
        'computeResource': {'resourceId': 'vdu1-5588797866-fs6vb',
                            'vimLevelResourceType': 'Deployment'}}],
    'metadata': {'namespace': 'default'},
}
V2_METADATA = {'owner': 'test'}


def v2_connections(vim_id='vim-x'):
    return {'vim1': {
        'vimId': vim_id, 'vimType': 'ETSINFV.KUBERNETES.V_1',
        'interfaceInfo': {'endpoint': 'https://k8s:6443',
                          'ssl_ca_cert': SECRETS[2]},
        'accessInfo': {'bearer_token': SECRETS[0]}}}


# The columns of a v2 instance besides its state and instantiated info.
V2 = {'vim_connection_info': v2_connections(), 'metadata': V2_METADATA}

OP_TIME = datetime.datetime(2026, 1, 2, 3, 4, 5)
# The column stores it as Tacker does, JSON text in the JSON column.
V1_OP_PARAMS = {
    'flavourId': 'simple',
    'vimConnectionInfo': [{'id': 'c', 'vimType': 'kubernetes',
                           'accessInfo': {'password': SECRETS[1]}}]}
V2_OP_PARAMS = {'flavourId': 'simple', 'vimConnectionInfo': {
    'v': {'vimType': 'kubernetes',
          'accessInfo': {'bearer_token': SECRETS[0]}}}}

# The columns of an op occ besides its instance and state.
V1_OP = {'operation': 'INSTANTIATE', 'when': OP_TIME, 'tenant_id': TENANT,
         'operation_params': V1_OP_PARAMS}
V2_OP = {'operation': 'INSTANTIATE', 'when': OP_TIME,
         'operation_params': V2_OP_PARAMS}


def instantiated(version, package_id):
    """The id of an INSTANTIATED instance of ``version`` with our rows."""
    if version == 'v1':
        return factories.v1_instance(package_id=package_id, tenant_id=TENANT,
                                     info=V1_INFO)
    return factories.v2_instance(info=V2_INFO, **V2)
