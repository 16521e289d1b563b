"""Instantiate, scale, heal, terminate and modify a CNF, and roll back.

One flow for v1 and v2.
Each operation acts on the cluster, waits until the cluster shows the
wanted state, and then records what runs.  Recording uses the
synchronization's own pure core: ``ownership.observe_vdus`` and
``reconcile.reconcile`` (with no settle delay) compare the stored record
with the cluster, and the version adapter applies the plan with the same
function the synchronization writes with (``write_plan``).  So an
operation records exactly what a synchronization pass would, and the
next pass finds no drift.

Rolling back a FAILED_TEMP operation undoes on the cluster what it did
and records the result the same way.  ``ROLLBACKS`` maps an operation
to its undo step (a function of the ``Operation``, the record and the
failed operation's parameters); an operation without an entry cannot be
rolled back, and ``rollback_refusal`` says why before anything changes.

The version adapter (``tacker.versions``) is the only version-specific
part.  Scale and heal requests were checked when the operation began
(``begin``); they are checked again here against the record as it is
now, since the synchronization may have run in between.
"""

import dataclasses
import functools

from oslo_log import log as logging

from tacker.common import exceptions
from tacker.common import states
from tacker.vnfm.infra_drivers.kubernetes import k8s_resources
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import outcome
from tacker.vnfm.infra_drivers.kubernetes import ownership
from tacker.vnfm.infra_drivers.kubernetes import reconcile
from tacker.vnfm.infra_drivers.kubernetes import vim_access
from tacker.vnfpkgm import errors as package_errors
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

SCALE_OUT = 'SCALE_OUT'
SCALE_IN = 'SCALE_IN'
FORCEFUL = 'FORCEFUL'


class RecordError(exceptions.TackerError):
    """The cluster's state cannot be recorded (e.g. pods out of range)."""

    msg_fmt = 'The result of the operation cannot be recorded: %(reason)s'


@dataclasses.dataclass(frozen=True)
class Settings:
    """Timing of one operation (from [vnf_lcm] unless a test says)."""

    operation_timeout: float
    poll_interval: float
    request_timeout: float

    @classmethod
    def from_conf(cls):
        lcm = CONF.vnf_lcm
        return cls(operation_timeout=lcm.operation_timeout,
                   poll_interval=lcm.poll_interval,
                   request_timeout=lcm.kubernetes_request_timeout)


# --- checks of requests (also used by begin)

def scale_target_level(flavour, current_levels, params):
    """``(aspect_id, new level)`` of a scale request, or Invalid."""
    aspect_id = params.get('aspectId')
    if aspect_id not in flavour.aspects:
        raise exceptions.Invalid(
            reason='aspectId %r is not a scaling aspect of flavour %s '
            '(known: %s)' % (aspect_id, flavour.flavour_id,
                             ', '.join(sorted(flavour.aspects)) or 'none'))
    kind = params.get('type')
    if kind not in (SCALE_OUT, SCALE_IN):
        raise exceptions.Invalid(reason='type must be SCALE_OUT or '
                                 'SCALE_IN, not %r' % (kind,))
    steps = params.get('numberOfSteps', 1)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise exceptions.Invalid(reason='numberOfSteps must be a positive '
                                 'integer, not %r' % (steps,))
    current = current_levels.get(aspect_id, 0)
    new = current + steps if kind == SCALE_OUT else current - steps
    top = flavour.aspects[aspect_id].max_scale_level
    if not 0 <= new <= top:
        raise exceptions.Invalid(
            reason='numberOfSteps %d of %s would take aspect %s from scale '
            'level %d to %d, outside [0, %d]'
            % (steps, kind, aspect_id, current, new, top))
    return aspect_id, new


def heal_pods(vnfcs, params, field):
    """Pod names a heal request names; every id must be known (400).

    ``vnfcs`` maps the ids the API exposes to pod names; an empty or
    absent list heals every VNFC of the instance.
    """
    wanted = params.get('vnfcInstanceId')
    if wanted is None:
        wanted = params.get('vnfc_instance_id')
    if not wanted:
        return sorted(set(vnfcs.values()) - {None})
    if isinstance(wanted, str) or not isinstance(wanted, list):
        raise exceptions.Invalid(reason='%s must be a list of ids' % field)
    unknown = [v for v in wanted if v not in vnfcs]
    if unknown:
        raise exceptions.Invalid(
            reason='%s names VNFC instances the vnf instance does not have: '
            '%s' % (field, ', '.join(map(str, unknown))))
    return sorted({vnfcs[v] for v in wanted} - {None})


# --- the flows

class Operation:
    """Runs one operation of one instance with its version adapter."""

    def __init__(self, adapter, settings=None):
        self.adapter = adapter
        self.settings = settings or Settings.from_conf()

    def run(self, occ, record):
        handler = {states.INSTANTIATE: self.instantiate,
                   states.SCALE: self.scale, states.HEAL: self.heal,
                   states.TERMINATE: self.terminate,
                   states.MODIFY_INFO: self.modify_info}.get(occ.operation)
        if handler is None and occ.operation in STEPS:
            handler = functools.partial(STEPS[occ.operation], self)
        if handler is None:
            raise exceptions.Invalid(reason='operation %s is not supported'
                                     % occ.operation)
        handler(record, occ.params or {})

    def rollback(self, occ, record):
        """Undo what the failed ``occ`` did (see ``ROLLBACKS``)."""
        refusal = rollback_refusal(occ.operation, occ.params or {})
        if refusal is not None:
            raise refusal
        ROLLBACKS[occ.operation](self, record, occ.params or {})

    def _cluster(self, clients, vim):
        return k8s_resources.Cluster(clients.get(vim), vim,
                                     timeout=self.settings.request_timeout)

    def _wait(self, cluster, deployment, check):
        return cluster.wait(deployment.namespace, check,
                            timeout=self.settings.operation_timeout,
                            interval=self.settings.poll_interval)

    def _set_replicas(self, record, deployment, counts):
        """VDU id -> replicas on the cluster; then the pods recorded."""
        with _Clients() as clients:
            cluster = self._cluster(clients, deployment.vim)
            for vdu_id, count in sorted(counts.items()):
                cluster.set_replicas(deployment.vdu_object(vdu_id), count)
            snapshot = self._wait(cluster, deployment,
                                  k8s_resources.vdus_ready(
                                      deployment.targets.values(), counts))
        plan = self._plan(self.adapter.stored(record, deployment.targets),
                          snapshot, deployment)
        self.adapter.write_plan(record, plan)

    def _plan(self, stored, snapshot, deployment):
        targets = deployment.targets
        observations = ownership.observe_vdus(snapshot, targets.values())
        plan = reconcile.reconcile(
            stored, observations, _scaling(deployment.flavour, targets),
            now=0.0, unsettled_since={}, settle_timeout=0)
        if plan.outcome == outcome.FAILED:
            raise RecordError(reason='; '.join(e.message
                                               for e in plan.errors))
        for warning in plan.warnings:
            LOG.warning(warning)
        return plan

    # --- instantiate

    def instantiate(self, record, params):
        deployment = self.adapter.instantiate_deployment(record, params)
        level_id = params.get('instantiationLevelId')
        wanted = {vdu_id: deployment.flavour.pod_count_for_instantiation_level(
            level_id, vdu_id) for vdu_id in deployment.targets}
        deployment = _with_replicas(deployment, wanted)
        expected = {vdu_id: count for vdu_id, count in wanted.items()
                    if deployment.targets[vdu_id].kind
                    in model.KINDS_WITH_REPLICAS}
        with _Clients() as clients:
            cluster = self._cluster(clients, deployment.vim)
            for obj in deployment.objects:
                # What an earlier attempt created is kept (a retry).
                cluster.create_or_adopt(obj, record.id)
            snapshot = self._wait(cluster, deployment,
                                  k8s_resources.vdus_ready(
                                      deployment.targets.values(), expected))
        empty = model.StoredInstance(
            instance_id=record.id, api_version=self.adapter.api_version,
            vdu_targets=dict(deployment.targets))
        plan = self._plan(empty, snapshot, deployment)
        self.adapter.write_instantiated(record, deployment, plan, params)
        LOG.info('vnf %(id)s instantiated in namespace %(ns)s: %(pods)s',
                 {'id': record.id, 'ns': deployment.namespace,
                  'pods': _pod_summary(plan)})

    # --- scale

    def scale(self, record, params):
        deployment = self.adapter.deployment(record)
        flavour = deployment.flavour
        aspect_id, level = scale_target_level(
            flavour, self.adapter.scale_levels(record), params)
        counts = {}
        for vdu_id in flavour.aspect_vdus(aspect_id):
            target = deployment.targets[vdu_id]
            if target.kind not in model.KINDS_WITH_REPLICAS:
                raise exceptions.Invalid(
                    reason='VDU %s is a %s, which has no replicas to scale'
                    % (vdu_id, target.kind))
            counts[vdu_id] = flavour.vdu_scaling(vdu_id).count_at_level(
                level)
        self._set_replicas(record, deployment, counts)
        LOG.info('vnf %(id)s scaled: aspect %(aspect)s to level %(level)d '
                 '(%(counts)s)',
                 {'id': record.id, 'aspect': aspect_id, 'level': level,
                  'counts': ', '.join('%s=%d' % item
                                      for item in sorted(counts.items()))})

    # --- heal

    def heal(self, record, params):
        deployment = self.adapter.deployment(record)
        names = set(heal_pods(self.adapter.vnfcs(record), params,
                              self.adapter.heal_field))
        targets = deployment.targets
        with _Clients() as clients:
            cluster = self._cluster(clients, deployment.vim)
            before = cluster.snapshot(deployment.namespace)
            owned = k8s_resources.owned_pods(before, targets.values())
            healed = {uid: name for uid, name in owned.items()
                      if name in names}
            # A bare pod the request names is created again even when it
            # is already gone (a heal that failed half-way, an eviction):
            # nothing else would ever bring it back.
            bare = [vdu_id for vdu_id, t in sorted(targets.items())
                    if t.kind == model.POD and t.name in names]
            for uid, name in sorted(healed.items(), key=lambda i: i[1]):
                cluster.delete_pod(deployment.namespace, name)
            if bare:
                # Nothing owns a bare pod: it comes back only when we
                # create it again, once the old one is gone.
                bare_uids = [u for u, n in healed.items()
                             if n in {targets[v].name for v in bare}]
                self._wait(cluster, deployment,
                           k8s_resources.pods_gone(bare_uids))
                for vdu_id in bare:
                    cluster.create(deployment.vdu_object(vdu_id))
            snapshot = self._wait(cluster, deployment,
                                  k8s_resources.pods_gone(
                                      healed, then=k8s_resources.vdus_ready(
                                          targets.values())))
        plan = self._plan(self.adapter.stored(record, deployment.targets),
                          snapshot, deployment)
        self.adapter.write_plan(record, plan)
        LOG.info('vnf %(id)s healed: pods %(pods)s replaced',
                 {'id': record.id,
                  'pods': ', '.join(sorted(healed.values())) or 'none'})

    # --- terminate

    def terminate(self, record, params):
        deployment = self.adapter.deployment(record)
        forceful = params.get('terminationType') == FORCEFUL
        grace = 0 if forceful else params.get('gracefulTerminationTimeout')
        if grace is not None and (isinstance(grace, bool)
                                  or not isinstance(grace, int)):
            grace = None
        self._delete_all(deployment, grace=grace, forceful=forceful)
        self.adapter.write_terminated(record)
        LOG.info('vnf %(id)s terminated: %(count)d objects deleted from '
                 'namespace %(ns)s',
                 {'id': record.id, 'count': len(deployment.objects),
                  'ns': deployment.namespace})

    def _delete_all(self, deployment, *, grace=None, forceful=False,
                    owner=None):
        """Delete the deployment's objects and wait until all are gone.

        With ``owner`` (an instance id) an object that does not carry
        that instance's label is left alone: it is not ours to delete.
        """
        with _Clients() as clients:
            cluster = self._cluster(clients, deployment.vim)
            objects = deployment.objects
            targets = deployment.targets
            if owner is not None:
                objects = tuple(obj for obj in objects
                                if cluster.owner_of(obj) == owner)
                kept = {(obj.get('kind'), obj['metadata'].get('name'))
                        for obj in objects}
                targets = {vdu_id: t for vdu_id, t in targets.items()
                           if (t.kind, t.name) in kept}
                deployment = dataclasses.replace(deployment, objects=objects)
            before = cluster.snapshot(deployment.namespace)
            owned = k8s_resources.owned_pods(before, targets.values())
            for obj in reversed(deployment.objects):
                cluster.delete(obj, grace_seconds=grace)
            if forceful:
                for name in sorted(owned.values()):
                    cluster.delete_pod(deployment.namespace, name,
                                       grace_seconds=0)

            def objects_gone(_snapshot):
                left = [k8s_resources.object_name(obj)
                        for obj in deployment.objects
                        if cluster.exists(obj)]
                return ('still present: %s' % ', '.join(left)
                        if left else None)

            self._wait(cluster, deployment,
                       k8s_resources.pods_gone(owned, then=objects_gone))

    # --- modify

    def modify_info(self, record, params):
        """Merge the request into the instance (no cluster change)."""
        changes = self.adapter.write_modified(record, params)
        LOG.info('vnf %(id)s modified: %(fields)s',
                 {'id': record.id,
                  'fields': ', '.join(sorted(changes)) or 'nothing changed'})

    # --- rollback steps

    def rollback_instantiate(self, record, params):
        """Delete what the instantiate created; NOT_INSTANTIATED again."""
        deployment = self.adapter.instantiate_deployment(record, params)
        # Only what carries the instance's label: an object of the same
        # name that was there before (why the instantiate may have
        # failed) is someone else's.
        self._delete_all(deployment, owner=record.id)
        if self.adapter.instantiation_state(record) == states.INSTANTIATED:
            self.adapter.write_terminated(record)
        LOG.info('vnf %(id)s: instantiate rolled back, objects deleted from '
                 'namespace %(ns)s', {'id': record.id,
                                      'ns': deployment.namespace})

    def rollback_scale(self, record, params):
        """Put the aspect's VDUs back to the scale level recorded."""
        deployment = self.adapter.deployment(record)
        flavour = deployment.flavour
        aspect_id = params.get('aspectId')
        if aspect_id not in flavour.aspects:
            raise exceptions.Invalid(reason='aspectId %r is not a scaling '
                                     'aspect of flavour %s'
                                     % (aspect_id, flavour.flavour_id))
        # The failed scale wrote nothing: the record holds the level from
        # before it.
        level = self.adapter.scale_levels(record).get(aspect_id, 0)
        counts = {vdu_id: flavour.vdu_scaling(vdu_id).count_at_level(level)
                  for vdu_id in flavour.aspect_vdus(aspect_id)
                  if deployment.targets[vdu_id].kind
                  in model.KINDS_WITH_REPLICAS}
        self._set_replicas(record, deployment, counts)
        LOG.info('vnf %(id)s: scale rolled back, aspect %(aspect)s at level '
                 '%(level)d', {'id': record.id, 'aspect': aspect_id,
                               'level': level})

    def rollback_modify_info(self, record, params):
        """Nothing to undo: a failed modify wrote nothing (as Tacker)."""


#: operation -> its undo step, ``step(operation, record, params)``.  An
#: operation added elsewhere registers its own step here.
ROLLBACKS = {
    states.INSTANTIATE: Operation.rollback_instantiate,
    states.SCALE: Operation.rollback_scale,
    states.MODIFY_INFO: Operation.rollback_modify_info,
}

#: operation -> its step, ``step(operation, record, params)``, for the
#: operations whose module builds on this one and registers itself here
#: (``change_vnfpkg``); the modules that dispatch import it.
STEPS = {}


class RollbackRefused(exceptions.Conflict):
    """A rollback that cannot be done; the version picks the answer."""

    msg_fmt = 'Rollback of %(op)s is not supported.'

    def __init__(self, *, operation, what):
        super().__init__(op=what)
        self.operation = operation


def rollback_refusal(operation, params):
    """None when ``operation`` can be rolled back, else a RollbackRefused.

    As Tacker: only the operations of ``ROLLBACKS``, and a scale only
    when it scaled out (a scale in removed pods nothing can bring back
    as they were).
    """
    if operation not in ROLLBACKS:
        return RollbackRefused(operation=operation, what=operation)
    if operation == states.SCALE and params.get('type') == SCALE_IN:
        return RollbackRefused(operation=operation, what='SCALE IN')
    return None


class _Clients:
    """Kubernetes clients of one operation, closed at its end."""

    def __enter__(self):
        self._cache = vim_access.ClientCache()
        return self._cache

    def __exit__(self, *exc_info):
        self._cache.close()


def _scaling(flavour, targets):
    scaling = {}
    for vdu_id in targets:
        try:
            scaling[vdu_id] = flavour.vdu_scaling(vdu_id)
        except package_errors.VduNotFound:
            scaling[vdu_id] = None
    return scaling


def _with_replicas(deployment, wanted):
    """The deployment with each VDU workload's spec.replicas set."""
    by_name = {(t.kind, t.name): vdu_id
               for vdu_id, t in deployment.targets.items()
               if t.kind in model.KINDS_WITH_REPLICAS}
    objects = []
    for obj in deployment.objects:
        vdu_id = by_name.get((obj.get('kind'), obj['metadata'].get('name')))
        if vdu_id is not None:
            obj = dict(obj, spec=dict(obj.get('spec') or {},
                                      replicas=wanted[vdu_id]))
        objects.append(obj)
    return dataclasses.replace(deployment, objects=tuple(objects))


def _pod_summary(plan):
    return '; '.join('%s: %s' % (c.vdu_id, ', '.join(
        p.name for p in c.added) or '-') for c in plan.vdu_changes) or \
        'no pods'
