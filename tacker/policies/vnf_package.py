"""The VNF package management API (``/vnfpkgm/v1``)."""

from tacker.policies import base

PREFIX = 'os_nfv_orchestration_api:vnf_packages:%s'
_PATH = '/vnfpkgm/v1/vnf_packages'

RULES = [
    base.documented(PREFIX % 'create', base.MEMBER_OR_ADMIN,
                    'Create a VNF package.', 'POST', _PATH),
    base.documented(PREFIX % 'index', base.READER_OR_ADMIN,
                    'List VNF packages.', 'GET', _PATH),
    base.documented(PREFIX % 'show', base.READER_OR_ADMIN,
                    'Show a VNF package.', 'GET', _PATH + '/{vnfPkgId}'),
    base.documented(PREFIX % 'patch', base.MEMBER_OR_ADMIN,
                    'Change a VNF package\'s operational state or user '
                    'data.', 'PATCH', _PATH + '/{vnfPkgId}'),
    base.documented(PREFIX % 'delete', base.MEMBER_OR_ADMIN,
                    'Delete a VNF package.', 'DELETE',
                    _PATH + '/{vnfPkgId}'),
    base.documented(PREFIX % 'upload_package_content', base.MEMBER_OR_ADMIN,
                    'Upload a VNF package\'s CSAR.', 'PUT',
                    _PATH + '/{vnfPkgId}/package_content'),
]
