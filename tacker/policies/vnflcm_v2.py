"""The vnflcm v2 API.

v2 records carry no project in Tacker's schema, so Tacker 16 lets any
authenticated caller use this API, and so do these defaults; an operator
who wants roles here writes them in the policy file.
"""

from tacker.policies import base

PREFIX = 'os_nfv_orchestration_api_v2:vnf_instances:%s'
_INSTANCES = '/vnflcm/v2/vnf_instances'
_OCCS = '/vnflcm/v2/vnf_lcm_op_occs'


def _rule(name, what, method, path):
    return base.documented(PREFIX % name, base.ANY, what, method, path,
                           scope_types=None)


RULES = [
    _rule('api_versions', 'Show the vnflcm v2 API versions.', 'GET',
          '/vnflcm/v2/api_versions'),
    _rule('create', 'Create a VNF instance.', 'POST', _INSTANCES),
    _rule('index', 'List VNF instances.', 'GET', _INSTANCES),
    _rule('show', 'Show a VNF instance.', 'GET',
          _INSTANCES + '/{vnfInstanceId}'),
    _rule('delete', 'Delete a VNF instance.', 'DELETE',
          _INSTANCES + '/{vnfInstanceId}'),
] + [
    _rule(name, '%s a VNF instance.' % name.capitalize(), 'POST',
          _INSTANCES + '/{vnfInstanceId}/' + name)
    for name in ('instantiate', 'scale', 'heal', 'terminate')
] + [
    _rule('change_vnfpkg', 'Change the current VNF package of a VNF '
          'instance.', 'POST', _INSTANCES + '/{vnfInstanceId}/change_vnfpkg'),
] + [
    _rule('lcm_op_occ_list', 'List LCM operation occurrences.', 'GET',
          _OCCS),
    _rule('lcm_op_occ_show', 'Show an LCM operation occurrence.', 'GET',
          _OCCS + '/{vnfLcmOpOccId}'),
    _rule('lcm_op_occ_fail', 'Mark a FAILED_TEMP operation FAILED.',
          'POST', _OCCS + '/{vnfLcmOpOccId}/fail'),
] + [
    _rule('update', 'Modify a VNF instance\'s information.', 'PATCH',
          _INSTANCES + '/{vnfInstanceId}'),
    _rule('lcm_op_occ_retry', 'Retry a FAILED_TEMP operation.', 'POST',
          _OCCS + '/{vnfLcmOpOccId}/retry'),
    _rule('lcm_op_occ_rollback', 'Roll back a FAILED_TEMP operation.',
          'POST', _OCCS + '/{vnfLcmOpOccId}/rollback'),
]
