"""URL paths of the Kubernetes REST API, parsed into routes.

``/api/v1/namespaces/{ns}/{plural}/{name}/{sub}`` and
``/apis/{group}/{version}/...`` in all their shapes, including the
legacy ``/watch/`` prefix and the namespace object itself.
"""


class Route(object):
    """What a resource URL addresses."""

    def __init__(self, group, version, plural, *, namespace=None,
                 name=None, subresource=None, legacy_watch=False,
                 namespaced_path=False):
        self.group = group
        self.version = version
        self.plural = plural
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
        self.legacy_watch = legacy_watch
        # True when the URL carried /namespaces/{ns}/ before the plural.
        self.namespaced_path = namespaced_path


_NAMESPACE_SUBRESOURCES = ("status", "finalize")


def parse(path):
    """A ``Route`` for a resource path, or None for anything else."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    legacy_watch = False
    if rest and rest[0] == "watch":
        legacy_watch = True
        rest = rest[1:]
    if not rest:
        return None
    if rest[0] == "namespaces" and len(rest) >= 3 and \
            rest[2] not in _NAMESPACE_SUBRESOURCES:
        if len(rest) > 5:
            return None
        return Route(group, version, rest[2], namespace=rest[1],
                     name=rest[3] if len(rest) > 3 else None,
                     subresource=rest[4] if len(rest) > 4 else None,
                     legacy_watch=legacy_watch, namespaced_path=True)
    if len(rest) > 3:
        return None
    return Route(group, version, rest[0],
                 name=rest[1] if len(rest) > 1 else None,
                 subresource=rest[2] if len(rest) > 2 else None,
                 legacy_watch=legacy_watch)


def verb(method, route, query):
    """The Kubernetes verb of a request (for faults and the log)."""
    method = method.upper()
    if method == "GET":
        if route is None:
            return "get"
        watching = str(query.get("watch", "")).lower() in ("1", "true")
        if route.legacy_watch or watching:
            return "watch"
        return "get" if route.name else "list"
    return {"POST": "create", "PUT": "update", "PATCH": "patch",
            "DELETE": "delete" if route is None or route.name
            else "deletecollection"}.get(method, method.lower())
