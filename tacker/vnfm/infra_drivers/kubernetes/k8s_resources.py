"""Kubernetes objects of an LCM operation: create, patch, delete, wait.

Requests go through the official client's ``ApiClient`` (its auth, TLS
and connection pool) as plain JSON, so any kind a package ships works,
not only the ones with generated models: the path of a kind is found
once per operation through the API's discovery documents.  Every request
carries a timeout.

Failures become ``KubernetesError`` (HTTP status and the API's own
message, never a header or a token) or ``KubernetesTimeout`` when the
cluster did not reach the wanted state in time.  Reading the cluster's
state reuses the synchronization's observer and ownership, so an
operation waits for exactly what the synchronization will count.
"""

import copy
import json
import socket
import time

from kubernetes.client import exceptions as k8s_exc
import urllib3.exceptions

from tacker.common import exceptions
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import observer
from tacker.vnfm.infra_drivers.kubernetes import ownership

INSTANCE_LABEL = 'tacker_vnf_instance_id'
MERGE_PATCH = 'application/merge-patch+json'


class KubernetesError(exceptions.TackerError):
    code = 502
    title = 'Bad Gateway'
    msg_fmt = 'Kubernetes VIM %(vim)s: %(reason)s'


class KubernetesTimeout(KubernetesError):
    code = 504
    title = 'Gateway Timeout'
    msg_fmt = ('Kubernetes VIM %(vim)s did not reach the wanted state within '
               '%(seconds)s s: %(reason)s')


class ApiFailure(Exception):
    """A non-2xx answer; ``status`` is its HTTP status."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _connection_reason(exc, timeout):
    # urllib3 2 derives NewConnectionError from ConnectTimeoutError: test
    # it first.
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return 'unreachable (connection refused or no route)'
    if isinstance(exc, (urllib3.exceptions.ReadTimeoutError,
                        urllib3.exceptions.ConnectTimeoutError,
                        socket.timeout, TimeoutError)):
        return 'no answer within %s s' % timeout
    if isinstance(exc, urllib3.exceptions.MaxRetryError):
        return (_connection_reason(exc.reason, timeout) if exc.reason
                else 'unreachable')
    return 'connection failed (%s)' % type(exc).__name__


def _status_message(status, reason, data):
    """'HTTP 422 Unprocessable Entity: <the Status message>'."""
    text = 'HTTP %s %s' % (status, reason or '')
    try:
        body = json.loads(data) if data else None
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get('message'):
        text = '%s: %s' % (text.rstrip(), body['message'])
    return text.rstrip()


def labelled(obj, *, instance_id, namespace):
    """A copy of a manifest object with our label and the namespace."""
    obj = copy.deepcopy(obj)
    meta = obj.setdefault('metadata', {})
    meta['namespace'] = namespace
    labels = meta.get('labels') or {}
    labels[INSTANCE_LABEL] = instance_id
    meta['labels'] = labels
    return obj


def object_name(obj):
    return '%s %s' % (obj.get('kind'), (obj.get('metadata') or {}).get(
        'name'))


class Cluster:
    """One VIM as an operation sees it; built per operation."""

    def __init__(self, api_client, vim, *, timeout):
        self._api = api_client
        self.vim = vim
        self.timeout = timeout
        self._kinds = {}  # apiVersion -> {kind: (plural, namespaced)}

    # --- raw requests

    def _request(self, method, path, *, body=None, query=None,
                 content_type='application/json'):
        headers = {'Accept': 'application/json'}
        if body is not None:
            headers['Content-Type'] = content_type
        try:
            method, url, headers, body, _post = self._api.param_serialize(
                method, path, query_params=list((query or {}).items()),
                header_params=headers, body=body,
                auth_settings=['BearerToken'])
            response = self._api.call_api(method, url, headers, body,
                                          _request_timeout=self.timeout)
            data = response.read()
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise self.error('%s %s: %s' % (
                method, path, _connection_reason(exc, self.timeout)))
        except k8s_exc.ApiException as exc:
            # What the client raises itself (a TLS failure, mostly).
            raise self.error('%s %s: %s' % (method, path, (
                exc.reason or 'request failed').splitlines()[0]))
        if not 200 <= response.status < 300:
            raise ApiFailure(response.status, _status_message(
                response.status, response.reason, data))
        try:
            return json.loads(data) if data else None
        except ValueError:
            raise self.error('%s %s: the answer is not JSON'
                             % (method, path))

    def error(self, reason):
        return KubernetesError(vim=self.vim.vim_id, reason=reason)

    def _call(self, what, method, path, **kwargs):
        try:
            return self._request(method, path, **kwargs)
        except ApiFailure as exc:
            raise self.error('%s: %s' % (what, exc.message))

    # --- where a kind lives

    def _resource(self, obj):
        api_version = obj.get('apiVersion') or 'v1'
        kind = obj.get('kind')
        kinds = self._kinds.get(api_version)
        if kinds is None:
            base = ('/api/%s' % api_version if '/' not in api_version
                    else '/apis/%s' % api_version)
            found = self._call('discover %s' % api_version, 'GET', base)
            kinds = {r['kind']: (r['name'], bool(r.get('namespaced')))
                     for r in (found or {}).get('resources') or ()
                     if '/' not in r.get('name', '')}
            self._kinds[api_version] = kinds
        if kind not in kinds:
            raise self.error('the cluster serves no kind %s in %s'
                             % (kind, api_version))
        return api_version, kinds[kind]

    def _collection(self, obj):
        api_version, (plural, namespaced) = self._resource(obj)
        base = ('/api/%s' % api_version if '/' not in api_version
                else '/apis/%s' % api_version)
        if namespaced:
            namespace = (obj.get('metadata') or {}).get('namespace') \
                or 'default'
            return '%s/namespaces/%s/%s' % (base, namespace, plural), True
        return '%s/%s' % (base, plural), False

    def _path(self, obj):
        collection, _ = self._collection(obj)
        return '%s/%s' % (collection, obj['metadata']['name'])

    # --- verbs

    def create(self, obj):
        collection, namespaced = self._collection(obj)
        if not namespaced:
            obj = copy.deepcopy(obj)
            obj['metadata'].pop('namespace', None)
        return self._call('create %s' % object_name(obj), 'POST',
                          collection, body=obj)

    def create_or_adopt(self, obj, instance_id):
        """``create``, keeping an object ``instance_id`` already owns.

        An object already there with the instance's label (an earlier
        attempt of the same operation, before a retry) is taken as
        created, with the wanted replicas.
        """
        try:
            return self._request('POST', self._collection(obj)[0],
                                 body=self._bare(obj))
        except ApiFailure as exc:
            if exc.status != 409:
                raise self.error('create %s: %s' % (object_name(obj),
                                                    exc.message))
        existing = self._call('read %s' % object_name(obj), 'GET',
                              self._path(obj)) or {}
        labels = (existing.get('metadata') or {}).get('labels') or {}
        if labels.get(INSTANCE_LABEL) != instance_id:
            raise self.error('create %s: it already exists and is not vnf '
                             '%s\'s' % (object_name(obj), instance_id))
        wanted = (obj.get('spec') or {}).get('replicas')
        if wanted is not None and \
                (existing.get('spec') or {}).get('replicas') != wanted:
            return self.set_replicas(obj, wanted)
        return existing

    def _bare(self, obj):
        _collection, namespaced = self._collection(obj)
        if not namespaced:
            obj = copy.deepcopy(obj)
            obj['metadata'].pop('namespace', None)
        return obj

    def set_replicas(self, obj, replicas):
        return self._call('scale %s to %d' % (object_name(obj), replicas),
                          'PATCH', self._path(obj),
                          body={'spec': {'replicas': replicas}},
                          content_type=MERGE_PATCH)

    def read(self, obj):
        """The live object ``obj`` names (kind, namespace, name)."""
        return self._call('read %s' % object_name(obj), 'GET',
                          self._path(obj))

    def replace(self, obj, change, *, attempts=5):
        """PUT ``change(live object)`` over the object ``obj`` names.

        The PUT carries the resourceVersion read, so a write in between
        (a controller's status update) answers 409; the object is then
        read again and ``change`` applied again, up to ``attempts`` times.
        """
        what = 'replace %s' % object_name(obj)
        path = self._path(obj)
        for attempt in range(attempts):
            body = change(self._call('read %s' % object_name(obj), 'GET',
                                     path))
            try:
                return self._request('PUT', path, body=body)
            except ApiFailure as exc:
                if exc.status != 409 or attempt == attempts - 1:
                    raise self.error('%s: %s' % (what, exc.message))

    def delete(self, obj, *, grace_seconds=None):
        """Delete; False when it was already gone."""
        query = {'propagationPolicy': 'Background'}
        if grace_seconds is not None:
            query['gracePeriodSeconds'] = grace_seconds
        try:
            self._request('DELETE', self._path(obj), query=query)
        except ApiFailure as exc:
            if exc.status == 404:
                return False
            raise self.error('delete %s: %s' % (object_name(obj),
                                                exc.message))
        return True

    def exists(self, obj):
        try:
            self._request('GET', self._path(obj))
        except ApiFailure as exc:
            if exc.status == 404:
                return False
            raise self.error('read %s: %s' % (object_name(obj),
                                              exc.message))
        return True

    def owner_of(self, obj):
        """The instance label of ``obj`` as the cluster has it.

        None when the object is not there, '' when it has no such label.
        """
        try:
            found = self._request('GET', self._path(obj)) or {}
        except ApiFailure as exc:
            if exc.status == 404:
                return None
            raise self.error('read %s: %s' % (object_name(obj),
                                              exc.message))
        return ((found.get('metadata') or {}).get('labels') or {}).get(
            INSTANCE_LABEL, '')

    def delete_pod(self, namespace, name, *, grace_seconds=None):
        return self.delete({'apiVersion': 'v1', 'kind': 'Pod',
                            'metadata': {'name': name,
                                         'namespace': namespace}},
                           grace_seconds=grace_seconds)

    def snapshot(self, namespace):
        """A ``model.NamespaceSnapshot`` of ``namespace``."""
        try:
            found = observer.observe_vim(self._api, self.vim, [namespace],
                                         self.timeout)
        except observer.ObservationError as exc:
            raise self.error(str(exc))
        return found[(self.vim, namespace)]

    # --- waiting

    def wait(self, namespace, check, *, timeout, interval, clock=None,
             sleep=None):
        """Poll snapshots until ``check(snapshot)`` returns None.

        ``check`` returns None when done, else why not yet (a string);
        after ``timeout`` seconds ``KubernetesTimeout`` names that reason.
        Returns the last snapshot.
        """
        clock = clock or time.monotonic
        sleep = sleep or time.sleep
        deadline = clock() + timeout
        while True:
            snapshot = self.snapshot(namespace)
            reason = check(snapshot)
            if reason is None:
                return snapshot
            if clock() >= deadline:
                raise KubernetesTimeout(vim=self.vim.vim_id,
                                        seconds=timeout, reason=reason)
            sleep(interval)


# --- what "ready" means, as checks for Cluster.wait (pure)

def vdus_ready(targets, expected=None):
    """A check: every VDU found, settled, with the expected pod count.

    ``expected`` maps VDU ids to the number of Running pods wanted (VDUs
    absent from it only need to settle).
    """
    expected = expected or {}

    def check(snapshot):
        observations = ownership.observe_vdus(snapshot, targets)
        reasons = []
        for vdu_id in sorted(observations):
            seen = observations[vdu_id]
            if not seen.resource_found:
                reasons.append('%s: no %s yet' % (vdu_id, seen.kind))
            elif not seen.settled:
                reasons.append('%s: %s' % (vdu_id, seen.unsettled_reason))
            elif vdu_id in expected and \
                    len(seen.running) != expected[vdu_id]:
                reasons.append('%s: %d of %d pods Running' % (
                    vdu_id, len(seen.running), expected[vdu_id]))
        return '; '.join(reasons) or None
    return check


def pods_gone(uids, then=None):
    """A check: no pod with one of ``uids`` exists, then ``then``."""
    uids = frozenset(uids)

    def check(snapshot):
        left = sorted((p.get('metadata') or {}).get('name')
                      for p in snapshot.pods
                      if (p.get('metadata') or {}).get('uid') in uids)
        if left:
            return 'pods still present: %s' % ', '.join(left)
        return then(snapshot) if then else None
    return check


def owned_pods(snapshot, targets):
    """``{uid: name}`` of every pod (any phase) a VDU target owns."""
    idx = ownership.index(snapshot)
    found = {}
    for target in targets:
        workload = idx.get(target.kind, target.name)
        if workload is None:
            continue
        if target.kind == model.POD:
            pods = [workload]
        elif target.kind == model.DEPLOYMENT:
            pods = [pod for rs in idx.children(workload, model.REPLICA_SET)
                    for pod in idx.children(rs, model.POD)]
        else:
            pods = idx.children(workload, model.POD)
        for pod in pods:
            meta = pod.get('metadata') or {}
            found[meta.get('uid')] = meta.get('name')
    return found
