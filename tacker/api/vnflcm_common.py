"""What the v1 and v2 VNF LCM APIs share.

The controllers of ``vnflcm_v1`` and ``vnflcm_v2`` subclass the ones here
and differ only at the edges: their schemas, their record module, their
view and their texts.  ``LcmGateway`` is the API's single door to LCM
work: it records the request with ``tacker.vnflcm.begin.begin_operation``
(which refuses conflicts with a typed 409) and casts it to
tacker-conductor; the API never runs an operation itself.
"""

import threading

from oslo_log import log as logging
from oslo_utils import uuidutils

from tacker.api import context
from tacker.api import schemas
from tacker.api import wsgi
from tacker.common import coordination
from tacker.common import exceptions
from tacker.common import states
from tacker.conductor import rpc_api
from tacker.db import op_occs
from tacker.db import packages
from tacker import versions
from tacker.versions import base
from tacker.vnflcm import begin
from tacker.vnflcm import operations

LOG = logging.getLogger(__name__)

ACTIONS = ('instantiate', 'scale', 'heal', 'terminate')
API_VERSIONS = {'v1': '1.3.0', 'v2': '2.0.0'}
#: What a modify (PATCH) may carry: SOL003's type first; Tacker also
#: takes plain JSON, and no Content-Type at all.
MERGE_PATCH = 'application/merge-patch+json'
MODIFY_CONTENT_TYPES = (MERGE_PATCH, 'application/json', 'text/plain')


class LcmGateway:
    """Records an LCM request, then casts it to tacker-conductor.

    ``conductor`` is any object with ``start_lcm(api_version,
    op_occ_id)``; without one, ``tacker.conductor.rpc_api.ConductorAPI()``
    is created on first use.
    """

    def __init__(self, conductor=None):
        self._conductor = conductor
        self._guard = threading.Lock()

    @property
    def conductor(self):
        with self._guard:
            if self._conductor is None:
                self._conductor = rpc_api.ConductorAPI()
            return self._conductor

    @staticmethod
    def _undo(api_version, op_occ_id, instance_id, operation):
        """Nothing will run the operation: free the instance again."""
        adapter = versions.get(api_version)
        try:
            adapter.op_occs.transition(
                op_occ_id, from_states=[states.STARTING],
                to_state=states.ROLLED_BACK, error=op_occs.problem(
                    503, 'Service Unavailable',
                    'tacker-conductor could not be reached.'))
            adapter.release(instance_id, operation)
        except Exception:  # noqa: recovery settles it later
            LOG.exception('Could not roll back LCM operation %s; the '
                          'conductor\'s recovery will.', op_occ_id)

    def start(self, *, api_version, instance_id, operation, params,
              tenant_id):
        """The new op occ's id; typed errors (404/400/409) pass through."""
        op_occ_id = begin.begin_operation(
            api_version=api_version, instance_id=instance_id,
            operation=operation, params=params, tenant_id=tenant_id)
        try:
            self.conductor.start_lcm(api_version, op_occ_id)
        except Exception:  # noqa: any transport failure means the same
            LOG.exception('Could not send LCM operation %(op)s of vnf '
                          '%(inst)s to tacker-conductor.',
                          {'op': op_occ_id, 'inst': instance_id})
            self._undo(api_version, op_occ_id, instance_id, operation)
            raise wsgi.ServiceUnavailable(reason=(
                'The LCM operation %s could not be sent to '
                'tacker-conductor and was rolled back; retry later.'
                % op_occ_id))
        LOG.info('LCM operation %(op)s (%(operation)s) of vnf %(inst)s '
                 'accepted.', {'op': op_occ_id, 'operation': operation,
                               'inst': instance_id})
        return op_occ_id

    def resume(self, *, api_version, op_occ_id, instance_id, operation,
               mode):
        """Cast a retry or rollback; 503 when it cannot be sent."""
        try:
            self.conductor.resume_lcm(api_version, op_occ_id, mode)
        except Exception:  # noqa: any transport failure means the same
            LOG.exception('Could not send the %(mode)s of LCM operation '
                          '%(op)s of vnf %(inst)s to tacker-conductor.',
                          {'mode': mode, 'op': op_occ_id,
                           'inst': instance_id})
            raise wsgi.ServiceUnavailable(reason=(
                'The %s of LCM operation %s could not be sent to '
                'tacker-conductor; it is still FAILED_TEMP, retry later.'
                % (mode, op_occ_id)))
        LOG.info('%(mode)s of LCM operation %(op)s (%(operation)s) of vnf '
                 '%(inst)s accepted.', {'mode': mode.title(),
                                        'op': op_occ_id,
                                        'operation': operation,
                                        'inst': instance_id})


def base_url(req):
    return req.application_url


def check_id(value, not_found):
    """Ids are UUIDs: anything else is unknown, without asking the DB."""
    if not uuidutils.is_uuid_like(value):
        raise not_found(value)
    return value


def _scalars_only(record):
    """``record`` with every object and array column left out (None)."""
    if isinstance(record, tuple):
        return tuple(_scalars_only(part) for part in record)
    if isinstance(record, dict):
        return {key: None if isinstance(value, (dict, list)) else value
                for key, value in record.items()}
    return record


def _record_id(record):
    first = record[0] if isinstance(record, tuple) else record
    return first.get('id', '?') if isinstance(first, dict) else '?'


class CollectionBase:
    """GET of a collection and of one member; the versions fill the hooks.

    Reading never fails on a stored row: a record whose view cannot be
    built is shown with its plain columns only, and logged, so one row
    an older build or Tacker wrote can neither hide the others nor make
    a list answer 500.
    """

    API_VERSION = None

    def not_found(self, member_id):
        raise NotImplementedError

    def load(self, ctx, member_id):
        """The member visible to ``ctx``; returns what ``view`` takes."""
        raise NotImplementedError

    def load_all(self, ctx):
        raise NotImplementedError

    def view(self, record, req):
        raise NotImplementedError

    def shown(self, record, req):
        """``view`` of ``record``, or of its plain columns if that fails."""
        try:
            return self.view(record, req)
        except Exception:  # noqa: any fault of one row is that row's
            LOG.exception('%(version)s record %(id)s cannot be shown in '
                          'full; it is shown without its object and '
                          'array fields.', {'version': self.API_VERSION,
                                            'id': _record_id(record)})
        return self.view(_scalars_only(record), req)

    def index(self, req):
        ctx = context.of(req)
        return wsgi.json_response(
            [self.shown(record, req) for record in self.load_all(ctx)])

    def show(self, req, id):
        ctx = context.of(req)
        check_id(id, self.not_found)
        return wsgi.json_response(self.shown(self.load(ctx, id), req))


class InstanceControllerBase(CollectionBase):
    """``/vnflcm/<version>/vnf_instances`` and its actions."""

    ACTION_SCHEMAS = None
    CREATE_SCHEMA = None
    MODIFY_SCHEMA = None

    def __init__(self, *, gateway):
        self.gateway = gateway

    def create_record(self, ctx, package, body):
        raise NotImplementedError

    def delete_record(self, ctx, instance_id):
        raise NotImplementedError

    def package_missing(self, vnfd_id):
        raise NotImplementedError

    def package_disabled(self, vnfd_id):
        raise NotImplementedError

    def operation_tenant(self, ctx, record):
        return ctx.project_id

    # The endpoints.
    def create(self, req):
        ctx = context.of(req)
        body = schemas.validate(self.CREATE_SCHEMA, wsgi.read_json(req))
        package = packages.find_for_vnfd(body['vnfdId'], ctx.tenant_filter)
        if package is None:
            raise self.package_missing(body['vnfdId'])
        if package['operational_state'] != packages.ENABLED:
            raise self.package_disabled(body['vnfdId'])
        record = self.create_record(ctx, package, body)
        view = self.shown(record, req)
        LOG.info('VNF instance %(id)s (%(version)s) created from vnfd '
                 '%(vnfd)s.', {'id': view['id'],
                               'version': self.API_VERSION,
                               'vnfd': body['vnfdId']})
        return wsgi.json_response(
            view, status=201,
            headers={'Location': view['_links']['self']['href']})

    def delete(self, req, id):
        ctx = context.of(req)
        check_id(id, self.not_found)
        self.delete_record(ctx, id)
        LOG.info('VNF instance %(id)s (%(version)s) deleted.',
                 {'id': id, 'version': self.API_VERSION})
        return wsgi.empty_response(204)

    def _action(self, req, instance_id, action, schema=None):
        ctx = context.of(req)
        check_id(instance_id, self.not_found)
        record = self.load(ctx, instance_id)
        body = schemas.validate(schema or self.ACTION_SCHEMAS[action],
                                wsgi.read_json(req))
        op_occ_id = self.gateway.start(
            api_version=self.API_VERSION, instance_id=instance_id,
            operation=action.upper(), params=body,
            tenant_id=self.operation_tenant(ctx, record))
        location = '%s/vnflcm/%s/vnf_lcm_op_occs/%s' % (
            base_url(req), self.API_VERSION, op_occ_id)
        return wsgi.empty_response(202, headers={'Location': location})

    def instantiate(self, req, id):
        return self._action(req, id, 'instantiate')

    def scale(self, req, id):
        return self._action(req, id, 'scale')

    def heal(self, req, id):
        return self._action(req, id, 'heal')

    def terminate(self, req, id):
        return self._action(req, id, 'terminate')

    def update(self, req, id):
        """SOL003 "Modify VNF information": a merge patch, run as an op occ.

        Accepted like the other operations (instance lock, op occ
        MODIFY_INFO in STARTING, 202 with its Location); the conductor
        merges the patch into the record.
        """
        ctx = context.of(req)
        check_id(id, self.not_found)
        record = self.load(ctx, id)
        given = (req.content_type or '').lower()
        if given and given not in MODIFY_CONTENT_TYPES:
            # Tacker's text.
            raise wsgi.UnsupportedMediaType(message=(
                "Content type '%s' specified in 'Content-Type' header is "
                "not allowed." % given))
        body = schemas.validate(self.MODIFY_SCHEMA, wsgi.read_json(req))
        op_occ_id = self.gateway.start(
            api_version=self.API_VERSION, instance_id=id,
            operation=states.MODIFY_INFO, params=body,
            tenant_id=self.operation_tenant(ctx, record))
        location = '%s/vnflcm/%s/vnf_lcm_op_occs/%s' % (
            base_url(req), self.API_VERSION, op_occ_id)
        return wsgi.empty_response(202, headers={'Location': location})


class OpOccControllerBase(CollectionBase):
    """``/vnflcm/<version>/vnf_lcm_op_occs``."""

    def __init__(self, *, gateway=None):
        # Retry and rollback cast through it; None: a gateway of its own.
        self.gateway = gateway or LcmGateway()

    def fail(self, req, id):
        """Give a FAILED_TEMP operation up for good (SOL003 "fail").

        The operator's way out of FAILED_TEMP, which blocks further LCM
        requests on a v2 instance.  Done under the instance lock, so it
        never races a retry or a synchronization.
        """
        ctx = context.of(req)
        check_id(id, self.not_found)
        record = self.load(ctx, id)
        instance_id = record.get('vnf_instance_id') or record.get(
            'vnfInstanceId')
        try:
            with coordination.instance_lock(instance_id):
                moved = versions.get(self.API_VERSION).op_occs.transition(
                    id, from_states=[states.FAILED_TEMP],
                    to_state=states.FAILED)
        except exceptions.LockHeld:
            raise exceptions.Conflict(
                message='Other LCM operation of vnfInstance %s is in '
                        'progress.' % instance_id)
        if not moved:
            raise exceptions.Conflict(
                message='VnfLcmOpOcc %s is not in FAILED_TEMP; only a '
                        'FAILED_TEMP operation can be failed.' % id)
        LOG.info('LCM operation %(op)s of vnf %(inst)s marked FAILED by '
                 'the operator.', {'op': id, 'inst': instance_id})
        return wsgi.json_response(self.shown(self.load(ctx, id), req))

    # --- retry and rollback: the versions give the texts

    #: Whether a rollback's 202 carries the op occ's Location (Tacker v1).
    ROLLBACK_LOCATION = False

    def not_failed_temp(self, op_occ_id, state, mode):
        """The 409 of a retry or rollback of an op occ not FAILED_TEMP."""
        raise NotImplementedError

    def rollback_refused(self, refusal):
        """The answer to ``operations.RollbackRefused``."""
        raise NotImplementedError

    def rollback_refusal(self, occ):
        """The error refusing to roll ``occ`` back, or None."""
        refusal = operations.rollback_refusal(occ.operation,
                                              occ.params or {})
        return None if refusal is None else self.rollback_refused(refusal)

    def retry(self, req, id):
        """Run a FAILED_TEMP operation again (SOL003 "retry")."""
        return self._resume(req, id, 'retry')

    def rollback(self, req, id):
        """Undo a FAILED_TEMP operation (SOL003 "rollback")."""
        return self._resume(req, id, 'rollback')

    def _resume(self, req, id, mode):
        """Check under the instance lock, then cast to the conductor.

        As in Tacker the op occ stays FAILED_TEMP until the conductor
        takes it under the lock (and claims a v1 instance's task_state),
        so nothing is held for a cast that never arrives; a duplicate
        request finds the op occ no longer FAILED_TEMP there.
        """
        ctx = context.of(req)
        check_id(id, self.not_found)
        self.load(ctx, id)  # 404 for an op occ the caller cannot see
        adapter = versions.get(self.API_VERSION)
        occ = adapter.op_occs.get(id)
        try:
            with coordination.instance_lock(occ.instance_id):
                occ = adapter.op_occs.get(id)
                if occ.state != states.FAILED_TEMP:
                    raise self.not_failed_temp(id, occ.state, mode)
                if mode == 'rollback':
                    refusal = self.rollback_refusal(occ)
                    if refusal is not None:
                        raise refusal
                task_state = adapter.task_state(
                    adapter.load(occ.instance_id))
                if task_state is not None:
                    raise base.TaskStateConflict(
                        id=occ.instance_id, state=task_state, action=mode)
        except exceptions.LockHeld:
            raise adapter.held_conflict(occ.instance_id, mode.upper())
        self.gateway.resume(api_version=self.API_VERSION, op_occ_id=id,
                            instance_id=occ.instance_id,
                            operation=occ.operation, mode=mode)
        headers = {}
        if mode == 'rollback' and self.ROLLBACK_LOCATION:
            headers['Location'] = '%s/vnflcm/%s/vnf_lcm_op_occs/%s' % (
                base_url(req), self.API_VERSION, id)
        return wsgi.empty_response(202, headers=headers)


class VersionsController:
    """``/vnflcm/api_versions`` and ``/vnflcm/v{1,2}/api_versions``."""

    @staticmethod
    def _answer(prefix, versions):
        return wsgi.json_response({
            'uriPrefix': prefix,
            'apiVersions': [{'version': API_VERSIONS[v],
                             'isDeprecated': False} for v in versions]})

    def all_versions(self, req):
        return self._answer('/vnflcm', sorted(API_VERSIONS))

    def v1(self, req):
        return self._answer('/vnflcm/v1', ['v1'])

    def v2(self, req):
        return self._answer('/vnflcm/v2', ['v2'])
