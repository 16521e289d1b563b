"""Which REST resources the simulator knows and how they are shaped.

Built-in kinds are listed here; any other plural seen on the wire is
accepted and stored generically, its kind taken from the first body.
"""

import threading


class Resource(object):
    """One REST resource: ``(group, plural)`` is its storage identity."""

    def __init__(self, group, version, plural, kind, *, namespaced=True,
                 status=False, scale=False):
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
        self.has_status = status
        self.has_scale = scale
        self.builtin = False

    @property
    def returns_deleted(self):
        """DELETE answers the object, not a Status, once it is gone."""
        return self.key in RETURNS_DELETED

    @property
    def key(self):
        return "%s/%s" % (self.group or "core", self.plural)

    @property
    def api_version(self):
        if self.group:
            return "%s/%s" % (self.group, self.version)
        return self.version

    @property
    def qualified(self):
        """Name used in messages: ``pods``, ``deployments.apps``."""
        if self.group:
            return "%s.%s" % (self.plural, self.group)
        return self.plural

    def __repr__(self):
        return "Resource(%s)" % self.key


_BUILTIN = [
    ("", "v1", "namespaces", "Namespace", False, True, False),
    ("", "v1", "nodes", "Node", False, True, False),
    ("", "v1", "persistentvolumes", "PersistentVolume", False, True,
     False),
    ("", "v1", "pods", "Pod", True, True, False),
    ("", "v1", "services", "Service", True, True, False),
    ("", "v1", "endpoints", "Endpoints", True, False, False),
    ("", "v1", "configmaps", "ConfigMap", True, False, False),
    ("", "v1", "secrets", "Secret", True, False, False),
    ("", "v1", "serviceaccounts", "ServiceAccount", True, False, False),
    ("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True,
     True, False),
    ("", "v1", "events", "Event", True, False, False),
    ("", "v1", "podtemplates", "PodTemplate", True, False, False),
    ("", "v1", "limitranges", "LimitRange", True, False, False),
    ("", "v1", "resourcequotas", "ResourceQuota", True, True, False),
    ("", "v1", "replicationcontrollers", "ReplicationController", True,
     True, True),
    ("apps", "v1", "deployments", "Deployment", True, True, True),
    ("apps", "v1", "replicasets", "ReplicaSet", True, True, True),
    ("apps", "v1", "statefulsets", "StatefulSet", True, True, True),
    ("apps", "v1", "daemonsets", "DaemonSet", True, True, False),
    ("apps", "v1", "controllerrevisions", "ControllerRevision", True,
     False, False),
    ("batch", "v1", "jobs", "Job", True, True, False),
    ("batch", "v1", "cronjobs", "CronJob", True, True, False),
    ("autoscaling", "v2", "horizontalpodautoscalers",
     "HorizontalPodAutoscaler", True, True, False),
    ("autoscaling", "v1", "horizontalpodautoscalers",
     "HorizontalPodAutoscaler", True, True, False),
    ("networking.k8s.io", "v1", "ingresses", "Ingress", True, True, False),
    ("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", True,
     False, False),
    ("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True,
     True, False),
    ("rbac.authorization.k8s.io", "v1", "roles", "Role", True, False,
     False),
    ("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding",
     True, False, False),
    ("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole",
     False, False, False),
    ("rbac.authorization.k8s.io", "v1", "clusterrolebindings",
     "ClusterRoleBinding", False, False, False),
    ("storage.k8s.io", "v1", "storageclasses", "StorageClass", False,
     False, False),
    ("storage.k8s.io", "v1", "volumeattachments", "VolumeAttachment",
     False, True, False),
    ("apiregistration.k8s.io", "v1", "apiservices", "APIService", False,
     True, False),
    ("apiextensions.k8s.io", "v1", "customresourcedefinitions",
     "CustomResourceDefinition", False, True, False),
]

# Resources whose registry sets ReturnDeletedObject: an immediate DELETE
# answers the deleted object.  Every other one answers a Success Status
# (an object still terminating is answered as it stands, for all kinds).
# The kubernetes client declares the same split: these delete_* methods
# return the model (V1Service...), the others a Status (or "object").
RETURNS_DELETED = frozenset((
    "core/pods", "core/services", "core/persistentvolumes",
    "core/persistentvolumeclaims", "core/resourcequotas",
    "core/serviceaccounts", "core/podtemplates",
    "storage.k8s.io/storageclasses", "storage.k8s.io/volumeattachments",
    "storage.k8s.io/csidrivers", "storage.k8s.io/csinodes",
    "storage.k8s.io/volumeattributesclasses",
    "resource.k8s.io/deviceclasses", "resource.k8s.io/resourceclaims",
    "resource.k8s.io/resourceclaimtemplates",
    "resource.k8s.io/resourceslices", "resource.k8s.io/devicetaintrules",
))

# Plurals whose kind cannot be guessed by dropping a trailing "s".
_IRREGULAR = {"endpoints": "Endpoints", "policies": "Policy"}


def _guess_kind(plural):
    if plural in _IRREGULAR:
        return _IRREGULAR[plural]
    stem = plural
    if stem.endswith("ies"):
        stem = stem[:-3] + "y"
    elif stem.endswith("ses"):
        stem = stem[:-2]
    elif stem.endswith("s"):
        stem = stem[:-1]
    return stem[:1].upper() + stem[1:]


class Registry(object):
    """Resolves (group, version, plural) to a ``Resource``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_gvp = {}
        for group, version, plural, kind, ns, status, scale in _BUILTIN:
            self._by_gvp[(group, version, plural)] = Resource(
                group, version, plural, kind, namespaced=ns, status=status,
                scale=scale)
            self._by_gvp[(group, version, plural)].builtin = True

    def lookup(self, group, version, plural, *, namespaced=True,
               kind=None):
        """The resource, registering an unknown one on first sight."""
        with self._lock:
            found = self._by_gvp.get((group, version, plural))
            if found is None:
                found = Resource(group, version, plural,
                                 kind or _guess_kind(plural),
                                 namespaced=namespaced)
                self._by_gvp[(group, version, plural)] = found
            elif kind and not found.builtin and found.kind != kind:
                # A generic resource learns its real kind from a body.
                found.kind = kind
            return found

    def known(self, group, version, plural):
        with self._lock:
            return self._by_gvp.get((group, version, plural))

    def get(self, group, plural):
        """The built-in resource for (group, plural), any version."""
        with self._lock:
            for (grp, _ver, plu), res in self._by_gvp.items():
                if grp == group and plu == plural:
                    return res
        raise KeyError((group, plural))

    def all(self):
        with self._lock:
            return list(self._by_gvp.values())


KIND_ALIASES = {
    "deployment": ("apps", "deployments"),
    "replicaset": ("apps", "replicasets"),
    "statefulset": ("apps", "statefulsets"),
    "daemonset": ("apps", "daemonsets"),
    "pod": ("", "pods"),
}


def workload_key(kind):
    """Resolve 'Deployment', 'deployments', 'deploy'... to a key."""
    short = {"deploy": "deployment", "rs": "replicaset",
             "sts": "statefulset", "ds": "daemonset", "po": "pod"}
    name = kind.lower()
    name = short.get(name, name)
    if name not in KIND_ALIASES and name.endswith("s"):
        name = name[:-1]
    if name not in KIND_ALIASES:
        raise KeyError(kind)
    return KIND_ALIASES[name]
