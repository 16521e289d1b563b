"""The API's half of an LCM operation: check it may start, and record it.

``begin_operation`` runs in tacker-server while the request waits.  Under
the instance lock (taken without waiting) it decides whether the
operation may start now, checks the request against the VNFD and the
stored (synchronized) record, and inserts the op occ in STARTING.  The
API then casts ``start_lcm`` to the conductor, which does the work.

Every refusal is a typed error carrying its HTTP status: ``NotFound``
(404), ``exceptions.Invalid`` (400) naming the field at fault, and the
conflicts of ``tacker.versions.base`` (409) with the texts Tacker's
clients know, which the version adapter picks.
"""

from oslo_log import log as logging

from tacker.common import coordination
from tacker.common import exceptions
from tacker.common import states
from tacker.db import api as db_api
from tacker import versions
from tacker.versions import base
from tacker.vnflcm import change_vnfpkg
from tacker.vnflcm import operations
from tacker.vnfm.infra_drivers.kubernetes import deployment as deployment_mod

LOG = logging.getLogger(__name__)


def _action(operation):
    return base.action_name(operation)


def begin_operation(*, api_version, instance_id, operation, params,
                    tenant_id=None):
    """Record a new operation in STARTING and return its op occ id.

    :param api_version: 'v1' or 'v2'
    :param operation: INSTANTIATE, SCALE, HEAL, TERMINATE, MODIFY_INFO or
        (v2) CHANGE_VNFPKG
    :param params: the request body (stored as operationParams)
    :param tenant_id: the caller's project (v1 op occ, default VIM)
    """
    adapter = versions.get(api_version)
    known = (states.OPERATIONS if api_version == 'v2'
             else states.V1_OPERATIONS)
    if operation not in known:
        raise exceptions.Invalid(reason='operation %r is not one of %s'
                                 % (operation, ', '.join(known)))
    params = params if params is not None else {}
    if not isinstance(params, dict):
        raise exceptions.Invalid(reason='the request body must be a JSON '
                                 'object')
    try:
        with coordination.instance_lock(instance_id):
            return _begin_locked(adapter, instance_id, operation, params,
                                 tenant_id)
    except exceptions.LockHeld:
        raise adapter.held_conflict(instance_id, operation)


def _check_op_occs(adapter, instance_id, operation, record):
    existing = adapter.op_occs.for_instances([instance_id])
    running = [o for o in existing if o.state in adapter.blocking_states]
    if running:
        raise adapter.running_conflict(record, running, operation)


def _validate(adapter, record, operation, params, tenant_id):
    """Check the request against the VNFD and the stored record (400)."""
    if operation == states.INSTANTIATE:
        if not params.get('flavourId'):
            raise exceptions.Invalid(reason='flavourId is required')
        flavour, package_dir = deployment_mod.flavour_of(
            adapter.package_id(record), params['flavourId'])
        level_id = params.get('instantiationLevelId')
        if level_id is not None and \
                level_id not in flavour.instantiation_levels:
            raise exceptions.Invalid(
                reason='instantiationLevelId %r is not defined in flavour '
                '%s' % (level_id, flavour.flavour_id))
        additional = params.get('additionalParams') or {}
        if not isinstance(additional, dict):
            raise exceptions.Invalid(reason='additionalParams must be an '
                                     'object')
        # Loads the manifests and maps every VDU: a missing file or VDU
        # is the caller's to fix.
        deployment_mod.build(
            instance_id=record.id, package_dir=package_dir,
            flavour=flavour,
            files=deployment_mod.files_of(flavour, additional),
            namespace=deployment_mod.namespace_of(additional), vim=None)
        adapter.prepare_instantiate(record, params, tenant_id)
    elif operation == states.SCALE:
        flavour, _ = deployment_mod.flavour_of(adapter.package_id(record),
                                               adapter.flavour_id(record))
        operations.scale_target_level(flavour, adapter.scale_levels(record),
                                      params)
    elif operation == states.HEAL:
        operations.heal_pods(adapter.vnfcs(record), params,
                             adapter.heal_field)
    elif operation == states.CHANGE_VNFPKG:
        change_vnfpkg.validate(adapter, record, params)
    elif operation == states.MODIFY_INFO:
        adapter.check_modify(record, params)
    elif operation == states.TERMINATE:
        kind = params.get('terminationType')
        if kind is not None and kind not in ('FORCEFUL', 'GRACEFUL'):
            raise exceptions.Invalid(reason='terminationType must be '
                                     'FORCEFUL or GRACEFUL, not %r'
                                     % (kind,))


def _begin_locked(adapter, instance_id, operation, params, tenant_id):
    record = adapter.load(instance_id)
    action = _action(operation)
    state = adapter.instantiation_state(record)
    if operation == states.CHANGE_VNFPKG and state != states.INSTANTIATED:
        # Tacker's v2 text for this operation.
        raise change_vnfpkg.NotInstantiated(id=instance_id)
    required = states.REQUIRED_STATE[operation]
    if required is not None and state != required:
        raise base.InstantiationStateConflict(id=instance_id, state=state,
                                              action=action)
    task_state = adapter.task_state(record)
    if task_state is not None:
        raise base.TaskStateConflict(id=instance_id, state=task_state,
                                     action=action)
    _check_op_occs(adapter, instance_id, operation, record)
    _validate(adapter, record, operation, params, tenant_id)
    if not adapter.claim(instance_id, operation):
        # Someone set task_state since we read it (a v1 writer that does
        # not take the lock, or a leftover of a crash).
        now = adapter.load(instance_id)
        raise base.TaskStateConflict(
            id=instance_id, state=adapter.task_state(now) or 'unknown',
            action=action)
    try:
        with db_api.writer_session() as session:
            op_occ_id = adapter.op_occs.create(
                session, instance_id=instance_id,
                operation=operation, params=params, tenant_id=(
                    tenant_id or getattr(record, 'tenant_id', None)))
    except Exception:
        adapter.release(instance_id, operation)
        raise
    LOG.info('LCM operation %(op)s of vnf %(id)s accepted as op occ '
             '%(occ)s (%(version)s).',
             {'op': operation, 'id': instance_id, 'occ': op_occ_id,
              'version': adapter.api_version})
    return op_occ_id
