"""Who is asking: the project and roles of an API request.

The identity comes from the headers keystonemiddleware's ``auth_token``
sets (``X-Project-Id``, ``X-Roles``), which it strips from what a client
sends; under ``noauth`` the ``NoAuthMiddleware`` fills them in.  Who is
admin is the policy's ``context_is_admin`` rule (``api.policy``): an admin
sees every project's records; anyone else sees only their own project's.
"""

import dataclasses
import re

from tacker.common import exceptions

# What a project id may look like (Keystone's are 32 hex digits); it is
# stored in 64-character tenant_id columns.
_PROJECT_ID = re.compile(r'[A-Za-z0-9_.:@-]{1,64}')


@dataclasses.dataclass(frozen=True)
class RequestContext:
    project_id: str
    roles: tuple = ()
    request_id: str | None = None
    # Set by the application from the policy's context_is_admin rule.
    is_admin: bool = False

    def can_see(self, tenant_id):
        """True when records of ``tenant_id`` are visible to the caller."""
        return self.is_admin or tenant_id == self.project_id

    @property
    def tenant_filter(self):
        """The tenant to filter lists by; None for an admin (all)."""
        return None if self.is_admin else self.project_id


def from_request(req):
    roles = tuple(r.strip().lower()
                  for r in (req.headers.get('X-Roles') or '').split(',')
                  if r.strip())
    project_id = req.headers.get('X-Project-Id') or ''
    if not _PROJECT_ID.fullmatch(project_id):
        raise exceptions.Invalid(
            message='The X-Project-Id header must be 1 to 64 letters, '
                    'digits or "_.:@-".')
    return RequestContext(
        project_id=project_id,
        roles=roles,
        request_id=req.headers.get('X-Openstack-Request-Id'))


def of(req):
    return req.environ['tacker.context']
