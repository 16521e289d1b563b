"""Prometheus metrics of the database synchronization.

Each ``SyncEngine`` owns one ``SyncMetrics``, whose collectors live in a
``CollectorRegistry`` of its own rather than prometheus_client's global
one, so that several engines in one process (tests, several conductors)
never count into each other.  The engine and its callers report what
happened, one call per event: a pass (``pass_done``), what a pass
observed per VIM (``observed``), how long an event took to reach
TackerDB (``staleness``); ``instrument`` counts every HTTP request a
Kubernetes client sends.  ``serve`` exposes a registry over HTTP and
``write_textfile`` writes it for node-exporter's textfile collector.

No label holds an instance id, a token or a password: the labels are the
pass kind, the outcome, the API version, the change, the VIM id (an
endpoint URL, when it stands for the VIM, without its user, query and
fragment), the request verb and the HTTP status.
"""

import socket
import threading
import time
import urllib.parse

import prometheus_client
from prometheus_client import exposition

from tacker.common import exceptions
from tacker.dbsync import sync
from tacker.vnfm.infra_drivers.kubernetes import outcome

PASS_KINDS = ('periodic', 'event', 'once')
CHANGES = ('renamed', 'added', 'removed', 'scale_level')
API_VERSIONS = ('v1', 'v2')

_PASS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
                 120.0, 300.0, 600.0)
_REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                    5.0, 10.0, 30.0)
_STALENESS_BUCKETS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0,
                      300.0, 600.0)
# HTTP methods as Kubernetes names them, for the ones that are not GET.
_VERBS = {'POST': 'CREATE', 'PUT': 'UPDATE', 'PATCH': 'PATCH',
          'DELETE': 'DELETE'}


def vim_label(vim_id):
    """The VIM id as a label: an endpoint keeps only scheme, host, path."""
    if '://' not in vim_id:
        return vim_id
    parts = urllib.parse.urlsplit(vim_id)
    host = parts.hostname or ''
    if ':' in host:
        host = '[%s]' % host
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None else '%s:%d' % (host, port)
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, '',
                                    ''))


def request_verb(method, url):
    """LIST, WATCH, GET, CREATE, ... of one Kubernetes API request."""
    method = method.upper()
    if method != 'GET':
        return _VERBS.get(method, method)
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    if any(v.lower() in ('true', '1') for v in query.get('watch', ())):
        return 'WATCH'
    return 'LIST' if _is_collection(parts.path) else 'GET'


def _is_collection(path):
    # /api/v1[/namespaces/NS]/RESOURCE[/NAME...] and
    # /apis/GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME...], possibly
    # behind a prefix of the endpoint (a proxy's /k8s/clusters/c-1).
    segments = [s for s in path.split('/') if s]
    for index, segment in enumerate(segments):
        if segment in ('api', 'apis'):
            rest = segments[index + (2 if segment == 'api' else 3):]
            break
    else:
        return False
    if rest[:1] == ['namespaces'] and len(rest) >= 3:
        rest = rest[2:]
    return len(rest) == 1


class SyncMetrics:
    """The collectors of one engine, in a registry of their own."""

    def __init__(self):
        self.registry = prometheus_client.CollectorRegistry()

        def made(kind, name, doc, labels=(), **kwargs):
            return kind(name, doc, labels, registry=self.registry, **kwargs)

        Counter, Gauge, Histogram = (prometheus_client.Counter,
                                     prometheus_client.Gauge,
                                     prometheus_client.Histogram)
        self.passes = made(
            Counter, 'tacker_dbsync_passes',
            'Synchronization passes run, by what started them.', ['kind'])
        self.pass_duration = made(
            Histogram, 'tacker_dbsync_pass_duration_seconds',
            'Seconds one synchronization pass took.', ['kind'],
            buckets=_PASS_BUCKETS)
        self.instances = made(
            Gauge, 'tacker_dbsync_instances',
            'Instances of the last full pass, by outcome.',
            ['outcome', 'api_version'])
        self.changes = made(
            Counter, 'tacker_dbsync_changes',
            'Changes written to TackerDB: pods renamed, added and removed '
            '(one per VNFC entry), scale levels changed (one per aspect).',
            ['api_version', 'change'])
        self.requests = made(
            Counter, 'tacker_dbsync_kubernetes_requests',
            'HTTP requests sent to the Kubernetes API, by VIM, verb and '
            'HTTP status (error: no answer).', ['vim', 'verb', 'code'])
        self.request_duration = made(
            Histogram, 'tacker_dbsync_kubernetes_request_duration_seconds',
            'Seconds until the Kubernetes API answered a request (for a '
            'WATCH, until the stream opened).', ['vim', 'verb'],
            buckets=_REQUEST_BUCKETS)
        self.vim_up = made(
            Gauge, 'tacker_dbsync_vim_up',
            '1 if the last pass that needed the VIM could observe it, '
            'else 0.', ['vim'])
        self.last_success = made(
            Gauge, 'tacker_dbsync_last_success_timestamp_seconds',
            'When a pass last observed the VIM (Unix time).', ['vim'])
        self.lock_conflicts = made(
            Counter, 'tacker_dbsync_lock_conflicts',
            'Writes given up because an LCM operation held the instance '
            '(its lock, or a v1 task_state).')
        self.staleness = made(
            Histogram, 'tacker_dbsync_staleness_seconds',
            'Watch mode: seconds from the first event that queued an '
            'instance (or its namespace) to the end of the event-driven '
            'pass that wrote its change to TackerDB.',
            buckets=_STALENESS_BUCKETS)
        self.partition_instances = made(
            Gauge, 'tacker_dbsync_partition_instances',
            'Instances this conductor took in its last full pass (all of '
            'them without a synchronization group).')
        for kind in PASS_KINDS:
            self.passes.labels(kind=kind)
        for api_version in API_VERSIONS:
            for change in CHANGES:
                self.changes.labels(api_version=api_version, change=change)
        self._api_versions = set(API_VERSIONS)
        self._gauges = threading.Lock()
        # The vim labels of tacker_dbsync_vim_up and last_success.
        self._vim_labels = set()

    # -- what the engine and its callers report --------------------------

    def pass_done(self, result, *, kind, full):
        """Count one pass's ``outcome.PassResult``.

        ``full``: the pass looked at every instance (not --instance, not
        the namespaces of events), so it sets the per-outcome gauges,
        unless it could not read TackerDB (its one outcome is ``*``):
        the gauges keep the last pass that could.
        """
        if result.overlapped:
            return
        self.passes.labels(kind=kind).inc()
        self.pass_duration.labels(kind=kind).observe(result.duration)
        instances = [o for o in result.outcomes if o.instance_id != '*']
        full = full and len(instances) == len(result.outcomes)
        for item in instances:
            if item.status == outcome.SKIPPED and \
                    item.reason == sync.LOCK_HELD:
                self.lock_conflicts.inc()
            if item.status == outcome.CHANGED and not result.dry_run and \
                    item.plan is not None:
                self._count_changes(item.api_version, item.plan)
        if full:
            self._set_instances(instances)

    def _count_changes(self, api_version, plan):
        counts = dict.fromkeys(CHANGES, 0)
        for change in plan.vdu_changes:
            counts['renamed'] += len(change.renamed)
            counts['added'] += len(change.added)
            counts['removed'] += len(change.removed)
        counts['scale_level'] += len(plan.level_changes)
        for change, count in counts.items():
            if count:
                self.changes.labels(api_version=api_version,
                                    change=change).inc(count)

    def _set_instances(self, instances):
        counted = {}
        for item in instances:
            key = (item.status, item.api_version)
            counted[key] = counted.get(key, 0) + 1
        with self._gauges:
            self._api_versions.update(v for _s, v in counted)
            # Every (outcome, version) ever seen is set, to 0 if absent
            # now, so that a series does not keep an old pass's value.
            for api_version in sorted(self._api_versions):
                for status in outcome.STATUSES:
                    self.instances.labels(outcome=status,
                                          api_version=api_version).set(
                        counted.get((status, api_version), 0))
            self.partition_instances.set(len(instances))

    def observed(self, observation, *, full=False):
        """Per VIM of an ``observer.Observation``: up, or down.

        After a ``full`` pass, the series of VIMs it no longer saw (no
        instance uses them any more) are removed.
        """
        down = {failure.vim_id for failure in observation.failures.values()}
        seen = {vim.vim_id for vim, _ns in observation.snapshots} | down
        now = time.time()
        labels = set()
        with self._gauges:
            for vim_id in seen:
                label = vim_label(vim_id)
                labels.add(label)
                if vim_id in down:
                    self.vim_up.labels(vim=label).set(0)
                else:
                    self.vim_up.labels(vim=label).set(1)
                    self.last_success.labels(vim=label).set(now)
            if full:
                for gone in self._vim_labels - labels:
                    for gauge in (self.vim_up, self.last_success):
                        try:
                            gauge.remove(gone)
                        except KeyError:
                            pass  # never succeeded: no timestamp series
                self._vim_labels = labels
            else:
                self._vim_labels |= labels

    def event_written(self, seconds):
        """An event-driven pass wrote what an event ``seconds`` ago began."""
        self.staleness.observe(max(0.0, seconds))

    def instrument(self, api_client, vim):
        """Count every HTTP request ``api_client`` sends to ``vim``.

        It wraps the client's REST layer, below which nothing but urllib3
        remains: one call is one request (urllib3's own connect retry
        included).
        """
        rest = api_client.rest_client
        send = rest.request
        label = vim_label(vim.vim_id)
        requests, duration = self.requests, self.request_duration

        def request(method, url, *args, **kwargs):
            verb = request_verb(method, url)
            started = time.monotonic()
            code = 'error'
            try:
                response = send(method, url, *args, **kwargs)
                code = str(response.status)
                return response
            except Exception as exc:
                status = getattr(exc, 'status', None)
                if isinstance(status, int) and status > 0:
                    code = str(status)
                raise
            finally:
                requests.labels(vim=label, verb=verb, code=code).inc()
                duration.labels(vim=label, verb=verb).observe(
                    time.monotonic() - started)

        rest.request = request
        return api_client

    # -- exposition --------------------------------------------------------

    def text(self):
        """The registry in the Prometheus text format (bytes)."""
        return prometheus_client.generate_latest(self.registry)

    def write_textfile(self, path):
        """Write ``text()`` to ``path``.

        Through a temporary file and a rename, so that a reader never sees
        half a file.
        """
        prometheus_client.write_to_textfile(path, self.registry)


def _cannot_serve(host, port, exc):
    return exceptions.ConfigError(reason=(
        '[database_sync] metrics_bind_host = %s, metrics_port = %d: '
        'cannot serve the metrics there (%s)'
        % (host, port, exc.strerror or exc)))


def check_address(host, port):
    """Raise ConfigError unless ``host``:``port`` can be bound now.

    The commands check before they launch the service, whose passes (and
    so the server of their metrics) run in a process oslo.service forks;
    the address is bound, as the server binds it, and released at once.
    """
    try:
        family, kind, _proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise _cannot_serve(host, port, exc)


class MetricsServer:
    """``/metrics`` of one registry, served by a daemon thread."""

    def __init__(self, registry, host, port):
        try:
            self._httpd, self._thread = exposition.start_wsgi_server(
                port, addr=host, registry=registry)
        except OSError as exc:
            raise _cannot_serve(host, port, exc)
        self.host = host
        self.port = self._httpd.server_address[1]

    @property
    def url(self):
        host = '[%s]' % self.host if ':' in self.host else self.host
        return 'http://%s:%d/metrics' % (host, self.port)

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)
