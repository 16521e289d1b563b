"""views: credentials never leave, v1 records become SOL JSON."""

import datetime

from tacker.api import views


def test_scrub_drops_credentials_at_any_depth_in_both_spellings():
    value = {'a': [{'accessInfo': {'x': 1}, 'keep': 1}],
             'b': {'bearer_token': 't', 'bearerToken': 't', 'c': {
                 'password': 'p', 'sslCaCert': 'ca', 'client_secret': 's',
                 'username': 'u'}}}
    assert views.scrub(value) == {'a': [{'keep': 1}],
                                  'b': {'c': {'username': 'u'}}}


def test_camelize_keeps_free_form_maps_as_stored():
    value = {'vdu_id': 'VDU1', 'compute_resource': {'resource_id': 'p'},
             'metadata': {'snake_key': 1}, 'additional_params': {'a_b': 2}}
    assert views.camelize(value) == {
        'vduId': 'VDU1', 'computeResource': {'resourceId': 'p'},
        'metadata': {'snake_key': 1}, 'additionalParams': {'a_b': 2}}


def test_iso_is_utc_with_z():
    assert views.iso(datetime.datetime(2026, 1, 2, 3, 4, 5, 678)) == \
        '2026-01-02T03:04:05Z'
    assert views.iso(None) is None
