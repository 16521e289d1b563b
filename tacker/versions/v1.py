"""The v1 adapter: ``vnf_instances``, ``vnf_instantiated_info``, op occs.

v1 keeps a CNF's result in ``vnf_instantiated_info`` (plain dicts, the
shape ``v1_records`` writes: one shape per row) and marks whoever works
on an instance in ``vnf_instances.task_state``: each LCM operation from
begin to end (claimed in one ``UPDATE ... WHERE task_state IS NULL``),
and the synchronization while it writes (``DB_SYNCHRONIZING``).  Tacker's
v1 API refuses a request while a task state is set, so the claim is what
keeps Tacker's own v1 operations and our writes apart.
"""

import contextlib
import datetime

from oslo_utils import timeutils

from tacker.common import exceptions
from tacker.common import states
from tacker.db.instances import v1 as v1_instances
from tacker.db import op_occs
from tacker.db import vims
from tacker.db import packages
from tacker.versions import base
from tacker.versions import modify
from tacker.vnfm.infra_drivers.kubernetes import deployment as deployment_mod
from tacker.vnfm.infra_drivers.kubernetes import manifests
from tacker.vnfm.infra_drivers.kubernetes import v1_records
from tacker.vnfm.infra_drivers.kubernetes import vim_access
import tacker.conf

CONF = tacker.conf.CONF
VIM_TYPE = 'kubernetes'


def stale_claim_cutoff(now):
    """A DB_SYNCHRONIZING set before this time is a dead holder's."""
    return now - datetime.timedelta(
        seconds=CONF.database_sync.stale_claim_age)


def _connection(entry):
    return v1_records.unwrap(entry) if isinstance(entry, dict) else {}


def _connection_problem(record):
    """The field of an entry whose VIM id is not text, or None."""
    for position, entry in enumerate(record.vim_connection_info or []):
        data = _connection(entry)
        for key in ('vim_id', 'vimId'):
            if data.get(key) is not None and not isinstance(data[key], str):
                return 'vim_connection_info[%d].%s' % (position, key)
    return None


def _connection_vim_id(record):
    for entry in record.vim_connection_info or []:
        data = _connection(entry)
        vim_id = data.get('vim_id') or data.get('vimId')
        if vim_id and isinstance(vim_id, str):
            return vim_id
    return None


def uses_helm(params):
    """Tacker's v1 mark of an instance deployed from a Helm chart."""
    use_helm = params.get('use_helm')
    if isinstance(use_helm, str):
        return use_helm.lower() == 'true'
    return bool(use_helm)


class V1Adapter(base.Adapter):
    api_version = 'v1'
    instances = v1_instances
    op_occs = op_occs.V1

    # --- reading a record

    def load(self, instance_id):
        return v1_instances.get_instance(instance_id)

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

    def stored(self, record, targets):
        """The record in the core model's terms."""
        info = record.instantiated
        return v1_records.stored_from_v1(
            record.id, vnfc_resource_info=info.vnfc_resource_info,
            scale_status=info.scale_status, vdu_targets=targets)

    def namespace(self, record):
        return base.namespace_or_default(record.vnf_metadata.get('namespace'))

    # --- the synchronization's candidates

    def candidate_builder(self, records, collector):
        """A function from a record to its Candidate (None: not one).

        The VIMs the records name, and the projects' default VIMs when a
        record names none, are read here once for all of them.
        """
        vim_ids = {_connection_vim_id(r) for r in records}
        by_id = vims.get_vims(vim_ids - {None})
        defaults = vims.default_vims() if None in vim_ids else {}
        return lambda record: self._candidate(record, by_id, defaults,
                                              collector)

    def _candidate(self, record, by_id, defaults, collector):
        if record.instantiated is None:
            return None  # INSTANTIATED without its info: nothing to check
        odd = _connection_problem(record)
        if odd is not None:
            # Not the default VIM instead: the record names some VIM.
            raise base.NotCheckable('unreadable record: %s is not text'
                                    % odd)
        vim_id = _connection_vim_id(record)
        vim = by_id.get(vim_id) if vim_id else defaults.get(
            record.tenant_id)
        if vim is None:
            raise base.NotCheckable('VIM %s is not registered'
                                    % (vim_id or 'default'))
        flavour, package_dir = collector.flavour(
            record.vnf_pkg_id, record.instantiated.flavour_id)
        params = record.instantiated.additional_params or {}
        if uses_helm(params):
            # The package holds a chart, not manifests; the entries name
            # the workloads the release created.
            targets = v1_records.targets_from_entries(
                record.instantiated.vnfc_resource_info)
            if not targets:
                raise base.NotCheckable('a Helm instance whose VNFC '
                                        'entries name no workload')
        else:
            files = tuple(params.get(deployment_mod.DEF_FILES)
                          or flavour.kubernetes_files)
            targets = manifests.vdu_targets(
                flavour, manifests.load(package_dir, files), files)
        access = collector.access(vim.id, lambda: vim_access.from_v1_vim(
            vim.id, vim.auth_url, vim.auth_cred))
        namespace = base.checked_namespace(self.namespace(record),
                                           'vnf_metadata.namespace')
        return base.Candidate(self, record, access, namespace, flavour,
                              targets)

    @contextlib.contextmanager
    def guard(self, candidate):
        """Hold ``task_state = DB_SYNCHRONIZING`` for the write.

        The claim succeeds only when task_state is NULL, in one UPDATE, so
        a v1 LCM request that set its own task_state first wins.  It runs
        under the instance lock, so a DB_SYNCHRONIZING found there is not
        one of ours: older than ``[database_sync] stale_claim_age`` it was
        left by a synchronization that died and is taken over; younger,
        it may be Tacker's own synchronization at work, and the instance
        is left for the next pass.
        """
        now = timeutils.utcnow()
        if not v1_instances.claim_task_state(
                candidate.instance_id, states.DB_SYNCHRONIZING,
                reclaim_before=stale_claim_cutoff(now),
                instantiation_state=states.INSTANTIATED, now=now):
            raise exceptions.LockHeld(id=candidate.instance_id)
        try:
            yield
        finally:
            v1_instances.release_task_state(candidate.instance_id,
                                            states.DB_SYNCHRONIZING)

    # --- LCM: the VIM and the deployment

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

    def _request_connections(self, params, record):
        # The v1 API takes camelCase (vimConnectionInfo: [{id, vimId,
        # vimType}]); snake_case is accepted too.
        return params.get('vimConnectionInfo') or \
            params.get('vim_connection_info') or record.vim_connection_info

    def prepare_instantiate(self, record, params, tenant_id):
        self._vim(self._request_connections(params, record),
                  record.tenant_id)

    def instantiate_deployment(self, record, params):
        flavour, package_dir = deployment_mod.flavour_of(
            record.vnf_pkg_id, params.get('flavourId'))
        additional = params.get('additionalParams') or {}
        vim, _ = self._vim(self._request_connections(params, record),
                           record.tenant_id)
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
                {'namespace': namespace}, 'vnf_metadata.namespace'),
            vim=vim)

    # --- writing

    def write_instantiated(self, record, deployment, plan, params):
        _, connection = self._vim(self._request_connections(params, record),
                                  record.tenant_id)
        vnfcs, scale_status = v1_records.apply_plan_v1(
            [], [], plan, vim_connection_id=connection['id'])
        additional = dict(params.get('additionalParams') or {})
        additional[deployment_mod.DEF_FILES] = list(deployment.files)
        additional['namespace'] = deployment.namespace
        metadata = dict(record.vnf_metadata or {})
        metadata['namespace'] = deployment.namespace
        v1_instances.mark_instantiated(
            record, metadata=metadata, connections=[connection], info={
                'flavour_id': deployment.flavour.flavour_id,
                'ext_cp_info': [], 'ext_virtual_link_info': [],
                'ext_managed_virtual_link_info': [],
                'vnf_virtual_link_resource_info': [],
                'virtual_storage_resource_info': [], 'vnfc_info': [],
                'vnf_state': 'STARTED',
                'instantiation_level_id': params.get('instantiationLevelId'),
                'additional_params': additional,
                'vnfc_resource_info': vnfcs, 'scale_status': scale_status})

    def write_plan(self, record, plan, *, vim_connection_id=None,
                   session=None):
        """Apply a reconcile plan (an operation's or a synchronization's).

        New VNFC entries name ``vim_connection_id``, by default the
        instance's stored connection.
        """
        if plan.is_empty:
            return
        info = record.instantiated
        vnfcs, scale_status = v1_records.apply_plan_v1(
            info.vnfc_resource_info, info.scale_status, plan,
            vim_connection_id=(vim_connection_id
                               or self._connection_id(record)))
        v1_instances.update_instantiated_info(
            record, vnfc_resource_info=vnfcs, scale_status=scale_status)

    def _connection_id(self, record):
        for entry in record.vim_connection_info or ():
            data = _connection(entry)
            if data.get('id') or data.get('vim_id'):
                return data.get('id') or data.get('vim_id')
        return None

    def write_terminated(self, record):
        v1_instances.mark_terminated(record)

    # --- task_state

    def claim(self, instance_id, operation):
        task_state = states.TASK_STATES.get(operation)
        if task_state is None:
            return True  # an operation without a task state (modify)
        return v1_instances.claim_task_state(instance_id, task_state)

    def release(self, instance_id, operation):
        task_state = states.TASK_STATES.get(operation)
        if task_state is not None:
            v1_instances.release_task_state(instance_id, task_state)

    # --- modify

    def check_modify(self, record, params):
        """At begin: refuse what Tacker's v1 refuses (400)."""
        if record.instantiation_state == states.NOT_INSTANTIATED and \
                'vimConnectionInfo' in params:
            raise exceptions.Invalid(message=(
                'vimConnectionInfo cannot be modified in NOT_INSTANTIATED.'))
        self._new_package(record, params)

    def _new_package(self, record, params):
        if params.get('vnfdId'):
            wanted, package = params['vnfdId'], packages.find_for_vnfd(
                params['vnfdId'], record.tenant_id)
        elif params.get('vnfPkgId'):
            wanted = params['vnfPkgId']
            try:
                package = packages.get(wanted, record.tenant_id)
            except exceptions.NotFound:
                package = None
            if package is not None and \
                    package.get('onboarding_state') != packages.ONBOARDED:
                package = None
        else:
            return None
        if package is None or not package.get('vnfd_id'):
            raise exceptions.Invalid(message=(
                'Can not find requested vnf package vnfd: %s' % wanted))
        if package['vnfd_id'] == record.vnfd_id and \
                package['id'] == record.vnf_pkg_id:
            return None
        return package

    def write_modified(self, record, params):
        """Merge the request into the instance; returns what changed."""
        package = self._new_package(record, params)
        return v1_instances.modify(
            record.id, lambda current: modify.v1_changes(
                current, params, package))

    def after_lost_op_occ(self, instance_id, now):
        """Clear the task state the dead operation held, with its op occ."""
        def clear(session):
            v1_instances.release_task_state(
                instance_id, tuple(states.TASK_STATES.values()),
                session=session, now=now)
        return clear

    def sync_leftovers(self, now):
        return v1_instances.holding_task_state(
            states.DB_SYNCHRONIZING, claimed_before=stale_claim_cutoff(now))

    def clear_sync_leftover(self, instance_id, now):
        # The age again in the UPDATE: a Tacker synchronization may have
        # ended and marked the instance anew since the ids were read.
        return int(v1_instances.release_task_state(
            instance_id, states.DB_SYNCHRONIZING, now=now,
            claimed_before=stale_claim_cutoff(now)))

    # --- conflicts

    def held_conflict(self, instance_id, operation):
        """The 409 when someone else holds the instance lock."""
        record = self.load(instance_id)  # NotFound stays a 404
        state = record.task_state
        if state is None:
            running = [o for o in self.op_occs.for_instances([instance_id])
                       if o.state in states.IN_PROGRESS]
            # Nobody's task_state and no operation: the synchronization
            # holds the lock and is about to mark it.
            state = (states.TASK_STATES.get(running[-1].operation,
                                            states.DB_SYNCHRONIZING)
                     if running else states.DB_SYNCHRONIZING)
        return base.TaskStateConflict(id=instance_id, state=state,
                                      action=base.action_name(operation))

    def running_conflict(self, record, running, operation):
        """The 409 when op occs in ``blocking_states`` exist."""
        return base.TaskStateConflict(
            id=record.id,
            state=record.task_state or states.TASK_STATES.get(
                running[-1].operation, running[-1].state),
            action=base.action_name(operation))


ADAPTER = V1Adapter()
