"""Which instances a pass checks, and why the others are not checked.

Through ``Collector(store, owns, namespaces).collect(instance_ids)`` and
``not_owned`` only, on SQLite: the rows come from ``tacker.tests.factories``
and the sample CNF is onboarded into the test's own package store.
"""

import logging

from cryptography import fernet
import pytest
import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.db.models import v1 as v1_models
from tacker.db.models import v2 as v2_models
from tacker.dbsync import candidates
from tacker.dbsync import sync
from tacker.vnfm.infra_drivers.kubernetes import outcome
from tacker.keymgr import vim_secrets
from tacker.tests import factories
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfpkgm import vnfd

BOTH = pytest.mark.parametrize('api', ['v1', 'v2'])
ENDPOINT = 'https://k8s.example:6443'
SAMPLE_TARGETS = {
    'VDU1': model.VduTarget('VDU1', 'Deployment', 'vdu1'),
    'VDU2': model.VduTarget('VDU2', 'StatefulSet', 'vdu2'),
    'VDU3': model.VduTarget('VDU3', 'DaemonSet', 'vdu3'),
    'VDU4': model.VduTarget('VDU4', 'Pod', 'vdu4'),
    'VDU5': model.VduTarget('VDU5', 'ReplicaSet', 'vdu5'),
}
VDU1_FILES = ['Files/kubernetes/vdu1-deployment.yaml']


@pytest.fixture
def package(conf, sqlite_db, tmp_path):
    """The sample CNF onboarded into the test's own store."""
    conf.config(vnf_package_csar_path=str(tmp_path / 'csar'),
                group='vnf_package')
    conf.config(openstack=str(tmp_path / 'vim-keys'), group='vim_keys')
    vnfd.CACHE.clear()
    yield factories.onboarded_package()
    vnfd.CACHE.clear()
    vim_secrets.forget_keys()


@pytest.fixture
def vim(package):
    """The project's default VIM."""
    return factories.vim(url=ENDPOINT)


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO, logger='tacker')
    return caplog


def _v1(package, *, namespace='default', info=None, **kwargs):
    return factories.v1_instance(package_id=package.id,
                                 metadata={'namespace': namespace},
                                 info=info, **kwargs)


def _v2_connection(vim_id=None, endpoint=ENDPOINT, token=factories.TOKEN):
    connection = {'vimType': 'ETSINFV.KUBERNETES.V_1',
                  'accessInfo': {'bearer_token': token}}
    if vim_id:
        connection['vimId'] = vim_id
    if endpoint:
        connection['interfaceInfo'] = {'endpoint': endpoint}
    return {'vim1': connection}


def _v2(*, namespace='default', info=None, connection=None, **kwargs):
    info = dict({'flavourId': 'simple', 'vnfState': 'STARTED',
                 'metadata': {'namespace': namespace}}, **(info or {}))
    return factories.v2_instance(
        info=info, vim_connection_info=(_v2_connection() if connection is None
                                        else connection), **kwargs)


def _instance(api, package, **kwargs):
    if api == 'v1':
        return _v1(package, **kwargs)
    return _v2(**kwargs)


class Collected:
    def __init__(self, instance_ids=None, **kwargs):
        self.collector = candidates.Collector(**kwargs)
        found, outcomes = self.collector.collect(instance_ids)
        self.candidates = {c.instance_id: c for c in found}
        self.outcomes = {o.instance_id: o for o in outcomes}
        assert len(self.candidates) == len(found)
        assert len(self.outcomes) == len(outcomes)

    def status(self, instance_id):
        o = self.outcomes[instance_id]
        return o.status, o.reason


def _messages(logs, level):
    return [r.getMessage() for r in logs.records if r.levelname == level]


# --- what becomes a candidate


def test_an_instantiated_v1_instance_is_a_candidate(package, vim):
    instance_id = _v1(package, namespace='ns-a')
    got = Collected()
    assert got.outcomes == {}
    candidate = got.candidates[instance_id]
    assert candidate.api_version == 'v1'
    assert candidate.record.id == instance_id
    assert candidate.namespace == 'ns-a'
    assert (candidate.vim.vim_id, candidate.vim.endpoint,
            candidate.vim.bearer_token) == (vim.id, ENDPOINT,
                                            factories.TOKEN)
    assert candidate.flavour.flavour_id == 'simple'
    assert candidate.targets == SAMPLE_TARGETS


def test_a_v1_instance_uses_the_vim_it_names(package, vim):
    other = factories.vim(url='https://other:6443', name='other',
                          is_default=False)
    instance_id = _v1(package, vim_connection_info=[
        {'id': 'c1', 'vim_id': other.id, 'vim_type': 'kubernetes'}])
    vim_access = Collected().candidates[instance_id].vim
    assert (vim_access.vim_id, vim_access.endpoint) == (
        other.id, 'https://other:6443')


def test_a_v1_instance_targets_only_its_manifest_files(package, vim):
    instance_id = _v1(package, info={'additional_params': {
        'namespace': 'default', 'lcm-kubernetes-def-files': VDU1_FILES}})
    assert Collected().candidates[instance_id].targets == {
        'VDU1': SAMPLE_TARGETS['VDU1']}


def test_an_instantiated_v2_instance_is_a_candidate(package):
    instance_id = _v2(namespace='ns-b')
    got = Collected()
    assert got.outcomes == {}
    candidate = got.candidates[instance_id]
    assert candidate.api_version == 'v2'
    assert candidate.namespace == 'ns-b'
    assert (candidate.vim.vim_id, candidate.vim.endpoint,
            candidate.vim.bearer_token) == (ENDPOINT, ENDPOINT,
                                            factories.TOKEN)
    assert candidate.flavour.flavour_id == 'simple'
    assert candidate.targets == SAMPLE_TARGETS


def test_a_v2_instance_may_name_a_registered_vim(package, vim):
    instance_id = _v2(connection=_v2_connection(vim.id, endpoint=None))
    vim_access = Collected().candidates[instance_id].vim
    assert (vim_access.vim_id, vim_access.endpoint) == (vim.id, ENDPOINT)


@pytest.mark.parametrize('metadata, expected', [
    ({'vdu_reses': {'VDU1': {'kind': 'Deployment',
                             'metadata': {'name': 'renamed'}}}},
     {'VDU1': model.VduTarget('VDU1', 'Deployment', 'renamed')}),
    ({'lcm-kubernetes-def-files': VDU1_FILES},
     {'VDU1': SAMPLE_TARGETS['VDU1']}),
], ids=['vdu_reses', 'def-files'])
def test_v2_targets_come_from_the_record_first(package, metadata, expected):
    instance_id = _v2(info={'metadata': dict(metadata,
                                             namespace='default')})
    assert Collected().candidates[instance_id].targets == expected


@BOTH
@pytest.mark.parametrize('stored', [None, ''])
def test_an_unset_namespace_is_default(package, vim, api, stored):
    instance_id = _instance(api, package, namespace=stored)
    assert Collected().candidates[instance_id].namespace == 'default'


@BOTH
def test_not_instantiated_instances_are_not_collected(package, vim, api):
    if api == 'v1':
        factories.v1_instance(package_id=package.id,
                              state='NOT_INSTANTIATED')
    else:
        factories.v2_instance(state='NOT_INSTANTIATED',
                              vim_connection_info=_v2_connection())
    got = Collected()
    assert got.candidates == {} and got.outcomes == {}
    assert got.collector.not_owned == 0


@BOTH
def test_only_the_given_instances_are_collected(package, vim, api):
    wanted = _instance(api, package)
    _instance(api, package)
    got = Collected(instance_ids=[wanted])
    assert list(got.candidates) == [wanted] and got.outcomes == {}


# --- LCM operations


@BOTH
@pytest.mark.parametrize('state', ['STARTING', 'PROCESSING',
                                   'ROLLING_BACK'])
def test_an_operation_in_progress_skips_the_instance(package, vim, logs,
                                                     api, state):
    instance_id = _instance(api, package)
    factories.op_occ(api, instance_id, 'COMPLETED')
    factories.op_occ(api, instance_id, state,
                     when=factories.WHEN.replace(hour=1))
    got = Collected()
    assert got.candidates == {}
    assert got.status(instance_id) == (outcome.SKIPPED,
                                       'LCM operation in progress')
    assert got.outcomes[instance_id].api_version == api
    assert sync.IN_PROGRESS_MSG % {'id': instance_id} in _messages(
        logs, 'INFO')


@BOTH
@pytest.mark.parametrize('states', [
    ['FAILED_TEMP'],
    ['FAILED_TEMP', 'COMPLETED'],  # FAILED_TEMP anywhere
    ['COMPLETED', 'FAILED'],       # the latest one FAILED
], ids=['failed-temp', 'failed-temp-earlier', 'latest-failed'])
def test_a_failed_operation_skips_the_instance(package, vim, logs, api,
                                               states):
    instance_id = _instance(api, package)
    for hour, state in enumerate(states):
        factories.op_occ(api, instance_id, state,
                         when=factories.WHEN.replace(hour=hour))
    got = Collected()
    assert got.candidates == {}
    assert got.status(instance_id) == (outcome.SKIPPED,
                                       'latest LCM operation failed')
    assert candidates.ABNORMAL_MSG % {'id': instance_id} in _messages(
        logs, 'ERROR')


@BOTH
def test_an_earlier_failed_operation_does_not_skip(package, vim, api):
    instance_id = _instance(api, package)
    for hour, state in enumerate(['FAILED', 'COMPLETED', 'ROLLED_BACK']):
        factories.op_occ(api, instance_id, state,
                         when=factories.WHEN.replace(hour=hour))
    got = Collected()
    assert list(got.candidates) == [instance_id] and got.outcomes == {}


# --- what is missing


def test_a_v1_instance_whose_vim_is_not_registered_fails(package, vim,
                                                         logs):
    instance_id = _v1(package, vim_connection_info=[
        {'id': 'c1', 'vim_id': 'gone', 'vim_type': 'kubernetes'}])
    got = Collected()
    assert got.status(instance_id) == (outcome.FAILED,
                                       'VIM gone is not registered')
    assert ('Cannot synchronize vnf %s: VIM gone is not registered'
            % instance_id) in _messages(logs, 'ERROR')


def test_a_v1_instance_without_a_default_vim_fails(package):
    instance_id = _v1(package)
    assert Collected().status(instance_id) == (
        outcome.FAILED, 'VIM default is not registered')


def test_a_v2_instance_naming_no_kubernetes_vim_fails(package, vim):
    instance_id = _v2(connection={'vim1': {
        'vimId': vim.id, 'vimType': 'ETSINFV.OPENSTACK_KEYSTONE.V_3'}})
    assert Collected().status(instance_id) == (
        outcome.FAILED, 'vimConnectionInfo names no Kubernetes VIM')


def test_a_v2_instance_without_its_package_fails(package):
    instance_id = _v2(vnfd_id='no-such-vnfd')
    assert Collected().status(instance_id) == (
        outcome.FAILED, 'no onboarded VNF package has vnfd no-such-vnfd')


def test_a_v1_instance_without_its_package_fails(package, vim):
    instance_id = factories.v1_instance(package_id='no-such-package')
    got = Collected()
    status, reason = got.status(instance_id)
    assert status == outcome.FAILED
    # Today the OSError's text: it names the missing package directory.
    assert 'no-such-package' in reason
    assert got.candidates == {}


def test_one_failure_does_not_keep_the_others_out(package, vim):
    broken = _v2(vnfd_id='no-such-vnfd')
    fine_v2 = _v2()
    fine_v1 = _v1(package)
    got = Collected()
    assert set(got.candidates) == {fine_v1, fine_v2}
    assert set(got.outcomes) == {broken}


# --- unreadable records


def _store_raw(table, where, **text_values):
    with db_api.writer_session() as session:
        session.execute(sa.update(table).where(where).values(
            {k: sa.literal(v, sa.Text()) for k, v in text_values.items()}))


def test_an_unreadable_v2_record_fails_alone(package, logs):
    bad = _v2()
    good = _v2()
    table = v2_models.VnfInstanceV2.__table__
    _store_raw(table, table.c.id == bad,
               instantiatedVnfInfo='{"flavourId": [1')
    got = Collected()
    assert list(got.candidates) == [good]
    status, reason = got.status(bad)
    assert status == outcome.FAILED
    assert reason.startswith(
        'unreadable record: instantiatedVnfInfo: not JSON')
    assert ('Cannot synchronize vnf %s: %s' % (bad, reason)
            in _messages(logs, 'ERROR'))


def test_an_unreadable_v1_record_fails_alone(package, vim):
    bad = _v1(package)
    good = _v1(package)
    table = v1_models.VnfInstantiatedInfo.__table__
    _store_raw(table, table.c.vnf_instance_id == bad,
               scale_status='[{"aspect_id": ')
    got = Collected()
    assert list(got.candidates) == [good]
    status, reason = got.status(bad)
    assert status == outcome.FAILED
    assert reason.startswith('unreadable record: scale_status')


# --- whose instances, which namespaces


@BOTH
def test_owns_picks_this_conductors_share(package, vim, api):
    mine = _instance(api, package)
    _instance(api, package)
    _instance(api, package)
    got = Collected(owns=lambda instance_id: instance_id == mine)
    assert list(got.candidates) == [mine] and got.outcomes == {}
    assert got.collector.not_owned == 2


def test_instances_of_others_are_not_checked_for_anything(package):
    # No VIM, no package: were they ours they would fail.
    _v1(package)
    _v2(vnfd_id='no-such-vnfd')
    got = Collected(owns=lambda instance_id: False)
    assert got.candidates == {} and got.outcomes == {}
    assert got.collector.not_owned == 2


@BOTH
def test_the_namespaces_filter(package, vim, api):
    here = _instance(api, package, namespace='ns-a')
    _instance(api, package, namespace='ns-b')
    got = Collected(namespaces={'ns-a'})
    assert list(got.candidates) == [here] and got.outcomes == {}
    # Filtered out by namespace is not "owned by another conductor".
    assert got.collector.not_owned == 0


def test_namespaces_and_owns_together(package, vim):
    mine = _v2(namespace='ns-a')
    _v2(namespace='ns-a')
    _v2(namespace='ns-b')
    got = Collected(namespaces={'ns-a'},
                    owns=lambda instance_id: instance_id == mine)
    assert list(got.candidates) == [mine]
    assert got.collector.not_owned == 1


# --- credentials


def _ciphertext():
    return fernet.Fernet(fernet.Fernet.generate_key()).encrypt(
        b'a token').decode()


def test_v1_vim_without_usable_credentials_fails_its_instances_once(
        package, logs):
    locked = factories.vim(url=ENDPOINT, name='locked',
                           auth_cred={'bearer_token': _ciphertext()})
    usable = factories.vim(url='https://other:6443', name='usable',
                           is_default=False)

    def on(vim_record):
        return _v1(package, vim_connection_info=[
            {'id': 'c1', 'vim_id': vim_record.id,
             'vim_type': 'kubernetes'}])
    first, second, fine = on(locked), on(locked), on(usable)
    got = Collected()
    assert list(got.candidates) == [fine]
    for instance_id in (first, second):
        status, reason = got.status(instance_id)
        assert status == outcome.FAILED
        assert reason.startswith('VIM %s: credentials are encrypted'
                                 % locked.id)
    vim_errors = [m for m in _messages(logs, 'ERROR')
                  if m.startswith('Cannot use VIM')]
    assert len(vim_errors) == 1 and locked.id in vim_errors[0]


def test_v2_credentials_that_cannot_be_used_fail_once_per_vim(package,
                                                              logs):
    connection = _v2_connection(token=_ciphertext())
    first, second = _v2(connection=connection), _v2(connection=connection)
    fine = _v2(connection=_v2_connection(endpoint='https://other:6443'))
    got = Collected()
    assert list(got.candidates) == [fine]
    for instance_id in (first, second):
        status, reason = got.status(instance_id)
        assert status == outcome.FAILED
        assert reason.startswith('VIM %s: ' % ENDPOINT)
    vim_errors = [m for m in _messages(logs, 'ERROR')
                  if m.startswith('Cannot use VIM')]
    assert len(vim_errors) == 1 and ENDPOINT in vim_errors[0]


# --- passes that keep their records between them (the engine's memos)


def _moved_vim(vim_id, url):
    """The VIM's URL changed in TackerDB (Tacker's own PUT /v1.0/vims)."""
    table = v1_models.VimAuth.__table__
    with db_api.writer_session() as session:
        session.execute(sa.update(table).where(table.c.vim_id == vim_id)
                        .values(auth_url=url))


@BOTH
def test_an_unchanged_row_keeps_its_candidate_from_the_last_pass(
        package, vim, api):
    instance_id = _instance(api, package, namespace='ns-a')
    memos = {}
    first = Collected(memos=memos).candidates[instance_id]
    again = Collected(memos=memos).candidates[instance_id]
    assert again is first
    # And it is the candidate a pass without memos builds.
    fresh = Collected().candidates[instance_id]
    assert (again.instance_id, again.namespace, again.vim, again.targets,
            again.record) == (fresh.instance_id, fresh.namespace, fresh.vim,
                              fresh.targets, fresh.record)


@BOTH
def test_a_vim_changed_since_the_last_pass_is_used_at_once(
        package, vim, api):
    # v1: the project's default VIM; v2: a vimId without an endpoint.
    instance_id = _v1(package) if api == 'v1' else _v2(
        connection=_v2_connection(vim_id=vim.id, endpoint=None))
    memos = {}
    assert Collected(memos=memos).candidates[
        instance_id].vim.endpoint == ENDPOINT
    _moved_vim(vim.id, 'https://moved.example:6443')
    assert Collected(memos=memos).candidates[
        instance_id].vim.endpoint == 'https://moved.example:6443'


@BOTH
def test_a_row_changed_since_the_last_pass_is_read_again(package, vim, api):
    instance_id = _instance(api, package, namespace='ns-a')
    memos = {}
    Collected(memos=memos)
    model_of = {'v1': v1_models.VnfInstance, 'v2': v2_models.VnfInstanceV2}
    table = model_of[api].__table__
    column = 'vnf_metadata' if api == 'v1' else 'metadata'
    with db_api.writer_session() as session:
        session.execute(sa.update(table).where(table.c.id == instance_id)
                        .values({column: {'touched': True}}))
    record = Collected(memos=memos).candidates[instance_id].record
    kept = record.metadata if api == 'v2' else record.vnf_metadata
    assert kept == {'touched': True}


@BOTH
def test_a_kept_candidate_still_answers_to_the_pass_filters(package, vim,
                                                            api):
    in_a = _instance(api, package, namespace='ns-a')
    in_b = _instance(api, package, namespace='ns-b')
    memos = {}
    Collected(memos=memos)
    event = Collected(memos=memos, namespaces={'ns-b'})
    assert list(event.candidates) == [in_b]
    theirs = Collected(memos=memos, owns=lambda i: i != in_a)
    assert list(theirs.candidates) == [in_b]
    assert theirs.collector.not_owned == 1
    factories.op_occ(api, in_b, 'PROCESSING')
    busy = Collected(memos=memos)
    assert list(busy.candidates) == [in_a]
    assert busy.status(in_b) == (outcome.SKIPPED,
                                 'LCM operation in progress')
