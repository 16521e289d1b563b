"""names: Kubernetes' naming rules, as tables by behaviour."""

import pytest

from tacker.common import exceptions
from tacker.vnfm.infra_drivers.kubernetes import names

GOOD_LABELS = ['default', 'a', '0', 'ns-1', 'a' * 63, '1-a', 'x9']
BAD_LABELS = ['', 'Bad_NS!/..', 'Default', '-a', 'a-', 'a.b', 'a_b',
              'a' * 64, 'a b', 'ns/..', '..', 'é', 'a\n', None, 5]


@pytest.mark.parametrize('value', GOOD_LABELS)
def test_valid_namespaces_pass(value):
    assert names.check_namespace(value, 'additionalParams.namespace') == \
        value


@pytest.mark.parametrize('value', BAD_LABELS)
def test_invalid_namespaces_are_400_naming_the_field(value):
    with pytest.raises(exceptions.Invalid) as caught:
        names.check_namespace(value, 'additionalParams.namespace')
    message = caught.value.message
    assert 'additionalParams.namespace' in message
    assert 'RFC 1123 label' in message
    if isinstance(value, str) and len(value) > 3:
        assert value not in message


@pytest.mark.parametrize('kind,value,valid', [
    ('Deployment', 'vdu1', True),
    ('Deployment', 'vdu1.example', True),
    ('Deployment', 'a' * 253, True),
    ('Deployment', 'a' * 254, False),
    ('Deployment', 'VDU1', False),
    ('Deployment', 'vdu_1', False),
    ('Deployment', 'a..b', False),
    ('Deployment', None, False),
    ('StatefulSet', 'db-0', True),
    ('Service', 'web', True),
    ('Service', '1web', False),
    ('Service', 'web.svc', False),
    ('Service', 'a' * 64, False),
    ('Namespace', 'a.b', False),
])
def test_object_names_follow_their_kinds_rule(kind, value, valid):
    where = 'Files/kubernetes/x.yaml: %s' % kind
    if valid:
        assert names.check_object_name(kind, value, where) == value
        return
    with pytest.raises(exceptions.Invalid) as caught:
        names.check_object_name(kind, value, where)
    assert where in caught.value.message
    assert 'metadata.name' in caught.value.message
