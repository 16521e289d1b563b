"""The v2 adapter: ``VnfInstanceV2`` and ``VnfLcmOpOccV2``.

A v2 instance keeps its CNF in ``instantiatedVnfInfo``, in the shape
``v2_records`` reads and writes: ``vnfcResourceInfo`` ids are pod names,
``metadata.vdu_reses`` holds each VDU's applied manifest.  v2 has no task
state: the instance lock is the whole guard, and an op occ left in
FAILED_TEMP blocks further operations until it is retried, rolled back
or failed.  Every write is a compare-and-swap against the record read.
"""

from tacker.common import exceptions
from tacker.common import states
from tacker.db import api as db_api
from tacker.db.instances import v2 as v2_instances
from tacker.db import op_occs
from tacker.db import packages
from tacker.db import vims
from tacker.versions import base
from tacker.versions import modify
from tacker.vnfm.infra_drivers.kubernetes import deployment as deployment_mod
from tacker.vnfm.infra_drivers.kubernetes import manifests
from tacker.vnfm.infra_drivers.kubernetes import v2_records
from tacker.vnfm.infra_drivers.kubernetes import vim_access

VIM_TYPE = 'ETSINFV.KUBERNETES.V_1'
DEFAULT_CONNECTION_ID = 'vim_default'


def _info(record):
    return record.instantiated_vnf_info or {}


def _metadata(record):
    return _info(record).get('metadata') or {}


class V2Adapter(base.Adapter):
    api_version = 'v2'
    instances = v2_instances
    op_occs = op_occs.V2
    # As Tacker: a FAILED_TEMP operation must be retried, rolled back or
    # failed before another may start.
    blocking_states = frozenset(states.IN_PROGRESS + (states.FAILED_TEMP,))

    # --- reading a record

    def load(self, instance_id):
        return v2_instances.get_instance(instance_id)

    def instantiation_state(self, record):
        return record.instantiation_state

    def package_id(self, record):
        package_id = packages.packages_for_vnfds(
            [record.vnfd_id]).get(record.vnfd_id)
        if package_id is None:
            raise exceptions.Invalid(reason='no onboarded VNF package has '
                                     'vnfd %s' % record.vnfd_id)
        return package_id

    def flavour_id(self, record):
        return _info(record).get('flavourId')

    def scale_levels(self, record):
        return {s['aspectId']: int(s.get('scaleLevel', 0))
                for s in _info(record).get('scaleStatus') or ()
                if s.get('aspectId')}

    def vnfcs(self, record):
        """``{vnfcInfo id: pod name}``: what a heal request names."""
        info = _info(record)
        pods = {entry.get('id'): (entry.get('computeResource') or {}).get(
            'resourceId') for entry in info.get('vnfcResourceInfo') or ()}
        return {entry.get('id'): pods.get(entry.get('vnfcResourceInfoId'))
                for entry in info.get('vnfcInfo') or ()}

    def stored(self, record, targets):
        """The record in the core model's terms."""
        return v2_records.stored_from_v2(
            record.id, record.instantiated_vnf_info, targets)

    def namespace(self, record):
        metadata = _info(record).get('metadata') or {}
        return base.namespace_or_default(
            metadata.get('namespace') if isinstance(metadata, dict)
            else metadata)

    # --- the synchronization's candidates

    def candidate_builder(self, records, collector):
        """A function from a record to its Candidate, for one pass.

        What the records need from other tables (packages, registered
        VIMs) is read here once for all of them.
        """
        package_ids = packages.packages_for_vnfds(
            {r.vnfd_id for r in records})
        registered = vims.get_vims(
            {c.get('vimId') for r in records
             for c in (r.vim_connection_info or {}).values()
             if isinstance(c, dict) and isinstance(c.get('vimId'), str)})
        return lambda record: self._candidate(record, package_ids,
                                              registered, collector)

    def _candidate(self, record, package_ids, registered, collector):
        vim = self._sync_vim(record, registered, collector.access)
        package_id = package_ids.get(record.vnfd_id)
        if package_id is None:
            raise base.NotCheckable('no onboarded VNF package has vnfd %s'
                                    % record.vnfd_id)
        flavour, package_dir = collector.flavour(
            package_id, _info(record).get('flavourId'))
        metadata = _metadata(record)
        targets = v2_records.targets_from_vdu_reses(
            metadata.get('vdu_reses') or {})
        if not targets:
            files = tuple(metadata.get(deployment_mod.DEF_FILES)
                          or flavour.kubernetes_files)
            targets = manifests.vdu_targets(
                flavour, manifests.load(package_dir, files), files)
        namespace = base.checked_namespace(
            self.namespace(record), 'instantiatedVnfInfo.metadata.namespace')
        return base.Candidate(self, record, vim, namespace, flavour, targets)

    def _sync_vim(self, record, registered, access):
        for key, connection in sorted(
                (record.vim_connection_info or {}).items()):
            if not isinstance(connection, dict) or connection.get(
                    'vimType') not in vim_access.V2_SYNC_VIM_TYPES:
                continue
            # A shape no VIM can be built from fails this record alone.
            vim_access.check_connection(key, connection)
            endpoint = (connection.get('interfaceInfo') or {}).get(
                'endpoint')
            if endpoint:
                return access(connection.get('vimId') or endpoint,
                              lambda: vim_access.from_v2_connection(
                                  key, connection))
            vim = registered.get(connection.get('vimId'))
            if vim is not None:
                return access(vim.id, lambda: vim_access.from_v1_vim(
                    vim.id, vim.auth_url, vim.auth_cred))
        raise base.NotCheckable('vimConnectionInfo names no Kubernetes VIM')

    # --- LCM: the VIM and the deployment

    def _connection_vim(self, connections):
        for key, connection in sorted((connections or {}).items()):
            if not isinstance(connection, dict) or connection.get(
                    'vimType') not in vim_access.V2_VIM_TYPES:
                continue
            vim_access.check_connection(key, connection)
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
        v2_instances.update_instance(record, vimConnectionInfo={
            DEFAULT_CONNECTION_ID: {'vimId': vim.id, 'vimType': VIM_TYPE}})

    def _build(self, record, flavour_id, where, connections,
               field='additionalParams'):
        flavour, package_dir = deployment_mod.flavour_of(
            self.package_id(record), flavour_id)
        vim = self._connection_vim(connections)
        if vim is None:
            raise deployment_mod.NoVim(tenant='(unknown)')
        return deployment_mod.build(
            instance_id=record.id, package_dir=package_dir,
            flavour=flavour, files=deployment_mod.files_of(flavour, where),
            namespace=deployment_mod.namespace_of(
                where, '%s.namespace' % field), vim=vim)

    def instantiate_deployment(self, record, params):
        return self._build(record, params.get('flavourId'),
                           params.get('additionalParams') or {},
                           params.get('vimConnectionInfo')
                           or record.vim_connection_info)

    def deployment(self, record):
        return self._build(record, _info(record).get('flavourId'),
                           _metadata(record), record.vim_connection_info,
                           field='instantiatedVnfInfo.metadata')

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
        values = {'instantiationState': states.INSTANTIATED,
                  'instantiatedVnfInfo': info}
        if params.get('vimConnectionInfo'):
            values['vimConnectionInfo'] = params['vimConnectionInfo']
        v2_instances.update_instance(record, **values)

    def write_plan(self, record, plan, *, vim_connection_id=None,
                   session=None):
        """Apply a reconcile plan (an operation's or a synchronization's)."""
        if plan.is_empty:
            return
        v2_instances.update_instance(
            record, session=session, instantiatedVnfInfo=(
                v2_records.apply_plan_v2(record.instantiated_vnf_info,
                                         plan)))

    def batch(self):
        # v2 has no task state: every write is one guarded UPDATE, so a
        # batch of them can share a transaction.
        return db_api.writer_session()

    def write_terminated(self, record):
        v2_instances.update_instance(
            record, instantiationState=states.NOT_INSTANTIATED,
            instantiatedVnfInfo=None)

    # --- modify

    def check_modify(self, record, params):
        """At begin: refuse what Tacker refuses (400, 422)."""
        if record.instantiation_state == states.NOT_INSTANTIATED and \
                'vimConnectionInfo' in params:
            raise exceptions.Invalid(message=(
                'vimConnectionInfo cannot be modified in NOT_INSTANTIATED.'))
        missing = modify.missing_vnfcs(record.instantiated_vnf_info,
                                       params.get('vnfcInfoModifications')
                                       or ())
        if missing:
            raise exceptions.Invalid(message=(
                'vnfcInstanceId(%s) does not exist.' % missing[0]))
        self._new_package(record, params)

    def _new_package(self, record, params):
        vnfd_id = params.get('vnfdId')
        if vnfd_id is None or vnfd_id == record.vnfd_id:
            return None
        package = packages.find_for_vnfd(vnfd_id)
        if package is None:
            raise base.Unprocessable(reason=(
                'VnfPackage of vnfdId %s is not found or not operational.'
                % vnfd_id))
        if package['operational_state'] != packages.ENABLED:
            raise base.Unprocessable(reason='VnfId %s not ENABLED.'
                                     % vnfd_id)
        return package

    def write_modified(self, record, params):
        """Merge the request into the instance; returns what changed."""
        package = self._new_package(record, params)
        package_ids = None
        if package is not None:
            package_ids = (packages.packages_for_vnfds(
                [record.vnfd_id]).get(record.vnfd_id), package['id'])
        return v2_instances.modify(
            record.id, lambda current: modify.v2_changes(
                current, params, package), package_ids=package_ids)

    # --- conflicts

    def held_conflict(self, instance_id, operation):
        """The 409 when someone else holds the instance lock."""
        return base.OperationInProgress(id=instance_id)

    def running_conflict(self, record, running, operation):
        """The 409 when op occs in ``blocking_states`` exist."""
        return base.OperationInProgress(id=record.id)


ADAPTER = V2Adapter()
