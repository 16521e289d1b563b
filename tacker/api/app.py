"""The tacker-server WSGI application, built here and nowhere else.

``make_app`` stacks four pieces, outermost first:

1. ``LastResort``: whatever the middleware below raises becomes a 500
   ProblemDetails answer;
2. ``PublicPaths``: the router's public paths (``GET /openapi.json``)
   go straight to the application, everything else through
3. the authentication of ``[DEFAULT] auth_strategy``: ``noauth`` or
   keystonemiddleware's ``auth_token``;
4. ``Application``: routes a request to its handler (``router``) and
   turns the handler's errors into answers (``wsgi.problem_response``).

What a handler does is the controllers'; how JSON goes in and out and
how an error maps to a status are ``wsgi``'s.
"""

# At module level although noauth never uses it: importing it costs some
# 70 ms and registers its [keystone_authtoken] and [cache] options on the
# global CONF, which the default strategy (keystone) does anyway.
from keystonemiddleware import auth_token
from oslo_log import log as logging
import webob.dec

from tacker.api import context as context_mod
from tacker.api import noauth
from tacker.api import router as router_mod
from tacker.api import wsgi
from tacker.common import exceptions
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)


class Application:
    """Routes a request to its handler and turns errors into answers."""

    def __init__(self, router):
        self.router = router

    @webob.dec.wsgify
    def __call__(self, req):
        path = wsgi.raw_path(req)
        version = self.router.version_header(path)
        try:
            route = self.router.resolve(req)
            if not route.public:
                req.environ['tacker.context'] = context_mod.from_request(
                    req)
            response = route.handler(req, **route.kwargs)
        except exceptions.TackerError as exc:
            if exc.code >= 500:
                LOG.error('%(method)s %(path)s failed: %(msg)s',
                          {'method': req.method, 'path': path,
                           'msg': exc.message})
            response = wsgi.problem_response(exc)
        except Exception as exc:  # noqa: the last resort, by design
            LOG.exception('Unexpected error serving %(method)s %(path)s',
                          {'method': req.method, 'path': path})
            response = wsgi.problem_response(exc)
        if version:
            response.headers['Version'] = version
        LOG.info('%(addr)s "%(method)s %(path)s" status: %(status)s',
                 {'addr': req.remote_addr, 'method': req.method,
                  'path': path, 'status': response.status_int})
        return response


class PublicPaths:
    """Sends the public paths (``/openapi.json``) past authentication.

    Only an exact path is public: anything else, including a path that
    merely starts with a public one, goes through ``protected``.
    """

    def __init__(self, public_app, protected, paths):
        self.public_app = public_app
        self.protected = protected
        self.paths = frozenset(paths)

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO') in self.paths:
            return self.public_app(environ, start_response)
        return self.protected(environ, start_response)


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
    router = router_mod.build(conductor=conductor,
                              package_store=package_store)
    app = Application(router)
    strategy = auth_strategy or conf.auth_strategy
    if strategy == 'noauth':
        protected = noauth.NoAuthMiddleware(
            app, default_project=default_project)
    elif strategy == 'keystone':
        protected = auth_token.AuthProtocol(
            app, {'oslo_config_config': conf})
    else:
        raise exceptions.ConfigError(
            reason='[DEFAULT] auth_strategy = %s is not supported'
            % strategy)
    return LastResort(PublicPaths(app, protected, router.public_paths()))
