"""The DB side of a pass: which instances to check, and what they need.

Everything is read in a handful of queries for the whole pass (instances,
op occs, VIMs and packages, each once for v1 and v2), never per instance.
An instance that cannot be checked this pass gets its ``Outcome`` here:
an LCM operation in progress or a failed one (skipped, with Tacker's log
lines), or a missing VIM, package or manifest (failed, with the reason).
"""

from oslo_log import log as logging

from tacker.common import exceptions
from tacker.common import states
from tacker.dbsync import sync
from tacker.keymgr import vim_secrets
from tacker import versions
from tacker.versions import base
from tacker.vnfm.infra_drivers.kubernetes import outcome
from tacker.vnfpkgm import store as package_store
from tacker.vnfpkgm import vnfd as vnfd_mod

LOG = logging.getLogger(__name__)

ABNORMAL_MSG = ('The LCM operation status of the vnf: %(id)s is abnormal, '
                'so skip this DB synchronization.')

Candidate = base.Candidate


def op_occ_verdict(instance_id, op_occs):
    """None if the instance may be synchronized, else a skip Outcome.

    ``op_occs`` are the instance's op occs, oldest first.  An instance
    with none at all is fine.
    """
    if any(o.state in states.IN_PROGRESS for o in op_occs):
        LOG.info(sync.IN_PROGRESS_MSG, {'id': instance_id})
        return 'LCM operation in progress'
    if any(o.state == states.FAILED_TEMP for o in op_occs) or (
            op_occs and op_occs[-1].state == states.FAILED):
        LOG.error(ABNORMAL_MSG, {'id': instance_id})
        return 'latest LCM operation failed'
    return None


def _group(op_occs):
    grouped = {}
    for op in op_occs:
        grouped.setdefault(op.instance_id, []).append(op)
    return grouped


class Collector:
    """Builds the candidates of one pass."""

    def __init__(self, store=None, owns=None, namespaces=None, memos=None):
        self._store = store or package_store.PackageStore()
        # api_version -> the records of earlier passes, by digest (see
        # ``instances.Reader.list_instances``); None reads every record.
        self._memos = memos
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
        for adapter in versions.ALL:
            self._collect(adapter, instance_ids)
        return self.candidates, self.outcomes

    def _collect(self, adapter, instance_ids):
        records = list(self._readable(adapter.api_version, self._mine(
            adapter.instances.list_instances(
                states.INSTANTIATED, ids=instance_ids,
                memo=None if self._memos is None
                else self._memos.setdefault(adapter.api_version, {})),
            adapter.namespace)))
        if not records:
            return
        op_occs = adapter.op_occs.for_instances([r.id for r in records])
        records = list(self._checkable(adapter.api_version, records,
                                       op_occs))
        build = adapter.candidate_builder(records, self)
        for record in records:
            self._add(adapter.api_version, record, build)

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

    def flavour(self, package_id, flavour_id):
        """``(vnfd.Flavour, package directory)`` of an onboarded package."""
        package_dir = self._store.package_dir(package_id)
        return vnfd_mod.get_vnfd(package_dir).flavour(flavour_id), \
            package_dir

    def access(self, vim_id, build):
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
            candidate = build(record)
            if candidate is not None:
                self.candidates.append(candidate)
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
