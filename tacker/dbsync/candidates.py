"""The DB side of a pass: which instances to check, and what they need.

Everything is read in a handful of queries for the whole pass (instances,
op occs, VIMs and packages, each once for v1 and v2), never per instance.
An instance that cannot be checked this pass gets its ``Outcome`` here:
an LCM operation in progress or a failed one (skipped, with Tacker's log
lines), or a missing VIM, package or manifest (failed, with the reason).
"""

import dataclasses

from oslo_log import log as logging

from tacker.common import exceptions
from tacker.db import package_repository
from tacker.db import v1_repository as v1_repo
from tacker.db import v2_repository as v2_repo
from tacker.db import vim_repository
from tacker.dbsync import outcome
from tacker.keymgr import vim_secrets
from tacker.vnfm.infra_drivers.kubernetes import manifests
from tacker.vnfm.infra_drivers.kubernetes import v1_records
from tacker.vnfm.infra_drivers.kubernetes import v2_records
from tacker.vnfm.infra_drivers.kubernetes import vim_access
from tacker.vnfpkgm import store as package_store
from tacker.vnfpkgm import vnfd as vnfd_mod

LOG = logging.getLogger(__name__)

INSTANTIATED = 'INSTANTIATED'
IN_PROGRESS = frozenset({'STARTING', 'PROCESSING', 'ROLLING_BACK'})

IN_PROGRESS_MSG = ('There is an LCM operation in progress, so skip this DB '
                   'synchronization. vnf: %(id)s')
ABNORMAL_MSG = ('The LCM operation status of the vnf: %(id)s is abnormal, '
                'so skip this DB synchronization.')


@dataclasses.dataclass(frozen=True)
class Candidate:
    """An instance the pass will compare with the cluster."""

    api_version: str
    record: object  # v1_repository.InstanceV1 | v2_repository.InstanceV2
    vim: vim_access.VimAccess
    namespace: str
    flavour: object  # vnfd.Flavour
    targets: dict  # vdu_id -> model.VduTarget

    @property
    def instance_id(self):
        return self.record.id


class NotCheckable(exceptions.TackerError):
    """The instance lacks something the pass needs (VIM, package...)."""


def op_occ_verdict(instance_id, op_occs):
    """None if the instance may be synchronized, else a skip Outcome.

    ``op_occs`` are the instance's op occs, oldest first.  An instance
    with none at all is fine.
    """
    if any(o.operation_state in IN_PROGRESS for o in op_occs):
        LOG.info(IN_PROGRESS_MSG, {'id': instance_id})
        return 'LCM operation in progress'
    if any(o.operation_state == 'FAILED_TEMP' for o in op_occs) or (
            op_occs and op_occs[-1].operation_state == 'FAILED'):
        LOG.error(ABNORMAL_MSG, {'id': instance_id})
        return 'latest LCM operation failed'
    return None


def _group(op_occs):
    grouped = {}
    for op in op_occs:
        grouped.setdefault(op.vnf_instance_id, []).append(op)
    return grouped


class Collector:
    """Builds the candidates of one pass."""

    def __init__(self, store=None, owns=None, namespaces=None):
        self._store = store or package_store.PackageStore()
        # Which instances this conductor synchronizes (all by default).
        self._owns = owns or (lambda instance_id: True)
        # Only instances in these namespaces (an event-driven pass).
        self._namespaces = namespaces
        self.outcomes = []
        self.candidates = []
        self.not_owned = 0
        # VIMs whose credentials cannot be used: one ERROR per pass each.
        self._vim_failures = {}

    def collect(self, instance_ids=None):
        self._collect_v2(instance_ids)
        self._collect_v1(instance_ids)
        return self.candidates, self.outcomes

    def _mine(self, records, namespace_of):
        if self._namespaces is not None:
            records = [r for r in records
                       if namespace_of(r) in self._namespaces]
        mine = [r for r in records if self._owns(r.id)]
        self.not_owned += len(records) - len(mine)
        return mine

    def _skip(self, api_version, instance_id, status, reason):
        self.outcomes.append(outcome.Outcome(instance_id, api_version,
                                             status, reason))

    def _readable(self, api_version, records):
        for record in records:
            if not record.problems:
                yield record
                continue
            reason = 'unreadable record: ' + '; '.join(record.problems)
            LOG.error('Cannot synchronize vnf %(id)s: %(reason)s',
                      {'id': record.id, 'reason': reason})
            self._skip(api_version, record.id, outcome.FAILED, reason)

    def _checkable(self, api_version, records, op_occs):
        grouped = _group(op_occs)
        for record in records:
            reason = op_occ_verdict(record.id, grouped.get(record.id, []))
            if reason:
                self._skip(api_version, record.id, outcome.SKIPPED, reason)
            else:
                yield record

    def _flavour(self, package_id, flavour_id):
        package_dir = self._store.package_dir(package_id)
        return vnfd_mod.get_vnfd(package_dir).flavour(flavour_id), \
            package_dir

    def _access(self, vim_id, build):
        """``build()``'s VimAccess; a VIM's failure is kept for the pass."""
        failure = self._vim_failures.get(vim_id)
        if failure is not None:
            raise failure
        try:
            return build()
        except vim_secrets.CredentialsUnavailable as exc:
            self._vim_failures[vim_id] = exc
            LOG.error('Cannot use VIM %(vim)s: %(reason)s. Its instances '
                      'are not synchronized this pass.',
                      {'vim': exc.vim, 'reason': exc.reason})
            raise

    def _add(self, api_version, record, build):
        try:
            self.candidates.append(build(record))
        except vim_secrets.CredentialsUnavailable as exc:
            # Logged once for its VIM by _access.
            self._skip(api_version, record.id, outcome.FAILED, exc.message)
        except (exceptions.TackerError, OSError) as exc:
            message = getattr(exc, 'message', None) or str(exc)
            LOG.error('Cannot synchronize vnf %(id)s: %(reason)s',
                      {'id': record.id, 'reason': message})
            self._skip(api_version, record.id, outcome.FAILED, message)
        except Exception as exc:  # noqa: one bad record never stops a pass
            # A record whose JSON is not what the LCM writes (a VDU kind
            # that is no workload, a list where an object belongs, ...).
            message = 'unreadable record (%s: %s)' % (type(exc).__name__,
                                                      exc)
            LOG.exception('Cannot synchronize vnf %(id)s: %(reason)s',
                          {'id': record.id, 'reason': message})
            self._skip(api_version, record.id, outcome.FAILED, message)

    # --- v2

    def _collect_v2(self, instance_ids):
        records = list(self._readable('v2', self._mine(
            v2_repo.list_instances(INSTANTIATED, ids=instance_ids),
            _v2_namespace)))
        if not records:
            return
        op_occs = v2_repo.list_op_occs([r.id for r in records])
        records = list(self._checkable('v2', records, op_occs))
        packages = package_repository.packages_for_vnfds(
            {r.vnfd_id for r in records})
        registered = vim_repository.get_vims(
            {c.get('vimId') for r in records
             for c in (r.vim_connection_info or {}).values()
             if isinstance(c, dict) and isinstance(c.get('vimId'), str)})
        for record in records:
            self._add('v2', record, lambda r: self._v2_candidate(
                r, packages, registered))

    def _v2_candidate(self, record, packages, registered):
        info = record.instantiated_vnf_info or {}
        vim = _v2_vim(record, registered, self._access)
        package_id = packages.get(record.vnfd_id)
        if package_id is None:
            raise NotCheckable('no onboarded VNF package has vnfd %s'
                               % record.vnfd_id)
        flavour, package_dir = self._flavour(package_id,
                                             info.get('flavourId'))
        metadata = info.get('metadata') or {}
        targets = v2_records.targets_from_vdu_reses(
            metadata.get('vdu_reses') or {})
        if not targets:
            files = tuple(metadata.get('lcm-kubernetes-def-files')
                          or flavour.kubernetes_files)
            targets = manifests.vdu_targets(
                flavour, manifests.load(package_dir, files), files)
        namespace = _checked_namespace(_v2_namespace(record),
                                       'instantiatedVnfInfo.metadata')
        return Candidate('v2', record, vim, namespace, flavour, targets)

    # --- v1

    def _collect_v1(self, instance_ids):
        records = list(self._readable('v1', self._mine(
            v1_repo.list_instances(INSTANTIATED, ids=instance_ids),
            _v1_namespace)))
        if not records:
            return
        op_occs = v1_repo.list_op_occs([r.id for r in records])
        records = [r for r in self._checkable('v1', records, op_occs)
                   if r.instantiated is not None]
        vims = vim_repository.get_vims(
            {_v1_vim_id(r) for r in records} - {None})
        defaults = None
        if any(_v1_vim_id(r) is None for r in records):
            defaults = vim_repository.default_vims()
        for record in records:
            self._add('v1', record, lambda r: self._v1_candidate(
                r, vims, defaults))

    def _v1_candidate(self, record, vims, defaults):
        vim_id = _v1_vim_id(record)
        vim = vims.get(vim_id) if vim_id else (defaults or {}).get(
            record.tenant_id)
        if vim is None:
            raise NotCheckable('VIM %s is not registered'
                               % (vim_id or 'default'))
        flavour, package_dir = self._flavour(
            record.vnf_pkg_id, record.instantiated.flavour_id)
        params = record.instantiated.additional_params or {}
        if _uses_helm(params):
            # The package holds a chart, not manifests; the entries name
            # the workloads the release created.
            targets = v1_records.targets_from_entries(
                record.instantiated.vnfc_resource_info)
            if not targets:
                raise NotCheckable('a Helm instance whose VNFC entries name '
                                   'no workload')
        else:
            files = tuple(params.get('lcm-kubernetes-def-files')
                          or flavour.kubernetes_files)
            targets = manifests.vdu_targets(
                flavour, manifests.load(package_dir, files), files)
        access = self._access(vim.id, lambda: vim_access.from_v1_vim(
            vim.id, vim.auth_url, vim.auth_cred))
        return Candidate('v1', record, access,
                         _checked_namespace(_v1_namespace(record),
                                            'vnf_metadata.namespace'),
                         flavour, targets)


def _uses_helm(params):
    """Tacker's v1 mark of an instance deployed from a Helm chart."""
    use_helm = params.get('use_helm')
    if isinstance(use_helm, str):
        return use_helm.lower() == 'true'
    return bool(use_helm)


def _namespace(value):
    """A stored namespace, 'default' when unset, None when not a name."""
    if value is None or value == '':
        return 'default'
    return value if isinstance(value, str) else None


def _v2_namespace(record):
    metadata = (record.instantiated_vnf_info or {}).get('metadata') or {}
    return _namespace(metadata.get('namespace')
                      if isinstance(metadata, dict) else metadata)


def _v1_namespace(record):
    return _namespace(record.vnf_metadata.get('namespace'))


def _checked_namespace(namespace, field):
    if namespace is None:
        raise NotCheckable('unreadable record: %s is not a namespace name'
                           % field)
    return namespace


def _v1_vim_id(record):
    for connection in record.vim_connection_info or []:
        if isinstance(connection, dict):
            data = connection.get('tacker_object.data', connection)
            vim_id = data.get('vim_id') or data.get('vimId')
            if vim_id and isinstance(vim_id, str):
                return vim_id
    return None


def _v2_vim(record, registered, access):
    for key, connection in sorted((record.vim_connection_info or {}).items()):
        if not isinstance(connection, dict) or connection.get(
                'vimType') not in vim_access.V2_SYNC_VIM_TYPES:
            continue
        endpoint = (connection.get('interfaceInfo') or {}).get('endpoint')
        if endpoint:
            return access(connection.get('vimId') or endpoint,
                          lambda: vim_access.from_v2_connection(
                              key, connection))
        vim = registered.get(connection.get('vimId'))
        if vim is not None:
            return access(vim.id, lambda: vim_access.from_v1_vim(
                vim.id, vim.auth_url, vim.auth_cred))
    raise NotCheckable('vimConnectionInfo names no Kubernetes VIM')
