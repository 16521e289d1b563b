"""/vnfpkgm/v1/vnf_packages: create, upload, show, list, update, delete."""

import io
import zipfile

import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.db.models import v1 as models
from tacker.tests import factories
from tacker.tests.unit.api import fakes

call = fakes.call
BASE = '/vnfpkgm/v1/vnf_packages'


def _create(app, body=None):
    resp = call(app, 'POST', BASE, body if body is not None else {})
    assert resp.status_int == 201, resp.text
    return resp


def _upload(app, package_id, data, content_type='application/zip'):
    return call(app, 'PUT', '%s/%s/package_content' % (BASE, package_id),
                raw=data, content_type=content_type)


def test_create_upload_show_list_disable_delete(app, api_conf, tmp_path):
    resp = _create(app, {'userDefinedData': {'owner': 'ops'}})
    pkg = resp.json
    assert resp.headers['Location'].endswith('%s/%s' % (BASE, pkg['id']))
    assert pkg['onboardingState'] == 'CREATED'
    assert pkg['operationalState'] == 'DISABLED'
    assert pkg['usageState'] == 'NOT_IN_USE'
    assert pkg['userDefinedData'] == {'owner': 'ops'}
    assert pkg['_links']['packageContent']['href'].endswith(
        '/package_content')

    up = _upload(app, pkg['id'], factories.sample_zip())
    assert up.status_int == 202, up.text
    assert up.body == b''

    shown = call(app, 'GET', '%s/%s' % (BASE, pkg['id'])).json
    assert shown['onboardingState'] == 'ONBOARDED'
    assert shown['operationalState'] == 'ENABLED'
    assert shown['vnfdId'] == factories.SAMPLE_VNFD_ID
    assert shown['vnfProvider'] == 'Company'
    assert shown['vnfProductName'] == 'Sample CNF'
    assert shown['vnfSoftwareVersion'] == '1.0'
    assert shown['vnfdVersion'] == '1.0'
    assert shown['checksum']['algorithm'] == 'sha512'
    assert len(shown['checksum']['hash']) == 128

    listed = call(app, 'GET', BASE).json
    assert [p['id'] for p in listed] == [pkg['id']]

    # Tacker's rule: an ENABLED package is not deleted.
    fakes.assert_problem(call(app, 'DELETE', '%s/%s' % (BASE, pkg['id'])),
                         409, contains='ENABLED')
    patched = call(app, 'PATCH', '%s/%s' % (BASE, pkg['id']),
                   {'operationalState': 'DISABLED'},
                   content_type='application/merge-patch+json')
    assert patched.status_int == 200, patched.text
    assert patched.json == {'operationalState': 'DISABLED'}
    fakes.assert_problem(call(app, 'PATCH', '%s/%s' % (BASE, pkg['id']),
                              {'operationalState': 'DISABLED'}), 409)
    assert call(app, 'DELETE', '%s/%s' % (BASE, pkg['id'])
                ).status_int == 204
    fakes.assert_problem(call(app, 'GET', '%s/%s' % (BASE, pkg['id'])), 404)
    assert not (tmp_path / 'csar' / pkg['id']).exists()


def test_create_without_body_and_delete_created_package(app):
    resp = call(app, 'POST', BASE)
    assert resp.status_int == 201, resp.text
    package_id = resp.json['id']
    assert call(app, 'DELETE', '%s/%s' % (BASE, package_id)
                ).status_int == 204


def test_bad_package_is_400_naming_the_file_and_stays_created(app,
                                                              tmp_path):
    package_id = _create(app).json['id']
    resp = _upload(app, package_id, b'this is no zip')
    fakes.assert_problem(resp, 400, contains='zip')

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as zf:
        zf.writestr('TOSCA-Metadata/TOSCA.meta',
                    'TOSCA-Meta-File-Version: 1.0\n'
                    'Entry-Definitions: Definitions/missing.yaml\n')
    resp = _upload(app, package_id, buf.getvalue())
    fakes.assert_problem(resp, 400, contains='Definitions/missing.yaml')

    fakes.assert_problem(_upload(app, package_id, b''), 400)
    shown = call(app, 'GET', '%s/%s' % (BASE, package_id)).json
    assert shown['onboardingState'] == 'CREATED'
    assert 'vnfdId' not in shown
    assert not (tmp_path / 'csar' / package_id).exists()


def test_upload_twice_is_409_and_wrong_type_is_415(app):
    package_id = _create(app).json['id']
    fakes.assert_problem(_upload(app, package_id, factories.sample_zip(),
                                 content_type='application/json'), 415)
    assert _upload(app, package_id, factories.sample_zip()).status_int == 202
    fakes.assert_problem(_upload(app, package_id, factories.sample_zip()), 409,
                         contains='ONBOARDED')


def test_update_rules(app):
    package_id = _create(app).json['id']
    path = '%s/%s' % (BASE, package_id)
    fakes.assert_problem(call(app, 'PATCH', path,
                              {'operationalState': 'ENABLED'}), 409,
                         contains='CREATED')
    fakes.assert_problem(call(app, 'PATCH', path, {}), 400)
    fakes.assert_problem(call(app, 'PATCH', path,
                              {'operationalState': 'ON'}), 400,
                         contains='operationalState')
    resp = call(app, 'PATCH', path, {'userDefinedData': {'a': 'b'}})
    assert resp.json == {'userDefinedData': {'a': 'b'}}
    assert call(app, 'GET', path).json['userDefinedData'] == {'a': 'b'}


def _user_data_rows(package_id):
    u = models.VnfPackageUserData
    with db_api.reader_session() as session:
        return sorted(
            (row.key, row.value, bool(row.deleted))
            for row in session.execute(
                sa.select(u).where(u.package_uuid == package_id))
            .scalars())


def test_user_data_is_a_row_per_key_merged_on_update(app):
    package_id = _create(app, {'userDefinedData': {
        'owner': 'ops', 'site': 'a'}}).json['id']
    path = '%s/%s' % (BASE, package_id)
    call(app, 'PATCH', path, {'userDefinedData': {'site': 'b', 'x': 'y'}})
    assert _user_data_rows(package_id) == [
        ('owner', 'ops', False), ('site', 'b', False), ('x', 'y', False)]
    shown = call(app, 'GET', path).json['userDefinedData']
    assert shown == {'owner': 'ops', 'site': 'b', 'x': 'y'}
    listed = {p['id']: p for p in call(app, 'GET', BASE).json}
    assert listed[package_id]['userDefinedData'] == shown
    assert call(app, 'DELETE', path).status_int == 204
    assert _user_data_rows(package_id) == [
        ('owner', 'ops', True), ('site', 'b', True), ('x', 'y', True)]


def test_user_data_longer_than_tacker_holds_is_400(app):
    fakes.assert_problem(
        call(app, 'POST', BASE, {'userDefinedData': {'k': 'v' * 256}}),
        400, contains='255')
    fakes.assert_problem(
        call(app, 'POST', BASE, {'userDefinedData': {'k' * 256: 'v'}}),
        400, contains='userDefinedData')


def test_bad_create_bodies(app):
    fakes.assert_problem(call(app, 'POST', BASE, {'userDefinedData': 1}),
                         400, contains='userDefinedData')
    fakes.assert_problem(call(app, 'POST', BASE, {'colour': 'x'}), 400,
                         contains='colour')
    fakes.assert_problem(call(app, 'POST', BASE, raw=b'{"a":'), 400)


def test_create_refuses_a_null_body_and_creates_nothing(sqlite_app):
    # Found by schemathesis: ``null`` was read as "no body" and made a
    # package, although the document asks for an object.
    resp = call(sqlite_app, 'POST', BASE, raw=b'null')
    fakes.assert_problem(resp, 400, contains='must be of type object')
    assert call(sqlite_app, 'GET', BASE).json == []


def test_package_in_use_cannot_be_deleted(app):
    package_id = _create(app).json['id']
    _upload(app, package_id, factories.sample_zip())
    resp = call(app, 'POST', '/vnflcm/v1/vnf_instances',
                {'vnfdId': factories.SAMPLE_VNFD_ID})
    assert resp.status_int == 201, resp.text
    path = '%s/%s' % (BASE, package_id)
    assert call(app, 'GET', path).json['usageState'] == 'IN_USE'
    call(app, 'PATCH', path, {'operationalState': 'DISABLED'})
    fakes.assert_problem(call(app, 'DELETE', path), 409, contains='IN_USE')
    assert call(app, 'DELETE', '/vnflcm/v1/vnf_instances/%s'
                % resp.json['id']).status_int == 204
    assert call(app, 'GET', path).json['usageState'] == 'NOT_IN_USE'
    assert call(app, 'DELETE', path).status_int == 204


def test_unknown_package_ids(app):
    for package_id in ('2b7e3c1a-0000-4000-8000-000000000000', 'nope'):
        path = '%s/%s' % (BASE, package_id)
        fakes.assert_problem(call(app, 'GET', path), 404)
        fakes.assert_problem(call(app, 'DELETE', path), 404)
        fakes.assert_problem(call(app, 'PATCH', path,
                                  {'operationalState': 'DISABLED'}), 404)
        fakes.assert_problem(_upload(app, package_id, factories.sample_zip()),
                             404)


def test_projects_are_isolated(app):
    package_id = _create(app).json['id']
    other = {'X-Project-Id': 'project-b'}
    assert call(app, 'GET', BASE, headers=other).json == []
    fakes.assert_problem(call(app, 'GET', '%s/%s' % (BASE, package_id),
                              headers=other), 404)
