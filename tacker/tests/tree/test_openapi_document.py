"""The OpenAPI document: current in the repository, true to the router,
one source with the validators."""

import json
import subprocess
import sys

import openapi_spec_validator

from tacker.api import openapi
from tacker.api import router as router_mod
from tacker.api import vims
from tacker.api import vnf_packages
from tacker.api import vnflcm_v1
from tacker.api import vnflcm_v2
from tacker.api.schemas import vims as vim_schemas
from tacker.api.schemas import vnf_packages as pkg_schemas

METHODS = ('get', 'put', 'post', 'delete', 'patch', 'head', 'options',
           'trace')


def test_committed_document_is_what_the_code_generates(tmp_path):
    out = tmp_path / 'openapi.json'
    subprocess.run([sys.executable, '-m', 'tacker.api.openapi', str(out)],
                   check=True, capture_output=True, timeout=60)
    with open(openapi.REPO_FILE, encoding='utf-8') as committed:
        assert committed.read() == out.read_text(), (
            'doc/source/user/openapi.json is stale; run '
            'python -m tacker.api.openapi')


def test_document_is_valid_openapi_3_1():
    doc = json.loads(openapi.dumps())
    assert doc['openapi'] == '3.1.0'
    openapi_spec_validator.validate(
        doc, cls=openapi_spec_validator.OpenAPIV31SpecValidator)


def test_every_route_is_documented_and_nothing_else():
    served = router_mod.build().paths()
    documented = {
        path: sorted(m.upper() for m in item if m in METHODS)
        for path, item in openapi.document()['paths'].items()}
    assert documented == served


def test_request_bodies_are_the_validators_own_schemas():
    schemas = openapi.document()['components']['schemas']
    assert schemas['CreateVimRequest'] is vim_schemas.CREATE
    assert schemas['CreateVnfPkgInfoRequest'] is pkg_schemas.CREATE
    assert schemas['VnfPkgInfoModificationsRequest'] is pkg_schemas.UPDATE
    for module, tail in ((vnflcm_v1, 'V1'), (vnflcm_v2, 'V2')):
        controller = module.InstanceController
        assert schemas['CreateVnfRequest' + tail] is \
            controller.CREATE_SCHEMA
        for action, schema in controller.ACTION_SCHEMAS.items():
            assert schemas['%sVnfRequest%s' % (action.title(), tail)] \
                is schema
    # The controllers validate with exactly these modules' objects.
    assert vims.vim_schemas.CREATE is vim_schemas.CREATE
    assert vnf_packages.pkg_schemas is pkg_schemas


def _refs(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == '$ref':
                yield item
            else:
                yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def test_references_and_links_resolve():
    doc = json.loads(openapi.dumps())
    names = set(doc['components']['schemas'])
    prefix = '#/components/schemas/'
    refs = set(_refs(doc))
    assert refs and all(r.startswith(prefix) for r in refs)
    assert {r[len(prefix):] for r in refs} <= names
    operations = {op['operationId']: (path, op)
                  for path, item in doc['paths'].items()
                  for method, op in item.items() if method in METHODS}
    assert len(operations) == sum(
        len([m for m in item if m in METHODS])
        for item in doc['paths'].values())
    for path, op in operations.values():
        for response in op['responses'].values():
            for link in response.get('links', {}).values():
                target_path, _ = operations[link['operationId']]
                assert '{id}' in target_path, (path, link)


def test_every_operation_documents_its_errors_as_problem_details():
    doc = openapi.document()
    for path, item in doc['paths'].items():
        for method, op in item.items():
            codes = set(op['responses'])
            assert any(c.startswith('2') for c in codes), (method, path)
            if path == openapi.PATH:
                assert codes == {'200'}
                assert op['security'] == []
            else:
                assert {'400', '401'} <= codes, (method, path)
            for code, response in op['responses'].items():
                if code.startswith('4') and code != '401' or \
                        code.startswith('5'):
                    content = response['content']
                    assert list(content) == ['application/problem+json']
