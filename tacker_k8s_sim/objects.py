"""Verb semantics of the simulated API server.

create / update / patch / delete / list decide what Kubernetes would
store and answer: defaults, validation, generation, status subresource
rules, resourceVersion preconditions, graceful deletion, finalizers and
delete propagation.  The HTTP layer (``server.py``) and the controllers
both go through this module; storage itself is ``store.py``.
"""

import base64
import binascii
import copy
import json
import math
import re
import time
import uuid

from tacker_k8s_sim import errors
from tacker_k8s_sim import job_strategy
from tacker_k8s_sim import patching
from tacker_k8s_sim import selectors

_DNS_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_WORKLOADS = ("deployments", "replicasets", "statefulsets", "daemonsets")
FOREGROUND = "foregroundDeletion"
_EMPTY_STATUS = {
    "deployments": {},
    "replicasets": {"replicas": 0},
    "statefulsets": {"replicas": 0, "availableReplicas": 0},
    "daemonsets": {"currentNumberScheduled": 0, "numberMisscheduled": 0,
                   "desiredNumberScheduled": 0, "numberReady": 0},
}
ORPHAN = "orphan"
# batch/v1 Jobs orphan their pods unless told otherwise (kept for
# backwards compatibility; the API server warns about it).
_ORPHAN_BY_DEFAULT = ("batch/jobs",)


def now_iso(when=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ",
                         time.gmtime(time.time() if when is None else when))


def _meta(obj):
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
        obj["metadata"] = meta
    return meta


def _without(obj, *keys):
    return {k: v for k, v in obj.items() if k not in keys}


def is_workload(resource):
    return resource.group == "apps" and resource.plural in _WORKLOADS


class Objects(object):
    """Kubernetes verb semantics on top of a ``Store``."""

    def __init__(self, store, registry, *, default_grace=0.0,
                 clock=time.monotonic):
        self.store = store
        self.registry = registry
        self.default_grace = default_grace
        self.clock = clock
        self._service_ips = 0

    # -- helpers ----------------------------------------------------------

    def resource(self, group, plural):
        return self.registry.get(group, plural)

    def require_namespace(self, resource, namespace):
        if not resource.namespaced:
            return
        ns_res = self.resource("", "namespaces")
        if self.store.get(ns_res, "", namespace) is None:
            raise errors.not_found(ns_res, namespace)

    def get(self, resource, namespace, name):
        with self.store.lock:
            obj = self.store.get(resource, namespace, name)
        if obj is None:
            raise errors.not_found(resource, name)
        return obj

    # -- validation and defaults -----------------------------------------

    def _check_kind(self, resource, body, name):
        kind = body.get("kind")
        if kind and resource.builtin and kind != resource.kind:
            raise errors.invalid(resource, name, [(
                "kind", "Invalid value: %r: must be %s"
                % (kind, resource.kind))])

    def _validate(self, resource, obj):
        meta = obj["metadata"]
        name = meta.get("name")
        causes = []
        if not name:
            causes.append(("metadata.name", "Required value: name or "
                           "generateName is required"))
        elif len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
            causes.append(("metadata.name", "Invalid value: %r: a "
                           "lowercase RFC 1123 subdomain must consist of "
                           "lower case alphanumeric characters, '-' or "
                           "'.'" % name))
        for field in ("labels", "annotations"):
            value = meta.get(field)
            if value is not None and not (
                    isinstance(value, dict)
                    and all(isinstance(v, str) for v in value.values())):
                causes.append(("metadata." + field,
                               "Invalid value: must be a map of strings"))
        spec = obj.get("spec")
        if resource.key == "core/pods":
            causes.extend(_pod_spec_causes(spec, "spec"))
        elif is_workload(resource):
            causes.extend(_workload_causes(resource, spec))
        elif resource.key == "batch/jobs":
            causes.extend(_job_causes(spec))
        if causes:
            raise errors.invalid(resource, name, causes)

    def _default(self, resource, obj):
        spec = obj.get("spec")
        key = resource.key
        if key == "core/pods":
            _default_pod_spec(obj.setdefault("spec", {}))
        elif is_workload(resource) and isinstance(spec, dict):
            if key != "apps/daemonsets":
                spec.setdefault("replicas", 1)
            if key == "apps/deployments":
                spec.setdefault("strategy", {})
                strategy = spec["strategy"]
                strategy.setdefault("type", "RollingUpdate")
                if strategy["type"] == "RollingUpdate":
                    rolling = strategy.setdefault("rollingUpdate", {})
                    rolling.setdefault("maxSurge", "25%")
                    rolling.setdefault("maxUnavailable", "25%")
                spec.setdefault("revisionHistoryLimit", 10)
                spec.setdefault("progressDeadlineSeconds", 600)
            elif key == "apps/statefulsets":
                spec.setdefault("podManagementPolicy", "OrderedReady")
                strategy = spec.setdefault("updateStrategy", {})
                strategy.setdefault("type", "RollingUpdate")
                if strategy["type"] == "RollingUpdate":
                    strategy.setdefault("rollingUpdate", {"partition": 0})
                spec.setdefault("revisionHistoryLimit", 10)
            elif key == "apps/daemonsets":
                strategy = spec.setdefault("updateStrategy", {})
                strategy.setdefault("type", "RollingUpdate")
                if strategy["type"] == "RollingUpdate":
                    rolling = strategy.setdefault("rollingUpdate", {})
                    rolling.setdefault("maxUnavailable", 1)
                    rolling.setdefault("maxSurge", 0)
                spec.setdefault("revisionHistoryLimit", 10)
            template = spec.get("template")
            if isinstance(template, dict):
                _default_pod_spec(template.setdefault("spec", {}))
        elif key == "batch/jobs" and isinstance(spec, dict):
            job_strategy.default(spec)
            template = spec.get("template")
            if isinstance(template, dict):
                _default_pod_spec(template.setdefault("spec", {}))
        elif key == "core/services":
            spec = obj.setdefault("spec", {})
            spec.setdefault("type", "ClusterIP")
            spec.setdefault("sessionAffinity", "None")
            for port in spec.get("ports") or ():
                if isinstance(port, dict):
                    port.setdefault("protocol", "TCP")
                    port.setdefault("targetPort", port.get("port"))
            if "clusterIP" not in spec:
                self._service_ips += 1
                spec["clusterIP"] = "10.96.%d.%d" % (
                    self._service_ips // 250, self._service_ips % 250 + 1)
                spec["clusterIPs"] = [spec["clusterIP"]]

    # -- create -----------------------------------------------------------

    def create(self, resource, namespace, body, *, dry_run=False,
               names=None):
        if not isinstance(body, dict):
            raise errors.BadRequest("the body must be a JSON object")
        obj = copy.deepcopy(body)
        meta = _meta(obj)
        name = meta.get("name")
        self._check_kind(resource, obj, name)
        if resource.namespaced:
            if meta.get("namespace") and meta["namespace"] != namespace:
                raise errors.BadRequest(
                    "the namespace of the provided object does not match "
                    "the namespace sent on the request")
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        obj["kind"] = resource.kind
        obj["apiVersion"] = resource.api_version
        with self.store.lock:
            if not name and meta.get("generateName") and names:
                name = names.generate(meta["generateName"])
                meta["name"] = name
            self._default(resource, obj)
            self._validate(resource, obj)
            self.require_namespace(resource, namespace)
            if self.store.get(resource, namespace, name) is not None:
                raise errors.already_exists(resource, name)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now_iso()
            meta["generation"] = 1
            if resource.key == "batch/jobs":
                job_strategy.generate_selector(obj)
            for transient in ("resourceVersion", "deletionTimestamp",
                              "deletionGracePeriodSeconds", "selfLink"):
                meta.pop(transient, None)
            self._initial_status(resource, obj)
            if dry_run:
                meta["resourceVersion"] = str(self.store.resource_version)
                return obj
            return self.store.insert(resource, namespace, name, obj)

    def _initial_status(self, resource, obj):
        key = resource.key
        if key == "core/pods":
            obj["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
        elif key == "core/namespaces":
            obj["status"] = {"phase": "Active"}
            labels = obj["metadata"].setdefault("labels", {})
            labels["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
        elif key == "core/persistentvolumeclaims":
            obj["status"] = _bound_claim_status(obj.get("spec") or {})
        elif key == "core/persistentvolumes":
            # The PV controller makes a new volume Available, or Bound
            # when it is pre-bound to a claim.
            obj["status"] = {"phase": "Bound" if (obj.get("spec") or {})
                             .get("claimRef") else "Available"}
        elif key == "storage.k8s.io/volumeattachments":
            # As the CSI external-attacher reports once attached.
            obj["status"] = {"attached": True}
        elif key == "apiregistration.k8s.io/apiservices":
            obj["status"] = _apiservice_status(obj.get("spec") or {})
        elif resource.key == "batch/jobs":
            obj["status"] = {}
        elif is_workload(resource):
            # Fields Kubernetes serializes even when zero.
            obj["status"] = copy.deepcopy(_EMPTY_STATUS[resource.plural])

    # -- update -----------------------------------------------------------

    def update(self, resource, namespace, name, body, *, subresource=None,
               dry_run=False):
        if not isinstance(body, dict):
            raise errors.BadRequest("the body must be a JSON object")
        with self.store.lock:
            old = self.get(resource, namespace, name)
            return self._write_update(resource, old, copy.deepcopy(body),
                                      subresource=subresource,
                                      dry_run=dry_run)

    def _write_update(self, resource, old, new, *, subresource=None,
                      dry_run=False):
        old_meta = old["metadata"]
        name = old_meta["name"]
        meta = _meta(new)
        if meta.get("name") and meta["name"] != name:
            raise errors.BadRequest(
                "the name of the object (%s) does not match the name on "
                "the URL (%s)" % (meta["name"], name))
        if (resource.namespaced and meta.get("namespace")
                and meta["namespace"] != old_meta.get("namespace")):
            raise errors.BadRequest(
                "the namespace of the provided object does not match the "
                "namespace sent on the request")
        self._check_kind(resource, new, name)
        wanted_rv = meta.get("resourceVersion")
        if wanted_rv and wanted_rv != old_meta["resourceVersion"]:
            raise errors.conflict(resource, name)
        if subresource == "status":
            merged = dict(old)
            merged["status"] = new.get("status", old.get("status"))
            new = copy.deepcopy(merged)
            meta = new["metadata"]
        else:
            if resource.has_status:
                if "status" in old:
                    new["status"] = copy.deepcopy(old["status"])
                else:
                    new.pop("status", None)
            for kept in ("uid", "creationTimestamp", "deletionTimestamp",
                         "deletionGracePeriodSeconds", "generation"):
                if kept in old_meta:
                    meta[kept] = old_meta[kept]
                else:
                    meta.pop(kept, None)
            meta["name"] = name
            if resource.namespaced:
                meta["namespace"] = old_meta["namespace"]
            new["kind"] = resource.kind
            new["apiVersion"] = resource.api_version
            self._default(resource, new)
            self._validate(resource, new)
            _check_immutable(resource, old, new)
        meta["resourceVersion"] = old_meta["resourceVersion"]
        if _spec_of(new) != _spec_of(old):
            meta["generation"] = int(old_meta.get("generation", 1)) + 1
        if new == old:
            return old
        if dry_run:
            return new
        if meta.get("deletionTimestamp") and not meta.get("finalizers") \
                and resource.key != "core/pods":
            return self.store.remove(resource, meta.get("namespace"), name)
        if (resource.key == "core/pods" and meta.get("deletionTimestamp")
                and not meta.get("finalizers")
                and self.store.deadlines.get(meta["uid"], 0)
                <= self.clock()):
            return self.store.remove(resource, meta.get("namespace"), name)
        return self.store.replace(resource, meta.get("namespace"), name,
                                  new)

    def replace_status(self, resource, obj, status):
        """Controller-side status write; no-op when nothing changed."""
        if obj.get("status") == status:
            return obj
        new = dict(obj)
        new["status"] = status
        meta = obj["metadata"]
        return self.store.replace(resource, meta.get("namespace"),
                                  meta["name"], _fresh(new))

    def replace_object(self, resource, new):
        """Controller-side whole-object write (no validation)."""
        meta = new["metadata"]
        return self.store.replace(resource, meta.get("namespace"),
                                  meta["name"], new)

    # -- patch ------------------------------------------------------------

    def patch(self, resource, namespace, name, content_type, body, *,
              subresource=None, dry_run=False, names=None):
        with self.store.lock:
            old = self.store.get(resource, namespace, name)
            media = (content_type or "").split(";")[0].strip().lower()
            if old is None:
                if media == patching.APPLY_PATCH and isinstance(body, dict):
                    body = dict(body)
                    body.setdefault("metadata", {})
                    body["metadata"] = dict(body["metadata"], name=name)
                    return self.create(resource, namespace, body,
                                       dry_run=dry_run, names=names), True
                raise errors.not_found(resource, name)
            patched = patching.apply(content_type, old, body)
            if not isinstance(patched, dict):
                raise errors.BadRequest("patch result is not an object")
            new = copy.deepcopy(patched)
            wanted = (body.get("metadata") or {}).get("resourceVersion") \
                if isinstance(body, dict) else None
            if not wanted:
                _meta(new)["resourceVersion"] = \
                    old["metadata"]["resourceVersion"]
            return self._write_update(resource, old, new,
                                      subresource=subresource,
                                      dry_run=dry_run), False

    # -- scale subresource ------------------------------------------------

    def scale_of(self, resource, obj):
        meta = obj["metadata"]
        status = obj.get("status") or {}
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                "name": meta["name"],
                "namespace": meta.get("namespace"),
                "uid": meta["uid"],
                "resourceVersion": meta["resourceVersion"],
                "creationTimestamp": meta["creationTimestamp"],
            },
            "spec": {"replicas": (obj.get("spec") or {}).get(
                "replicas", 0)},
            "status": {
                "replicas": status.get("replicas", 0),
                "selector": selectors.selector_to_string(
                    (obj.get("spec") or {}).get("selector")),
            },
        }

    def set_scale(self, resource, namespace, name, scale_body, *,
                  content_type=None, dry_run=False):
        """PUT (``content_type`` None) or PATCH of the scale subresource."""
        with self.store.lock:
            obj = self.get(resource, namespace, name)
            current = self.scale_of(resource, obj)
            if content_type is None:
                wanted = scale_body
            else:
                wanted = patching.apply(content_type, current, scale_body)
            if not isinstance(wanted, dict):
                raise errors.BadRequest("scale body must be an object")
            rv = (wanted.get("metadata") or {}).get("resourceVersion")
            if content_type is None and rv and \
                    rv != obj["metadata"]["resourceVersion"]:
                raise errors.conflict(resource, name)
            replicas = (wanted.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or isinstance(
                    replicas, bool) or replicas < 0:
                raise errors.Invalid(
                    'Scale.autoscaling "%s" is invalid: spec.replicas: '
                    'Invalid value: %r: must be greater than or equal '
                    'to 0' % (name, replicas),
                    details=errors.details(resource, name))
            new = self.set_replicas(resource, obj, replicas,
                                    dry_run=dry_run)
            return self.scale_of(resource, new)

    def set_replicas(self, resource, obj, replicas, *, dry_run=False):
        if (obj.get("spec") or {}).get("replicas") == replicas:
            return obj
        new = copy.deepcopy(obj)
        new["spec"]["replicas"] = replicas
        new["metadata"]["generation"] = int(
            obj["metadata"].get("generation", 1)) + 1
        if dry_run:
            return new
        return self.replace_object(resource, new)

    # -- delete -----------------------------------------------------------

    def delete(self, resource, namespace, name, *, grace=None,
               propagation=None, preconditions=None, dry_run=False):
        """Delete; returns (object or None if gone, object snapshot)."""
        with self.store.lock:
            obj = self.get(resource, namespace, name)
            meta = obj["metadata"]
            preconditions = preconditions or {}
            if preconditions.get("uid") and \
                    preconditions["uid"] != meta["uid"]:
                raise errors.Conflict(
                    "Precondition failed: UID in precondition: %s, UID in "
                    "object meta: %s" % (preconditions["uid"], meta["uid"]),
                    details=errors.details(resource, name))
            if preconditions.get("resourceVersion") and \
                    preconditions["resourceVersion"] != \
                    meta["resourceVersion"]:
                raise errors.conflict(resource, name)
            if dry_run:
                return obj, obj
            policy = (propagation or (
                "Orphan" if resource.key in _ORPHAN_BY_DEFAULT
                else "Background")).lower()
            if policy == ORPHAN:
                self._orphan_dependents(meta["uid"])
            if resource.key == "core/pods":
                return self._delete_pod(resource, obj, grace)
            finalizers = list(meta.get("finalizers") or [])
            if policy == "foreground" and self.store.dependents(
                    meta["uid"]):
                if FOREGROUND not in finalizers:
                    finalizers.append(FOREGROUND)
            if finalizers:
                if meta.get("deletionTimestamp") and \
                        finalizers == meta.get("finalizers"):
                    return obj, obj
                new = copy.deepcopy(obj)
                new["metadata"]["finalizers"] = finalizers
                new["metadata"].setdefault("deletionTimestamp", now_iso())
                new["metadata"].setdefault("deletionGracePeriodSeconds", 0)
                kept = self.replace_object(resource, new)
                return kept, kept
            if resource.key == "core/namespaces":
                # A real namespace terminates first (its finalizer waits
                # for the contents); here that phase is over at once.
                self._terminate_namespace(obj)
            final = self.store.remove(resource, namespace, name)
            return None, final

    def _delete_pod(self, resource, obj, grace):
        meta = obj["metadata"]
        if grace is None:
            grace = self.default_grace
        grace = max(0.0, float(grace))
        deadline = self.clock() + grace
        unscheduled = not (obj.get("spec") or {}).get("nodeName")
        terminated = (obj.get("status") or {}).get("phase") in (
            "Failed", "Succeeded")
        if grace == 0 or unscheduled or terminated:
            deadline = self.clock()
        uid = meta["uid"]
        known = self.store.deadlines.get(uid)
        if known is not None and known <= deadline:
            return obj, obj
        self.store.deadlines[uid] = deadline
        if deadline <= self.clock() and not meta.get("finalizers"):
            final = self.store.remove(resource, meta.get("namespace"),
                                      meta["name"])
            return None, final
        new = copy.deepcopy(obj)
        new_meta = new["metadata"]
        new_meta["deletionTimestamp"] = now_iso(
            time.time() + max(0.0, deadline - self.clock()))
        new_meta["deletionGracePeriodSeconds"] = int(math.ceil(
            max(0.0, deadline - self.clock())))
        kept = self.replace_object(resource, new)
        return kept, kept

    def _orphan_dependents(self, owner_uid):
        for dep_res, dep_ns, dep_name in self.store.dependents(owner_uid):
            dep = self.store.get(dep_res, dep_ns, dep_name)
            if dep is None:
                continue
            new = copy.deepcopy(dep)
            refs = [ref for ref in new["metadata"].get(
                "ownerReferences") or [] if ref.get("uid") != owner_uid]
            if refs:
                new["metadata"]["ownerReferences"] = refs
            else:
                new["metadata"].pop("ownerReferences", None)
            self.replace_object(dep_res, new)

    def _terminate_namespace(self, obj):
        new = copy.deepcopy(obj)
        new["metadata"]["deletionTimestamp"] = now_iso()
        new["metadata"]["deletionGracePeriodSeconds"] = 0
        new["status"] = {"phase": "Terminating"}
        self.replace_object(self.resource("", "namespaces"), new)
        self._empty_namespace(obj["metadata"]["name"])

    def _empty_namespace(self, namespace):
        for res in self.registry.all():
            if not res.namespaced:
                continue
            for obj in self.store.objects(res, namespace):
                self.store.remove(res, namespace, obj["metadata"]["name"])

    def finish_deletion(self, resource, obj):
        """Remove a terminating object whose time has come."""
        meta = obj["metadata"]
        return self.store.remove(resource, meta.get("namespace"),
                                 meta["name"])

    # -- list -------------------------------------------------------------

    def list(self, resource, namespace, *, label_selector=None,
             field_selector=None, limit=None, continue_token=None):
        """(entries, list resourceVersion, continue token, remaining)."""
        labels_ok = selectors.parse_label_selector(label_selector)
        fields_ok = selectors.parse_field_selector(field_selector)
        with self.store.lock:
            list_rv = self.store.resource_version
            after = None
            if continue_token:
                token_rv, after, token_ns = _decode_continue(
                    continue_token)
                if token_ns != (namespace or ""):
                    raise errors.BadRequest("continue token does not "
                                            "match this request")
                if token_rv < self.store.oldest_watchable():
                    raise errors.Expired(
                        "The provided continue parameter is too old to "
                        "display a consistent list result. You can start "
                        "a new list without the continue parameter.")
                list_rv = token_rv
            picked = []
            last_key = None
            more = False
            scanned = 0
            filtered = labels_ok is not None or fields_ok is not None
            keys = self.store.entries(resource, namespace, after=after)
            for key, entry in keys:
                obj = entry.obj
                if labels_ok is not None and not labels_ok(
                        obj["metadata"].get("labels")):
                    continue
                if fields_ok is not None and not fields_ok(obj):
                    continue
                if limit and len(picked) >= limit:
                    more = True
                    scanned += 1
                    if filtered:
                        break
                    continue
                picked.append(entry)
                last_key = key
            token = None
            remaining = None
            if more:
                token = _encode_continue(list_rv, last_key, namespace)
                if not filtered:
                    remaining = scanned
            return picked, list_rv, token, remaining

    def list_body(self, resource, entries, list_rv, token, remaining):
        meta = {"resourceVersion": str(list_rv)}
        if token:
            meta["continue"] = token
        if remaining is not None:
            meta["remainingItemCount"] = remaining
        head = json.dumps({"kind": resource.kind + "List",
                           "apiVersion": resource.api_version,
                           "metadata": meta}, separators=(",", ":"))
        # Splice the cached item encodings into the envelope.
        return b"".join([head[:-1].encode("utf-8"), b',"items":[',
                         b",".join(e.raw for e in entries), b"]}"])


def _encode_continue(list_rv, last_key, namespace):
    payload = json.dumps({"rv": list_rv, "start": list(last_key),
                          "ns": namespace or ""})
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii")


def _decode_continue(token):
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        return int(data["rv"]), tuple(data["start"]), data.get("ns", "")
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise errors.BadRequest("continue key is not valid")


def _bound_claim_status(spec):
    status = {"phase": "Bound"}
    if spec.get("accessModes"):
        status["accessModes"] = list(spec["accessModes"])
    storage = ((spec.get("resources") or {}).get("requests") or {}).get(
        "storage")
    if storage:
        status["capacity"] = {"storage": storage}
    return status


def _apiservice_status(spec):
    """Local services are Available at once; others as if reachable."""
    local = not spec.get("service")
    return {"conditions": [{
        "type": "Available", "status": "True",
        "lastTransitionTime": now_iso(),
        "reason": "Local" if local else "Passed",
        "message": "Local APIServices are always available" if local
        else "all checks passed"}]}


def _fresh(obj):
    return copy.deepcopy(obj)


def _spec_of(obj):
    return _without(obj, "metadata", "status", "kind", "apiVersion")


def _check_immutable(resource, old, new):
    if resource.key == "batch/jobs":
        for field in ("selector", "template"):
            if (old.get("spec") or {}).get(field) != \
                    (new.get("spec") or {}).get(field):
                raise errors.invalid(resource, old["metadata"]["name"], [(
                    "spec." + field, "Invalid value: field is immutable")])
        return
    if not is_workload(resource):
        return
    old_sel = (old.get("spec") or {}).get("selector")
    new_sel = (new.get("spec") or {}).get("selector")
    if old_sel != new_sel:
        raise errors.invalid(resource, old["metadata"]["name"], [(
            "spec.selector", "Invalid value: field is immutable")])


def _default_pod_spec(spec):
    if not isinstance(spec, dict):
        return
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")


def _pod_spec_causes(spec, path):
    if not isinstance(spec, dict):
        return [(path, "Required value")]
    containers = spec.get("containers")
    if not isinstance(containers, list) or not containers:
        return [(path + ".containers", "Required value")]
    causes = []
    for index, container in enumerate(containers):
        where = "%s.containers[%d]" % (path, index)
        if not isinstance(container, dict):
            causes.append((where, "Invalid value: must be an object"))
            continue
        if not container.get("name"):
            causes.append((where + ".name", "Required value"))
        if not container.get("image"):
            causes.append((where + ".image", "Required value"))
    return causes


def _job_causes(spec):
    if not isinstance(spec, dict):
        return [("spec", "Required value")]
    causes = job_strategy.causes(spec)
    template = spec.get("template")
    if isinstance(template, dict):
        causes.extend(_pod_spec_causes(template.get("spec"),
                                       "spec.template.spec"))
    return causes


def _workload_causes(resource, spec):
    if not isinstance(spec, dict):
        return [("spec", "Required value")]
    causes = []
    replicas = spec.get("replicas", 0)
    if resource.plural != "daemonsets" and (
            not isinstance(replicas, int) or isinstance(replicas, bool)
            or replicas < 0):
        causes.append(("spec.replicas", "Invalid value: %r: must be "
                       "greater than or equal to 0" % (replicas,)))
    selector = spec.get("selector")
    template = spec.get("template")
    if not isinstance(selector, dict) or not (
            selector.get("matchLabels") or selector.get("matchExpressions")):
        causes.append(("spec.selector", "Required value"))
    if not isinstance(template, dict):
        causes.append(("spec.template", "Required value"))
        return causes
    labels = (template.get("metadata") or {}).get("labels") or {}
    if isinstance(selector, dict) and not selectors.selector_matches(
            selector, labels):
        causes.append(("spec.template.metadata.labels", "Invalid value: "
                       "%r: `selector` does not match template `labels`"
                       % (labels,)))
    causes.extend(_pod_spec_causes(template.get("spec"),
                                   "spec.template.spec"))
    return causes
