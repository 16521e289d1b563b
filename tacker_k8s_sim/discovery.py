"""Discovery documents: /version, /api, /apis, /api/v1, /apis/g/v.

Each resource is described as a real API server describes it: its
verbs, singular name, short names (``ns``, ``po``, ``deploy``...) and
categories (``all``), which is how kubectl resolves ``kubectl get ns``
and ``kubectl get all``.  Both shapes are served: the per group-version
``APIResourceList`` and the aggregated ``APIGroupDiscoveryList``
(apidiscovery.k8s.io/v2) that kubectl asks /api and /apis for first.
"""

from tacker_k8s_sim import tables

_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch",
          "update", "watch"]
# A namespace is deleted one at a time: no deletecollection.
_NAMESPACE_VERBS = ["create", "delete", "get", "list", "patch", "update",
                    "watch"]
_SUB_VERBS = ["get", "patch", "update"]

# Short names and categories of the built-in resources, by storage key.
SHORT_NAMES = {
    "core/namespaces": ["ns"],
    "core/nodes": ["no"],
    "core/persistentvolumes": ["pv"],
    "core/pods": ["po"],
    "core/services": ["svc"],
    "core/endpoints": ["ep"],
    "core/configmaps": ["cm"],
    "core/serviceaccounts": ["sa"],
    "core/persistentvolumeclaims": ["pvc"],
    "core/events": ["ev"],
    "core/limitranges": ["limits"],
    "core/resourcequotas": ["quota"],
    "core/replicationcontrollers": ["rc"],
    "apps/deployments": ["deploy"],
    "apps/replicasets": ["rs"],
    "apps/statefulsets": ["sts"],
    "apps/daemonsets": ["ds"],
    "batch/cronjobs": ["cj"],
    "autoscaling/horizontalpodautoscalers": ["hpa"],
    "networking.k8s.io/ingresses": ["ing"],
    "networking.k8s.io/networkpolicies": ["netpol"],
    "policy/poddisruptionbudgets": ["pdb"],
    "storage.k8s.io/storageclasses": ["sc"],
    "apiextensions.k8s.io/customresourcedefinitions": ["crd", "crds"],
}

CATEGORIES = {
    "core/pods": ["all"],
    "core/services": ["all"],
    "core/replicationcontrollers": ["all"],
    "apps/deployments": ["all"],
    "apps/replicasets": ["all"],
    "apps/statefulsets": ["all"],
    "apps/daemonsets": ["all"],
    "batch/jobs": ["all"],
    "batch/cronjobs": ["all"],
    "autoscaling/horizontalpodautoscalers": ["all"],
    "apiextensions.k8s.io/customresourcedefinitions": ["api-extensions"],
    "apiregistration.k8s.io/apiservices": ["api-extensions"],
}

AGGREGATED_GROUP = "apidiscovery.k8s.io"
AGGREGATED_VERSIONS = ("v2", "v2beta1")


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


def verbs(res):
    if res.key == "core/namespaces":
        return list(_NAMESPACE_VERBS)
    return list(_VERBS)


def _subresources(res):
    """(name, group, version, kind, verbs) of each served subresource."""
    subs = []
    if res.has_status:
        subs.append(("status", res.group, res.version, res.kind,
                     list(_SUB_VERBS)))
    if res.has_scale:
        subs.append(("scale", "autoscaling", "v1", "Scale",
                     list(_SUB_VERBS)))
    if res.key == "core/pods":
        subs.append(("log", "", "v1", "Pod", ["get"]))
    return subs


def _singular(res):
    return res.kind.lower() if res.builtin else ""


def _described(res, entry):
    short = SHORT_NAMES.get(res.key)
    if short:
        entry["shortNames"] = list(short)
    categories = CATEGORIES.get(res.key)
    if categories:
        entry["categories"] = list(categories)
    return entry


def resource_list(registry, group, version):
    """APIResourceList for one group/version, or None if unknown."""
    resources = []
    for res in sorted(registry.all(), key=lambda r: r.plural):
        if res.group != group or res.version != version:
            continue
        resources.append(_described(res, {
            "name": res.plural, "singularName": _singular(res),
            "namespaced": res.namespaced, "kind": res.kind,
            "verbs": verbs(res)}))
        for sub, sub_group, sub_version, kind, sub_verbs in \
                _subresources(res):
            entry = {"name": "%s/%s" % (res.plural, sub),
                     "singularName": "", "namespaced": res.namespaced,
                     "kind": kind, "verbs": sub_verbs}
            if (sub_group, sub_version) != (res.group, res.version):
                entry["group"] = sub_group
                entry["version"] = sub_version
            resources.append(entry)
    if not resources:
        return None
    group_version = "%s/%s" % (group, version) if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": group_version, "resources": resources}


# -- aggregated discovery ---------------------------------------------------

def aggregated_version(accept):
    """v2 or v2beta1 when the client asks for aggregated discovery."""
    return tables.negotiate(accept, AGGREGATED_GROUP,
                            "APIGroupDiscoveryList", AGGREGATED_VERSIONS)


def aggregated_content_type(version):
    # The client tells the aggregated answer from the legacy one by
    # these parameters of the Content-Type.
    return "application/json;g=%s;v=%s;as=APIGroupDiscoveryList" % (
        AGGREGATED_GROUP, version)


def _resource_discovery(res):
    subresources = [{
        "subresource": sub,
        "responseKind": {"group": sub_group, "version": sub_version,
                         "kind": kind},
        "verbs": sub_verbs,
    } for sub, sub_group, sub_version, kind, sub_verbs in _subresources(res)]
    entry = {
        "resource": res.plural,
        "responseKind": {"group": res.group, "version": res.version,
                         "kind": res.kind},
        "scope": "Namespaced" if res.namespaced else "Cluster",
        "singularResource": _singular(res) or res.plural,
        "verbs": verbs(res),
    }
    if subresources:
        entry["subresources"] = subresources
    return _described(res, entry)


def aggregated(registry, *, legacy, version="v2"):
    """APIGroupDiscoveryList of /api (``legacy``) or of /apis."""
    by_group = {}
    for res in registry.all():
        if bool(res.group) == legacy:
            continue
        by_group.setdefault(res.group, {}).setdefault(
            res.version, []).append(res)
    items = []
    for group in sorted(by_group):
        versions = by_group[group]
        items.append({
            "metadata": {"name": group} if group else {},
            "versions": [{
                "version": ver,
                "resources": [_resource_discovery(res) for res in sorted(
                    versions[ver], key=lambda r: r.plural)],
                "freshness": "Current",
            } for ver in sorted(versions, reverse=True)],
        })
    return {"kind": "APIGroupDiscoveryList",
            "apiVersion": "%s/%s" % (AGGREGATED_GROUP, version),
            "metadata": {}, "items": items}
