"""The Simulator: one simulated cluster behind one HTTP endpoint.

It wires the store, the verb semantics, the controllers, the fault
injector and the HTTP server together, and offers the Python API that
tests use to start it, inspect it and push it around (kill pods, scale
like an HPA, hold or fail pods, break the API for a while).
"""

import copy
import os
import ssl
import threading

from tacker_k8s_sim import api
from tacker_k8s_sim import chaos
from tacker_k8s_sim import controllers
from tacker_k8s_sim import discovery
from tacker_k8s_sim import errors
from tacker_k8s_sim import names as names_mod
from tacker_k8s_sim import objects
from tacker_k8s_sim import resources
from tacker_k8s_sim import server
from tacker_k8s_sim import store as store_mod

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public",
                     "kube-node-lease")
NODE_PREFIX = "sim-node-"


class Simulator(object):
    """A Kubernetes API simulator reachable at ``self.url``."""

    def __init__(self, token=None, nodes=2, pod_start_delay=0.0,
                 deletion_grace=0.0, history_window=50000, *,
                 host="127.0.0.1", port=0, bookmark_interval=1.0,
                 watch_timeout=1800.0, tick_interval=0.05, seed=None,
                 tls=None):
        self.token = token
        # (certificate file, key file): serve HTTPS with them.
        self.tls = tls
        self.host = host
        self.port = port
        self.bookmark_interval = bookmark_interval
        self.watch_timeout = watch_timeout
        self.registry = resources.Registry()
        self.store = store_mod.Store(history_window=history_window)
        self.objects = objects.Objects(self.store, self.registry,
                                       default_grace=deletion_grace)
        self.names = names_mod.NameGenerator(seed)
        self.controllers = controllers.ControllerManager(
            self.store, self.objects, self.registry, self.names,
            pod_start_delay=pod_start_delay, tick_interval=tick_interval)
        self.faults = chaos.FaultInjector()
        self.api = api.ApiHandler(self)
        self._log_lock = threading.Lock()
        self._requests = []
        self._in_flight = 0
        self.max_in_flight = 0
        self._request_count = 0
        self._httpd = None
        self._serve_thread = None
        self.url = None
        ns_res = self.registry.get("", "namespaces")
        for namespace in SYSTEM_NAMESPACES:
            self.objects.create(ns_res, None, {"metadata": {
                "name": namespace}})
        self.set_nodes(nodes)

    # -- lifecycle --------------------------------------------------------

    def start(self):
        """Serve on an ephemeral (or the given) port; returns the URL."""
        if self._httpd is not None:
            return self.url
        self.store.closed = False
        self._httpd = server.SimHTTPServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        scheme = "http"
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._httpd.socket = context.wrap_socket(self._httpd.socket,
                                                     server_side=True)
            scheme = "https"
        self.url = "%s://%s:%d" % (scheme, self.host, self.port)
        self.controllers.resync()
        self.controllers.start()
        self._serve_thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
            name="k8s-sim-http", daemon=True)
        self._serve_thread.start()
        return self.url

    def stop(self):
        """Stop serving, end open watches and the controller thread."""
        if self._httpd is None:
            return
        self.store.close()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        self._serve_thread.join(5)
        self.controllers.stop()
        self._httpd = None
        self._serve_thread = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def pod_start_delay(self):
        """Seconds a new pod stays Pending before it runs (settable)."""
        return self.controllers.pod_start_delay

    @pod_start_delay.setter
    def pod_start_delay(self, seconds):
        self.controllers.pod_start_delay = float(seconds)

    @property
    def deletion_grace(self):
        """Default pod deletion grace in seconds (settable)."""
        return self.objects.default_grace

    @deletion_grace.setter
    def deletion_grace(self, seconds):
        self.objects.default_grace = float(seconds)

    # -- clients ----------------------------------------------------------

    def configuration(self, token=None, retries=None):
        """A ``kubernetes.client.Configuration`` for this endpoint.

        ``token`` defaults to the simulator's token; ``retries`` is
        handed to urllib3 (``False`` or 0 turns its retries off).
        """
        from kubernetes import client
        config = client.Configuration()
        config.host = self.url
        use = self.token if token is None else token
        if use:
            config.api_key = {"authorization": "Bearer " + use}
        if retries is not None:
            config.retries = retries
        return config

    def api_client(self, token=None, retries=None):
        from kubernetes import client
        return client.ApiClient(self.configuration(token=token,
                                                   retries=retries))

    def write_kubeconfig(self, path, *, namespace="default",
                         name="k8s-sim", ca_file=None):
        """Write a kubeconfig for this endpoint to ``path`` (mode 0600).

        One cluster, user and context, all called ``name``, the context
        current and defaulting to ``namespace``; the user carries the
        simulator's token, if any, so ``KUBECONFIG=path kubectl get
        pods`` works as it stands.  ``ca_file`` is the CA that signed an
        HTTPS simulator's certificate.  kubectl sends a kubeconfig's
        credentials over TLS only: a simulator with a token must serve
        HTTPS for kubectl.  Returns ``path``.
        """
        import yaml
        cluster = {"server": self.url}
        if ca_file:
            cluster["certificate-authority"] = os.path.abspath(ca_file)
        user = {"token": self.token} if self.token else {}
        config = {
            "apiVersion": "v1", "kind": "Config", "preferences": {},
            "clusters": [{"name": name, "cluster": cluster}],
            "users": [{"name": name, "user": user}],
            "contexts": [{"name": name, "context": {
                "cluster": name, "user": name, "namespace": namespace}}],
            "current-context": name,
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            yaml.safe_dump(config, handle, default_flow_style=False)
        return path

    # -- inspection -------------------------------------------------------

    @property
    def resource_version(self):
        return self.store.resource_version

    def _resource(self, kind):
        try:
            group, plural = resources.workload_key(kind)
        except KeyError:
            group, plural = "", kind.lower()
        try:
            return self.registry.get(group, plural)
        except KeyError:
            pass
        # Any other built-in kind by plural or kind name ("jobs", "Job").
        for res in self.registry.all():
            if res.builtin and kind.lower() in (res.plural,
                                                res.kind.lower()):
                return res
        raise errors.NotFound("unknown resource %r" % kind)

    def get(self, kind, namespace, name):
        """A copy of the stored object, or None.

        ``kind`` is e.g. 'Deployment', 'deployments', 'pods', 'configmaps'.
        """
        res = self._resource(kind)
        with self.store.lock:
            obj = self.store.get(res, namespace if res.namespaced else None,
                                 name)
        return copy.deepcopy(obj)

    def list(self, kind, namespace=None):
        res = self._resource(kind)
        with self.store.lock:
            return copy.deepcopy(self.store.objects(res, namespace))

    def pods(self, namespace=None, *, running=False):
        """Pods (copies); ``running=True`` keeps Running, live ones."""
        found = self.list("pods", namespace)
        if running:
            found = [p for p in found
                     if (p.get("status") or {}).get("phase") == "Running"
                     and not p["metadata"].get("deletionTimestamp")]
        return found

    def create(self, obj, namespace=None):
        """Create any object from its apiVersion/kind; returns a copy."""
        res = self._resource_for(obj)
        ns = namespace or (obj.get("metadata") or {}).get("namespace") \
            or ("default" if res.namespaced else None)
        created = self.objects.create(res, ns if res.namespaced else None,
                                      obj, names=self.names)
        return copy.deepcopy(created)

    def create_many(self, objs, namespace=None):
        """Bulk create (no copies returned): the benchmark's fast path."""
        with self.store.lock:
            for obj in objs:
                res = self._resource_for(obj)
                ns = namespace or (obj.get("metadata") or {}).get(
                    "namespace") or "default"
                self.objects.create(res, ns if res.namespaced else None,
                                    obj, names=self.names)

    def _resource_for(self, obj):
        api_version = obj.get("apiVersion", "v1")
        group, _, version = api_version.rpartition("/")
        kind = obj.get("kind")
        for res in self.registry.all():
            if res.group == group and res.kind == kind:
                return res
        raise errors.BadRequest("no resource for %s %s"
                                % (api_version, kind))

    def state(self):
        with self.store.lock:
            counts = {res.key: self.store.count(res)
                      for res in self.registry.all()
                      if self.store.count(res)}
            return {
                "resourceVersion": str(self.store.resource_version),
                "counts": counts,
                "nodes": self.node_names(),
                "holdPending": self.controllers.hold_pending,
                "failNewPods": self.controllers.fail_new_pods,
                "faults": [f.describe() for f in self.faults.active()],
                "requestCount": self.request_count,
            }

    # -- operator and chaos controls --------------------------------------

    def kill_pod(self, namespace, name, grace=None):
        """Delete a pod as an eviction would; its owner replaces it.

        Returns the pod as last seen (terminating, or as deleted).
        """
        res = self.registry.get("", "pods")
        kept, final = self.objects.delete(res, namespace, name,
                                          grace=grace)
        return copy.deepcopy(kept if kept is not None else final)

    def scale(self, kind, namespace, name, replicas):
        """Set spec.replicas as an HPA would; returns the object."""
        res = self._resource(kind)
        with self.store.lock:
            obj = self.objects.get(res, namespace, name)
            return copy.deepcopy(self.objects.set_replicas(
                res, obj, int(replicas)))

    def hold_pending(self, enabled=True):
        """While on, pods stay Pending (scheduled, containers waiting)."""
        self.controllers.hold_pending = bool(enabled)
        self.controllers.resync()

    def fail_new_pods(self, enabled=True):
        """While on, pods that start end in phase Failed."""
        self.controllers.fail_new_pods = bool(enabled)
        self.controllers.resync()

    def add_fault(self, kind, *, status=None, delay=0.0, seconds=None,
                  count=None, path=None, verb=None, item=0, field=None,
                  value=None, size=None):
        """Inject an API fault; see ``chaos.Fault``. Returns the Fault.

        kind: 'latency' (sleep ``delay`` s, then answer), 'error'
        (answer ``status``, default 503), 'drop' (close the socket
        without a reply), 'unauthorized' (401) or 'corrupt' (a LIST
        answer whose item ``item`` is replaced by ``value``, or whose
        dotted ``field`` in that item is set to ``value``, removed when
        ``value`` is None; in a watch stream, the object of the first
        ADDED or MODIFIED event), 'truncate' (send the first ``size`` bytes,
        default half, of the answer under the whole body's
        Content-Length, then close the connection) or 'html' (a 200 with
        an HTML page as ``text/html``). ``seconds`` and/or ``count`` bound it;
        ``path`` is a regex searched in the URL path; ``verb`` an HTTP
        method or Kubernetes verb (list, watch, get, create, update,
        patch, delete).
        """
        return self.faults.add(kind, status=status, delay=delay,
                               seconds=seconds, count=count, path=path,
                               verb=verb, item=item, field=field,
                               value=value, size=size)

    def inject_latency(self, delay, **kwargs):
        return self.add_fault(chaos.LATENCY, delay=delay, **kwargs)

    def inject_error(self, status=503, **kwargs):
        return self.add_fault(chaos.ERROR, status=status, **kwargs)

    def drop_connections(self, **kwargs):
        return self.add_fault(chaos.DROP, **kwargs)

    def refuse_tokens(self, **kwargs):
        return self.add_fault(chaos.UNAUTHORIZED, **kwargs)

    def corrupt_list_items(self, *, item=0, field=None, value=None,
                           **kwargs):
        return self.add_fault(chaos.CORRUPT, item=item, field=field,
                              value=value, **kwargs)

    def truncate_answers(self, *, size=None, **kwargs):
        return self.add_fault(chaos.TRUNCATE, size=size, **kwargs)

    def answer_html(self, **kwargs):
        return self.add_fault(chaos.HTML, **kwargs)

    def reset_faults(self):
        self.faults.reset()

    def compact(self):
        """Forget watch history: older resourceVersions now get 410."""
        self.store.compact()

    def node_names(self):
        nodes_res = self.registry.get("", "nodes")
        with self.store.lock:
            return [n["metadata"]["name"]
                    for n in self.store.objects(nodes_res)]

    def set_nodes(self, count):
        """Grow or shrink the node list to ``count``; returns names."""
        nodes_res = self.registry.get("", "nodes")
        with self.store.lock:
            wanted = [NODE_PREFIX + str(i) for i in range(int(count))]
            for name in self.node_names():
                if name not in wanted:
                    self.objects.delete(nodes_res, None, name)
            for index, name in enumerate(wanted):
                if self.store.get(nodes_res, None, name) is None:
                    self.objects.create(nodes_res, None, _node(name, index))
        self.controllers.resync()
        return self.node_names()

    # -- request log ------------------------------------------------------

    def log_request(self, method, path, query):
        with self._log_lock:
            self._request_count += 1
            self._requests.append((method, path, dict(query)))

    def request_started(self):
        with self._log_lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def request_ended(self):
        with self._log_lock:
            self._in_flight -= 1

    @property
    def request_count(self):
        with self._log_lock:
            return self._request_count

    @property
    def requests(self):
        """(method, path, query dict) of API requests, oldest first."""
        with self._log_lock:
            return list(self._requests)

    def reset_request_log(self):
        with self._log_lock:
            self._request_count = 0
            self._requests = []
            # The most requests other than watches served at one time.
            self.max_in_flight = self._in_flight

    # -- controllers ------------------------------------------------------

    def step(self):
        """Run every controller once, now; returns the writes made."""
        return self.controllers.step()

    def wait_settled(self, timeout=5.0):
        """Run controllers until quiet; TimeoutError if not in time.

        Quiet means a pass changes nothing and no timer (pod start
        delay, deletion grace) is pending.
        """
        return self.controllers.settle(timeout)


def _node(name, index):
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64"}},
        "spec": {"podCIDR": "10.244.%d.0/24" % index},
        "status": {
            "conditions": [{"type": "Ready", "status": "True",
                            "reason": "KubeletReady"}],
            "addresses": [{"type": "InternalIP",
                           "address": "192.168.0.%d" % (10 + index)},
                          {"type": "Hostname", "address": name}],
            "capacity": {"cpu": "8", "memory": "32Gi", "pods": "110"},
            "allocatable": {"cpu": "8", "memory": "32Gi", "pods": "110"},
            # What kubectl get nodes -o wide shows (VERSION, OS-IMAGE...).
            "nodeInfo": {
                "kubeletVersion": discovery.version()["gitVersion"],
                "kubeProxyVersion": discovery.version()["gitVersion"],
                "osImage": "Simulated Linux", "kernelVersion": "6.1.0-sim",
                "containerRuntimeVersion": "containerd://1.7.0-sim",
                "operatingSystem": "linux", "architecture": "amd64",
                "machineID": "", "systemUUID": "", "bootID": ""},
        },
    }
