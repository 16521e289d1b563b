"""Records and VIMs a pass cannot use fail alone; the rest is synchronized.

Each test stores something this project cannot read (broken JSON, a
wrong JSON type, a broken versioned-object primitive, credentials whose
key is not to be had), lets Kubernetes heal a healthy instance beside it,
runs one pass, and checks what an operator would: each bad instance is
FAILED with one ERROR naming it (or its VIM) and the field, never the
stored value; the healthy one is synchronized.
"""

import json
import uuid

from cryptography import fernet
import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.db.models import v1 as v1_models
from tacker.db.models import v2 as v2_models
from tacker.vnfm.infra_drivers.kubernetes import outcome
from tacker.tests.functional.dbsync import cnf

SECRET = 'do-not-echo-this-value'


def _store(table, where, **text_values):
    """Write raw text into JSON columns, as a broken writer would."""
    with db_api.writer_session() as session:
        session.execute(sa.update(table).where(where).values(
            {k: sa.literal(v, sa.Text()) for k, v in text_values.items()}))


def _heal(world, inst):
    pods, _, _ = inst.stored()
    world.sim.kill_pod(inst.namespace, pods['VDU1'][0])
    world.sim.wait_settled()


def _statuses(result):
    return {o.instance_id: o.status for o in result.outcomes}


def _reasons(result):
    return {o.instance_id: o.reason for o in result.outcomes}


def _errors(logs):
    return [r.getMessage() for r in logs.records if r.levelname == 'ERROR']


def test_malformed_records_fail_alone(world, engine, logs):
    healthy_v1 = world.deploy('v1', vdus=['VDU1'])
    healthy_v2 = world.deploy('v2', vdus=['VDU1'])
    not_json = world.deploy('v2', vdus=['VDU1'])
    wrong_type = world.deploy('v2', vdus=['VDU1'])
    broken_primitive = world.deploy('v1', vdus=['VDU1'])
    v2_table = v2_models.VnfInstanceV2.__table__
    _store(v2_table, v2_table.c.id == not_json.id,
           instantiatedVnfInfo=json.dumps('{"flavourId": "%s' % SECRET))
    _store(v2_table, v2_table.c.id == wrong_type.id,
           vimConnectionInfo=json.dumps(json.dumps([SECRET])))
    info_table = v1_models.VnfInstantiatedInfo.__table__
    _store(info_table, info_table.c.vnf_instance_id == broken_primitive.id,
           vnfc_resource_info=json.dumps([{
               'tacker_object.name': 'VnfcResourceInfo',
               'tacker_object.data': SECRET}]))
    _heal(world, healthy_v1)
    _heal(world, healthy_v2)

    result = engine.run_pass()

    statuses = _statuses(result)
    assert statuses[healthy_v1.id] == outcome.CHANGED
    assert statuses[healthy_v2.id] == outcome.CHANGED
    reasons = _reasons(result)
    expected = {not_json.id: 'instantiatedVnfInfo: not JSON',
                wrong_type.id: 'vimConnectionInfo: a JSON object was '
                               'expected, found a JSON array',
                broken_primitive.id: 'vnfc_resource_info: the data of a '
                                     'VnfcResourceInfo is not an object'}
    errors = _errors(logs)
    for instance_id, field in expected.items():
        assert statuses[instance_id] == outcome.FAILED
        assert field in reasons[instance_id]
        assert [e for e in errors if instance_id in e and field in e]
    assert SECRET not in ' '.join(errors + list(map(str, reasons.values())))


def test_a_vim_whose_key_cannot_be_had_fails_once_and_is_never_called(
        world, engine, logs, sim):
    locked = [world.deploy('v1', vdus=['VDU1']) for _ in range(2)]
    healthy = world.deploy('v2', vdus=['VDU1'])
    # The VIM as Tacker 16 registers it: the token encrypted with a key
    # kept in Barbican; no key manager is configured here.
    token = fernet.Fernet(fernet.Fernet.generate_key()).encrypt(
        cnf.TOKEN.encode()).decode()
    auth = v1_models.VimAuth.__table__
    with db_api.writer_session() as session:
        session.execute(sa.update(auth).where(
            auth.c.vim_id == world.vim.id).values(auth_cred={
                'bearer_token': token, 'key_type': 'barbican_key',
                'secret_uuid': str(uuid.uuid4())}))
    for inst in locked:
        _heal(world, inst)
    _heal(world, healthy)
    sim.reset_request_log()

    result = engine.run_pass()

    statuses = _statuses(result)
    assert statuses[healthy.id] == outcome.CHANGED
    for inst in locked:
        assert statuses[inst.id] == outcome.FAILED
        assert 'no key manager is configured' in _reasons(result)[inst.id]
    vim_errors = [e for e in _errors(logs) if world.vim.id in e]
    assert len(vim_errors) == 1
    assert 'no key manager is configured' in vim_errors[0]
    # Only the healthy instance's namespace was observed.
    assert all(healthy.namespace in path or 'namespaces' not in path
               for _method, path, _query in sim.requests)
    assert token not in ' '.join(_errors(logs))
