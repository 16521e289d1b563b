"""Is a Kubernetes LIST answer shaped as ``ownership`` reads it?

The observer parses LIST answers as raw JSON, so nothing but this module
stands between a malformed answer (an item that is no object, a pod
without ``metadata``, ``ownerReferences`` that is no list, a ``status``
that is a string, a count that is no integer) and an ``AttributeError``
deep in ``ownership``.  ``problem`` checks every field ``ownership`` and
``model.ObservedPod`` read, once per item, and names the first one that
is wrong: the item's position and the field, never its value.  A
missing optional field is fine (the API omits empty ones).

It is pure: no I/O, no logging; the observer turns a problem into the
VIM's failure for the pass.
"""

# Optional integer fields, by where they sit in an item.
_INT_FIELDS = (
    ("metadata", "generation"),
    ("spec", "replicas"),
    ("status", "replicas"),
    ("status", "updatedReplicas"),
    ("status", "observedGeneration"),
    ("status", "desiredNumberScheduled"),
    ("status", "updatedNumberScheduled"),
    ("status", "currentNumberScheduled"),
)
# Optional text fields.
_TEXT_FIELDS = (
    ("metadata", "uid"),
    ("metadata", "namespace"),
    ("metadata", "generateName"),
    ("metadata", "creationTimestamp"),
    ("metadata", "resourceVersion"),
    ("status", "phase"),
)
_OBJECT_FIELDS = (("metadata", "labels"), ("metadata", "annotations"))
_REF_TEXT_FIELDS = ("kind", "name", "uid")


def list_kind(answer, default):
    """The answer's ``kind`` ("PodList"), or ``default`` if it has none."""
    kind = answer.get("kind") if isinstance(answer, dict) else None
    return kind if isinstance(kind, str) and kind else default


def answer_problem(answer):
    """Why ``answer`` is not a LIST answer at all, or None."""
    if not isinstance(answer, dict):
        return "the answer is not an object"
    if not isinstance(answer.get("items"), list):
        return "the answer has no items list"
    return None


def items_problem(items):
    """The first malformed item of a LIST's ``items``, or None."""
    for position, item in enumerate(items):
        found = problem(item)
        if found:
            return "item %d %s" % (position, found)
    return None


def problem(item):
    """What is wrong with one item, e.g. "has no metadata"; or None."""
    if not isinstance(item, dict):
        return "is not an object"
    metadata = item.get("metadata")
    if metadata is None:
        return "has no metadata"
    if not isinstance(metadata, dict):
        return "has metadata that is not an object"
    if not isinstance(metadata.get("name"), str) or not metadata["name"]:
        return "has no metadata.name"
    for part in ("spec", "status"):
        if item.get(part) is not None and not isinstance(item[part], dict):
            return "has %s that is not an object" % part
    for part, key in _OBJECT_FIELDS:
        value = (item.get(part) or {}).get(key)
        if value is not None and not isinstance(value, dict):
            return "has %s.%s that is not an object" % (part, key)
    for part, key in _TEXT_FIELDS:
        value = (item.get(part) or {}).get(key)
        if value is not None and not isinstance(value, str):
            return "has %s.%s that is not text" % (part, key)
    for part, key in _INT_FIELDS:
        value = (item.get(part) or {}).get(key)
        if value is not None and (isinstance(value, bool)
                                  or not isinstance(value, int)):
            return "has %s.%s that is not an integer" % (part, key)
    return _refs_problem(metadata.get("ownerReferences"))


def _refs_problem(refs):
    if refs is None:
        return None
    if not isinstance(refs, list):
        return "has metadata.ownerReferences that is not a list"
    for position, ref in enumerate(refs):
        if not isinstance(ref, dict):
            return "has metadata.ownerReferences[%d] that is not an " \
                   "object" % position
        for key in _REF_TEXT_FIELDS:
            if ref.get(key) is not None and not isinstance(ref[key], str):
                return "has metadata.ownerReferences[%d].%s that is not " \
                       "text" % (position, key)
    return None
