"""Kubernetes-style failures and their Status bodies.

Every refusal of the simulated API is an ``ApiError``; the HTTP layer
turns it into a ``Status`` object in one place.
"""


class ApiError(Exception):
    """A refusal with the HTTP code and reason Kubernetes would give."""

    code = 500
    reason = "InternalError"

    def __init__(self, message, *, details=None, code=None, reason=None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code is not None:
            self.code = code
        if reason is not None:
            self.reason = reason

    def status(self):
        body = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(ApiError):
    code = 400
    reason = "BadRequest"


class Unauthorized(ApiError):
    code = 401
    reason = "Unauthorized"

    def __init__(self, message="Unauthorized", **kwargs):
        super().__init__(message, **kwargs)


class NotFound(ApiError):
    code = 404
    reason = "NotFound"


class MethodNotAllowed(ApiError):
    code = 405
    reason = "MethodNotAllowed"


class AlreadyExists(ApiError):
    code = 409
    reason = "AlreadyExists"


class Conflict(ApiError):
    code = 409
    reason = "Conflict"


class Expired(ApiError):
    code = 410
    reason = "Expired"


class UnsupportedMediaType(ApiError):
    code = 415
    reason = "UnsupportedMediaType"


class Invalid(ApiError):
    code = 422
    reason = "Invalid"


class ServiceUnavailable(ApiError):
    code = 503
    reason = "ServiceUnavailable"


def details(resource, name=None, uid=None):
    """The ``details`` block: Kubernetes puts the plural in ``kind``."""
    out = {"kind": resource.plural}
    if resource.group:
        out["group"] = resource.group
    if name is not None:
        out["name"] = name
    if uid is not None:
        out["uid"] = uid
    return out


def not_found(resource, name):
    return NotFound('%s "%s" not found' % (resource.qualified, name),
                    details=details(resource, name))


def already_exists(resource, name):
    return AlreadyExists(
        '%s "%s" already exists' % (resource.qualified, name),
        details=details(resource, name))


def conflict(resource, name):
    return Conflict(
        'Operation cannot be fulfilled on %s "%s": the object has been '
        'modified; please apply your changes to the latest version and '
        'try again' % (resource.qualified, name),
        details=details(resource, name))


def invalid(resource, name, causes):
    """422 with field causes: ``causes`` is a list of (field, message)."""
    text = "; ".join("%s: %s" % (field, msg) for field, msg in causes)
    body = details(resource, name)
    body["causes"] = [{"reason": "FieldValueInvalid", "field": field,
                       "message": msg} for field, msg in causes]
    kind = resource.kind
    return Invalid('%s "%s" is invalid: %s' % (kind, name or "", text),
                   details=body)


def too_old(resource_version, oldest):
    return Expired("too old resource version: %s (%s)"
                   % (resource_version, oldest))
