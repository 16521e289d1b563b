"""``auth_strategy = noauth``: trust the caller, for sandboxes and tests.

The project is taken from the ``X-Project-Id`` header.  A request without
one (python-tackerclient with ``--os-auth-type none`` sends only
``X-Auth-Token: notused``) acts as ``default_project`` with the admin
role; a request naming a project gets the roles of ``X-Roles`` (default
``member``), so project isolation can be exercised without Keystone.
The roles a role implies are added, as Keystone's bootstrap sets them up
(admin implies member, member implies reader), so that the policy's
reader rules hold for a member here as they do with a real token.
"""

# role -> the roles it implies, as ``keystone-manage bootstrap`` creates.
_IMPLIES = {'admin': ('member',), 'member': ('reader',)}


def with_implied(roles):
    """``roles`` and every role they imply, in a stable order."""
    found, todo = [], list(roles)
    while todo:
        role = todo.pop(0)
        if role and role not in found:
            found.append(role)
            todo.extend(_IMPLIES.get(role, ()))
    return found


class NoAuthMiddleware:

    def __init__(self, app, *, default_project='admin'):
        self.app = app
        self.default_project = default_project

    def __call__(self, environ, start_response):
        project = (environ.get('HTTP_X_PROJECT_ID') or '').strip()
        if not project:
            environ['HTTP_X_PROJECT_ID'] = self.default_project
            roles = ['admin']
        else:
            roles = [r.strip().lower() for r in (
                environ.get('HTTP_X_ROLES') or 'member').split(',')]
        environ['HTTP_X_ROLES'] = ','.join(with_implied(roles))
        return self.app(environ, start_response)
