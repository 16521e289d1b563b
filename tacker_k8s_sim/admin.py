"""The operator/chaos endpoint under ``/_sim/``.

Each path calls the Simulator method of the same purpose, so a test in
another process can do over HTTP what an in-process test does in
Python.  These paths skip token auth, faults and the request log.
"""

import json
import re

from tacker_k8s_sim import api
from tacker_k8s_sim import errors
from tacker_k8s_sim import store as store_mod


def _ok(obj, code=200):
    return api.Response(code, store_mod.encode(obj))


def _fail(code, message):
    exc = errors.ApiError(message, code=code,
                          reason={400: "BadRequest", 404: "NotFound",
                                  504: "Timeout"}.get(code, "Failure"))
    return api.error_response(exc)


def _body(raw):
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise errors.BadRequest("admin body must be JSON")
    if not isinstance(data, dict):
        raise errors.BadRequest("admin body must be a JSON object")
    return data


def _flag(data):
    return bool(data.get("enabled", True))


_FAULT_ARGS = ("status", "delay", "seconds", "count", "path", "verb",
               "item", "field", "value", "size")


def handle(sim, method, path, query, raw):
    try:
        return _route(sim, method, path.rstrip("/"), _body(raw))
    except errors.ApiError as exc:
        return api.error_response(exc)
    except (KeyError, TypeError, ValueError) as exc:
        return _fail(400, "bad admin request: %s" % exc)


def _route(sim, method, path, data):
    parts = path.split("/")[2:]
    if parts in (["health"], []):
        return _ok({"status": "ok", "resourceVersion":
                    str(sim.resource_version)})
    if parts == ["state"] and method == "GET":
        return _ok(sim.state())
    match = re.match(r"^pods/([^/]+)/([^/]+)/kill$", "/".join(parts))
    if match and method == "POST":
        pod = sim.kill_pod(match.group(1), match.group(2),
                           grace=data.get("gracePeriodSeconds"))
        return _ok(pod)
    match = re.match(r"^scale/([^/]+)/([^/]+)/([^/]+)$", "/".join(parts))
    if match and method in ("POST", "PUT"):
        obj = sim.scale(match.group(2), match.group(1), match.group(3),
                        int(data["replicas"]))
        return _ok(obj)
    if parts == ["hold"] and method in ("POST", "PUT"):
        sim.hold_pending(_flag(data))
        return _ok({"holdPending": sim.controllers.hold_pending})
    if parts == ["fail-pods"] and method in ("POST", "PUT"):
        sim.fail_new_pods(_flag(data))
        return _ok({"failNewPods": sim.controllers.fail_new_pods})
    if parts == ["faults"]:
        if method == "GET":
            return _ok({"faults": [f.describe() for f in
                                   sim.faults.active()]})
        if method == "DELETE":
            sim.reset_faults()
            return _ok({"faults": []})
        if method == "POST":
            kwargs = {k: data[k] for k in _FAULT_ARGS if k in data}
            fault = sim.add_fault(data["kind"], **kwargs)
            return _ok(fault.describe(), 201)
    if len(parts) == 2 and parts[0] == "faults" and method == "DELETE":
        sim.faults.remove(int(parts[1]))
        return _ok({"removed": int(parts[1])})
    if parts == ["requests"]:
        if method == "GET":
            return _ok({"count": sim.request_count,
                        "requests": [list(r) for r in sim.requests]})
        if method == "DELETE":
            sim.reset_request_log()
            return _ok({"count": 0, "requests": []})
    if parts == ["settle"] and method == "POST":
        try:
            sim.wait_settled(timeout=float(data.get("timeout", 5.0)))
        except TimeoutError as exc:
            return _fail(504, str(exc))
        return _ok({"settled": True})
    if parts == ["step"] and method == "POST":
        return _ok({"writes": sim.step()})
    if parts == ["compact"] and method == "POST":
        sim.compact()
        return _ok({"resourceVersion": str(sim.resource_version)})
    if parts == ["nodes"] and method in ("POST", "PUT"):
        return _ok({"nodes": sim.set_nodes(int(data["count"]))})
    if parts == ["token"] and method in ("POST", "PUT"):
        sim.token = data.get("token")
        return _ok({"tokenRequired": sim.token is not None})
    return _fail(404, "no admin endpoint %s %s" % (method, path))
