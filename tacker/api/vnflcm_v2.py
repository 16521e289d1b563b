"""``/vnflcm/v2``: VNF instances and op occs on the v2 (CamelCase) tables.

Answers carry ``Version: 2.0.0`` (set by the router for the whole path).
v2 tables have no project column, so every project sees every v2 record,
as in Tacker.  Texts follow Tacker's v2 (``VnfInstance <id> not found.``,
422 for a VNFD without an enabled package).
"""

from tacker.db.instances import v2 as v2_instances
from tacker.db import op_occs
from tacker.api import views
from tacker.api import vnflcm_common as common
from tacker.api import wsgi
from tacker.api.schemas import vnflcm as schemas
from tacker.common import exceptions
from tacker.versions import base

API_VERSION = 'v2'


class InstanceController(common.InstanceControllerBase):

    API_VERSION = API_VERSION
    CREATE_SCHEMA = schemas.CREATE_V2
    ACTION_SCHEMAS = schemas.ACTIONS_V2
    MODIFY_SCHEMA = schemas.MODIFY_V2

    def not_found(self, instance_id):
        return exceptions.NotFound(
            message='VnfInstance %s not found.' % instance_id)

    def load(self, ctx, instance_id):
        try:
            return v2_instances.view(instance_id)
        except exceptions.NotFound:
            raise self.not_found(instance_id)

    def load_all(self, ctx):
        return v2_instances.list_views()

    def view(self, record, req):
        return views.vnf_instance_v2(record, common.base_url(req))

    def create_record(self, ctx, package, body):
        return v2_instances.create(
            package=package, name=body.get('vnfInstanceName'),
            description=body.get('vnfInstanceDescription'),
            metadata=body.get('metadata'))

    def delete_record(self, ctx, instance_id):
        try:
            v2_instances.delete(instance_id)
        except exceptions.NotFound:
            raise self.not_found(instance_id)

    def change_vnfpkg(self, req, id):
        """``POST .../change_vnfpkg``: a rolling update to another package.

        Only v2 has it (as in Tacker); see ``tacker.vnflcm.change_vnfpkg``.
        """
        return self._action(req, id, 'change_vnfpkg',
                            schema=schemas.CHANGE_VNFPKG_V2)

    def package_missing(self, vnfd_id):
        return wsgi.Unprocessable(reason=(
            'VnfPackage of vnfdId %s is not found or not operational.'
            % vnfd_id))

    def package_disabled(self, vnfd_id):
        return wsgi.Unprocessable(reason='VnfId %s not ENABLED.' % vnfd_id)


class OpOccController(common.OpOccControllerBase):
    API_VERSION = API_VERSION

    def not_found(self, op_occ_id):
        return exceptions.NotFound(
            message='VnfLcmOpOcc %s not found.' % op_occ_id)

    def load(self, ctx, op_occ_id):
        try:
            return op_occs.V2.view(op_occ_id)
        except exceptions.NotFound:
            raise self.not_found(op_occ_id)

    def load_all(self, ctx):
        return op_occs.V2.list_views()

    def view(self, record, req):
        return views.op_occ_v2(record, common.base_url(req))

    def not_failed_temp(self, op_occ_id, state, mode):
        return base.NotFailedTemp(id=op_occ_id)

    def rollback_refused(self, refusal):
        return base.RollbackNotSupported(op=refusal.kwargs['op'])
