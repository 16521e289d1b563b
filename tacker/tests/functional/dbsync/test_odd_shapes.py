"""Odd shapes inside readable records, and in Kubernetes' answers.

A record whose JSON parses but holds a number where the VIM endpoint
belongs, a list as the bearer token or an object as the namespace fails
alone: one ERROR naming the instance (or its VIM) and the field, never
the value, and every other instance is synchronized in the same pass.
A LIST answer with a malformed item (the simulator's ``corrupt`` fault)
fails its VIM for the pass, logged once, and nothing is written for the
instances there.
"""

import json

import sqlalchemy as sa

from tacker.cmd import db_sync
from tacker.db import api as db_api
from tacker.db.instances import v2 as v2_instances
from tacker.db.models import v1 as v1_models
from tacker.db.models import v2 as v2_models
from tacker.tests import factories
from tacker.tests.functional.dbsync import cnf
from tacker.vnfm.infra_drivers.kubernetes import outcome

SECRET = 'do-not-echo-this-value'
ODD_PORT = 987654321


def _edit_v2(inst, edit):
    """Rewrite a v2 record's JSON as a writer other than Tacker might."""
    record = v2_instances.get_instance(inst.id)
    connections = json.loads(json.dumps(record.vim_connection_info))
    info = json.loads(json.dumps(record.instantiated_vnf_info))
    edit(connections, info)
    table = v2_models.VnfInstanceV2.__table__
    with db_api.writer_session() as session:
        session.execute(sa.update(table).where(table.c.id == inst.id).values(
            vimConnectionInfo=sa.literal(json.dumps(connections), sa.Text()),
            instantiatedVnfInfo=sa.literal(json.dumps(info), sa.Text())))


def _set_endpoint(connections, info):
    connections['vim1']['interfaceInfo']['endpoint'] = ODD_PORT


def _set_token(connections, info):
    connections['vim1']['accessInfo']['bearer_token'] = [SECRET]


def _set_namespace(connections, info):
    info['metadata']['namespace'] = {'name': SECRET}


def _heal(world, inst):
    pods, _, _ = inst.stored()
    world.sim.kill_pod(inst.namespace, pods['VDU1'][0])
    world.sim.wait_settled()


def _by_id(result):
    return {o.instance_id: o for o in result.outcomes}


def _errors(logs):
    return [r.getMessage() for r in logs.records if r.levelname == 'ERROR']


def _odd_v2_world(world):
    healthy = [world.deploy('v1', vdus=['VDU1']),
               world.deploy('v2', vdus=['VDU1'])]
    odd = {}
    for field, edit in (
            ('vimConnectionInfo.vim1.interfaceInfo.endpoint', _set_endpoint),
            ('vimConnectionInfo.vim1.accessInfo.bearer_token', _set_token),
            ('instantiatedVnfInfo.metadata.namespace', _set_namespace)):
        inst = world.deploy('v2', vdus=['VDU1'])
        _edit_v2(inst, edit)
        odd[inst.id] = field
    for inst in healthy:
        _heal(world, inst)
    return healthy, odd


def _assert_failed_alone(result, logs, healthy, odd):
    outcomes = _by_id(result)
    for inst in healthy:
        assert outcomes[inst.id].status == outcome.CHANGED
    errors = _errors(logs)
    for instance_id, field in odd.items():
        assert outcomes[instance_id].status == outcome.FAILED
        assert field in outcomes[instance_id].reason
        assert len([e for e in errors
                    if instance_id in e and field in e]) == 1
    shown = ' '.join(errors + [str(o.reason) for o in result.outcomes])
    assert SECRET not in shown and str(ODD_PORT) not in shown


def test_odd_v2_vim_and_namespace_shapes_fail_alone(world, engine, logs):
    healthy, odd = _odd_v2_world(world)

    result = engine.run_pass()

    _assert_failed_alone(result, logs, healthy, odd)
    assert not result.vim_failures
    # The same again next pass: nothing was left behind that stops it.
    assert {o.status for o in engine.run_pass().outcomes} == {
        outcome.UNCHANGED, outcome.FAILED}


def test_tacker_db_sync_prints_its_result_beside_odd_records(
        sqlite_world, logs, capsys):
    healthy, odd = _odd_v2_world(sqlite_world)

    status = db_sync.main(['--format', 'json'])

    assert status == 1
    printed = json.loads(capsys.readouterr().out)
    statuses = {o['instance_id']: o['status'] for o in printed['outcomes']}
    for inst in healthy:
        assert statuses[inst.id] == outcome.CHANGED
    for instance_id in odd:
        assert statuses[instance_id] == outcome.FAILED


def _set_auth_cred(world, auth_cred=None, auth_url=None):
    auth = v1_models.VimAuth.__table__
    values = {}
    if auth_cred is not None:
        values['auth_cred'] = sa.literal(json.dumps(auth_cred), sa.Text())
    if auth_url is not None:
        values['auth_url'] = auth_url
    with db_api.writer_session() as session:
        session.execute(sa.update(auth).where(
            auth.c.vim_id == world.vim.id).values(values))


def test_a_v1_vim_with_an_odd_credential_fails_its_instances_once(
        world, engine, logs):
    odd = [world.deploy('v1', vdus=['VDU1']) for _ in range(2)]
    healthy = world.deploy('v2', vdus=['VDU1'])
    _set_auth_cred(world, {'bearer_token': [SECRET],
                           'ssl_ca_cert': {'pem': SECRET}})
    _heal(world, healthy)

    result = engine.run_pass()

    outcomes = _by_id(result)
    assert outcomes[healthy.id].status == outcome.CHANGED
    for inst in odd:
        assert outcomes[inst.id].status == outcome.FAILED
        assert 'auth_cred.bearer_token' in outcomes[inst.id].reason
    vim_errors = [e for e in _errors(logs) if world.vim.id in e]
    assert len(vim_errors) == 1
    assert 'auth_cred.bearer_token' in vim_errors[0]
    assert SECRET not in ' '.join(_errors(logs) + [
        str(o.reason) for o in result.outcomes])


def test_odd_v1_records_fail_alone(world, engine, logs):
    healthy = [world.deploy('v1', vdus=['VDU1']),
               world.deploy('v2', vdus=['VDU1'])]
    namespace_object = world.deploy('v1', vdus=['VDU1'])
    odd_connection = world.deploy('v1', vdus=['VDU1'])
    table = v1_models.VnfInstance.__table__
    with db_api.writer_session() as session:
        session.execute(sa.update(table).where(
            table.c.id == namespace_object.id).values(
                vnf_metadata=sa.literal(json.dumps(
                    {'namespace': {'name': SECRET}}), sa.Text())))
        session.execute(sa.update(table).where(
            table.c.id == odd_connection.id).values(
                vim_connection_info=sa.literal(json.dumps(
                    [{'id': 'c1', 'vim_id': [SECRET],
                      'vim_type': 'kubernetes'}]), sa.Text())))
    for inst in healthy:
        _heal(world, inst)

    result = engine.run_pass()

    _assert_failed_alone(result, logs, healthy, {
        namespace_object.id: 'vnf_metadata.namespace',
        odd_connection.id: 'vim_connection_info[0].vim_id'})


def test_a_registered_vim_whose_auth_cred_is_no_object_fails_alone(
        world, engine, logs):
    healthy = world.deploy('v2', vdus=['VDU1'])
    odd = world.deploy('v2', vdus=['VDU1'])
    other = factories.vim(url=world.sim.url, auth_cred={'bearer_token':
                                                        cnf.TOKEN},
                          tenant_id='project-b', name='odd-cred')

    def by_id_only(connections, info):
        connections['vim1'] = {'vimId': other.id, 'vimType': 'kubernetes'}
    _edit_v2(odd, by_id_only)
    auth = v1_models.VimAuth.__table__
    with db_api.writer_session() as session:
        session.execute(sa.update(auth).where(
            auth.c.vim_id == other.id).values(auth_cred=sa.literal(
                json.dumps([SECRET]), sa.Text())))
    _heal(world, healthy)

    result = engine.run_pass()

    outcomes = _by_id(result)
    assert outcomes[healthy.id].status == outcome.CHANGED
    assert outcomes[odd.id].status == outcome.FAILED
    assert 'auth_cred is not an object' in outcomes[odd.id].reason
    errors = _errors(logs)
    assert len([e for e in errors if other.id in e]) == 1
    assert SECRET not in ' '.join(errors)


# --- malformed LIST answers

CORRUPTIONS = (
    # (fault arguments, words of the reason)
    ({'item': 0, 'value': 'not-a-pod'}, 'item 0 is not an object'),
    ({'item': 0, 'field': 'metadata'}, 'item 0 has no metadata'),
    ({'item': 0, 'field': 'metadata.ownerReferences', 'value': {'a': 1}},
     'item 0 has metadata.ownerReferences that is not a list'),
    ({'item': 0, 'field': 'status', 'value': 'Running'},
     'item 0 has status that is not an object'),
    ({'item': 0, 'field': 'metadata.ownerReferences', 'value': ['x']},
     'item 0 has metadata.ownerReferences[0] that is not an object'),
    ({'item': 0, 'field': 'status.phase', 'value': ['Running']},
     'item 0 has status.phase that is not text'),
)


def test_a_malformed_list_item_fails_its_vim_and_writes_nothing(
        world, engine, logs, sim):
    # Two VIMs on one cluster: the fault hits the namespace of the first
    # one's instances only.
    broken = world.deploy('v1', vdus=['VDU1'])
    healthy = world.deploy('v2', vdus=['VDU1'])

    def another_vim(connections, info):
        connections['vim1']['vimId'] = 'vim-b'
    _edit_v2(healthy, another_vim)
    for index, (fault, words) in enumerate(CORRUPTIONS):
        _heal(world, broken)
        _heal(world, healthy)
        before = broken.raw()
        logs.clear()
        sim.corrupt_list_items(
            path='/namespaces/%s/pods$' % broken.namespace, verb='list',
            count=1, **fault)

        result = engine.run_pass()

        outcomes = _by_id(result)
        assert outcomes[healthy.id].status == outcome.CHANGED, fault
        assert outcomes[broken.id].status == outcome.FAILED, fault
        reason = outcomes[broken.id].reason
        assert 'malformed PodList' in reason and words in reason, reason
        assert broken.raw() == before
        assert [f.vim_id for f in result.vim_failures] == [world.vim.id]
        errors = _errors(logs)
        assert len([e for e in errors if 'malformed' in e]) == 1, errors
        assert not [r for r in logs.records if r.exc_info], fault
        # Next pass, with a clean answer, synchronizes it.
        assert _by_id(engine.run_pass())[broken.id].status == \
            outcome.CHANGED
