"""What every version adapter offers, and the values they build.

An adapter answers, for the records of its API version, every question
the shared code paths ask (see ``tacker.versions``).  The ones below do
not differ between versions and live here once.
"""

import contextlib
import dataclasses

from tacker.common import exceptions
from tacker.common import states
from tacker.vnfm.infra_drivers.kubernetes import vim_access


@dataclasses.dataclass(frozen=True)
class Candidate:
    """An instance a synchronization pass will compare with the cluster."""

    adapter: object  # the version adapter of the record
    # v1 InstanceV1 | v2 InstanceV2, or one in an ``instances.Packed``
    source: object
    vim: vim_access.VimAccess
    namespace: str
    flavour: object  # vnfd.Flavour
    targets: dict  # vdu_id -> model.VduTarget

    @property
    def api_version(self):
        return self.adapter.api_version

    @property
    def instance_id(self):
        return self.source.id

    @property
    def record(self):
        """The record; one kept packed is unpacked anew at every use."""
        unpack = getattr(self.source, 'unpack', None)
        return self.source if unpack is None else unpack()


class NotCheckable(exceptions.TackerError):
    """The instance lacks something the pass needs (VIM, package...)."""


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


class Unprocessable(exceptions.TackerError):
    """422: the request is well formed but names something unusable."""

    code = 422
    title = 'Unprocessable Entity'
    msg_fmt = '%(reason)s'


class RollbackNotSupported(Unprocessable):
    """v2: Tacker's answer for an operation it cannot roll back."""

    msg_fmt = 'Rollback of %(op)s is not supported.'


class NotFailedTemp(exceptions.Conflict):
    """v2: retry, rollback and fail need a FAILED_TEMP op occ."""

    msg_fmt = 'LCM operation %(id)s not FAILED_TEMP.'


def action_name(operation):
    """The verb a conflict text names: a modify is the CLI's "update"."""
    return 'update' if operation == states.MODIFY_INFO else operation.lower()


def namespace_or_default(value):
    """A stored namespace, 'default' when unset, None when not a name."""
    if value is None or value == '':
        return 'default'
    return value if isinstance(value, str) else None


def checked_namespace(namespace, field):
    if namespace is None:
        raise NotCheckable('unreadable record: %s is not a namespace name'
                           % field)
    return namespace


class Adapter:
    """The defaults: a version without a task state of its own."""

    api_version = None
    #: The request field of a heal that names VNFC instances.
    heal_field = 'vnfcInstanceId'
    #: op occ states that keep another operation from starting.
    blocking_states = frozenset(states.IN_PROGRESS)

    def task_state(self, record):
        return None

    def claim(self, instance_id, operation):
        """Mark the instance as taken by ``operation``; False if it was."""
        return True

    def release(self, instance_id, operation):
        """Undo ``claim`` when the operation ends, whatever its outcome."""

    def guard(self, candidate):
        """A context manager around a synchronization's write."""
        return contextlib.nullcontext()

    def batch(self):
        """The session a batch of synchronization writes shares.

        A context manager: one transaction and one commit for the batch,
        or None where each write needs a transaction of its own (v1: its
        task_state claim is committed before the write).
        """
        return contextlib.nullcontext()

    def after_lost_op_occ(self, instance_id, now):
        """What else to clear with an op occ a dead conductor left."""
        return None

    def sync_leftovers(self, now):
        """Ids of instances a dead synchronization left marked."""
        return []

    def clear_sync_leftover(self, instance_id, now):
        return 0
