"""Schemathesis against a real ``tacker-server``, on its own document.

The server runs as an operator runs it (``serve``: SQLite, noauth) with
a database seeded so that the lists and the stateful links reach real
records: a VIM, an onboarded package, v1 and v2 instances in both
instantiation states and op occs in several states.  Schemathesis reads
the document the server serves at ``/openapi.json`` and sends, with a
fixed seed and a fixed number of examples per operation, what it
generates from it; the run fails on any 5xx, any answer whose status,
content type, headers or body the document does not describe, and any
``Traceback`` in the server's log.

What is set apart, each for a reason that holds for this run only:

- the token.  This server runs ``auth_strategy = noauth`` on purpose, so
  schemathesis neither sends the document's ``X-Auth-Token`` nor tests
  that a request without it is refused: the ``ignored_auth`` and
  ``missing_required_header`` checks are left out (the token is the
  only required header the document names) and security parameters
  are not generated.  ``tacker/tests/unit/api/test_auth.py`` covers
  keystone's 401.
- NUL characters.  The API refuses a NUL in any JSON string, at any
  depth (400: PostgreSQL cannot store one), as the document's
  description says; JSON Schema cannot say it of every string nested
  in a free-form object, so schemathesis is told not to generate one.
- ``positive_data_acceptance`` takes, for some operations, the 4xx a
  valid body still meets (``CONFIG``): a generated body is never a
  CSAR (400); a generated vnfdId names no onboarded package (400 in
  v1, 422 in v2, as in Tacker; change_vnfpkg too, which also refuses
  with 409 an instance that is not instantiated or has a FAILED_TEMP op
  occ); a generated flavourId, aspectId or vnfcInstanceId names nothing
  in the instance's VNFD or VNFCs (400, checked against the package
  before anything is recorded); a generated modify names a VNFD or
  package nobody onboarded (v1 400, v2 422), a ``vnfcInfoModifications``
  id the instance has no VNFC for (400), or ``vimConnectionInfo`` for a
  ``NOT_INSTANTIATED`` instance (400, as in Tacker).  Every other check
  keeps its statuses, and so does every other operation.
"""

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.db import op_occs
from tacker.db.models import v1 as v1_models
from tacker.db.models import v2 as v2_models
from tacker.tests import factories
from tacker.tests.functional.api import test_server_process

pytestmark = pytest.mark.slow

SCHEMATHESIS = os.path.join(os.path.dirname(sys.executable), 'schemathesis')
SEED = 20261202
EXAMPLES = 20
# Checks left out, each with its reason in the module docstring.
EXCLUDED_CHECKS = ('ignored_auth', 'missing_required_header')
# Per-operation statuses of a valid body; reasons in the module docstring.
CONFIG = """
[generation]
allow-x00 = false
with-security-parameters = false

[[operations]]
include-operation-id = "uploadVnfPackageContent"
checks.positive_data_acceptance.expected-statuses = [202, 400, 404, 409]

[[operations]]
include-operation-id = "createVnfInstanceV1"
checks.positive_data_acceptance.expected-statuses = [201, 400]

[[operations]]
include-operation-id = "createVnfInstanceV2"
checks.positive_data_acceptance.expected-statuses = [201, 422]

[[operations]]
include-operation-id-regex = "^(instantiate|scale|heal)VnfInstanceV[12]$"
checks.positive_data_acceptance.expected-statuses = [202, 400, 404, 409]

[[operations]]
include-operation-id = "changeVnfPkgVnfInstanceV2"
checks.positive_data_acceptance.expected-statuses = [202, 400, 404, 409, 422]

[[operations]]
include-operation-id = "updateVnfInstanceV1"
checks.positive_data_acceptance.expected-statuses = [202, 400, 404, 409]

[[operations]]
include-operation-id = "updateVnfInstanceV2"
checks.positive_data_acceptance.expected-statuses = [202, 400, 404, 409, 422]
"""
# The whole run: about 40 s on two idle cores, twice that under load.
RUN_TIMEOUT = 170


def _seed_database():
    vim = factories.vim(auth_cred={'bearer_token': factories.TOKEN,
                                   'ssl_ca_cert': 'BEGIN-CA'})
    factories.onboarded_package()
    factories.created_package()
    connection = [{'id': 'conn-1', 'vim_id': vim.id,
                   'vim_type': 'kubernetes',
                   'access_info': {'bearer_token': factories.TOKEN}}]
    vnfc = {'id': '0c0d4a5e-11b5-4e2e-9c7a-2b1f4d0b1a01', 'vdu_id': 'VDU1',
            'compute_resource': {
                'vim_connection_id': 'conn-1',
                'resource_id': 'vdu1-5588797866-fs6vb',
                'vim_level_resource_type': 'Deployment'},
            'storage_resource_ids': [],
            'metadata': {'Deployment': '{"name": "vdu1"}'}}
    v1_running = factories.v1_instance(
        vim_connection_info=connection,
        info={'vnfc_resource_info': [vnfc],
              'scale_status': [{'aspect_id': 'vdu1_aspect',
                                'scale_level': 0}]})
    factories.v1_instance(state='NOT_INSTANTIATED', info=None)
    factories.v1_op_occ(v1_running, 'COMPLETED', operation='INSTANTIATE',
                        operation_params='{"flavourId": "simple"}')
    factories.v1_op_occ(v1_running, 'FAILED_TEMP')
    v2_running = factories.v2_instance(
        vim_connection_info=factories.v2_vim_connection(
            'https://k8s.example:6443'))
    factories.v2_instance(state='NOT_INSTANTIATED')
    factories.v2_op_occ(v2_running, 'COMPLETED', operation='INSTANTIATE',
                        operation_params={'flavourId': 'simple'})
    factories.v2_op_occ(v2_running, 'FAILED_TEMP')
    # A failed operation of each version, with its error.
    error = op_occs.problem(422, 'Unprocessable Entity', 'no such kind')
    failed = {v1_models.VnfLcmOpOcc: factories.v1_op_occ(v1_running,
                                                         'FAILED'),
              v2_models.VnfLcmOpOccV2: factories.v2_op_occ(v2_running,
                                                           'FAILED')}
    with db_api.writer_session() as session:
        for model, op_id in failed.items():
            session.execute(sa.update(model).where(model.id == op_id)
                            .values(error=error))


def _failures(junit_path):
    """``[(test case, message)]`` of the JUnit report's failures."""
    found = []
    for case in ET.parse(junit_path).getroot().iter('testcase'):
        for failure in list(case.iter('failure')) + list(
                case.iter('error')):
            found.append((case.get('name'),
                          (failure.get('message') or '') +
                          (failure.text or '')))
    return found


def test_schemathesis_finds_nothing(sqlite_db, tmp_path):
    _seed_database()
    proc, port, log_file = test_server_process.serve(
        sqlite_db, tmp_path,
        extra_conf='[DEFAULT]\ntransport_url = fake://\n',
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report = tmp_path / 'junit.xml'
    config = tmp_path / 'schemathesis.toml'
    config.write_text(CONFIG)
    started = time.monotonic()
    try:
        run = subprocess.run(
            [SCHEMATHESIS, '--config-file', str(config), 'run',
             'http://127.0.0.1:%d/openapi.json' % port,
             '--checks', 'all',
             '--exclude-checks', ','.join(EXCLUDED_CHECKS),
             '--seed', str(SEED), '--max-examples', str(EXAMPLES),
             '--workers', '1', '--request-timeout', '10',
             '--report', 'junit', '--report-junit-path', str(report),
             '--generation-database', 'none', '--no-color'],
            capture_output=True, text=True, timeout=RUN_TIMEOUT,
            cwd=tmp_path, env=dict(os.environ, SCHEMATHESIS_HOOKS=''))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    elapsed = time.monotonic() - started
    output = run.stdout + run.stderr
    print(output)
    print('schemathesis took %.1f s' % elapsed)
    assert report.exists(), output
    assert _failures(report) == [], output
    assert run.returncode == 0, output
    assert 'Traceback' not in log_file.read_text()
