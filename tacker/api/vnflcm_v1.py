"""``/vnflcm/v1``: VNF instances and op occs on the v1 (snake_case) tables.

v1 records belong to a project (``tenant_id``): a caller sees and acts
on its own project's instances, an admin on all.  Conflicts read as
Tacker's v1 texts (``Vnf instance <id> in <state>. Cannot <action> while
the vnf instance is in this state.``).
"""

from tacker.db.instances import v1 as v1_instances
from tacker.db import op_occs
from tacker.api import views
from tacker.api import vnflcm_common as common
from tacker.api.schemas import vnflcm as schemas
from tacker.common import exceptions
from tacker.common import states

API_VERSION = 'v1'


def _instance_not_found(instance_id):
    return exceptions.NotFound(what='VNF instance', id=instance_id)


class InstanceController(common.InstanceControllerBase):

    API_VERSION = API_VERSION
    CREATE_SCHEMA = schemas.CREATE_V1
    ACTION_SCHEMAS = schemas.ACTIONS_V1
    MODIFY_SCHEMA = schemas.MODIFY_V1

    def not_found(self, instance_id):
        return _instance_not_found(instance_id)

    def load(self, ctx, instance_id):
        return v1_instances.view(instance_id, ctx.tenant_filter)

    def load_all(self, ctx):
        return v1_instances.list_views(ctx.tenant_filter)

    def view(self, record, req):
        row, info = record
        return views.vnf_instance_v1(row, info, common.base_url(req))

    def create_record(self, ctx, package, body):
        return v1_instances.create(
            tenant_id=ctx.project_id, package=package,
            name=body.get('vnfInstanceName'),
            description=body.get('vnfInstanceDescription'),
            metadata=body.get('metadata'))

    def delete_record(self, ctx, instance_id):
        v1_instances.delete(instance_id, ctx.tenant_filter)

    def package_missing(self, vnfd_id):
        return exceptions.Invalid(message=(
            'No onboarded VNF package has vnfdId %s.' % vnfd_id))

    def package_disabled(self, vnfd_id):
        return exceptions.Invalid(message=(
            'The VNF package of vnfdId %s is not in operational state '
            'ENABLED.' % vnfd_id))

    def operation_tenant(self, ctx, record):
        row, _info = record
        return row['tenant_id']


class OpOccController(common.OpOccControllerBase):
    API_VERSION = API_VERSION

    def not_found(self, op_occ_id):
        return exceptions.NotFound(what='VNF LCM operation occurrence',
                                   id=op_occ_id)

    def load(self, ctx, op_occ_id):
        return op_occs.V1.view(op_occ_id, ctx.tenant_filter)

    def load_all(self, ctx):
        return op_occs.V1.list_views(ctx.tenant_filter)

    def view(self, record, req):
        return views.op_occ_v1(record, common.base_url(req))

    # Tacker's v1 answers, texts and titles alike.
    ROLLBACK_LOCATION = True

    def not_failed_temp(self, op_occ_id, state, mode):
        if mode == 'retry':
            return _Titled('Cannot proceed with operation_state %s' % state,
                           'Conflict')
        return _Titled('OperationState IS NOT FAILED_TEMP',
                       'OperationState IS NOT FAILED_TEMP')

    def rollback_refusal(self, occ):
        # Tacker's v1 rolls back only these two, whatever else v2 can.
        if occ.operation not in (states.INSTANTIATE, states.SCALE):
            return _Titled('OPERATION IS NOT INSTANTIATE/SCALE',
                           'OPERATION IS NOT INSTANTIATE/SCALE')
        return super().rollback_refusal(occ)

    def rollback_refused(self, refusal):
        if refusal.operation == states.SCALE:
            return _Titled('SCALE_IN CAN NOT ROLLBACK',
                           'SCALE_IN CAN NOT ROLLBACK')
        return _Titled('OPERATION IS NOT INSTANTIATE/SCALE',
                       'OPERATION IS NOT INSTANTIATE/SCALE')


class _Titled(exceptions.Conflict):
    """A 409 with a title of Tacker's v1 own."""

    def __init__(self, message, title):
        super().__init__(message=message)
        self.title = title
