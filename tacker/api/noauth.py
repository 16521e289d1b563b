"""``auth_strategy = noauth``: trust the caller, for sandboxes and tests.

The project is taken from the ``X-Project-Id`` header.  A request without
one (python-tackerclient with ``--os-auth-type none`` sends only
``X-Auth-Token: notused``) acts as ``default_project`` with the admin
role; a request naming a project gets the roles of ``X-Roles`` (default
``member``), so project isolation can be exercised without Keystone.
"""


class NoAuthMiddleware:

    def __init__(self, app, *, default_project='admin'):
        self.app = app
        self.default_project = default_project

    def __call__(self, environ, start_response):
        project = (environ.get('HTTP_X_PROJECT_ID') or '').strip()
        if not project:
            environ['HTTP_X_PROJECT_ID'] = self.default_project
            environ['HTTP_X_ROLES'] = 'admin'
        elif not environ.get('HTTP_X_ROLES'):
            environ['HTTP_X_ROLES'] = 'member'
        return self.app(environ, start_response)
