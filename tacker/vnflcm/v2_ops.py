"""The v2 record adapter of the LCM operations (``VnfInstanceV2``).

Reads what an operation needs from the instance and writes its result in
the shape the synchronization reads (``v2_records``): ``vnfcResourceInfo``
ids are pod names, ``metadata.vdu_reses`` holds each VDU's applied
manifest.  Every write is a compare-and-swap against the record read
when the operation began (under the instance lock).
"""

from tacker.common import exceptions
from tacker.db import package_repository
from tacker.db import v2_repository as v2_repo
from tacker.vnflcm import deployment as deployment_mod
from tacker.vnfm.infra_drivers.kubernetes import v2_records
from tacker.vnfm.infra_drivers.kubernetes import vim_access

API_VERSION = 'v2'
INSTANTIATED = 'INSTANTIATED'
NOT_INSTANTIATED = 'NOT_INSTANTIATED'
VIM_TYPE = 'ETSINFV.KUBERNETES.V_1'
DEFAULT_CONNECTION_ID = 'vim_default'


class Records:
    api_version = API_VERSION
    heal_field = 'vnfcInstanceId'

    # --- reading

    def load(self, instance_id):
        return v2_repo.get_instance(instance_id)

    def instantiation_state(self, record):
        return record.instantiation_state

    def task_state(self, record):
        return None

    def package_id(self, record):
        package_id = package_repository.packages_for_vnfds(
            [record.vnfd_id]).get(record.vnfd_id)
        if package_id is None:
            raise exceptions.Invalid(reason='no onboarded VNF package has '
                                     'vnfd %s' % record.vnfd_id)
        return package_id

    def _info(self, record):
        return record.instantiated_vnf_info or {}

    def flavour_id(self, record):
        return self._info(record).get('flavourId')

    def scale_levels(self, record):
        return {s['aspectId']: int(s.get('scaleLevel', 0))
                for s in self._info(record).get('scaleStatus') or ()
                if s.get('aspectId')}

    def vnfcs(self, record):
        """``{vnfcInfo id: pod name}``: what a heal request names."""
        info = self._info(record)
        pods = {entry.get('id'): (entry.get('computeResource') or {}).get(
            'resourceId') for entry in info.get('vnfcResourceInfo') or ()}
        return {entry.get('id'): pods.get(entry.get('vnfcResourceInfoId'))
                for entry in info.get('vnfcInfo') or ()}

    def stored(self, record, deployment):
        return v2_records.stored_from_v2(
            record.id, record.instantiated_vnf_info, deployment.targets)

    # --- the VIM

    def _connection_vim(self, connections):
        for key, connection in sorted((connections or {}).items()):
            if not isinstance(connection, dict) or connection.get(
                    'vimType') not in vim_access.V2_VIM_TYPES:
                continue
            if (connection.get('interfaceInfo') or {}).get('endpoint'):
                return vim_access.from_v2_connection(key, connection)
            if connection.get('vimId'):
                return deployment_mod.registered_vim(connection['vimId'])
        return None

    def prepare_instantiate(self, record, params, tenant_id):
        """At begin: make sure the runner will find a VIM.

        Without one in the request or the instance, the project's default
        VIM is written into the instance's vimConnectionInfo (by id only;
        its secrets stay in the VIM registry), because a v2 instance does
        not record its project.
        """
        connections = params.get('vimConnectionInfo') or \
            record.vim_connection_info
        if self._connection_vim(connections) is not None:
            return
        vim = deployment_mod.default_vim(tenant_id)
        v2_repo.update_instance(record, vimConnectionInfo={
            DEFAULT_CONNECTION_ID: {'vimId': vim.id, 'vimType': VIM_TYPE}})

    def instantiate_deployment(self, record, params):
        flavour, package_dir = deployment_mod.flavour_of(
            self.package_id(record), params.get('flavourId'))
        additional = params.get('additionalParams') or {}
        connections = params.get('vimConnectionInfo') or \
            record.vim_connection_info
        vim = self._connection_vim(connections)
        if vim is None:
            raise deployment_mod.NoVim(tenant='(unknown)')
        return deployment_mod.build(
            instance_id=record.id, package_dir=package_dir,
            flavour=flavour,
            files=deployment_mod.files_of(flavour, additional),
            namespace=deployment_mod.namespace_of(additional), vim=vim)

    def deployment(self, record):
        info = self._info(record)
        metadata = info.get('metadata') or {}
        flavour, package_dir = deployment_mod.flavour_of(
            self.package_id(record), info.get('flavourId'))
        vim = self._connection_vim(record.vim_connection_info)
        if vim is None:
            raise deployment_mod.NoVim(tenant='(unknown)')
        return deployment_mod.build(
            instance_id=record.id, package_dir=package_dir,
            flavour=flavour,
            files=deployment_mod.files_of(flavour, metadata),
            namespace=deployment_mod.namespace_of(metadata), vim=vim)

    # --- writing

    def write_instantiated(self, record, deployment, plan, params):
        flavour = deployment.flavour
        vdu_reses = {vdu_id: deployment.vdu_object(vdu_id)
                     for vdu_id in sorted(deployment.targets)}
        info = {
            'flavourId': flavour.flavour_id,
            'vnfState': 'STARTED',
            'scaleStatus': [],
            'maxScaleLevels': [{'aspectId': aspect, 'scaleLevel': level}
                               for aspect, level in sorted(
                                   flavour.max_scale_levels.items())],
            'vnfcResourceInfo': [],
            'vnfcInfo': [],
            'metadata': {
                'namespace': deployment.namespace,
                deployment_mod.DEF_FILES: list(deployment.files),
                'vdu_reses': vdu_reses,
            },
        }
        info = v2_records.apply_plan_v2(info, plan)
        values = {'instantiationState': INSTANTIATED,
                  'instantiatedVnfInfo': info}
        if params.get('vimConnectionInfo'):
            values['vimConnectionInfo'] = params['vimConnectionInfo']
        v2_repo.update_instance(record, **values)

    def write_plan(self, record, deployment, plan):
        if plan.is_empty:
            return
        v2_repo.update_instance(record, instantiatedVnfInfo=(
            v2_records.apply_plan_v2(record.instantiated_vnf_info, plan)))

    def write_terminated(self, record):
        v2_repo.update_instance(record, instantiationState=NOT_INSTANTIATED,
                                instantiatedVnfInfo=None)

    # --- the end of an operation

    def claim(self, instance_id, operation):
        return None

    def release(self, instance_id, operation):
        pass
