"""Which handler serves which path and method.

Each path template is registered once with a handler per method.  A path
that matches a template but not its method answers 405 (with ``Allow``);
a path that matches nothing answers 404.  The legacy VIM API is also
reachable with python-tackerclient's ``.json`` suffix
(``/v1.0/vims.json``, ``/v1.0/vims/<id>.json``).  A route added with
``public=True`` (``/openapi.json``) is served without authentication
and without a request context; ``public_paths`` lists them for the
application, which lets them past the authentication middleware.
"""

import collections

import routes

from tacker.api import openapi
from tacker.api import vims
from tacker.api import vnf_packages
from tacker.api import vnflcm_common
from tacker.api import vnflcm_v1
from tacker.api import vnflcm_v2
from tacker.api import wsgi

Route = collections.namedtuple('Route', 'handler kwargs public')

_SUFFIX = r'{fmt:(\.json)?}'
# Paths whose answers carry a ``Version`` header, by prefix.
_VERSION_HEADERS = (('/vnflcm/v2/', '2.0.0'),)


class Router:

    def __init__(self):
        self._by_method = routes.Mapper()
        self._by_path = routes.Mapper()
        self._handlers = {}
        self._templates = {}
        self._public = set()

    def add(self, template, *, public=False, **methods):
        """Serve ``template`` with ``{METHOD: handler}``."""
        key = str(len(self._handlers))
        self._handlers[key] = {m.upper(): h for m, h in methods.items()}
        self._templates[key] = template
        if public:
            self._public.add(key)
        for method in self._handlers[key]:
            self._by_method.connect(template, _key=key,
                                    conditions={'method': [method]})
        self._by_path.connect(template, _key=key)

    def resolve(self, req):
        path = wsgi.raw_path(req)
        method = req.method.upper()
        match = self._by_method.match(
            path, environ={'PATH_INFO': path, 'REQUEST_METHOD': method})
        if match is None:
            match = self._by_path.match(path)
            if match is None:
                raise wsgi.PathNotFound(path=path)
            raise wsgi.MethodNotAllowed(
                method=method, path=path,
                allowed=sorted(self._handlers[match['_key']]))
        handler = self._handlers[match['_key']][method]
        kwargs = {k: v for k, v in match.items()
                  if k not in ('_key', 'fmt')}
        return Route(handler, kwargs, match['_key'] in self._public)

    def public_paths(self):
        """The literal paths of the public routes."""
        return frozenset(self._templates[key] for key in self._public)

    def paths(self):
        """``{path: sorted methods}`` as an OpenAPI document names them.

        A template with the optional ``.json`` suffix is two paths.
        """
        found = {}
        for key, template in self._templates.items():
            if template.endswith(_SUFFIX):
                bare = template[:-len(_SUFFIX)]
                variants = (bare, bare + '.json')
            else:
                variants = (template,)
            for path in variants:
                found[path] = sorted(self._handlers[key])
        return found

    @staticmethod
    def version_header(path):
        for prefix, version in _VERSION_HEADERS:
            if path.startswith(prefix):
                return version
        return None


def build(*, conductor=None, package_store=None):
    """The router of every endpoint tacker-server serves."""
    router = Router()
    router.add(openapi.PATH, public=True, GET=openapi.serve)
    gateway = vnflcm_common.LcmGateway(conductor=conductor)

    vim = vims.VimController()
    router.add('/v1.0/vims' + _SUFFIX, GET=vim.index, POST=vim.create)
    router.add('/v1.0/vims/{id}' + _SUFFIX, GET=vim.show,
               DELETE=vim.delete)

    pkg = vnf_packages.VnfPackageController(store=package_store)
    base = '/vnfpkgm/v1/vnf_packages'
    router.add(base, GET=pkg.index, POST=pkg.create)
    router.add(base + '/{id}', GET=pkg.show, PATCH=pkg.update,
               DELETE=pkg.delete)
    router.add(base + '/{id}/package_content', PUT=pkg.upload)

    versions = vnflcm_common.VersionsController()
    router.add('/vnflcm/api_versions', GET=versions.all_versions)
    for module in (vnflcm_v1, vnflcm_v2):
        lcm = module.InstanceController(gateway=gateway)
        occs = module.OpOccController()
        prefix = '/vnflcm/%s' % module.API_VERSION
        router.add(prefix + '/api_versions', GET=getattr(
            versions, module.API_VERSION))
        router.add(prefix + '/vnf_instances', GET=lcm.index,
                   POST=lcm.create)
        router.add(prefix + '/vnf_instances/{id}', GET=lcm.show,
                   DELETE=lcm.delete)
        for action in ('instantiate', 'scale', 'heal', 'terminate'):
            router.add(prefix + '/vnf_instances/{id}/' + action,
                       POST=getattr(lcm, action))
        router.add(prefix + '/vnf_lcm_op_occs', GET=occs.index)
        router.add(prefix + '/vnf_lcm_op_occs/{id}', GET=occs.show)
        router.add(prefix + '/vnf_lcm_op_occs/{id}/fail', POST=occs.fail)
    return router
