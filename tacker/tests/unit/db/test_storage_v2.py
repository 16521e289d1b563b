"""v2 storage: object fields in Tacker 16's form, read in either form."""

import json

import pytest
import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.db.models import v2 as models
from tacker.db import storage_v2
from tacker.db import types
from tacker.db.instances import v2 as v2_instances
from tacker.tests import factories

INFO = {'flavourId': 'simple', 'vnfState': 'STARTED',
        'scaleStatus': [{'aspectId': 'vdu1_aspect', 'scaleLevel': 1}],
        'metadata': {'namespace': 'default', 'note': 'sü\u00df "q"'}}


def test_encode_stores_the_objects_json_text_as_a_json_string():
    stored = storage_v2.encode(INFO)
    inner = json.loads(stored)
    assert isinstance(inner, str)
    assert json.loads(inner) == INFO


@pytest.mark.parametrize('stored', [
    json.dumps(json.dumps(INFO)),       # Tacker 16
    json.dumps(INFO),                   # earlier builds of this project
], ids=['tacker-form', 'plain-form'])
def test_decode_reads_both_forms(stored):
    assert storage_v2.decode(stored) == INFO


@pytest.mark.parametrize('stored, reason', [
    ('{"flavourId": ', 'not JSON'),
    (json.dumps('{"flavourId": '), 'not JSON'),
    (json.dumps(json.dumps('text')), 'holds a string'),
])
def test_decode_of_a_bad_cell_names_the_problem_not_the_value(
        stored, reason):
    value = storage_v2.decode(stored)
    assert isinstance(value, types.Unreadable)
    assert reason in value.reason
    assert 'flavourId' not in value.reason


def test_the_models_use_the_object_type_exactly_for_tackers_fields():
    for model in (models.VnfInstanceV2, models.VnfLcmOpOccV2):
        object_columns = {c.name for c in model.__table__.columns
                          if isinstance(c.type, storage_v2.ObjectJson)}
        assert object_columns == set(
            storage_v2.OBJECT_FIELDS[model.__tablename__])


def _raw(instance_id, column):
    table = models.VnfInstanceV2.__table__
    with db_api.reader_session() as session:
        return session.execute(
            sa.select(sa.cast(table.c[column], sa.Text()))
            .where(table.c.id == instance_id)).scalar_one()


def test_a_written_row_holds_tackers_form_on_every_backend(db):
    instance_id = factories.v2_instance(info=INFO)
    assert json.loads(json.loads(_raw(instance_id,
                                      'instantiatedVnfInfo'))) == INFO
    connections = json.loads(json.loads(_raw(instance_id,
                                             'vimConnectionInfo')))
    assert isinstance(connections, dict)
    # A key-value field stays plain JSON.
    assert isinstance(json.loads(_raw(instance_id, 'metadata')), dict)


def _store_raw(instance_id, column, text):
    table = models.VnfInstanceV2.__table__
    with db_api.writer_session() as session:
        session.execute(sa.update(table).where(table.c.id == instance_id)
                        .values({column: sa.literal(text, sa.Text())}))


def test_a_plain_form_row_of_an_earlier_build_still_loads(db):
    instance_id = factories.v2_instance(info=INFO)
    _store_raw(instance_id, 'instantiatedVnfInfo', json.dumps(INFO))
    record = v2_instances.get_instance(instance_id)
    assert record.instantiated_vnf_info == INFO
    assert record.problems == ()


def test_an_unreadable_column_is_a_problem_of_its_record_only(db):
    bad = factories.v2_instance(info=INFO)
    good = factories.v2_instance(info=INFO)
    _store_raw(bad, 'instantiatedVnfInfo', json.dumps('{"flavourId": [1'))
    records = {r.id: r for r in v2_instances.list_instances()}
    assert records[good].problems == ()
    assert records[good].instantiated_vnf_info == INFO
    (problem,) = records[bad].problems
    assert problem.startswith('instantiatedVnfInfo: not JSON')
    assert records[bad].instantiated_vnf_info is None
