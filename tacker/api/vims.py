"""``/v1.0/vims``: the VIM registry python-tackerclient's ``openstack vim``
commands use (Tacker's legacy API: snake_case bodies wrapped in
``{"vim": ...}`` / ``{"vims": [...]}``).

Only Kubernetes VIMs are accepted.  Credentials are stored in
``vimauths.auth_cred`` the way ``[k8s_vim] use_barbican`` asks (encrypted
with a key kept in Barbican, as Tacker does, or as given) and never
returned (``views.vim``).  Lists honour
the ``id`` and ``name`` query filters the client uses to resolve a name
to an id.
"""

import uuid

from oslo_db import exception as db_exc
from oslo_log import log as logging

from tacker.api import context
from tacker.api import policy
from tacker.api import schemas
from tacker.api import views

from tacker.api import vnflcm_common
from tacker.api import wsgi
from tacker.api.schemas import vims as vim_schemas
from tacker.common import exceptions
from tacker.db import vims
from tacker.keymgr import vim_secrets

LOG = logging.getLogger(__name__)


def _not_found(vim_id):
    return exceptions.NotFound(what='VIM', id=vim_id)


class VimController:

    def index(self, req):
        ctx = context.of(req)
        records = vims.list_vims(tenant_id=ctx.tenant_filter)
        params = wsgi.query(req)
        ids = set(params.getall('id'))
        names = set(params.getall('name'))
        if ids:
            records = [r for r in records if r.id in ids]
        if names:
            records = [r for r in records if r.name in names]
        return wsgi.json_response({'vims': [views.vim(r) for r in records]})

    def show(self, req, id):
        ctx = context.of(req)
        vnflcm_common.check_id(id, _not_found)
        record = vims.get_vim(id, tenant_id=ctx.tenant_filter)
        return wsgi.json_response({'vim': views.vim(record)})

    def create(self, req):
        ctx = context.of(req)
        body = schemas.validate(vim_schemas.CREATE, wsgi.read_json(req))
        vim = body['vim']
        tenant_id = vim.get('tenant_id') or ctx.project_id
        if tenant_id != ctx.project_id:
            # The route's check had the caller's project as its target.
            policy.authorize(ctx, 'create_vim', {'project_id': tenant_id})
        vim_id = str(uuid.uuid4())
        auth_cred = vim_secrets.protect_v1(vim_id, vim['auth_cred'])
        try:
            record = vims.create_vim(
                name=vim['name'], tenant_id=tenant_id,
                auth_url=vim['auth_url'], auth_cred=auth_cred,
                description=vim.get('description'),
                is_default=vim.get('is_default', False),
                vim_project=vim.get('vim_project') or {},
                extra=vim.get('extra'), vim_type=vim['type'],
                vim_id=vim_id)
        except db_exc.DBDuplicateEntry:
            # Two registrations of one name raced past the check.
            self._forget(vim_id, auth_cred)
            raise exceptions.Conflict(reason=(
                'a VIM named %s already exists in project %s'
                % (vim['name'], tenant_id)))
        except BaseException:
            self._forget(vim_id, auth_cred)
            raise
        LOG.info('VIM %(id)s (%(name)s, %(url)s) registered for project '
                 '%(tenant)s.', {'id': record.id, 'name': record.name,
                                 'url': record.auth_url,
                                 'tenant': tenant_id})
        return wsgi.json_response({'vim': views.vim(record)}, status=201)

    @staticmethod
    def _forget(vim_id, auth_cred):
        """Remove a VIM's key; a VIM is never kept for want of that."""
        try:
            vim_secrets.forget_v1(vim_id, auth_cred)
        except vim_secrets.CredentialsUnavailable as exc:
            LOG.warning('The key of VIM %(id)s could not be removed from '
                        'the key manager: %(reason)s',
                        {'id': vim_id, 'reason': exc.reason})

    def delete(self, req, id):
        ctx = context.of(req)
        vnflcm_common.check_id(id, _not_found)
        record = vims.get_vim(id, tenant_id=ctx.tenant_filter)
        users = vims.instances_using(id)
        if users:
            raise exceptions.Conflict(message=(
                'VIM %s is used by VNF instance(s) %s; it cannot be '
                'deleted.' % (id, ', '.join(users))))
        vims.delete_vim(id, tenant_id=ctx.tenant_filter)
        self._forget(id, record.auth_cred)
        LOG.info('VIM %(id)s deleted.', {'id': id})
        return wsgi.empty_response(204)
