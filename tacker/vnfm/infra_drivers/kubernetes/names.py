"""Kubernetes' naming rules, checked before a request reaches a cluster.

A name Kubernetes would refuse makes an operation fail late, at the
cluster, after its op occ was recorded; checked here it is a 400 naming
the field.  The rules are Kubernetes' own (apimachinery's
``IsDNS1123Label``, ``IsDNS1123Subdomain``, ``IsDNS1035Label``); what
each kind requires is Kubernetes' (a namespace is a label, a Service a
DNS-1035 label, most other objects a subdomain).  Messages never repeat
the value sent.
"""

import re

from tacker.common import exceptions

DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253

_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
# Matched with fullmatch: '$' would let a trailing newline through.
_DNS1123_LABEL = re.compile(_LABEL)
_DNS1123_SUBDOMAIN = re.compile(r'%s(\.%s)*' % (_LABEL, _LABEL))
_DNS1035_LABEL = re.compile('[a-z]([-a-z0-9]*[a-z0-9])?')

_LABEL_RULE = ('an RFC 1123 label: at most %d lowercase letters, digits '
               "and '-', starting and ending with a letter or digit"
               % DNS1123_LABEL_MAX)
_SUBDOMAIN_RULE = ('an RFC 1123 subdomain: at most %d characters, '
                   "lowercase letters, digits, '-' and '.', each "
                   "'.'-separated part starting and ending with a letter "
                   'or digit' % DNS1123_SUBDOMAIN_MAX)
_DNS1035_RULE = ('an RFC 1035 label: at most %d lowercase letters, digits '
                 "and '-', starting with a letter and ending with a letter "
                 'or digit' % DNS1123_LABEL_MAX)

# Kinds whose names are labels rather than subdomains (Kubernetes'
# ValidateNamespaceName, ValidateServiceName).
_KIND_RULES = {
    'Namespace': (_DNS1123_LABEL, DNS1123_LABEL_MAX, _LABEL_RULE),
    'Service': (_DNS1035_LABEL, DNS1123_LABEL_MAX, _DNS1035_RULE),
}
_DEFAULT_RULE = (_DNS1123_SUBDOMAIN, DNS1123_SUBDOMAIN_MAX, _SUBDOMAIN_RULE)


def _fits(value, pattern, limit):
    return (isinstance(value, str) and len(value) <= limit
            and pattern.fullmatch(value) is not None)


def is_dns1123_label(value):
    return _fits(value, _DNS1123_LABEL, DNS1123_LABEL_MAX)


def is_dns1123_subdomain(value):
    return _fits(value, _DNS1123_SUBDOMAIN, DNS1123_SUBDOMAIN_MAX)


def check_namespace(value, field):
    """``value`` if it is a valid namespace name, else Invalid (400)."""
    if not is_dns1123_label(value):
        raise exceptions.Invalid(message=(
            'Invalid input for field/attribute %s: is not a valid '
            'Kubernetes namespace name (%s)' % (field, _LABEL_RULE)))
    return value


def check_object_name(kind, value, where):
    """Invalid (400) unless ``value`` is a valid name for a ``kind``.

    ``where`` tells the client which object it is (file and kind).
    """
    pattern, limit, rule = _KIND_RULES.get(kind, _DEFAULT_RULE)
    if not _fits(value, pattern, limit):
        raise exceptions.Invalid(message=(
            '%s: metadata.name is not a valid Kubernetes %s name (%s)'
            % (where, kind, rule)))
    return value
