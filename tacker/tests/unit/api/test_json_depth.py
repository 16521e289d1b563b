"""Deeply nested JSON: refused before anything is written, and a stored
row nested too deeply never breaks a read.

A body nested ~950 levels deep used to be stored, then fail (500) when
it was shown, leaving the package IN_USE and every list of instances and
op occs answering 500 from then on.
"""

import concurrent.futures

import pytest
import sqlalchemy as sa

from tacker.api import views
from tacker.api import wsgi
from tacker.common import json_depth
from tacker.db import api as db_api
from tacker.db import models
from tacker.tests import factories
from tacker.tests.unit.api import fakes

V2 = {'Version': '2.0.0'}
LISTS = ('/vnflcm/v1/vnf_instances', '/vnflcm/v2/vnf_instances',
         '/vnflcm/v1/vnf_lcm_op_occs', '/vnflcm/v2/vnf_lcm_op_occs')


def call(*args, **kwargs):
    """``fakes.call`` on a thread of its own.

    tacker-server handles a request on a fresh (green) thread, far from
    the recursion limit; pytest's own frames would otherwise make the
    JSON parser give up at a depth the server parses.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fakes.call, *args, **kwargs).result()


def nested(levels):
    """JSON text of ``levels`` objects, one inside the other."""
    return '{"a": ' * levels + '1' + '}' * levels


def _raw(members):
    return ('{%s}' % ', '.join('"%s": %s' % item for item in members.items())
            ).encode()


def _assert_lists_answer(app):
    for path in LISTS:
        resp = call(app, 'GET', path, headers=V2 if '/v2/' in path else None)
        assert resp.status_int == 200, (path, resp.text)


@pytest.fixture
def package(app):
    return factories.onboarded_package(tenant_id=fakes.TENANT).id


@pytest.mark.parametrize('version', ['v1', 'v2'])
@pytest.mark.parametrize('levels', [40, 950, 970])
def test_deep_metadata_is_400_and_nothing_is_written(app, package, version,
                                                     levels):
    resp = call(app, 'POST', '/vnflcm/%s/vnf_instances' % version,
                raw=_raw({'vnfdId': '"%s"' % factories.SAMPLE_VNFD_ID,
                          'metadata': nested(levels)}))
    body = fakes.assert_problem(resp, 400, contains='metadata')
    assert str(wsgi.MAX_JSON_DEPTH) in body['detail']
    for path in LISTS:
        assert call(app, 'GET', path).json == []
    pkg = call(app, 'GET', '/vnfpkgm/v1/vnf_packages/%s' % package).json
    assert pkg['usageState'] == 'NOT_IN_USE'
    _assert_lists_answer(app)


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_depth_limit_counts_the_body_as_one_level(app, package, version):
    base = '/vnflcm/%s/vnf_instances' % version
    vnfd = '"%s"' % factories.SAMPLE_VNFD_ID
    limit = wsgi.MAX_JSON_DEPTH
    # metadata's innermost object sits at level ``limit``: accepted.
    resp = call(app, 'POST', base,
                raw=_raw({'vnfdId': vnfd, 'metadata': nested(limit - 1)}))
    assert resp.status_int == 201, resp.text
    resp = call(app, 'POST', base,
                raw=_raw({'vnfdId': vnfd, 'metadata': nested(limit)}))
    fakes.assert_problem(resp, 400, contains='metadata')
    assert len(call(app, 'GET', base).json) == 1


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_a_body_at_the_depth_limit_is_stored_whole(app, package, conductor,
                                                   version):
    # operationParams holds the whole body: all 32 levels are stored.
    instance_id = fakes.instantiated(version, package)
    resp = call(app, 'POST', '/vnflcm/%s/vnf_instances/%s/scale'
                % (version, instance_id),
                raw=_raw({'type': '"SCALE_OUT"', 'aspectId': '"vdu1_aspect"',
                          'additionalParams': nested(
                              wsgi.MAX_JSON_DEPTH - 1)}))
    assert resp.status_int == 202, resp.text
    occ = call(app, 'GET', resp.headers['Location'].split('localhost')[1])
    assert occ.status_int == 200, occ.text
    params = occ.json['operationParams']['additionalParams']
    assert json_depth.too_deep(params, wsgi.MAX_JSON_DEPTH - 1) is None
    assert json_depth.too_deep(params, wsgi.MAX_JSON_DEPTH - 2) is not None


@pytest.mark.parametrize('version', ['v1', 'v2'])
@pytest.mark.parametrize('action,members', [
    ('instantiate', {'flavourId': '"simple"'}),
    ('scale', {'type': '"SCALE_OUT"', 'aspectId': '"vdu1_aspect"'}),
    ('heal', {}),
    ('terminate', {'terminationType': '"FORCEFUL"'}),
])
@pytest.mark.parametrize('levels', [900, 950])
def test_deep_additional_params_are_400_before_any_op_occ(
        app, package, conductor, version, action, members, levels):
    factories.vim(tenant_id=fakes.TENANT, auth_cred=fakes.VIM_CRED)
    if action == 'instantiate':
        instance_id = call(app, 'POST', '/vnflcm/%s/vnf_instances' % version,
                           {'vnfdId': factories.SAMPLE_VNFD_ID}).json['id']
    else:
        instance_id = fakes.instantiated(version, package)
    resp = call(app, 'POST', '/vnflcm/%s/vnf_instances/%s/%s'
                % (version, instance_id, action),
                raw=_raw(dict(members, additionalParams=nested(levels))),
                headers=V2 if version == 'v2' else None)
    fakes.assert_problem(resp, 400, contains='additionalParams')
    assert conductor.casts == []
    assert call(app, 'GET', '/vnflcm/%s/vnf_lcm_op_occs' % version
                ).json == []
    _assert_lists_answer(app)


def _store_raw(table, column, text, row_id):
    """Write ``text`` into a JSON cell as is, as an older build might."""
    table = models.BASE.metadata.tables[table]
    with db_api.writer_session() as session:
        session.execute(
            sa.update(table).where(table.c.id == row_id).values(
                {table.c[column]: sa.bindparam('text', text,
                                               type_=sa.Text())}))


def _store(table, column, text, row_id):
    """True when stored; False when MariaDB refused the cell.

    MariaDB's JSON columns check json_valid(), which refuses such depth:
    there, no such row can exist at all.
    """
    try:
        _store_raw(table, column, text, row_id)
    except sa.exc.DBAPIError:
        if db_api.get_engine().dialect.name != 'mysql':
            raise
        return False
    return True


@pytest.mark.parametrize('levels', [950, 5000])
def test_stored_deep_rows_are_shown_without_them(app, package, levels,
                                                 caplog):
    text = nested(levels)
    v1_id = factories.v1_instance(package_id=package,
                                  tenant_id=fakes.TENANT, info=fakes.V1_INFO)
    v1_occ = factories.v1_op_occ(v1_id, 'COMPLETED', tenant_id=fakes.TENANT)
    v2_id = factories.v2_instance(info=fakes.V2_INFO, **fakes.V2)
    v2_occ = factories.v2_op_occ(v2_id, 'COMPLETED')
    stored = [
        _store('vnf_instances', 'vnf_metadata', text, v1_id),
        _store('vnf_instantiated_info', 'additional_params', text,
               _v1_info_id(v1_id)),
        _store('vnf_lcm_op_occs', 'operation_params', text, v1_occ),
        _store('VnfInstanceV2', 'metadata', text, v2_id),
        _store('VnfLcmOpOccV2', 'operationParams', text, v2_occ)]
    if not any(stored):
        # MariaDB refused every such cell: the rows stay as they were,
        # and every list still answers.
        _assert_lists_answer(app)
        return
    assert all(stored)

    _assert_lists_answer(app)
    v1 = call(app, 'GET', '/vnflcm/v1/vnf_instances').json
    assert [i['id'] for i in v1] == [v1_id]
    assert v1[0]['metadata'] == {}
    assert v1[0]['instantiatedVnfInfo']['flavourId'] == 'simple'
    assert 'additionalParams' not in v1[0]['instantiatedVnfInfo']
    v2 = call(app, 'GET', '/vnflcm/v2/vnf_instances', headers=V2).json
    assert [i['id'] for i in v2] == [v2_id]
    assert 'metadata' not in v2[0]
    assert v2[0]['instantiatedVnfInfo']['flavourId'] == 'simple'
    for version, occ in (('v1', v1_occ), ('v2', v2_occ)):
        listed = call(app, 'GET', '/vnflcm/%s/vnf_lcm_op_occs' % version
                      ).json
        assert [o['id'] for o in listed] == [occ]
        assert 'operationParams' not in listed[0]
        shown = call(app, 'GET', '/vnflcm/%s/vnf_lcm_op_occs/%s'
                     % (version, occ))
        assert shown.status_int == 200, shown.text
    for version, inst in (('v1', v1_id), ('v2', v2_id)):
        shown = call(app, 'GET', '/vnflcm/%s/vnf_instances/%s'
                     % (version, inst))
        assert shown.status_int == 200, shown.text
    assert v1_id in caplog.text and 'nested' in caplog.text


def _v1_info_id(instance_id):
    with db_api.reader_session() as session:
        return session.execute(
            sa.text('SELECT id FROM vnf_instantiated_info '
                    'WHERE vnf_instance_id = :id'),
            {'id': instance_id}).scalar_one()


def test_a_row_whose_view_fails_is_shown_with_its_plain_columns(
        sqlite_app, monkeypatch, caplog):
    good = factories.v2_instance(info=fakes.V2_INFO, **fakes.V2)
    bad = factories.v2_instance(info=fakes.V2_INFO, **fakes.V2)
    real = views.vnf_instance_v2

    def fragile(row, base_url):
        if row['id'] == bad and row['instantiatedVnfInfo'] is not None:
            raise RecursionError('maximum recursion depth exceeded')
        return real(row, base_url)

    monkeypatch.setattr(views, 'vnf_instance_v2', fragile)
    resp = call(sqlite_app, 'GET', '/vnflcm/v2/vnf_instances', headers=V2)
    assert resp.status_int == 200, resp.text
    shown = {i['id']: i for i in resp.json}
    assert shown[good]['instantiatedVnfInfo']['flavourId'] == 'simple'
    assert shown[bad]['instantiationState'] == 'INSTANTIATED'
    assert 'instantiatedVnfInfo' not in shown[bad]
    resp = call(sqlite_app, 'GET', '/vnflcm/v2/vnf_instances/%s' % bad)
    assert resp.status_int == 200, resp.text
    assert bad in caplog.text
