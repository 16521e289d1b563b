"""A paste filter for Tacker 16's ``noauth`` pipelines: one admin context.

Only Tacker 16's ``tacker-server`` loads this file: ``tacker_processes``
copies it next to the generated ``api-paste.ini`` as a top-level module,
because under Tacker's interpreter ``tacker`` is Tacker's package.  Our
own code never imports it.

Tacker's stock ``noauth`` pipelines put no request context in the WSGI
environment, and every API controller reads ``environ['tacker.context']``;
this filter puts an admin context there, as ``keystonecontext`` would for
an authenticated admin.  Tacker stores the project id in columns of 36
characters and some paths parse it as a UUID, hence the hex UUIDs.
"""

import webob.dec

from tacker import context

PROJECT_ID = '5c4e7f0a9b2d4e1f8a3b6c7d0e9f1a2b'
USER_ID = '0d1e2f3a4b5c4d6e8f7a9b0c1d2e3f4a'


class NoauthContext:

    def __init__(self, application):
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req):
        req.environ['tacker.context'] = context.Context(
            user_id=USER_ID, tenant_id=PROJECT_ID, is_admin=True,
            roles=['admin', 'member', 'reader'],
            request_id=req.environ.get('openstack.request_id'))
        return self.application


def filter_factory(global_conf, **local_conf):
    return NoauthContext
