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

``resume_operation`` runs the operator's way out of FAILED_TEMP, which
the API accepted after checking it under the instance lock.  Under the
instance lock again (and with a v1 instance's task_state claimed), the
op occ moves FAILED_TEMP -> PROCESSING for a retry, which runs the
operation again, or FAILED_TEMP -> ROLLING_BACK for a rollback, which
runs its undo step (``operations.ROLLBACKS``).  A retry ends COMPLETED,
a rollback ROLLED_BACK; either ends FAILED_TEMP again, with the new
error, when it fails.  As in Tacker the op occ stays FAILED_TEMP until
the conductor takes it, so a retry waiting in the queue is never taken
for a lost one; an op occ no longer FAILED_TEMP by then (a duplicate
request, an operator's ``fail``) is left alone.
"""

import contextlib
import time

from oslo_log import log as logging

from tacker.common import coordination
from tacker.common import exceptions
from tacker.common import states
from tacker.db import op_occs
from tacker import versions
from tacker.vnflcm import change_vnfpkg  # noqa: F401 (registers its steps)
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


#: What a resumed op occ is in, what it ends in when it succeeds, and
#: what it does: the operation again, or its undo step.
_RESUMES = {
    'retry': (states.PROCESSING, states.COMPLETED,
              lambda op, occ, record: op.run(occ, record)),
    'rollback': (states.ROLLING_BACK, states.ROLLED_BACK,
                 lambda op, occ, record: op.rollback(occ, record)),
}


RESUME_MODES = tuple(sorted(_RESUMES))


def resume_operation(api_version, op_occ_id, mode, *,
                     lock_wait_timeout=None, settings=None):
    """Retry or roll back (``mode``) a FAILED_TEMP op occ.

    Returns its final state; raises ``OpOccNotFound`` when there is no
    such op occ.
    """
    adapter = versions.get(api_version)
    running, done, step = _RESUMES[mode]
    try:
        occ = adapter.op_occs.get(op_occ_id)
    except exceptions.NotFound:
        raise OpOccNotFound(id=op_occ_id) from None
    if lock_wait_timeout is None:
        lock_wait_timeout = CONF.vnf_lcm.lock_wait_timeout
    with contextlib.ExitStack() as stack:
        try:
            _acquire(stack, occ.instance_id, lock_wait_timeout)
        except LockWaitTimeout as exc:
            # Nothing was done: the op occ stays FAILED_TEMP.
            LOG.error('%(msg)s (%(mode)s of op occ %(occ)s)',
                      {'msg': exc.message, 'mode': mode, 'occ': occ.id})
            return adapter.op_occs.get(occ.id).state
        if not adapter.claim(occ.instance_id, occ.operation):
            # Another task took the v1 instance since the API looked.
            LOG.error('vnf %(id)s is taken by another task; the %(mode)s '
                      'of op occ %(occ)s is not run.',
                      {'id': occ.instance_id, 'mode': mode, 'occ': occ.id})
            return adapter.op_occs.get(occ.id).state
        try:
            if not adapter.op_occs.transition(
                    occ.id, from_states=[states.FAILED_TEMP],
                    to_state=running):
                now = adapter.op_occs.get(occ.id).state
                LOG.warning('Op occ %(occ)s of vnf %(id)s is %(state)s, not '
                            'FAILED_TEMP; the %(mode)s is not run.',
                            {'occ': occ.id, 'id': occ.instance_id,
                             'state': now, 'mode': mode})
                return now
            LOG.info('%(mode)s of LCM operation %(op)s of vnf %(id)s '
                     'started (op occ %(occ)s).',
                     {'mode': mode.title(), 'op': occ.operation,
                      'id': occ.instance_id, 'occ': occ.id})
            return _finish(adapter, occ, running, done, lambda: step(
                operations.Operation(adapter, settings), occ,
                adapter.load(occ.instance_id)))
        finally:
            adapter.release(occ.instance_id, occ.operation)


def _finish(adapter, occ, running, done, work):
    """Run ``work()``; the op occ moves from ``running`` to ``done``.

    On any failure it moves to FAILED_TEMP with the error instead.
    """
    try:
        work()
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
        adapter.op_occs.transition(occ.id, from_states=[running],
                                   to_state=states.FAILED_TEMP, error=error)
        return states.FAILED_TEMP
    adapter.op_occs.transition(occ.id, from_states=[running],
                               to_state=done, clear_error=(
                                   done == states.COMPLETED))
    LOG.info('LCM operation %(op)s of vnf %(id)s %(how)s (op occ '
             '%(occ)s).', {'op': occ.operation, 'id': occ.instance_id,
                           'how': 'completed' if done == states.COMPLETED
                           else 'rolled back', 'occ': occ.id})
    return done


def _run_locked(adapter, occ, settings):
    if not adapter.op_occs.transition(occ.id, from_states=[states.STARTING],
                                      to_state=states.PROCESSING):
        LOG.warning('Op occ %(occ)s left STARTING while waiting for the '
                    'lock; it is not run.', {'occ': occ.id})
        return adapter.op_occs.get(occ.id).state
    LOG.info('LCM operation %(op)s of vnf %(id)s started (op occ %(occ)s).',
             {'op': occ.operation, 'id': occ.instance_id, 'occ': occ.id})
    return _finish(adapter, occ, states.PROCESSING, states.COMPLETED,
                   lambda: operations.Operation(adapter, settings).run(
                       occ, adapter.load(occ.instance_id)))
