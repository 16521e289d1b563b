"""Typed errors shared by every layer.

Each error carries the HTTP status it maps to (``code``); the API turns
``code`` and the message into a ProblemDetails body in one place, so the
layers below never think about HTTP.
"""


class TackerError(Exception):
    """Base class: ``msg_fmt`` is filled from keyword arguments."""

    code = 500
    title = "Internal Server Error"
    msg_fmt = "An unknown error occurred."

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                # A wrong format must never hide the original problem.
                message = "%s (%r)" % (self.msg_fmt, kwargs)
        self.message = message
        super().__init__(message)


class Invalid(TackerError):
    code = 400
    title = "Bad Request"
    msg_fmt = "Invalid input: %(reason)s"


class NotFound(TackerError):
    code = 404
    title = "Not Found"
    msg_fmt = "%(what)s %(id)s could not be found."


class Conflict(TackerError):
    code = 409
    title = "Conflict"
    msg_fmt = "Conflict: %(reason)s"


class StaleRecord(Conflict):
    """A compare-and-swap write found the row changed since it was read."""

    msg_fmt = ("%(table)s %(id)s was changed by someone else since it was "
               "read; nothing was written.")


class LockHeld(Conflict):
    """The instance's LCM lock is held by another holder."""

    msg_fmt = "Other LCM operation of vnfInstance %(id)s is in progress."


class PackageNotFound(NotFound):
    msg_fmt = "VNF package %(id)s could not be found."


class PackageStateConflict(Conflict):
    msg_fmt = ("VNF package %(id)s is in onboarding_state %(state)s; "
               "%(action)s is not allowed in this state.")


class PackageContentMissing(Conflict):
    """A record names a package whose files are not on this server."""

    msg_fmt = ("The content of VNF package %(id)s is not on this server "
               "(no directory %(path)s): onboard the package again, or "
               "check [vnf_package] vnf_package_csar_path.")


class CoordinationUnavailable(TackerError):
    """The lock backend cannot be reached: nothing was locked or done."""

    code = 503
    title = "Service Unavailable"
    msg_fmt = ("The coordination backend %(backend)s that holds the "
               "instance locks cannot be reached (%(reason)s); nothing was "
               "done, retry later.")


class ConfigError(TackerError):
    """A configuration value that makes start-up impossible."""

    msg_fmt = "Invalid configuration: %(reason)s"
