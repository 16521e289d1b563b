"""Which handler serves which path and method.

Each path template is registered once with a handler per method.  A path
that matches a template but not its method answers 405 (with ``Allow``);
a path that matches nothing answers 404.  The legacy VIM API is also
reachable with python-tackerclient's ``.json`` suffix
(``/v1.0/vims.json``, ``/v1.0/vims/<id>.json``).  Every method of a
template names the policy rule that decides it (``tacker.policies``);
``PUBLIC`` instead (``/openapi.json``) serves it without a token and
without a request context.
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
from tacker.policies import vnf_package as vnf_package_rules
from tacker.policies import vnflcm_v1 as vnflcm_v1_rules
from tacker.policies import vnflcm_v2 as vnflcm_v2_rules

Route = collections.namedtuple('Route', 'handler kwargs rule')
# The rule of a route anyone may call, with or without a token.
PUBLIC = None

_SUFFIX = r'{fmt:(\.json)?}'
# Paths whose answers carry a ``Version`` header, by prefix.
_VERSION_HEADERS = (('/vnflcm/v2/', '2.0.0'),)


class Router:

    def __init__(self):
        self._by_method = routes.Mapper()
        self._by_path = routes.Mapper()
        self._handlers = {}
        self._templates = {}

    def add(self, template, **methods):
        """Serve ``template`` with ``{METHOD: (handler, policy rule)}``.

        The rule is a name of ``tacker.policies``, or ``PUBLIC``.
        """
        key = str(len(self._handlers))
        self._handlers[key] = {m.upper(): h for m, h in methods.items()}
        self._templates[key] = template
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
        handler, rule = self._handlers[match['_key']][method]
        kwargs = {k: v for k, v in match.items()
                  if k not in ('_key', 'fmt')}
        return Route(handler, kwargs, rule)

    def rules(self):
        """Every (template, method, rule) served: for tests and docs."""
        return [(route.routepath, method, self._handlers[
                 route.defaults['_key']][method][1])
                for route in self._by_method.matchlist
                for method in route.conditions['method']]

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


# Tacker's rule names of the op occ routes differ between versions.
_V1_RULES = {'prefix': vnflcm_v1_rules.PREFIX, 'occ_list': 'list_lcm_op_occs',
             'occ_show': 'show_lcm_op_occs', 'occ_fail': 'fail',
             'update': 'update_vnf', 'occ_retry': 'retry',
             'occ_rollback': 'rollback'}
_V2_RULES = {'prefix': vnflcm_v2_rules.PREFIX, 'occ_list': 'lcm_op_occ_list',
             'occ_show': 'lcm_op_occ_show', 'occ_fail': 'lcm_op_occ_fail',
             'update': 'update', 'occ_retry': 'lcm_op_occ_retry',
             'occ_rollback': 'lcm_op_occ_rollback'}


def build(*, conductor=None, package_store=None):
    """The router of every endpoint tacker-server serves."""
    router = Router()
    router.add(openapi.PATH, GET=(openapi.serve, PUBLIC))
    gateway = vnflcm_common.LcmGateway(conductor=conductor)

    vim = vims.VimController()
    router.add('/v1.0/vims' + _SUFFIX, GET=(vim.index, 'get_vim'),
               POST=(vim.create, 'create_vim'))
    router.add('/v1.0/vims/{id}' + _SUFFIX, GET=(vim.show, 'get_vim'),
               DELETE=(vim.delete, 'delete_vim'))

    pkg = vnf_packages.VnfPackageController(store=package_store)
    base = '/vnfpkgm/v1/vnf_packages'
    rule = vnf_package_rules.PREFIX
    router.add(base, GET=(pkg.index, rule % 'index'),
               POST=(pkg.create, rule % 'create'))
    router.add(base + '/{id}', GET=(pkg.show, rule % 'show'),
               PATCH=(pkg.update, rule % 'patch'),
               DELETE=(pkg.delete, rule % 'delete'))
    router.add(base + '/{id}/package_content',
               PUT=(pkg.upload, rule % 'upload_package_content'))

    versions = vnflcm_common.VersionsController()
    # Tacker asks for a token here too; no rule of its own names it.
    router.add('/vnflcm/api_versions', GET=(
        versions.all_versions, vnflcm_v1_rules.PREFIX % 'api_versions'))
    for module, names in ((vnflcm_v1, _V1_RULES), (vnflcm_v2, _V2_RULES)):
        lcm = module.InstanceController(gateway=gateway)
        occs = module.OpOccController(gateway=gateway)
        prefix = '/vnflcm/%s' % module.API_VERSION
        rule = names['prefix']
        router.add(prefix + '/api_versions', GET=(getattr(
            versions, module.API_VERSION), rule % 'api_versions'))
        router.add(prefix + '/vnf_instances',
                   GET=(lcm.index, rule % 'index'),
                   POST=(lcm.create, rule % 'create'))
        router.add(prefix + '/vnf_instances/{id}',
                   GET=(lcm.show, rule % 'show'),
                   PATCH=(lcm.update, rule % names['update']),
                   DELETE=(lcm.delete, rule % 'delete'))
        for action in ('instantiate', 'scale', 'heal', 'terminate'):
            router.add(prefix + '/vnf_instances/{id}/' + action,
                       POST=(getattr(lcm, action), rule % action))
        if hasattr(lcm, 'change_vnfpkg'):
            # v2 only, as in Tacker.
            router.add(prefix + '/vnf_instances/{id}/change_vnfpkg',
                       POST=(lcm.change_vnfpkg, rule % 'change_vnfpkg'))
        router.add(prefix + '/vnf_lcm_op_occs',
                   GET=(occs.index, rule % names['occ_list']))
        router.add(prefix + '/vnf_lcm_op_occs/{id}',
                   GET=(occs.show, rule % names['occ_show']))
        router.add(prefix + '/vnf_lcm_op_occs/{id}/fail',
                   POST=(occs.fail, rule % names['occ_fail']))
        for action in ('retry', 'rollback'):
            router.add(prefix + '/vnf_lcm_op_occs/{id}/' + action,
                       POST=(getattr(occs, action),
                             rule % names['occ_' + action]))
    return router
