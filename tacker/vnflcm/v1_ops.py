"""The v1 record adapter of the LCM operations (``vnf_instances``).

v1 keeps a CNF's result in ``vnf_instantiated_info`` (plain dicts, the
shape ``v1_records`` writes: one shape per row) and marks a running
operation in ``vnf_instances.task_state``.  The task state is claimed at
begin in one ``UPDATE ... WHERE task_state IS NULL`` and cleared when the
operation ends, whatever the outcome.

Writes are guarded in SQL: instantiate only turns a NOT_INSTANTIATED row
INSTANTIATED, scale and heal compare-and-swap the instantiated info read
when the operation began, terminate soft-deletes exactly that row.
"""

from oslo_utils import timeutils
import sqlalchemy as sa

from tacker.common import exceptions
from tacker.db import api as db_api
from tacker.db import cas
from tacker.db import v1_repository as v1_repo
from tacker.db.models import v1 as models
from tacker.vnflcm import deployment as deployment_mod
from tacker.vnfm.infra_drivers.kubernetes import v1_records
from tacker.vnfm.infra_drivers.kubernetes import vim_access

API_VERSION = 'v1'
INSTANTIATED = 'INSTANTIATED'
NOT_INSTANTIATED = 'NOT_INSTANTIATED'
VIM_TYPE = 'kubernetes'

TASK_STATES = {
    'INSTANTIATE': 'INSTANTIATING',
    'SCALE': 'SCALING',
    'HEAL': 'HEALING',
    'TERMINATE': 'TERMINATING',
}


def _connection(entry):
    return v1_records.unwrap(entry) if isinstance(entry, dict) else {}


class Records:
    api_version = API_VERSION
    heal_field = 'vnfcInstanceId'

    # --- reading

    def load(self, instance_id):
        return v1_repo.get_instance(instance_id)

    def instantiation_state(self, record):
        return record.instantiation_state

    def task_state(self, record):
        return record.task_state

    def package_id(self, record):
        return record.vnf_pkg_id

    def flavour_id(self, record):
        return record.instantiated.flavour_id if record.instantiated \
            else None

    def scale_levels(self, record):
        if record.instantiated is None:
            return {}
        return {s['aspect_id']: int(s.get('scale_level', 0))
                for s in v1_records.unwrap(record.instantiated.scale_status)
                if s.get('aspect_id')}

    def vnfcs(self, record):
        """``{vnfc_resource_info id: pod name}``: what heal names."""
        if record.instantiated is None:
            return {}
        return {e.get('id'): (e.get('compute_resource') or {}).get(
            'resource_id') for e in v1_records.unwrap(
                record.instantiated.vnfc_resource_info)}

    def stored(self, record, deployment):
        info = record.instantiated
        return v1_records.stored_from_v1(
            record.id, vnfc_resource_info=info.vnfc_resource_info,
            scale_status=info.scale_status, vdu_targets=deployment.targets)

    # --- the VIM

    def _vim(self, connections, tenant_id):
        """``(VimAccess, stored connection entry)``."""
        for entry in connections or ():
            data = _connection(entry)
            vim_id = data.get('vim_id') or data.get('vimId')
            if vim_id:
                return (deployment_mod.registered_vim(vim_id),
                        {'id': data.get('id') or vim_id, 'vim_id': vim_id,
                         'vim_type': VIM_TYPE})
        vim = deployment_mod.default_vim(tenant_id)
        return (vim_access.from_v1_vim(vim.id, vim.auth_url, vim.auth_cred),
                {'id': vim.id, 'vim_id': vim.id, 'vim_type': VIM_TYPE})

    def _request_connections(self, params):
        # The v1 API takes camelCase (vimConnectionInfo: [{id, vimId,
        # vimType}]); snake_case is accepted too.
        return params.get('vimConnectionInfo') or \
            params.get('vim_connection_info')

    def prepare_instantiate(self, record, params, tenant_id):
        self._vim(self._request_connections(params)
                  or record.vim_connection_info, record.tenant_id)

    def instantiate_deployment(self, record, params):
        flavour, package_dir = deployment_mod.flavour_of(
            record.vnf_pkg_id, params.get('flavourId'))
        additional = params.get('additionalParams') or {}
        vim, _ = self._vim(self._request_connections(params)
                           or record.vim_connection_info, record.tenant_id)
        return deployment_mod.build(
            instance_id=record.id, package_dir=package_dir,
            flavour=flavour,
            files=deployment_mod.files_of(flavour, additional),
            namespace=deployment_mod.namespace_of(additional), vim=vim)

    def deployment(self, record):
        info = record.instantiated
        if info is None:
            raise exceptions.Invalid(reason='vnf instance %s has no '
                                     'instantiated info' % record.id)
        flavour, package_dir = deployment_mod.flavour_of(
            record.vnf_pkg_id, info.flavour_id)
        vim, _ = self._vim(record.vim_connection_info, record.tenant_id)
        params = info.additional_params or {}
        namespace = (record.vnf_metadata or {}).get('namespace') or \
            params.get('namespace')
        return deployment_mod.build(
            instance_id=record.id, package_dir=package_dir,
            flavour=flavour,
            files=deployment_mod.files_of(flavour, params),
            namespace=deployment_mod.namespace_of(
                {'namespace': namespace}), vim=vim)

    # --- writing

    def write_instantiated(self, record, deployment, plan, params):
        _, connection = self._vim(self._request_connections(params)
                                  or record.vim_connection_info,
                                  record.tenant_id)
        vnfcs, scale_status = v1_records.apply_plan_v1(
            [], [], plan, vim_connection_id=connection['id'])
        additional = dict(params.get('additionalParams') or {})
        additional[deployment_mod.DEF_FILES] = list(deployment.files)
        additional['namespace'] = deployment.namespace
        metadata = dict(record.vnf_metadata or {})
        metadata['namespace'] = deployment.namespace
        now = timeutils.utcnow()
        instances = models.VnfInstance.__table__
        infos = models.VnfInstantiatedInfo.__table__
        with db_api.writer_session() as session:
            result = session.execute(
                sa.update(instances)
                .where(instances.c.id == record.id,
                       models.live(instances.c.deleted),
                       instances.c.instantiation_state == NOT_INSTANTIATED)
                .values(instantiation_state=INSTANTIATED,
                        vnf_metadata=metadata, updated_at=now,
                        **v1_repo.encode(
                            {'vim_connection_info': [connection]})))
            if result.rowcount != 1:
                raise exceptions.StaleRecord(table='vnf_instances',
                                             id=record.id)
            # A leftover row of an earlier life of the instance must not
            # be read as this one.
            session.execute(
                sa.update(infos)
                .where(infos.c.vnf_instance_id == record.id,
                       models.live(infos.c.deleted))
                .values(deleted=True, deleted_at=now))
            session.execute(sa.insert(infos).values(
                vnf_instance_id=record.id,
                flavour_id=deployment.flavour.flavour_id,
                ext_cp_info=[], ext_virtual_link_info=[],
                ext_managed_virtual_link_info=[],
                vnf_virtual_link_resource_info=[],
                virtual_storage_resource_info=[], vnfc_info=[],
                vnf_state='STARTED',
                instantiation_level_id=params.get('instantiationLevelId'),
                additional_params=additional, created_at=now,
                deleted=False, **v1_repo.encode(
                    {'vnfc_resource_info': vnfcs,
                     'scale_status': scale_status})))

    def write_plan(self, record, deployment, plan):
        if plan.is_empty:
            return
        info = record.instantiated
        vnfcs, scale_status = v1_records.apply_plan_v1(
            info.vnfc_resource_info, info.scale_status, plan,
            vim_connection_id=self._connection_id(record))
        v1_repo.update_instantiated_info(
            record, vnfc_resource_info=vnfcs, scale_status=scale_status)

    def _connection_id(self, record):
        for entry in record.vim_connection_info or ():
            data = _connection(entry)
            if data.get('id') or data.get('vim_id'):
                return data.get('id') or data.get('vim_id')
        return None

    def write_terminated(self, record):
        now = timeutils.utcnow()
        instances = models.VnfInstance.__table__
        with db_api.writer_session() as session:
            if record.instantiated is not None:
                cas.swap(session, record.instantiated.version,
                         {'deleted': True, 'deleted_at': now,
                          'updated_at': now})
            result = session.execute(
                sa.update(instances)
                .where(instances.c.id == record.id,
                       models.live(instances.c.deleted),
                       instances.c.instantiation_state == INSTANTIATED)
                .values(instantiation_state=NOT_INSTANTIATED,
                        updated_at=now))
            if result.rowcount != 1:
                raise exceptions.StaleRecord(table='vnf_instances',
                                             id=record.id)

    # --- task_state

    def claim(self, instance_id, operation):
        """Claim the task state; returns it, or None when taken."""
        task_state = TASK_STATES[operation]
        if v1_repo.claim_task_state(instance_id, task_state):
            return task_state
        return None

    def release(self, instance_id, operation):
        v1_repo.release_task_state(instance_id, TASK_STATES[operation])
