"""``/vnfpkgm/v1/vnf_packages``: create, upload (onboard), show, update,
delete VNF packages (SOL005 shapes).

Uploading onboards synchronously through ``PackageStore.onboard`` and
answers 202 as Tacker does; the body is spooled to a temporary file, so
a large package never sits in memory.  A bad package answers 400 naming
the file and field at fault, and the package stays CREATED without
files (the store's all-or-nothing promise).  Deleting needs the package
DISABLED and NOT_IN_USE, as in Tacker: ``openstack vnf package update
--operational-state DISABLED <id>`` first.
"""

import os
import tempfile

from oslo_log import log as logging

from tacker.api import context
from tacker.db import packages
from tacker.api import schemas
from tacker.api import views
from tacker.api import vnflcm_common
from tacker.api import wsgi
from tacker.api.schemas import vnf_packages as pkg_schemas
from tacker.common import exceptions
from tacker.vnfpkgm import csar
from tacker.vnfpkgm import store as store_mod

LOG = logging.getLogger(__name__)

ZIP_TYPES = ('application/zip', 'application/x-zip-compressed',
             'application/octet-stream', '')
MAX_PACKAGE_BYTES = csar.DEFAULT_MAX_SIZE
_CHUNK = 1 << 20


def _not_found(package_id):
    return exceptions.NotFound(what='VNF package', id=package_id)


class VnfPackageController:

    def __init__(self, store=None):
        self._store = store

    @property
    def store(self):
        # Created on first use: [vnf_package] may change between tests.
        return self._store or store_mod.PackageStore()

    def index(self, req):
        ctx = context.of(req)
        base = vnflcm_common.base_url(req)
        return wsgi.json_response(
            [views.vnf_package(row, base)
             for row in packages.list_all(ctx.tenant_filter)])

    def show(self, req, id):
        ctx = context.of(req)
        vnflcm_common.check_id(id, _not_found)
        row = packages.get(id, ctx.tenant_filter)
        return wsgi.json_response(
            views.vnf_package(row, vnflcm_common.base_url(req)))

    def create(self, req):
        ctx = context.of(req)
        body = schemas.validate(
            pkg_schemas.CREATE,
            wsgi.read_json(req, required=False, empty={}))
        row = packages.create(tenant_id=ctx.project_id,
                              user_data=body.get('userDefinedData'))
        view = views.vnf_package(row, vnflcm_common.base_url(req))
        LOG.info('VNF package %(id)s created.', {'id': row['id']})
        return wsgi.json_response(
            view, status=201,
            headers={'Location': view['_links']['self']['href']})

    def update(self, req, id):
        ctx = context.of(req)
        vnflcm_common.check_id(id, _not_found)
        body = schemas.validate(pkg_schemas.UPDATE, wsgi.read_json(req))
        changes = packages.update(
            id, tenant_id=ctx.tenant_filter,
            operational_state=body.get('operationalState'),
            user_data=body.get('userDefinedData'))
        LOG.info('VNF package %(id)s updated: %(changes)s',
                 {'id': id, 'changes': sorted(changes)})
        return wsgi.json_response(changes)

    def upload(self, req, id):
        ctx = context.of(req)
        vnflcm_common.check_id(id, _not_found)
        given = (req.content_type or '').lower()
        if given not in ZIP_TYPES:
            raise wsgi.UnsupportedMediaType(given=given,
                                            expected='application/zip')
        packages.check_upload(id, ctx.tenant_filter)
        with tempfile.TemporaryDirectory(prefix='tacker-upload-') as tmp:
            path = os.path.join(tmp, 'package.zip')
            with open(path, 'wb') as spool:
                size = _spool(req, spool)
            if not size:
                raise exceptions.Invalid(
                    reason='the request body is empty; a CSAR zip file '
                           'is expected')
            result = self.store.onboard(id, path)
        LOG.info('VNF package %(id)s onboarded with vnfd %(vnfd)s.',
                 {'id': id, 'vnfd': result.vnfd.vnfd_id})
        return wsgi.empty_response(202)

    def delete(self, req, id):
        ctx = context.of(req)
        vnflcm_common.check_id(id, _not_found)
        packages.check_deletable(id, ctx.tenant_filter)
        self.store.delete(id)
        LOG.info('VNF package %(id)s deleted.', {'id': id})
        return wsgi.empty_response(204)


def _spool(req, out):
    length = req.content_length
    if length is not None and length > MAX_PACKAGE_BYTES:
        raise wsgi.PayloadTooLarge(limit=MAX_PACKAGE_BYTES)
    total = 0
    source = req.body_file
    while True:
        chunk = source.read(_CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > MAX_PACKAGE_BYTES:
            raise wsgi.PayloadTooLarge(limit=MAX_PACKAGE_BYTES)
        out.write(chunk)
    return total
