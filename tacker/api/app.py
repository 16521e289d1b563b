"""The tacker-server WSGI application, built here and nowhere else.

``make_app`` stacks three pieces, outermost first:

1. ``LastResort``: whatever the middleware below raises becomes a 500
   ProblemDetails answer;
2. the authentication of ``[DEFAULT] auth_strategy``: ``noauth`` or
   keystonemiddleware's ``auth_token``, whose decision is left to
3. ``Application``: routes a request to its handler (``router``),
   answers 401 unless the route is public (``GET /openapi.json``) or the
   token valid, checks the route's policy rule, and turns the handler's
   errors into answers (``wsgi.problem_response``).

What a handler does is the controllers'; how JSON goes in and out and
how an error maps to a status are ``wsgi``'s.
"""

# At module level although noauth never uses it: importing it costs some
# 70 ms and registers its [keystone_authtoken] and [cache] options on the
# global CONF, which the default strategy (keystone) does anyway.
import dataclasses

from keystonemiddleware import auth_token
from oslo_db import exception as db_exc
from oslo_log import log as logging
from sqlalchemy import exc as sa_exc
import webob.dec

from tacker.api import context as context_mod
from tacker.api import noauth
from tacker.api import policy
from tacker.api import router as router_mod
from tacker.api import wsgi
from tacker.common import exceptions
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

#: Seconds a client is told to wait when TackerDB cannot be reached.
DB_RETRY_AFTER = 5


class Application:
    """Routes a request to its handler and turns errors into answers.

    ``require_identity``: keystonemiddleware runs in front with its
    decision delayed, so a route that is not public answers 401 here, as
    ProblemDetails (keystonemiddleware adds its ``WWW-Authenticate``),
    unless it confirmed the token; public routes need none.
    """

    def __init__(self, router, *, require_identity=False):
        self.router = router
        self.require_identity = require_identity

    @webob.dec.wsgify
    def __call__(self, req):
        path = wsgi.raw_path(req)
        version = self.router.version_header(path)
        try:
            route = self.router.resolve(req)
            if (self.require_identity
                    and route.rule is not router_mod.PUBLIC
                    and req.headers.get('X-Identity-Status')
                    != 'Confirmed'):
                raise wsgi.Unauthorized()
            if route.rule is not router_mod.PUBLIC:
                ctx = context_mod.from_request(req)
                ctx = dataclasses.replace(ctx,
                                          is_admin=policy.is_admin(ctx))
                req.environ['tacker.context'] = ctx
                policy.authorize(ctx, route.rule)
            response = route.handler(req, **route.kwargs)
        except exceptions.TackerError as exc:
            if exc.code >= 500:
                LOG.error('%(method)s %(path)s failed: %(msg)s',
                          {'method': req.method, 'path': path,
                           'msg': exc.message})
            response = wsgi.problem_response(exc)
        except Exception as exc:  # noqa: the last resort, by design
            if _database_unreachable(exc):
                # The database is down or restarting: nothing of ours is
                # broken and the client may simply come back (a 503, not
                # a 500 with a traceback in the log).
                LOG.error('%(method)s %(path)s: TackerDB is unreachable: '
                          '%(err)s', {'method': req.method, 'path': path,
                                      'err': _first_line(exc)})
                response = wsgi.problem_response(wsgi.ServiceUnavailable(
                    reason='TackerDB cannot be reached right now; retry '
                           'later.'))
                response.headers['Retry-After'] = str(DB_RETRY_AFTER)
            else:
                LOG.exception('Unexpected error serving %(method)s '
                              '%(path)s', {'method': req.method,
                                           'path': path})
                response = wsgi.problem_response(exc)
        if version:
            response.headers['Version'] = version
        LOG.info('%(addr)s "%(method)s %(path)s" status: %(status)s',
                 {'addr': req.remote_addr, 'method': req.method,
                  'path': path, 'status': response.status_int})
        return response


def _database_unreachable(exc):
    """True for an error that says the database server is not there.

    oslo.db names most of them ``DBConnectionError``; a refused
    connection to PostgreSQL, whose text newer libpq versions word in a
    way oslo.db does not match, stays SQLAlchemy's ``OperationalError``
    (the DB-API's class for a failure of the server, not of the query).
    """
    if isinstance(exc, db_exc.DBConnectionError):
        return True
    if isinstance(exc, db_exc.DBError):
        exc = exc.inner_exception
    return isinstance(exc, sa_exc.OperationalError) and (
        exc.connection_invalidated or _refused(exc))


def _refused(exc):
    text = str(exc.orig if exc.orig is not None else exc).lower()
    return any(marker in text for marker in (
        'connection refused', 'could not connect', 'server closed the '
        'connection', 'terminating connection', 'the database system is '
        'starting up', 'the database system is shutting down',
        'connection to server'))


def _first_line(exc):
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class LastResort:
    """Outermost: whatever the middleware below raises becomes a 500.

    The application catches its own errors; this is for the
    authentication middleware (a keystonemiddleware without its
    ``[keystone_authtoken]`` options, an unreachable Keystone).
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        try:
            return self.app(environ, start_response)
        except Exception as exc:  # noqa: the last resort, by design
            LOG.exception('Unexpected error in the middleware serving '
                          '%(method)s %(path)s',
                          {'method': environ.get('REQUEST_METHOD'),
                           'path': environ.get('PATH_INFO')})
            return wsgi.problem_response(exc)(environ, start_response)


def make_app(conf=None, *, conductor=None, package_store=None,
             auth_strategy=None, default_project='admin'):
    """The tacker-server WSGI application.

    :param conf: the oslo.config object (default: the global CONF)
    :param conductor: the RPC client whose ``start_lcm(api_version,
        op_occ_id)`` casts an LCM operation to tacker-conductor; default:
        ``tacker.conductor.rpc_api.ConductorAPI()``, created on first use
    :param package_store: a ``tacker.vnfpkgm.store.PackageStore``
        (default: one on ``[vnf_package] vnf_package_csar_path``)
    :param auth_strategy: 'noauth' or 'keystone' (default: ``[DEFAULT]
        auth_strategy``)
    :param default_project: the project of a noauth request without an
        ``X-Project-Id`` header
    """
    conf = conf or CONF
    routes = router_mod.build(conductor=conductor,
                              package_store=package_store)
    strategy = auth_strategy or conf.auth_strategy
    if strategy == 'noauth':
        return LastResort(noauth.NoAuthMiddleware(
            Application(routes), default_project=default_project))
    if strategy == 'keystone':
        # The decision is the application's (public routes, ProblemDetails
        # 401); keystonemiddleware still strips what a client sends in
        # its identity headers and sets them only from a valid token.
        return LastResort(auth_token.AuthProtocol(
            Application(routes, require_identity=True),
            {'oslo_config_config': conf, 'delay_auth_decision': True}))
    raise exceptions.ConfigError(
        reason='[DEFAULT] auth_strategy = %s is not supported' % strategy)
