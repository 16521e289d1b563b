"""Read what Kubernetes runs: one snapshot per (VIM, namespace) per pass.

For every namespace the pass needs, the observer makes exactly one LIST
of each of pods, replicasets, deployments, statefulsets and daemonsets,
and every instance in that namespace shares the result (Tacker lists per
instance and per VDU).  Bodies are parsed as raw JSON, not into client
models, which is several times faster for large lists.  Every request has
a timeout.  VIMs are observed concurrently, up to a bound, so one slow
cluster does not hold up the others; the namespaces of one VIM are read
one after another.

A VIM that fails (unreachable, 401/403, timeout, 5xx, an answer cut
short, one that is not JSON (a proxy's HTML page), an unparsable or
malformed answer, or any unexpected error while it is observed) yields a
``VimFailure`` for the pass instead of snapshots; its instances are not
written, the other VIMs are unaffected, and the next pass tries again.
Every item of a LIST answer is checked (``list_shape``) before anything
reads it, so a malformed one is that VIM's failure, with a reason that
names the list, the item and the field.

In watch mode a namespace whose cache (``informer``) is synced is served
from it with no request at all; the others are listed as above.
"""

from concurrent import futures
import dataclasses
import http.client
import json
import socket
import time

from kubernetes.client import exceptions as k8s_exc
from oslo_log import log as logging
import urllib3.exceptions

from tacker.vnfm.infra_drivers.kubernetes import kept
from tacker.vnfm.infra_drivers.kubernetes import list_shape
from tacker.vnfm.infra_drivers.kubernetes import model

LOG = logging.getLogger(__name__)

# (snapshot field, API group path, resource, kind of the answer)
LISTS = (
    ('pods', '/api/v1', 'pods', 'PodList'),
    ('replicasets', '/apis/apps/v1', 'replicasets', 'ReplicaSetList'),
    ('deployments', '/apis/apps/v1', 'deployments', 'DeploymentList'),
    ('statefulsets', '/apis/apps/v1', 'statefulsets', 'StatefulSetList'),
    ('daemonsets', '/apis/apps/v1', 'daemonsets', 'DaemonSetList'),
)


def get_namespaced(api_client, group, resource, namespace, *, timeout,
                   **query):
    """GET a namespaced collection (a LIST or a WATCH); the raw response.

    The request goes through the client's ``ApiClient`` (its
    configuration, TLS, token and connection pool) without its generated
    ``CoreV1Api``/``AppsV1Api`` classes: those import some 300 model
    classes, about 25 MiB in every conductor, for answers that are read
    here as raw JSON anyway.  ``query`` holds the Kubernetes parameter
    names (``resourceVersion``, ``continue``, ...); None values are left
    out.  The caller reads the urllib3 response and releases it; an
    answer outside 2xx raises ``ApiException``, as the generated methods
    do.
    """
    method, url, headers, _body, _post = api_client.param_serialize(
        'GET', '%s/namespaces/{namespace}/%s' % (group, resource),
        path_params={'namespace': namespace},
        query_params=[(k, v) for k, v in query.items() if v is not None],
        header_params={'Accept': 'application/json'},
        auth_settings=['BearerToken'])
    response = api_client.call_api(method, url, headers,
                                   _request_timeout=timeout)
    if not 200 <= response.status <= 299:
        response.read()
        raise k8s_exc.ApiException.from_response(http_resp=response,
                                                 body=None, data=None)
    return response.response


@dataclasses.dataclass(frozen=True)
class VimFailure:
    vim_id: str
    endpoint: str
    reason: str


@dataclasses.dataclass(frozen=True)
class Observation:
    """The snapshots of one pass: per VIM either namespaces or a failure."""

    snapshots: dict  # (VimAccess, namespace) -> model.NamespaceSnapshot
    failures: dict  # VimAccess -> VimFailure

    def snapshot(self, vim, namespace):
        return self.snapshots.get((vim, namespace))


class ObservationError(Exception):
    pass


class MalformedAnswer(ValueError):
    """A LIST answer whose shape is not what Kubernetes documents."""


def reason(exc, timeout):
    if isinstance(exc, k8s_exc.ApiException):
        return 'HTTP %s %s' % (exc.status, exc.reason or '')
    if isinstance(exc, (urllib3.exceptions.ReadTimeoutError,
                        urllib3.exceptions.ConnectTimeoutError,
                        socket.timeout, TimeoutError)):
        return 'no answer within %s s' % timeout
    if isinstance(exc, urllib3.exceptions.MaxRetryError):
        return reason(exc.reason, timeout) if exc.reason else 'unreachable'
    if isinstance(exc, urllib3.exceptions.SSLError):
        # e.g. "certificate verify failed: unable to get local issuer
        # certificate": names the problem, carries no secret.
        text = str(exc.args[0] if exc.args else exc)
        return 'TLS failed (%s)' % text.rsplit('] ', 1)[-1][:200]
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return 'unreachable (%s)' % _errno_text(exc)
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        cut = [arg for arg in exc.args
               if isinstance(arg, http.client.IncompleteRead)]
        if cut:
            # The body ended before its Content-Length: e.g.
            # "IncompleteRead(10 bytes read, 1200 more expected)".
            return 'answer cut short (%s)' % cut[0]
    if isinstance(exc, (urllib3.exceptions.ProtocolError,
                        urllib3.exceptions.HTTPError)):
        return 'connection failed (%s)' % type(exc).__name__
    if isinstance(exc, MalformedAnswer):
        return str(exc)
    if isinstance(exc, ValueError):
        return 'unreadable answer (%s)' % exc
    return '%s' % type(exc).__name__


def _errno_text(exc):
    text = str(exc)
    # urllib3 puts the OS reason after the last colon; the URL before it
    # carries no secret, but is noise in a log line.
    return text.rsplit(':', 1)[-1].strip() or type(exc).__name__


def _list(api_client, group, resource, namespace, timeout, kind):
    # Raw JSON: building client models for thousands of pods costs more
    # than the request itself.
    response = get_namespaced(api_client, group, resource, namespace,
                              timeout=timeout)
    try:
        data = read_json(response)
    finally:
        response.release_conn()
    # Only what the pass reads outlives the answer (as in a cache).
    return {'items': [kept.slim(item)
                      for item in check_list(data, kind)['items']]}


def check_list(data, kind):
    """``data``, a LIST answer; MalformedAnswer if any item is not."""
    problem = list_shape.answer_problem(data)
    if problem is None:
        problem = list_shape.items_problem(data['items'])
    if problem is not None:
        raise MalformedAnswer('Kubernetes answered a malformed %s: %s' % (
            list_shape.list_kind(data, kind), problem))
    return data


def read_json(response):
    try:
        return json.loads(response.data)
    except ValueError:
        content_type = (response.headers.get('Content-Type') or '').strip()
        if 'json' in content_type.lower():
            raise
        # A proxy or login portal in front of the API server answers
        # 200 with a page: name what came instead of a decode position.
        raise MalformedAnswer('Kubernetes answered %s, not JSON' % (
            content_type[:100] or 'no Content-Type')) from None


def observe_vim(api_client, vim, namespaces, timeout, max_lists=1):
    """Snapshots of ``namespaces`` on one VIM; raises ObservationError.

    Up to ``max_lists`` LISTs are in flight at once.  When some fail,
    the first failure in (namespace, kind) order is the one reported,
    whatever order they failed in.
    """
    jobs = [(namespace, entry) for namespace in sorted(namespaces)
            for entry in LISTS]

    def one(job):
        namespace, (_field, group, resource, kind) = job
        return _list(api_client, group, resource, namespace, timeout, kind)

    workers = max(1, min(max_lists, len(jobs)))
    if workers == 1:
        answers = [_outcome(one, job) for job in jobs]
    else:
        with futures.ThreadPoolExecutor(
                max_workers=workers,
                thread_name_prefix='k8s-list-%s' % vim.vim_id) as ex:
            answers = list(ex.map(lambda job: _outcome(one, job), jobs))
    by_namespace = {}
    for (namespace, entry), (data, exc) in zip(jobs, answers):
        if exc is not None:
            raise ObservationError('LIST %s in namespace %s: %s' % (
                entry[0], namespace, reason(exc, timeout))) from exc
        by_namespace.setdefault(namespace, {})[entry[0]] = data
    return {(vim, namespace): model.NamespaceSnapshot.from_list_json(
        namespace, **answers)
        for namespace, answers in by_namespace.items()}


def _outcome(function, job):
    """``(result, None)`` or ``(None, exception)``."""
    try:
        return function(job), None
    except Exception as exc:  # noqa: every failure is reported
        return None, exc


def observe(wanted, clients, *, timeout, max_workers, informers=None,
            max_lists=1):
    """Observe every VIM of ``wanted`` (vim -> namespaces) concurrently.

    ``wanted`` maps ``vim_access.VimAccess`` to a set of namespaces;
    ``clients`` is a ``vim_access.ClientCache``.  ``informers`` (an
    ``informer.Informers``, in watch mode) serves the namespaces whose
    cache is synced without a request; the others are listed, up to
    ``max_lists`` at once per VIM.
    """
    snapshots, failures = {}, {}
    if informers is not None:
        wanted = _serve_cached(wanted, informers, snapshots, failures,
                               time.monotonic() + timeout)
    if not wanted:
        return Observation(snapshots, failures)
    workers = max(1, min(max_workers, len(wanted)))
    with futures.ThreadPoolExecutor(max_workers=workers,
                                    thread_name_prefix='k8s-observe') as ex:
        jobs = {ex.submit(_observe_one, clients, vim, namespaces,
                          timeout, max_lists): vim
                for vim, namespaces in wanted.items()}
        for job in futures.as_completed(jobs):
            vim = jobs[job]
            try:
                snapshots.update(job.result())
            except ObservationError as exc:
                failures[vim] = VimFailure(vim.vim_id, vim.endpoint,
                                           str(exc))
            except Exception as exc:  # noqa: one VIM never stops the others
                # A defect of ours, not the cluster's: keep its traceback;
                # the VIM fails this pass like any other.
                LOG.exception('Observing VIM %(vim)s failed unexpectedly',
                              {'vim': vim.vim_id})
                failures[vim] = VimFailure(
                    vim.vim_id, vim.endpoint,
                    'unexpected error (%s)' % type(exc).__name__)
    return Observation(snapshots, failures)


def _serve_cached(wanted, informers, snapshots, failures, deadline):
    """Fill in what the caches hold; returns what must still be listed.

    A cache still on its first LIST is waited for until ``deadline``
    (one request timeout for the whole pass), rather than listing the
    namespace a second time.
    """
    for vim, namespaces in wanted.items():
        for namespace in namespaces:
            # Start every new cache first, so that they list in parallel.
            informers.serve(vim, namespace)
    left = {}
    for vim, namespaces in wanted.items():
        served = {}
        for namespace in sorted(namespaces):
            found = informers.serve(vim, namespace, deadline)
            if found is not None and found.failure is not None:
                failures[vim] = VimFailure(vim.vim_id, vim.endpoint,
                                           found.failure)
                break
            if found is not None:
                served[(vim, namespace)] = found.snapshot
        else:
            snapshots.update(served)
            rest = {ns for ns in namespaces if (vim, ns) not in served}
            if rest:
                left[vim] = rest
    return left


def _observe_one(clients, vim, namespaces, timeout, max_lists):
    # The client is built in the worker, so that a VIM whose client
    # cannot be built fails alone.
    return observe_vim(clients.get(vim), vim, namespaces, timeout,
                       max_lists)
