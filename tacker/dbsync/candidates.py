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
from tacker.common import states
from tacker.db import packages
from tacker.db import vims
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

# Records unpacked at once while the candidates are built.
CHUNK = 200


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


def built_from():
    """What a candidate is built from besides its record, as one value.

    The live VIMs (a v1 record, or a v2 one without an endpoint of its
    own, takes its VIM's URL and credentials from them) and which package
    onboards each VNFD: two small queries a pass.  While it compares
    equal, a candidate built from an unchanged row is still right.
    """
    return (tuple(vims.list_vims()),
            tuple(sorted(packages.packages_for_vnfds().items())))


def _group(op_occs):
    grouped = {}
    for op in op_occs:
        grouped.setdefault(op.instance_id, []).append(op)
    return grouped


class Collector:
    """Builds the candidates of one pass."""

    def __init__(self, store=None, owns=None, namespaces=None, memos=None):
        self._store = store or package_store.PackageStore()
        # api_version -> {'records': the records of earlier passes, by
        # digest (see ``instances.Reader.packed_instances``), 'candidates':
        # what was built of them}; None reads and builds every record.
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
        inputs = None
        for adapter in versions.ALL:
            if self._memos is None:
                self._collect(adapter, adapter.instances.list_instances(
                    states.INSTANTIATED, ids=instance_ids))
                continue
            if inputs is None:
                inputs = built_from()
            memo = self._memos.setdefault(adapter.api_version,
                                          {'records': {}, 'candidates': {}})
            self._collect_packed(adapter, adapter.instances.packed_instances(
                states.INSTANTIATED, ids=instance_ids,
                memo=memo['records']), inputs, memo['candidates'])
            for gone in set(memo['candidates']) - set(memo['records']):
                del memo['candidates'][gone]
        return self.candidates, self.outcomes

    def _collect(self, adapter, records):
        records = list(self._readable(adapter.api_version, self._mine(
            records, adapter.namespace)))
        records = self._checkable(adapter.api_version, records, self._op_occs(
            adapter, [r.id for r in records]))
        self.candidates.extend(self._built(adapter, records))

    def _built(self, adapter, records, packed=None, inputs=None,
               kept=None):
        """Build the candidates of ``records``; the list of them.

        With ``packed`` ({id: instances.Packed}) each candidate keeps
        its record packed, and ``kept`` remembers it (see
        ``_collect_packed``).
        """
        found = []
        if not records:
            return found
        build = adapter.candidate_builder(records, self)
        for record in records:
            candidate = self._build(adapter.api_version, record, build)
            if candidate is None:
                continue
            if packed is not None:
                candidate = dataclasses.replace(candidate,
                                                source=packed[record.id])
                kept[record.id] = (inputs, candidate)
            found.append(candidate)
        return found

    def _collect_packed(self, adapter, packed, inputs, kept):
        """The candidates of ``instances.Packed`` records.

        ``kept`` ({id: (inputs, candidate)}, kept by the caller between
        passes) holds the candidates earlier passes built.  A record
        whose row has not changed since (the same Packed), while the
        VIMs and packages are as they were then (``inputs``), keeps that
        candidate and is not unpacked at all.
        The others are unpacked and built as ``_collect`` does, ``CHUNK``
        at a time, so that only a chunk's records are decoded at once.
        """
        api_version = adapter.api_version
        reused, fresh = [], []
        for one in packed:
            earlier = kept.get(one.id)
            if earlier is not None and earlier[1].source is one and \
                    earlier[0] == inputs:
                reused.append(earlier[1])
            else:
                fresh.append(one)
        reused = self._mine(reused, lambda c: c.namespace,
                            id_of=lambda c: c.instance_id)
        found = self._checkable(
            api_version, reused,
            self._op_occs(adapter, [c.instance_id for c in reused]),
            id_of=lambda c: c.instance_id)
        for start in range(0, len(fresh), CHUNK):
            chunk = {p.id: p for p in fresh[start:start + CHUNK]}
            records = list(self._readable(api_version, self._mine(
                [p.unpack() for p in chunk.values()], adapter.namespace)))
            records = self._checkable(api_version, records, self._op_occs(
                adapter, [r.id for r in records]))
            found.extend(self._built(adapter, records, chunk, inputs, kept))
        # In id order, as without the reuse.
        self.candidates.extend(sorted(found, key=lambda c: c.instance_id))

    @staticmethod
    def _op_occs(adapter, ids):
        return _group(adapter.op_occs.for_instances(ids)) if ids else {}

    def _mine(self, records, namespace_of, id_of=lambda r: r.id):
        if self._namespaces is not None:
            records = [r for r in records
                       if namespace_of(r) in self._namespaces]
        mine = [r for r in records if self._owns(id_of(r))]
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

    def _checkable(self, api_version, records, grouped,
                   id_of=lambda r: r.id):
        """Those of ``records`` no LCM operation holds (a list).

        ``grouped`` is their op occs by instance id, oldest first.
        """
        checkable = []
        for record in records:
            instance_id = id_of(record)
            reason = op_occ_verdict(instance_id, grouped.get(instance_id, []))
            if reason:
                self._skip(api_version, instance_id, outcome.SKIPPED, reason)
            else:
                checkable.append(record)
        return checkable

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

    def _build(self, api_version, record, build):
        """The record's candidate; None when it has none or failed."""
        try:
            return build(record)
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
        return None
