"""Resource requests: from (method, route, query, body) to a response.

This module maps REST shapes onto ``objects.Objects`` verbs and builds
the bodies Kubernetes returns; it knows nothing about sockets (see
``server.py``) and nothing about controllers.
"""

import json

from tacker_k8s_sim import discovery
from tacker_k8s_sim import errors
from tacker_k8s_sim import patching
from tacker_k8s_sim import routing
from tacker_k8s_sim import selectors
from tacker_k8s_sim import store as store_mod
from tacker_k8s_sim import tables
from tacker_k8s_sim import watch

JSON = "application/json"


class Response(object):
    """A complete body, or a ``stream`` of blocks sent chunked."""

    def __init__(self, code=200, body=b"", content_type=JSON, stream=None):
        self.code = code
        self.body = body
        self.content_type = content_type
        self.stream = stream


def json_response(obj, code=200):
    return Response(code, store_mod.encode(obj))


def error_response(exc):
    return Response(exc.code, store_mod.encode(exc.status()))


def _truthy(value):
    return str(value or "").lower() in ("1", "true")


def parse_body(raw, content_type):
    if not raw:
        return None
    media = (content_type or "").split(";")[0].strip().lower()
    try:
        return json.loads(raw)
    except ValueError:
        if "yaml" in media:
            try:
                import yaml
                return yaml.safe_load(raw)
            except Exception:  # noqa: any YAML failure is a bad request
                pass
        raise errors.BadRequest("the request body is not valid JSON")


def _delete_options(query, body):
    """(grace seconds or None, propagation policy, DeleteOptions body)."""
    options = body if isinstance(body, dict) else {}
    grace = query.get("gracePeriodSeconds",
                      options.get("gracePeriodSeconds"))
    try:
        grace = None if grace in (None, "") else float(grace)
    except ValueError:
        raise errors.BadRequest("gracePeriodSeconds must be a number")
    policy = query.get("propagationPolicy",
                       options.get("propagationPolicy"))
    if policy is None and (_truthy(query.get("orphanDependents"))
                           or options.get("orphanDependents")):
        policy = "Orphan"
    return grace, policy, options


class _Printing(object):
    """A request's wish for Tables: which version, which row objects."""

    def __init__(self, version, include):
        self.version = version
        self.include = include

    @classmethod
    def of(cls, accept, query):
        """None when the client wants objects, not a Table."""
        version = tables.table_version(accept)
        if version is None:
            return None
        return cls(version, tables.include_object(query))

    def table(self, resource, objs, list_meta, *, headers=True):
        return tables.table(resource, objs, include=self.include,
                            version=self.version, list_meta=list_meta,
                            headers=headers)

    def watch_encoder(self, resource):
        """Each event's object as a one-row Table; columns only first."""
        first = True

        def encode(entry):
            nonlocal first
            meta = {"resourceVersion": entry.obj["metadata"].get(
                "resourceVersion", "")}
            body = self.table(resource, [entry.obj], meta, headers=first)
            first = False
            return store_mod.encode(body)
        return encode


class ApiHandler(object):
    """Answers discovery and resource requests for one simulator."""

    def __init__(self, sim):
        self.sim = sim
        self.objects = sim.objects
        self.registry = sim.registry
        self.store = sim.store

    def handle(self, method, path, query, raw_body, content_type, *,
               client_gone=None, accept=None):
        try:
            return self._dispatch(method, path, query, raw_body,
                                  content_type, client_gone, accept)
        except errors.ApiError as exc:
            return error_response(exc)

    def _dispatch(self, method, path, query, raw_body, content_type,
                  client_gone, accept):
        stripped = path.rstrip("/") or "/"
        if method == "GET":
            static = self._static(stripped, accept)
            if static is not None:
                return static
        route = routing.parse(stripped)
        if route is None:
            raise errors.NotFound("the server could not find the "
                                  "requested resource")
        body = parse_body(raw_body, content_type)
        resource = self._resource(route, method, body)
        namespace = route.namespace if resource.namespaced else None
        if method == "GET":
            printing = _Printing.of(accept, query)
            if route.name is None:
                if route.legacy_watch or _truthy(query.get("watch")):
                    return self._watch(resource, namespace, query,
                                       client_gone, printing)
                return self._list(resource, namespace, query, printing)
            return self._get(resource, namespace, route, printing)
        dry_run = query.get("dryRun") == "All"
        if method == "POST" and route.name is None:
            if resource.namespaced and namespace is None:
                raise errors.MethodNotAllowed(
                    "create needs a namespace in the path")
            obj = self.objects.create(resource, namespace, body,
                                      dry_run=dry_run,
                                      names=self.sim.names)
            return json_response(obj, 201)
        if method == "DELETE" and route.name is None and \
                route.subresource is None and \
                resource.key != "core/namespaces":
            return self._delete_collection(resource, namespace, query,
                                           body, dry_run)
        if route.name is None:
            raise errors.MethodNotAllowed(
                "%s is not supported on a collection" % method)
        if method == "PUT":
            return self._put(resource, namespace, route, body, dry_run)
        if method == "PATCH":
            return self._patch(resource, namespace, route, body,
                               content_type, dry_run)
        if method == "DELETE":
            return self._delete(resource, namespace, route, query, body,
                                dry_run)
        raise errors.MethodNotAllowed("method %s is not allowed" % method)

    # -- non-resource paths -----------------------------------------------

    def _static(self, path, accept):
        if path in ("/healthz", "/readyz", "/livez"):
            return Response(200, b"ok", "text/plain")
        if path == "/version":
            return json_response(discovery.version())
        if path in ("/api", "/apis"):
            aggregated = discovery.aggregated_version(accept)
            if aggregated is not None:
                return Response(200, store_mod.encode(discovery.aggregated(
                    self.registry, legacy=(path == "/api"),
                    version=aggregated)),
                    discovery.aggregated_content_type(aggregated))
        if path == "/api":
            return json_response(discovery.api_versions(
                self.sim.url.split("//", 1)[-1]))
        if path == "/apis":
            return json_response(discovery.api_groups(self.registry))
        parts = [p for p in path.split("/") if p]
        if len(parts) == 2 and parts[0] == "api":
            found = discovery.resource_list(self.registry, "", parts[1])
        elif len(parts) == 3 and parts[0] == "apis":
            found = discovery.resource_list(self.registry, parts[1],
                                            parts[2])
        else:
            return None
        if found is None:
            raise errors.NotFound("the server could not find the "
                                  "requested resource")
        return json_response(found)

    def _resource(self, route, method, body):
        known = self.registry.known(route.group, route.version, route.plural)
        if known is not None and not known.builtin and \
                route.namespaced_path:
            # A generic resource first seen on a collection path.
            known.namespaced = True
        if known is not None:
            if route.namespaced_path and not known.namespaced:
                raise errors.NotFound("the server could not find the "
                                      "requested resource")
            if (not route.namespaced_path and known.namespaced
                    and route.name is not None):
                raise errors.NotFound("the server could not find the "
                                      "requested resource")
            return known
        kind = body.get("kind") if (method == "POST" and isinstance(
            body, dict)) else None
        # Most custom resources are namespaced: a list across namespaces
        # does not make an unknown resource cluster-scoped.
        namespaced = route.namespaced_path or (
            route.name is None and method == "GET")
        return self.registry.lookup(route.group, route.version, route.plural,
                                    namespaced=namespaced, kind=kind)

    # -- reads ------------------------------------------------------------

    def _get(self, resource, namespace, route, printing):
        with self.store.lock:
            entry = self.store.entry(resource, namespace, route.name)
        if entry is None:
            raise errors.not_found(resource, route.name)
        sub = route.subresource
        if sub is None and printing is not None:
            return json_response(printing.table(
                resource, [entry.obj], {"resourceVersion": entry.obj[
                    "metadata"].get("resourceVersion", "")}))
        if sub is None or sub == "status":
            return Response(200, entry.raw)
        if sub == "scale" and resource.has_scale:
            return json_response(self.objects.scale_of(resource, entry.obj))
        if sub == "log" and resource.key == "core/pods":
            return Response(200, b"simulated container log\n", "text/plain")
        raise errors.NotFound("the server could not find the requested "
                              "resource")

    def _list(self, resource, namespace, query, printing):
        rv = query.get("resourceVersion")
        if rv and rv != "0" and query.get("resourceVersionMatch") == \
                "Exact":
            with self.store.lock:
                current = self.store.resource_version
            # Only the newest snapshot exists here.
            if int(rv) != current:
                raise errors.too_old(rv, current)
        limit = query.get("limit")
        try:
            limit = int(limit) if limit else None
        except ValueError:
            raise errors.BadRequest("limit must be an integer")
        entries, list_rv, token, remaining = self.objects.list(
            resource, namespace, label_selector=query.get("labelSelector"),
            field_selector=query.get("fieldSelector"), limit=limit,
            continue_token=query.get("continue"))
        if printing is not None:
            meta = {"resourceVersion": str(list_rv)}
            if token:
                meta["continue"] = token
            if remaining is not None:
                meta["remainingItemCount"] = remaining
            return json_response(printing.table(
                resource, [e.obj for e in entries], meta))
        return Response(200, self.objects.list_body(
            resource, entries, list_rv, token, remaining))

    def _watch(self, resource, namespace, query, client_gone, printing):
        timeout = query.get("timeoutSeconds")
        try:
            timeout = float(timeout) if timeout else \
                self.sim.watch_timeout
        except ValueError:
            raise errors.BadRequest("timeoutSeconds must be a number")
        stream = watch.WatchStream(
            self.store, resource, namespace,
            resource_version=query.get("resourceVersion"),
            labels_ok=selectors.parse_label_selector(
                query.get("labelSelector")),
            fields_ok=selectors.parse_field_selector(
                query.get("fieldSelector")),
            timeout=timeout,
            bookmarks=_truthy(query.get("allowWatchBookmarks")),
            bookmark_interval=self.sim.bookmark_interval,
            initial_events_end=_truthy(query.get("sendInitialEvents")),
            client_gone=client_gone,
            encode=None if printing is None else printing.watch_encoder(
                resource))
        return Response(200, content_type=JSON, stream=stream.blocks())

    # -- writes -----------------------------------------------------------

    def _put(self, resource, namespace, route, body, dry_run):
        sub = route.subresource
        if sub == "scale":
            if not resource.has_scale:
                raise errors.NotFound("the server could not find the "
                                      "requested resource")
            return json_response(self.objects.set_scale(
                resource, namespace, route.name, body, dry_run=dry_run))
        if sub not in (None, "status"):
            raise errors.NotFound("the server could not find the "
                                  "requested resource")
        obj = self.objects.update(resource, namespace, route.name, body,
                                  subresource=sub, dry_run=dry_run)
        return json_response(obj)

    def _patch(self, resource, namespace, route, body, content_type,
               dry_run):
        sub = route.subresource
        if sub == "scale":
            if not resource.has_scale:
                raise errors.NotFound("the server could not find the "
                                      "requested resource")
            return json_response(self.objects.set_scale(
                resource, namespace, route.name, body,
                content_type=content_type or patching.MERGE_PATCH,
                dry_run=dry_run))
        if sub not in (None, "status"):
            raise errors.NotFound("the server could not find the "
                                  "requested resource")
        obj, created = self.objects.patch(
            resource, namespace, route.name, content_type, body,
            subresource=sub, dry_run=dry_run, names=self.sim.names)
        return json_response(obj, 201 if created else 200)

    def _delete_collection(self, resource, namespace, query, body,
                           dry_run):
        """deletecollection: each selected object, answered as a List."""
        if resource.namespaced and namespace is None:
            raise errors.MethodNotAllowed(
                "deletecollection needs a namespace in the path")
        grace, policy, _ = _delete_options(query, body)
        entries, list_rv, _token, _remaining = self.objects.list(
            resource, namespace, label_selector=query.get("labelSelector"),
            field_selector=query.get("fieldSelector"))
        deleted = []
        for entry in entries:
            try:
                kept, final = self.objects.delete(
                    resource, namespace, entry.obj["metadata"]["name"],
                    grace=grace, propagation=policy, dry_run=dry_run)
            except errors.NotFound:
                continue  # gone meanwhile: what was asked for is done
            deleted.append(store_mod.Entry(kept or final))
        return Response(200, self.objects.list_body(
            resource, deleted, list_rv, None, None))

    def _delete(self, resource, namespace, route, query, body, dry_run):
        grace, policy, options = _delete_options(query, body)
        kept, final = self.objects.delete(
            resource, namespace, route.name, grace=grace,
            propagation=policy, preconditions=options.get("preconditions"),
            dry_run=dry_run)
        if kept is not None:
            return json_response(kept)
        # A namespace is answered as it starts terminating (see objects).
        if resource.returns_deleted or resource.key == "core/namespaces":
            return json_response(final)
        meta = final["metadata"]
        return json_response({
            "kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Success",
            "details": errors.details(resource, meta["name"],
                                      meta.get("uid")),
        })
