"""labelSelector and fieldSelector parsing and matching.

The grammar is the one ``kubectl -l`` accepts: ``a=b``, ``a==b``,
``a!=b``, ``a in (x,y)``, ``a notin (x,y)``, ``a``, ``!a``, ``a>1``,
``a<1``, joined by commas.  Field selectors support ``=``, ``==`` and
``!=`` on a small set of fields.
"""

import re

from tacker_k8s_sim import errors

_SET_OP = re.compile(r"^\s*([^\s!=<>(),]+)\s+(in|notin)\s*\(([^)]*)\)\s*$")
_CMP_OP = re.compile(r"^\s*([^\s!=<>(),]+)\s*(==|=|!=|>|<)\s*([^\s,]*)\s*$")
_EXISTS = re.compile(r"^\s*(!?)\s*([^\s!=<>(),]+)\s*$")


def _split_top_level(text):
    """Split on commas that are not inside parentheses."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def _requirement(text):
    match = _SET_OP.match(text)
    if match:
        key, op, values = match.groups()
        wanted = frozenset(v.strip() for v in values.split(",")
                           if v.strip())
        if op == "in":
            return lambda labels: labels.get(key) in wanted
        return lambda labels: labels.get(key) not in wanted
    match = _CMP_OP.match(text)
    if match:
        key, op, value = match.groups()
        if op in ("=", "=="):
            return lambda labels: labels.get(key) == value
        if op == "!=":
            return lambda labels: labels.get(key) != value
        try:
            bound = int(value)
        except ValueError:
            raise errors.BadRequest(
                "unable to parse requirement: for 'Gt', 'Lt' operators, "
                "the value must be an integer")
        greater = op == ">"

        def compare(labels):
            try:
                have = int(labels.get(key))
            except (TypeError, ValueError):
                return False
            return have > bound if greater else have < bound
        return compare
    match = _EXISTS.match(text)
    if match:
        negate, key = match.groups()
        if negate:
            return lambda labels: key not in labels
        return lambda labels: key in labels
    raise errors.BadRequest(
        "unable to parse requirement: %r" % text.strip())


def parse_label_selector(text):
    """A predicate over a labels dict; ``None`` when it selects all."""
    if not text or not text.strip():
        return None
    reqs = [_requirement(part) for part in _split_top_level(text)]

    def matches(labels):
        labels = labels or {}
        return all(req(labels) for req in reqs)
    return matches


_FIELDS = {
    "metadata.name": lambda o: o.get("metadata", {}).get("name"),
    "metadata.namespace": lambda o: o.get("metadata", {}).get("namespace"),
    "status.phase": lambda o: (o.get("status") or {}).get("phase"),
    "spec.nodeName": lambda o: (o.get("spec") or {}).get("nodeName"),
    "spec.restartPolicy": lambda o: (o.get("spec") or {}).get(
        "restartPolicy"),
    "status.podIP": lambda o: (o.get("status") or {}).get("podIP"),
}


def parse_field_selector(text):
    """A predicate over a whole object; ``None`` when it selects all."""
    if not text or not text.strip():
        return None
    reqs = []
    for part in text.split(","):
        if not part.strip():
            continue
        match = re.match(r"^\s*([^!=\s]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if not match:
            raise errors.BadRequest("invalid selector: '%s'" % text)
        field, op, value = match.groups()
        getter = _FIELDS.get(field)
        if getter is None:
            raise errors.BadRequest(
                '"%s" is not a known field selector: only "%s"'
                % (field, '", "'.join(sorted(_FIELDS))))
        reqs.append((getter, op == "!=", value))

    def matches(obj):
        for getter, negate, value in reqs:
            have = getter(obj)
            have = "" if have is None else str(have)
            if (have == value) == negate:
                return False
        return True
    return matches


def selector_to_string(selector):
    """Render a LabelSelector object as a labelSelector query string."""
    if not selector:
        return ""
    parts = ["%s=%s" % (k, v) for k, v in
             sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        key, op = expr.get("key"), expr.get("operator")
        values = ",".join(expr.get("values") or [])
        if op == "In":
            parts.append("%s in (%s)" % (key, values))
        elif op == "NotIn":
            parts.append("%s notin (%s)" % (key, values))
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append("!" + key)
    return ",".join(parts)


def selector_matches(selector, labels):
    """Whether a LabelSelector object selects the given labels."""
    predicate = parse_label_selector(selector_to_string(selector))
    return predicate is None or predicate(labels or {})
