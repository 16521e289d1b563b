"""The vnflcm v1 API: instances and op occs of a project."""

from tacker.policies import base

PREFIX = 'os_nfv_orchestration_api:vnf_instances:%s'
_INSTANCES = '/vnflcm/v1/vnf_instances'
_OCCS = '/vnflcm/v1/vnf_lcm_op_occs'


def _action(name, what):
    return base.documented(PREFIX % name, base.MEMBER_OR_ADMIN, what,
                           'POST', _INSTANCES + '/{vnfInstanceId}/' + name)


RULES = [
    base.documented(PREFIX % 'api_versions', base.ANY,
                    'Show the vnflcm v1 API versions.', 'GET',
                    '/vnflcm/v1/api_versions'),
    base.documented(PREFIX % 'create', base.MEMBER_OR_ADMIN,
                    'Create a VNF instance.', 'POST', _INSTANCES),
    base.documented(PREFIX % 'index', base.READER_OR_ADMIN,
                    'List VNF instances.', 'GET', _INSTANCES),
    base.documented(PREFIX % 'show', base.READER_OR_ADMIN,
                    'Show a VNF instance.', 'GET',
                    _INSTANCES + '/{vnfInstanceId}'),
    base.documented(PREFIX % 'delete', base.MEMBER_OR_ADMIN,
                    'Delete a VNF instance.', 'DELETE',
                    _INSTANCES + '/{vnfInstanceId}'),
    _action('instantiate', 'Instantiate a VNF instance.'),
    _action('scale', 'Scale a VNF instance.'),
    _action('heal', 'Heal a VNF instance.'),
    _action('terminate', 'Terminate a VNF instance.'),
    base.documented(PREFIX % 'list_lcm_op_occs', base.READER_OR_ADMIN,
                    'List LCM operation occurrences.', 'GET', _OCCS),
    base.documented(PREFIX % 'show_lcm_op_occs', base.READER_OR_ADMIN,
                    'Show an LCM operation occurrence.', 'GET',
                    _OCCS + '/{vnfLcmOpOccId}'),
    base.documented(PREFIX % 'fail', base.MEMBER_OR_ADMIN,
                    'Mark a FAILED_TEMP operation FAILED.', 'POST',
                    _OCCS + '/{vnfLcmOpOccId}/fail'),
] + [
    base.documented(PREFIX % 'update_vnf', base.MEMBER_OR_ADMIN,
                    'Modify a VNF instance\'s information.', 'PATCH',
                    _INSTANCES + '/{vnfInstanceId}'),
    base.documented(PREFIX % 'retry', base.MEMBER_OR_ADMIN,
                    'Retry a FAILED_TEMP operation.', 'POST',
                    _OCCS + '/{vnfLcmOpOccId}/retry'),
    base.documented(PREFIX % 'rollback', base.MEMBER_OR_ADMIN,
                    'Roll back a FAILED_TEMP operation.', 'POST',
                    _OCCS + '/{vnfLcmOpOccId}/rollback'),
]
