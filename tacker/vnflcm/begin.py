"""The API's half of an LCM operation: check it may start, and record it.

``begin_operation`` runs in tacker-server while the request waits.  Under
the instance lock (taken without waiting) it decides whether the
operation may start now, checks the request against the VNFD and the
stored (synchronized) record, and inserts the op occ in STARTING.  The
API then casts ``start_lcm`` to the conductor, which does the work.

Every refusal is a typed error carrying its HTTP status: ``NotFound``
(404), ``exceptions.Invalid`` (400) naming the field at fault, and the
conflicts below (409) with the texts Tacker's clients know.
"""

from oslo_log import log as logging

from tacker.common import coordination
from tacker.common import exceptions
from tacker.db import api as db_api
from tacker.vnflcm import deployment as deployment_mod
from tacker.vnflcm import op_occs
from tacker.vnflcm import operations
from tacker.vnflcm import v1_ops
from tacker.vnflcm import v2_ops

LOG = logging.getLogger(__name__)

INSTANTIATE = 'INSTANTIATE'
SCALE = 'SCALE'
HEAL = 'HEAL'
TERMINATE = 'TERMINATE'
OPERATIONS = (INSTANTIATE, SCALE, HEAL, TERMINATE)
DB_SYNCHRONIZING = 'DB_SYNCHRONIZING'

#: The instantiation state each operation starts from.
REQUIRED_STATE = {INSTANTIATE: 'NOT_INSTANTIATED', SCALE: 'INSTANTIATED',
                  HEAL: 'INSTANTIATED', TERMINATE: 'INSTANTIATED'}

RECORDS = {'v1': v1_ops.Records(), 'v2': v2_ops.Records()}


class OperationInProgress(exceptions.Conflict):
    """v2: the instance is locked or has an unfinished op occ."""

    msg_fmt = 'Other LCM operation of vnfInstance %(id)s is in progress.'


class InstanceStateConflict(exceptions.Conflict):
    msg_fmt = ('Vnf instance %(id)s in %(attr)s %(state)s. Cannot '
               '%(action)s while the vnf instance is in this state.')


class TaskStateConflict(InstanceStateConflict):
    """v1: another task (an operation or the synchronization) runs."""

    def __init__(self, *, id, state, action):
        super().__init__(id=id, attr='task_state', state=state,
                         action=action)


class InstantiationStateConflict(InstanceStateConflict):
    def __init__(self, *, id, state, action):
        super().__init__(id=id, attr='instantiation_state', state=state,
                         action=action)


def _action(operation):
    return operation.lower()


def begin_operation(*, api_version, instance_id, operation, params,
                    tenant_id=None):
    """Record a new operation in STARTING and return its op occ id.

    :param api_version: 'v1' or 'v2'
    :param operation: INSTANTIATE, SCALE, HEAL or TERMINATE
    :param params: the request body (stored as operationParams)
    :param tenant_id: the caller's project (v1 op occ, default VIM)
    """
    records = RECORDS.get(api_version)
    if records is None:
        raise exceptions.Invalid(reason='unknown API version %r'
                                 % (api_version,))
    if operation not in OPERATIONS:
        raise exceptions.Invalid(reason='operation %r is not one of %s'
                                 % (operation, ', '.join(OPERATIONS)))
    params = params if params is not None else {}
    if not isinstance(params, dict):
        raise exceptions.Invalid(reason='the request body must be a JSON '
                                 'object')
    try:
        with coordination.instance_lock(instance_id):
            return _begin_locked(records, instance_id, operation, params,
                                 tenant_id)
    except exceptions.LockHeld:
        raise _held(records, instance_id, operation)


def _held(records, instance_id, operation):
    """The conflict to answer when someone else holds the lock."""
    if records.api_version == 'v2':
        return OperationInProgress(id=instance_id)
    record = records.load(instance_id)  # NotFound stays a 404
    state = records.task_state(record)
    if state is None:
        with db_api.reader_session() as session:
            running = [o for o in op_occs.for_instance(session, 'v1',
                                                       instance_id)
                       if o.state in op_occs.IN_PROGRESS]
        # Nobody's task_state and no operation: the synchronization
        # holds the lock and is about to mark it.
        state = (v1_ops.TASK_STATES.get(running[-1].operation,
                                        DB_SYNCHRONIZING)
                 if running else DB_SYNCHRONIZING)
    return TaskStateConflict(id=instance_id, state=state,
                             action=_action(operation))


def _check_op_occs(records, instance_id, operation, record):
    with db_api.reader_session() as session:
        existing = op_occs.for_instance(session, records.api_version,
                                        instance_id)
    blocking = set(op_occs.IN_PROGRESS)
    if records.api_version == 'v2':
        # As Tacker: a FAILED_TEMP operation must be retried, rolled back
        # or failed before another may start.
        blocking.add(op_occs.FAILED_TEMP)
    running = [o for o in existing if o.state in blocking]
    if not running:
        return
    if records.api_version == 'v2':
        raise OperationInProgress(id=instance_id)
    raise TaskStateConflict(
        id=instance_id,
        state=records.task_state(record) or v1_ops.TASK_STATES.get(
            running[-1].operation, running[-1].state),
        action=_action(operation))


def _validate(records, record, operation, params, tenant_id):
    """Check the request against the VNFD and the stored record (400)."""
    if operation == INSTANTIATE:
        if not params.get('flavourId'):
            raise exceptions.Invalid(reason='flavourId is required')
        flavour, package_dir = deployment_mod.flavour_of(
            records.package_id(record), params['flavourId'])
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
        records.prepare_instantiate(record, params, tenant_id)
    elif operation == SCALE:
        flavour, _ = deployment_mod.flavour_of(records.package_id(record),
                                               records.flavour_id(record))
        operations.scale_target_level(flavour, records.scale_levels(record),
                                      params)
    elif operation == HEAL:
        operations.heal_pods(records.vnfcs(record), params,
                             records.heal_field)
    elif operation == TERMINATE:
        kind = params.get('terminationType')
        if kind is not None and kind not in ('FORCEFUL', 'GRACEFUL'):
            raise exceptions.Invalid(reason='terminationType must be '
                                     'FORCEFUL or GRACEFUL, not %r'
                                     % (kind,))


def _begin_locked(records, instance_id, operation, params, tenant_id):
    record = records.load(instance_id)
    action = _action(operation)
    state = records.instantiation_state(record)
    if state != REQUIRED_STATE[operation]:
        raise InstantiationStateConflict(id=instance_id, state=state,
                                         action=action)
    task_state = records.task_state(record)
    if task_state is not None:
        raise TaskStateConflict(id=instance_id, state=task_state,
                                action=action)
    _check_op_occs(records, instance_id, operation, record)
    _validate(records, record, operation, params, tenant_id)
    if records.api_version == 'v1' and \
            records.claim(instance_id, operation) is None:
        # Someone set task_state since we read it (a v1 writer that does
        # not take the lock, or a leftover of a crash).
        now = records.load(instance_id)
        raise TaskStateConflict(id=instance_id,
                                state=records.task_state(now) or 'unknown',
                                action=action)
    try:
        with db_api.writer_session() as session:
            op_occ_id = op_occs.create(
                session, records.api_version, instance_id=instance_id,
                operation=operation, params=params, tenant_id=(
                    tenant_id or getattr(record, 'tenant_id', None)))
    except Exception:
        records.release(instance_id, operation)
        raise
    LOG.info('LCM operation %(op)s of vnf %(id)s accepted as op occ '
             '%(occ)s (%(version)s).',
             {'op': operation, 'id': instance_id, 'occ': op_occ_id,
              'version': records.api_version})
    return op_occ_id
