"""Discovery documents: /version, /api, /apis, /api/v1, /apis/g/v."""

_VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def version():
    return {"major": "1", "minor": "30", "gitVersion": "v1.30.0-k8s-sim",
            "gitCommit": "0" * 40, "gitTreeState": "clean",
            "buildDate": "2024-04-17T00:00:00Z", "goVersion": "go1.22.2",
            "compiler": "gc", "platform": "linux/amd64"}


def api_versions(address):
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": address}]}


def _groups(registry):
    found = {}
    for res in registry.all():
        if res.group:
            found.setdefault(res.group, set()).add(res.version)
    return found


def api_groups(registry):
    groups = []
    for name, versions in sorted(_groups(registry).items()):
        listed = [{"groupVersion": "%s/%s" % (name, v), "version": v}
                  for v in sorted(versions, reverse=True)]
        groups.append({"name": name, "versions": listed,
                       "preferredVersion": listed[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def resource_list(registry, group, version):
    """APIResourceList for one group/version, or None if unknown."""
    resources = []
    for res in registry.all():
        if res.group != group or res.version != version:
            continue
        resources.append({"name": res.plural, "singularName": "",
                          "namespaced": res.namespaced, "kind": res.kind,
                          "verbs": list(_VERBS)})
        if res.has_status:
            resources.append({"name": res.plural + "/status",
                              "singularName": "",
                              "namespaced": res.namespaced,
                              "kind": res.kind,
                              "verbs": ["get", "patch", "update"]})
        if res.has_scale:
            resources.append({"name": res.plural + "/scale",
                              "singularName": "",
                              "namespaced": res.namespaced,
                              "group": "autoscaling", "version": "v1",
                              "kind": "Scale",
                              "verbs": ["get", "patch", "update"]})
    if not resources:
        return None
    group_version = "%s/%s" % (group, version) if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": group_version, "resources": resources}
