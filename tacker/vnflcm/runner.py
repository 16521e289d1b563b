"""The conductor's half of an LCM operation: run a STARTING op occ.

``run_operation`` waits (bounded by ``[vnf_lcm] lock_wait_timeout``) for
the instance lock, which the synchronization may hold for a moment, then
moves the op occ STARTING -> PROCESSING, runs the operation and ends it
COMPLETED, or FAILED_TEMP with a ProblemDetails ``error`` on any failure.
When the lock never comes free, nothing was done and the op occ ends
ROLLED_BACK.  A v1 instance's ``task_state`` (claimed at begin) is
cleared at the end in every case.

An op occ not in STARTING (a duplicate message, or one the start-up
recovery settled) is left alone.  An op occ not in the database at all
raises ``OpOccNotFound``: nothing can be recorded, so the caller reports
it.  The function never raises for a failed operation: the outcome is
the op occ's final state, returned.
"""

import contextlib
import time

from oslo_log import log as logging

from tacker.common import coordination
from tacker.common import exceptions
from tacker.common import states
from tacker.db import op_occs
from tacker import versions
from tacker.vnflcm import change_vnfpkg
from tacker.vnflcm import operations
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

LOCK_POLL_INTERVAL = 0.2


class LockWaitTimeout(exceptions.Conflict):
    msg_fmt = ('The lock of vnf instance %(id)s stayed held for '
               '%(seconds)s s; the operation was not started.')


class OpOccNotFound(exceptions.NotFound):
    msg_fmt = 'VnfLcmOpOcc %(id)s could not be found.'


def _acquire(stack, instance_id, timeout, *, clock=time.monotonic,
             sleep=time.sleep):
    """Enter the instance lock into ``stack``, polling up to ``timeout``.

    Each attempt takes a fresh lock object (see ``coordination``).
    """
    deadline = clock() + timeout
    while True:
        try:
            stack.enter_context(coordination.instance_lock(instance_id))
            return
        except exceptions.LockHeld:
            if clock() >= deadline:
                raise LockWaitTimeout(id=instance_id, seconds=timeout)
            sleep(LOCK_POLL_INTERVAL)


def problem_of(exc, operation):
    """The op occ ``error`` for ``exc``; never a secret, never a trace."""
    if isinstance(exc, exceptions.TackerError):
        return op_occs.problem(exc.code, exc.title, exc.message)
    return op_occs.problem(
        500, 'Internal Server Error',
        '%s failed with an unexpected error (%s); see the '
        'tacker-conductor log.' % (operation, type(exc).__name__))


def run_operation(api_version, op_occ_id, *, lock_wait_timeout=None,
                  settings=None):
    """Run a STARTING op occ to its end; returns its final state.

    Raises ``OpOccNotFound`` when there is no such op occ.

    :param lock_wait_timeout: seconds (default [vnf_lcm]
        lock_wait_timeout)
    :param settings: ``operations.Settings`` (default from [vnf_lcm])
    """
    adapter = versions.get(api_version)
    try:
        occ = adapter.op_occs.get(op_occ_id)
    except exceptions.NotFound:
        raise OpOccNotFound(id=op_occ_id) from None
    if occ.state != states.STARTING:
        LOG.warning('Op occ %(occ)s of vnf %(id)s is %(state)s, not '
                    'STARTING; it is not run again.',
                    {'occ': occ.id, 'id': occ.instance_id,
                     'state': occ.state})
        return occ.state
    if lock_wait_timeout is None:
        lock_wait_timeout = CONF.vnf_lcm.lock_wait_timeout
    with contextlib.ExitStack() as stack:
        try:
            try:
                _acquire(stack, occ.instance_id, lock_wait_timeout)
            except LockWaitTimeout as exc:
                LOG.error('%(msg)s (op occ %(occ)s, %(op)s)',
                          {'msg': exc.message, 'occ': occ.id,
                           'op': occ.operation})
                adapter.op_occs.transition(
                    occ.id, from_states=[states.STARTING],
                    to_state=states.ROLLED_BACK,
                    error=problem_of(exc, occ.operation))
                return states.ROLLED_BACK
            return _run_locked(adapter, occ, settings)
        finally:
            # Still under the lock when it was taken: the synchronization
            # never sees the instance unlocked with our task_state.
            adapter.release(occ.instance_id, occ.operation)


def _run_locked(adapter, occ, settings):
    if not adapter.op_occs.transition(occ.id, from_states=[states.STARTING],
                                      to_state=states.PROCESSING):
        LOG.warning('Op occ %(occ)s left STARTING while waiting for the '
                    'lock; it is not run.', {'occ': occ.id})
        return adapter.op_occs.get(occ.id).state
    LOG.info('LCM operation %(op)s of vnf %(id)s started (op occ %(occ)s).',
             {'op': occ.operation, 'id': occ.instance_id, 'occ': occ.id})
    try:
        record = adapter.load(occ.instance_id)
        if occ.operation == states.CHANGE_VNFPKG:
            change_vnfpkg.run(adapter, record, occ.params or {}, settings)
        else:
            operations.Operation(adapter, settings).run(occ, record)
    except Exception as exc:  # noqa: every failure ends the op occ
        error = problem_of(exc, occ.operation)
        if isinstance(exc, exceptions.TackerError):
            LOG.error('LCM operation %(op)s of vnf %(id)s failed (op occ '
                      '%(occ)s): %(detail)s',
                      {'op': occ.operation, 'id': occ.instance_id,
                       'occ': occ.id, 'detail': error['detail']})
        else:
            LOG.exception('LCM operation %(op)s of vnf %(id)s failed '
                          'unexpectedly (op occ %(occ)s)',
                          {'op': occ.operation, 'id': occ.instance_id,
                           'occ': occ.id})
        adapter.op_occs.transition(occ.id, from_states=[states.PROCESSING],
                                   to_state=states.FAILED_TEMP, error=error)
        return states.FAILED_TEMP
    adapter.op_occs.transition(occ.id, from_states=[states.PROCESSING],
                               to_state=states.COMPLETED)
    LOG.info('LCM operation %(op)s of vnf %(id)s completed (op occ '
             '%(occ)s).',
             {'op': occ.operation, 'id': occ.instance_id, 'occ': occ.id})
    return states.COMPLETED
