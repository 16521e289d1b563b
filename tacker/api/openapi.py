"""The OpenAPI 3.1 document of tacker-server, built from the code.

``document()`` describes every path and method ``router.build()``
serves, with the request bodies validated by ``tacker.api.schemas``
placed in ``components.schemas`` as the very dict objects the
controllers validate with: there is one source for both.  The response
schemas are written here to match ``tacker.api.views`` (a field the
view may leave out is not required; one it may show as null says so).

OpenAPI 3.1 rather than 3.0: its schemas are JSON Schema (2020-12), so
the request schemas, written for Draft 7 (``propertyNames``, type
lists), are used unchanged.

The document is also kept in the repository (``REPO_FILE``); regenerate
it with ``python -m tacker.api.openapi``, and a tree test fails when the
two differ.  tacker-server serves it at ``GET /openapi.json`` without a
token (``serve``).
"""

import functools
import json
import os
import sys

import webob

from tacker.api import wsgi
from tacker.api.schemas import vims as vim_schemas
from tacker.api.schemas import vnf_packages as pkg_schemas
from tacker.api.schemas import vnflcm as lcm_schemas
from tacker.common import states

OPENAPI_VERSION = '3.1.0'
PATH = '/openapi.json'
REPO_FILE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), 'doc', 'source', 'user',
    'openapi.json')

JSON = 'application/json'
PROBLEM_JSON = 'application/problem+json'

_REASONS = {
    400: 'The request is malformed: a body that is not JSON or breaks '
         'its schema, a bad query string, or a bad X-Project-Id header '
         '(noauth).',
    401: 'No valid token (auth_strategy keystone).',
    403: 'The policy refuses the caller this operation (the detail names '
         'the rule).',
    404: 'No such resource visible to the caller (an id that is not a '
         'UUID is unknown too).',
    409: 'The resource is in a state that does not allow this request.',
    413: 'The request body is too large.',
    415: 'The request body has a Content-Type this operation does not '
         'take.',
    422: 'The request names a VNFD without an enabled, onboarded '
         'package.',
    503: 'tacker-conductor or the instance-lock backend could not be '
         'reached; nothing was started, or the operation was rolled back.',
}


def _ref(name):
    return {'$ref': '#/components/schemas/%s' % name}


def _nullable(schema):
    """``schema`` that also allows null."""
    return {'anyOf': [schema, {'type': 'null'}]}


_STRING = {'type': 'string'}
_OBJECT = {'type': 'object'}
_ARRAY = {'type': 'array'}
_DATE_TIME = {'type': 'string', 'format': 'date-time'}


def _any_of_keys(keys):
    return {'anyOf': [{'required': [key]} for key in keys]}


def _object(properties, required=()):
    schema = {'type': 'object', 'properties': properties}
    if required:
        schema['required'] = list(required)
    return schema


# --- response schemas, matching tacker.api.views

def _response_schemas():
    link = _object({'href': {'type': 'string', 'format': 'uri'}},
                   ['href'])
    links = {'type': 'object', 'additionalProperties': _ref('Link'),
             'required': ['self']}
    # What the views never show (views.scrub), stated so a client and a
    # conformance check can rely on it.
    connection = {'type': 'object', 'not': _any_of_keys(
        ('accessInfo', 'access_info'))}
    problem = _object({
        'status': {'type': 'integer', 'minimum': 400, 'maximum': 599},
        'title': _STRING,
        'detail': _STRING,
    }, ['status', 'title', 'detail'])
    vim = _object({
        'id': _STRING,
        'name': _STRING,
        'description': _STRING,
        'type': _STRING,
        'tenant_id': _STRING,
        'auth_url': _STRING,
        'vim_project': _nullable(_OBJECT),
        # Without its secrets: views.scrub drops them.
        'auth_cred': _nullable(dict(_object({
            'username': _STRING,
            'oidc_token_url': _STRING,
            'client_id': _STRING,
        }), **{'not': _any_of_keys(('bearer_token', 'password',
                                    'ssl_ca_cert', 'client_secret'))})),
        'placement_attr': _OBJECT,
        'is_default': {'type': 'boolean'},
        'status': {'type': 'string', 'enum': ['ACTIVE']},
        'extra': _nullable(_OBJECT),
        'created_at': _nullable(_DATE_TIME),
    }, ['id', 'name', 'description', 'type', 'tenant_id', 'auth_url',
        'is_default', 'status'])
    package = _object({
        'id': _STRING,
        'onboardingState': {'type': 'string', 'enum': [
            'CREATED', 'UPLOADING', 'PROCESSING', 'ONBOARDED']},
        'operationalState': {'type': 'string',
                             'enum': ['ENABLED', 'DISABLED']},
        'usageState': {'type': 'string', 'enum': ['IN_USE', 'NOT_IN_USE']},
        'userDefinedData': {'type': 'object',
                            'additionalProperties': _STRING},
        # Present once the package is onboarded.
        'vnfdId': _STRING,
        'vnfProvider': _nullable(_STRING),
        'vnfProductName': _nullable(_STRING),
        'vnfSoftwareVersion': _nullable(_STRING),
        'vnfdVersion': _nullable(_STRING),
        'checksum': _object({'algorithm': _nullable(_STRING),
                             'hash': _nullable(_STRING)},
                            ['algorithm', 'hash']),
        'softwareImages': _ARRAY,
        'additionalArtifacts': _ARRAY,
        '_links': _object({'self': _ref('Link'),
                           'packageContent': _ref('Link')},
                          ['self', 'packageContent']),
    }, ['id', 'onboardingState', 'operationalState', 'usageState',
        'userDefinedData', '_links'])
    modifications = _object({
        'operationalState': {'type': 'string',
                             'enum': ['ENABLED', 'DISABLED']},
        'userDefinedData': {'type': 'object',
                            'additionalProperties': _STRING},
    })
    instance_common = {
        'id': _STRING,
        'vnfInstanceName': _STRING,
        'vnfInstanceDescription': _STRING,
        'vnfdId': _STRING,
        'vnfProvider': _STRING,
        'vnfProductName': _STRING,
        'vnfSoftwareVersion': _STRING,
        'vnfdVersion': _STRING,
        'instantiationState': {'type': 'string', 'enum': [
            states.INSTANTIATED, states.NOT_INSTANTIATED]},
        'metadata': _OBJECT,
        '_links': links,
    }
    instance_v1 = _object(dict(instance_common, **{
        'vnfPkgId': _STRING,
        'vimConnectionInfo': {'type': 'array', 'items': connection},
        # Present while INSTANTIATED.
        'instantiatedVnfInfo': _object({
            'flavourId': _STRING,
            'vnfState': _STRING,
            'scaleStatus': {'type': 'array', 'items': _object(
                {'aspectId': _STRING, 'scaleLevel': {'type': 'integer'}})},
            'extCpInfo': _ARRAY,
            'extVirtualLinkInfo': _ARRAY,
            'extManagedVirtualLinkInfo': _ARRAY,
            'vnfcResourceInfo': {'type': 'array', 'items': _OBJECT},
            'vnfVirtualLinkResourceInfo': _ARRAY,
            'virtualStorageResourceInfo': _ARRAY,
            'vnfcInfo': _ARRAY,
            'instantiationLevelId': _STRING,
            'additionalParams': _OBJECT,
        }),
    }), ['id', 'vnfdId', 'instantiationState', 'vimConnectionInfo',
         'metadata', '_links'])
    instance_v2 = _object(dict(instance_common, **{
        'vnfConfigurableProperties': _OBJECT,
        'vimConnectionInfo': {'type': 'object',
                              'additionalProperties': connection},
        'instantiatedVnfInfo': _OBJECT,
        'extensions': _OBJECT,
    }), ['id', 'vnfdId', 'instantiationState', '_links'])
    occ_common = {
        'id': _STRING,
        'operationState': {'type': 'string',
                           'enum': list(states.OPERATION_STATES)},
        'stateEnteredTime': _DATE_TIME,
        'startTime': _DATE_TIME,
        'vnfInstanceId': _STRING,
        'grantId': _STRING,
        'operation': _STRING,
        'isAutomaticInvocation': {'type': 'boolean'},
        'operationParams': _OBJECT,
        'isCancelPending': {'type': 'boolean'},
        'error': _OBJECT,
        'resourceChanges': _OBJECT,
        'changedInfo': _OBJECT,
        'changedExtConnectivity': _ARRAY,
        '_links': _object({'self': _ref('Link'),
                           'vnfInstance': _ref('Link'),
                           'fail': _ref('Link')},
                          ['self', 'vnfInstance']),
    }
    occ_required = ['id', 'operationState', 'vnfInstanceId', 'operation',
                    'isAutomaticInvocation', 'isCancelPending', '_links']
    occ_v1 = _object(dict(occ_common), occ_required)
    occ_v2 = _object(dict(occ_common, cancelMode=_STRING), occ_required)
    versions = _object({
        'uriPrefix': _STRING,
        'apiVersions': {'type': 'array', 'items': _object({
            'version': _STRING,
            'isDeprecated': {'type': 'boolean'},
            'retirementDate': _DATE_TIME,
        }, ['version'])},
    }, ['uriPrefix', 'apiVersions'])
    return {
        'Link': link,
        'ProblemDetails': problem,
        'VimInfo': vim,
        'VimResponse': _object({'vim': _ref('VimInfo')}, ['vim']),
        'VimListResponse': _object(
            {'vims': {'type': 'array', 'items': _ref('VimInfo')}},
            ['vims']),
        'VnfPkgInfo': package,
        'VnfPkgInfoModifications': modifications,
        'VnfInstanceV1': instance_v1,
        'VnfInstanceV2': instance_v2,
        'VnfLcmOpOccV1': occ_v1,
        'VnfLcmOpOccV2': occ_v2,
        'ApiVersionInformation': versions,
    }


def _request_schemas():
    """The request schemas, as the same objects the validators use."""
    found = {
        'CreateVimRequest': vim_schemas.CREATE,
        'CreateVnfPkgInfoRequest': pkg_schemas.CREATE,
        'VnfPkgInfoModificationsRequest': pkg_schemas.UPDATE,
        'CreateVnfRequestV1': lcm_schemas.CREATE_V1,
        'CreateVnfRequestV2': lcm_schemas.CREATE_V2,
        'VnfInfoModificationRequestV1': lcm_schemas.MODIFY_V1,
        'VnfInfoModificationRequestV2': lcm_schemas.MODIFY_V2,
    }
    for version, actions in (('V1', lcm_schemas.ACTIONS_V1),
                             ('V2', lcm_schemas.ACTIONS_V2)):
        for action, schema in actions.items():
            found['%sVnfRequest%s' % (action.title(), version)] = schema
    found['ChangeCurrentVnfPkgRequestV2'] = lcm_schemas.CHANGE_VNFPKG_V2
    return found


# --- operations

class _Paths:
    """The ``paths`` object, filled one operation at a time."""

    def __init__(self):
        self.paths = {}

    def add(self, path, method, operation):
        self.paths.setdefault(path, {})[method] = operation


def _headers(v2, **extra):
    headers = {}
    if v2:
        headers['Version'] = {
            'description': 'The API version of the answer.',
            'required': True,
            'schema': {'type': 'string', 'const': '2.0.0'}}
    for name, description in extra.items():
        headers[name] = {'description': description, 'required': True,
                         'schema': {'type': 'string', 'format': 'uri'}}
    return headers


def _with_headers(response, headers):
    if headers:
        response['headers'] = headers
    return response


def _problem(status, v2):
    schema = {'allOf': [_ref('ProblemDetails'), {
        'properties': {'status': {'const': status}}}]}
    return _with_headers(
        {'description': _REASONS[status],
         'content': {PROBLEM_JSON: {'schema': schema}}}, _headers(v2))


def _json(description, schema, v2, *, status_headers=None, links=None):
    response = {'description': description,
                'content': {JSON: {'schema': schema}}}
    if links:
        response['links'] = links
    return _with_headers(response, dict(_headers(v2),
                                        **(status_headers or {})))


def _empty(description, v2, **headers):
    return _with_headers({'description': description},
                         dict(_headers(v2), **_headers(False, **headers)))


def _operation(op_id, summary, tag, responses, *, errors, v2=False,
               body=None, body_required=True, parameters=None,
               security=True):
    # Every protected request may carry a bad X-Project-Id (400, noauth),
    # no token (401, keystone) or a caller its policy rule refuses (403);
    # a public one is answered as it is.
    codes = sorted(set(errors) | ({400, 401, 403} if security else set()))
    operation = {'operationId': op_id, 'summary': summary, 'tags': [tag]}
    if parameters:
        operation['parameters'] = parameters
    if body is not None:
        operation['requestBody'] = dict(body, required=body_required)
    operation['responses'] = dict(responses)
    for code in codes:
        operation['responses'][str(code)] = _problem(code, v2)
    if not security:
        operation['security'] = []
    return operation


# The id of the first member of a list answer.
FIRST = '$response.body#/0/id'


def _links(operation_ids, id_from='$response.body#/id'):
    """Links to the operations on the member an answer describes."""
    return {op_id: {'operationId': op_id, 'parameters': {'id': id_from}}
            for op_id in operation_ids}


def _json_body(name):
    return {'content': {JSON: {'schema': _ref(name)}}}


_ID = [{'name': 'id', 'in': 'path', 'required': True,
        'description': 'The resource\'s id, a UUID.',
        'schema': {'type': 'string'}}]


def _vim_paths(paths):
    for suffix in ('', '.json'):
        collection = '/v1.0/vims' + suffix
        member = '/v1.0/vims/{id}' + suffix
        tail = 'Json' if suffix else ''
        show = _links(('showVim' + tail, 'deleteVim' + tail),
                      '$response.body#/vim/id')
        paths.add(collection, 'get', _operation(
            'listVims' + tail, 'List the VIMs', 'vims',
            {'200': _json('The VIMs visible to the caller.',
                          _ref('VimListResponse'), False,
                          links=_links(('showVim' + tail,
                                        'deleteVim' + tail),
                                       '$response.body#/vims/0/id'))},
            errors=(), parameters=[
                {'name': name, 'in': 'query', 'required': False,
                 'description': 'Only the VIMs of these %ss.' % name,
                 'style': 'form', 'explode': True,
                 'schema': {'type': 'array', 'items': _STRING}}
                for name in ('id', 'name')]))
        paths.add(collection, 'post', _operation(
            'createVim' + tail, 'Register a Kubernetes VIM', 'vims',
            {'201': _json('The VIM registered.', _ref('VimResponse'),
                          False, links=show)},
            errors=(403, 409, 413), body=_json_body('CreateVimRequest')))
        paths.add(member, 'get', _operation(
            'showVim' + tail, 'Show a VIM', 'vims',
            {'200': _json('The VIM.', _ref('VimResponse'), False)},
            errors=(404,), parameters=_ID))
        paths.add(member, 'delete', _operation(
            'deleteVim' + tail, 'Delete a VIM', 'vims',
            {'204': _empty('The VIM is deleted.', False)},
            errors=(404, 409), parameters=_ID))


def _package_paths(paths):
    base = '/vnfpkgm/v1/vnf_packages'
    tag = 'vnf_packages'
    member_ops = ('showVnfPackage', 'updateVnfPackage',
                  'uploadVnfPackageContent', 'deleteVnfPackage')
    member_links = _links(member_ops)
    paths.add(base, 'get', _operation(
        'listVnfPackages', 'List the VNF packages', tag,
        {'200': _json('The VNF packages visible to the caller.',
                      {'type': 'array', 'items': _ref('VnfPkgInfo')},
                      False, links=_links(member_ops, FIRST))},
        errors=()))
    paths.add(base, 'post', _operation(
        'createVnfPackage', 'Create a VNF package (CREATED)', tag,
        {'201': _json('The package created.', _ref('VnfPkgInfo'), False,
                      status_headers=_headers(
                          False, Location='The new package.'),
                      links=member_links)},
        errors=(413,), body=_json_body('CreateVnfPkgInfoRequest'),
        body_required=False))
    paths.add(base + '/{id}', 'get', _operation(
        'showVnfPackage', 'Show a VNF package', tag,
        {'200': _json('The package.', _ref('VnfPkgInfo'), False)},
        errors=(404,), parameters=_ID))
    paths.add(base + '/{id}', 'patch', _operation(
        'updateVnfPackage', 'Change a VNF package\'s operational state or '
        'user data', tag,
        {'200': _json('What changed.', _ref('VnfPkgInfoModifications'),
                      False)},
        errors=(404, 409, 413), parameters=_ID,
        body=_json_body('VnfPkgInfoModificationsRequest')))
    paths.add(base + '/{id}', 'delete', _operation(
        'deleteVnfPackage', 'Delete a DISABLED, NOT_IN_USE VNF package',
        tag, {'204': _empty('The package is deleted.', False)},
        errors=(404, 409), parameters=_ID))
    paths.add(base + '/{id}/package_content', 'put', _operation(
        'uploadVnfPackageContent', 'Upload and onboard the CSAR', tag,
        {'202': _empty('The package is onboarded.', False)},
        errors=(404, 409, 413, 415), parameters=_ID,
        body={'content': {
            media: {'schema': {'type': 'string',
                               'contentMediaType': 'application/zip'}}
            for media in ('application/zip', 'application/octet-stream')}}))


def _lcm_paths(paths, version):
    v2 = version == 'v2'
    tail = version.upper()
    prefix = '/vnflcm/%s' % version
    instances = prefix + '/vnf_instances'
    occs = prefix + '/vnf_lcm_op_occs'
    instance = _ref('VnfInstance' + tail)
    occ = _ref('VnfLcmOpOcc' + tail)
    tag = 'vnflcm_%s' % version
    create_missing = 422 if v2 else 400
    member_ops = ['%sVnfInstance%s' % (verb, tail) for verb in (
        'show', 'instantiate', 'scale', 'heal', 'terminate', 'delete')]
    if v2:
        member_ops.append('changeVnfPkgVnfInstanceV2')
    member_links = _links(member_ops)
    paths.add(prefix + '/api_versions', 'get', _operation(
        'apiVersions' + tail, 'The API version of /vnflcm/%s' % version,
        tag, {'200': _json('The version.', _ref('ApiVersionInformation'),
                           v2)}, errors=(), v2=v2))
    paths.add(instances, 'get', _operation(
        'listVnfInstances' + tail, 'List the VNF instances', tag,
        {'200': _json('The instances visible to the caller.',
                      {'type': 'array', 'items': instance}, v2,
                      links=_links(member_ops, FIRST))},
        errors=(), v2=v2))
    paths.add(instances, 'post', _operation(
        'createVnfInstance' + tail, 'Create a VNF instance from an '
        'onboarded VNFD', tag,
        {'201': _json('The instance created (NOT_INSTANTIATED).',
                      instance, v2, status_headers=_headers(
                          False, Location='The new instance.'),
                      links=member_links)},
        errors=sorted({create_missing, 413}), v2=v2,
        body=_json_body('CreateVnfRequest' + tail)))
    paths.add(instances + '/{id}', 'get', _operation(
        'showVnfInstance' + tail, 'Show a VNF instance', tag,
        {'200': _json('The instance.', instance, v2)}, errors=(404,),
        v2=v2, parameters=_ID))
    paths.add(instances + '/{id}', 'delete', _operation(
        'deleteVnfInstance' + tail, 'Delete a NOT_INSTANTIATED VNF '
        'instance', tag, {'204': _empty('The instance is deleted.', v2)},
        errors=(404, 409), v2=v2, parameters=_ID))
    for action in ('instantiate', 'scale', 'heal', 'terminate'):
        paths.add('%s/{id}/%s' % (instances, action), 'post', _operation(
            '%sVnfInstance%s' % (action, tail),
            '%s a VNF instance (asynchronous)' % action.title(), tag,
            {'202': _empty('Accepted; Location is the new LCM operation '
                           'occurrence.', v2,
                           Location='The new op occ.')},
            errors=(404, 409, 413, 503), v2=v2, parameters=_ID,
            body=_json_body('%sVnfRequest%s' % (action.title(), tail))))
    if v2:
        paths.add(instances + '/{id}/change_vnfpkg', 'post', _operation(
            'changeVnfPkgVnfInstanceV2', 'Change the current VNF package '
            'of a VNF instance by a rolling update (asynchronous)', tag,
            {'202': _empty('Accepted; Location is the new LCM operation '
                           'occurrence.', v2, Location='The new op occ.')},
            errors=(404, 409, 413, 422, 503), v2=v2, parameters=_ID,
            body=_json_body('ChangeCurrentVnfPkgRequestV2')))
    paths.add(occs, 'get', _operation(
        'listVnfLcmOpOccs' + tail, 'List the LCM operation occurrences',
        tag, {'200': _json('The op occs visible to the caller.',
                           {'type': 'array', 'items': occ}, v2,
                           links=_links(['showVnfLcmOpOcc' + tail,
                                         'failVnfLcmOpOcc' + tail],
                                        FIRST))},
        errors=(), v2=v2))
    paths.add(occs + '/{id}', 'get', _operation(
        'showVnfLcmOpOcc' + tail, 'Show an LCM operation occurrence', tag,
        {'200': _json('The op occ.', occ, v2, links=_links(
            ['failVnfLcmOpOcc' + tail]))}, errors=(404,), v2=v2,
        parameters=_ID))
    paths.add(occs + '/{id}/fail', 'post', _operation(
        'failVnfLcmOpOcc' + tail, 'Mark a FAILED_TEMP operation FAILED',
        tag, {'200': _json('The op occ, now FAILED.', occ, v2)},
        errors=(404, 409, 503), v2=v2, parameters=_ID))
    _modify_paths(paths, version)


def _modify_paths(paths, version):
    """Modify (PATCH of an instance), retry and rollback of an op occ."""
    v2 = version == 'v2'
    tail = version.upper()
    prefix = '/vnflcm/%s' % version
    tag = 'vnflcm_%s' % version
    schema = {'schema': _ref('VnfInfoModificationRequest' + tail)}
    paths.add(prefix + '/vnf_instances/{id}', 'patch', _operation(
        'updateVnfInstance' + tail, 'Modify a VNF instance\'s information '
        '(a JSON merge patch, asynchronous)', tag,
        {'202': _empty('Accepted; Location is the new MODIFY_INFO '
                       'operation occurrence.', v2,
                       Location='The new op occ.')},
        errors=sorted({404, 409, 413, 415, 503} | ({422} if v2 else set())),
        v2=v2, parameters=_ID,
        body={'content': {media: schema for media in (
            'application/merge-patch+json', JSON)}}))
    occs = prefix + '/vnf_lcm_op_occs'
    paths.add(occs + '/{id}/retry', 'post', _operation(
        'retryVnfLcmOpOcc' + tail, 'Run a FAILED_TEMP operation again '
        '(asynchronous)', tag,
        {'202': _empty('Accepted; the op occ goes PROCESSING again.', v2)},
        errors=(404, 409, 503), v2=v2, parameters=_ID))
    # Tacker's v1 answers a rollback with the op occ's Location.
    location = {} if v2 else {'Location': 'The op occ.'}
    paths.add(occs + '/{id}/rollback', 'post', _operation(
        'rollbackVnfLcmOpOcc' + tail, 'Undo a FAILED_TEMP operation '
        '(asynchronous)', tag,
        {'202': _empty('Accepted; the op occ goes ROLLING_BACK, then '
                       'ROLLED_BACK.', v2, **location)},
        errors=sorted({404, 409, 503} | ({422} if v2 else set())),
        v2=v2, parameters=_ID))


@functools.lru_cache(maxsize=None)
def _built():
    return _build()


def _build():
    paths = _Paths()
    paths.add(PATH, 'get', _operation(
        'openapiDocument', 'This document', 'meta',
        {'200': _json('The OpenAPI document of tacker-server.',
                      {'type': 'object'}, False)},
        errors=(), security=False))
    _vim_paths(paths)
    _package_paths(paths)
    paths.add('/vnflcm/api_versions', 'get', _operation(
        'apiVersions', 'The API versions of /vnflcm', 'vnflcm',
        {'200': _json('The versions.', _ref('ApiVersionInformation'),
                      False)}, errors=()))
    for version in ('v1', 'v2'):
        _lcm_paths(paths, version)
    schemas = _response_schemas()
    schemas.update(_request_schemas())
    return {
        'openapi': OPENAPI_VERSION,
        'info': {
            'title': 'tacker-server',
            'version': '1.0.0',
            'description': (
                'VIMs (Tacker\'s legacy /v1.0 API), VNF packages (SOL005) '
                'and VNF LCM v1 and v2 (SOL003) of this Tacker-compatible '
                'VNF manager.  /v1.0/vims also answers with a ".json" '
                'suffix, as python-tackerclient sends it.  A path that '
                'exists answers 405 with Allow to another method.  Every '
                'string of a JSON request body, at any depth, must be '
                'UTF-8 without a NUL character (else 400); a JSON body '
                'is at most 1 MiB and nests at most %d levels.'
                % wsgi.MAX_JSON_DEPTH),
        },
        'security': [{'keystone': []}],
        'paths': paths.paths,
        'components': {
            'schemas': schemas,
            'securitySchemes': {'keystone': {
                'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token',
                'description': 'A Keystone token (auth_strategy keystone; '
                               'noauth takes none).'}},
        },
    }


def document():
    """The document as a dict; its request schemas are the validators'."""
    return _built()


def dumps(doc=None):
    """The document as the text kept in the repository."""
    return json.dumps(doc or document(), indent=2) + '\n'


@functools.lru_cache(maxsize=None)
def _body():
    return json.dumps(document()).encode('utf-8')


def serve(req):
    """``GET /openapi.json``."""
    return webob.Response(status=200, body=_body(), content_type=JSON,
                          charset=None)


def main(argv=None):
    """Write the document to the repository file, or to the path given."""
    argv = sys.argv[1:] if argv is None else argv
    target = argv[0] if argv else REPO_FILE
    with open(target, 'w', encoding='utf-8') as out:
        out.write(dumps())
    print('wrote %s' % target)
    return 0


if __name__ == '__main__':
    sys.exit(main())
