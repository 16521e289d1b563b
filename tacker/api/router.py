"""Which handler serves which path and method.

Each path template is registered once with a handler per method.  A path
that matches a template but not its method answers 405 (with ``Allow``);
a path that matches nothing answers 404.  The legacy VIM API is also
reachable with python-tackerclient's ``.json`` suffix
(``/v1.0/vims.json``, ``/v1.0/vims/<id>.json``).
"""

import collections

import routes

from tacker.api import vims
from tacker.api import vnf_packages
from tacker.api import vnflcm_common
from tacker.api import vnflcm_v1
from tacker.api import vnflcm_v2
from tacker.api import wsgi

Route = collections.namedtuple('Route', 'handler kwargs')

_SUFFIX = r'{fmt:(\.json)?}'
# Paths whose answers carry a ``Version`` header, by prefix.
_VERSION_HEADERS = (('/vnflcm/v2/', '2.0.0'),)


class Router:

    def __init__(self):
        self._by_method = routes.Mapper()
        self._by_path = routes.Mapper()
        self._handlers = {}

    def add(self, template, **methods):
        """Serve ``template`` with ``{METHOD: handler}``."""
        key = str(len(self._handlers))
        self._handlers[key] = {m.upper(): h for m, h in methods.items()}
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
        return Route(handler, kwargs)

    @staticmethod
    def version_header(path):
        for prefix, version in _VERSION_HEADERS:
            if path.startswith(prefix):
                return version
        return None


def build(*, conductor=None, package_store=None):
    """The router of every endpoint tacker-server serves."""
    router = Router()
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
