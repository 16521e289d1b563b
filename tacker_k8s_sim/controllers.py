"""The controller manager: workload controllers, kubelet, GC.

Writes to the store are observed through a hook (as an informer would)
and turned into work: dirty workloads, pods to schedule and start,
terminating pods to remove, owners whose dependents need collecting.
``step()`` drains that work once under the store lock; a background
thread calls it on every write and on a short tick for timed work
(pod start delay, deletion grace).  ``settle()`` repeats steps until
nothing changes and no timer is pending.
"""

import copy
import logging
import threading
import time

from tacker_k8s_sim import endpoints
from tacker_k8s_sim import errors
from tacker_k8s_sim import jobs
from tacker_k8s_sim import objects as objects_mod
from tacker_k8s_sim import pods
from tacker_k8s_sim import store as store_mod
from tacker_k8s_sim import workloads

LOG = logging.getLogger(__name__)

_RECONCILERS = (
    ("apps", "deployments", workloads.reconcile_deployment),
    ("apps", "replicasets", workloads.reconcile_replicaset),
    ("apps", "statefulsets", workloads.reconcile_statefulset),
    ("apps", "daemonsets", workloads.reconcile_daemonset),
    ("batch", "jobs", jobs.reconcile_job),
)
_RECONCILED = frozenset("%s/%s" % (group, plural)
                        for group, plural, _ in _RECONCILERS)
# A bound on steps per settle so a controller bug cannot spin forever.
_MAX_STEPS = 200


class ControllerManager(object):
    """Runs every simulated controller against one store."""

    def __init__(self, store, objects, registry, names, *,
                 pod_start_delay=0.0, tick_interval=0.05,
                 clock=time.monotonic):
        self.store = store
        self.objects = objects
        self.registry = registry
        self.names = names
        self.pod_start_delay = float(pod_start_delay)
        self.tick_interval = tick_interval
        self.clock = clock
        self.hold_pending = False
        self.fail_new_pods = False
        self._dirty = {}
        self._pending = {}
        # Running pods of Jobs, by location: monotonic time they started.
        self._running_jobs = {}
        self._terminating = set()
        self._gone_owners = set()
        self._foreground = set()
        # Endpoints to recompute: services by (namespace, name), and
        # namespaces whose pods changed (all their services).
        self._services = set()
        self._pod_namespaces = set()
        self._pod_ips = 0
        self._next_node = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = None
        self._pods_res = registry.get("", "pods")
        self._nodes_res = registry.get("", "nodes")
        self._services_res = registry.get("", "services")
        self._endpoints_res = registry.get("", "endpoints")
        store.add_hook(self._observe)

    # -- context for workloads.py ----------------------------------------

    def res(self, group, plural):
        return self.registry.get(group, plural)

    def nodes(self):
        return self.store.objects(self._nodes_res)

    def owned(self, resource, owner_uid):
        found = []
        for dep_res, dep_ns, dep_name in self.store.dependents(owner_uid):
            if dep_res is not resource:
                continue
            obj = self.store.get(dep_res, dep_ns, dep_name)
            if obj is not None and pods.controller_uid(obj) == owner_uid:
                found.append(obj)
        found.sort(key=lambda o: o["metadata"]["name"])
        return found

    def owned_pods(self, owner_uid):
        return self.owned(self._pods_res, owner_uid)

    def create(self, resource, body):
        try:
            return self.objects.create(resource,
                                       body["metadata"].get("namespace"),
                                       body)
        except errors.ApiError as exc:
            # The namespace may be going away; the next pass retries.
            LOG.debug("controller create refused: %s", exc.message)
            return None

    def create_pod(self, body):
        return self.create(self._pods_res, body)

    def delete_pod(self, pod, grace=None):
        meta = pod["metadata"]
        try:
            self.objects.delete(self._pods_res, meta["namespace"],
                                meta["name"], grace=grace)
        except errors.NotFound:
            pass

    def delete(self, resource, obj, propagation=None):
        meta = obj["metadata"]
        try:
            self.objects.delete(resource, meta.get("namespace"),
                                meta["name"], propagation=propagation)
        except errors.NotFound:
            pass

    # -- observing writes -------------------------------------------------

    def _observe(self, event):
        resource = event.resource
        obj = event.entry.obj
        meta = obj["metadata"]
        location = (resource, meta.get("namespace", ""), meta["name"])
        gone = event.type == store_mod.DELETED
        if resource is self._pods_res:
            self._observe_pod(location, obj, gone)
        elif resource.key in _RECONCILED:
            if gone:
                self._dirty.pop(location, None)
            else:
                self._dirty[location] = None
            self._mark_owner(obj)
        elif resource is self._nodes_res:
            for loc in self._all_of("apps", "daemonsets"):
                self._dirty[loc] = None
        elif resource is self._services_res or (
                resource is self._endpoints_res and gone):
            # A deleted Endpoints is recreated; one written without a
            # Service stays until a resync, as in Kubernetes.
            self._services.add(location[1:])
        if gone:
            self._gone_owners.add(meta.get("uid"))
        else:
            if objects_mod.FOREGROUND in (meta.get("finalizers") or ()):
                self._foreground.add(location)
            for ref in meta.get("ownerReferences") or ():
                if self.store.locate_uid(ref.get("uid")) is None:
                    self._gone_owners.add(ref.get("uid"))
        self._wake.set()

    def _observe_pod(self, location, pod, gone):
        self._pod_namespaces.add(location[1])
        if not gone and pods.active(pod) and pods.phase(pod) == "Running" \
                and pods.owner_kind(pod) == "Job":
            self._running_jobs.setdefault(location, self.clock())
        else:
            self._running_jobs.pop(location, None)
        if gone:
            self._pending.pop(location, None)
            self._terminating.discard(location)
        elif pods.terminating(pod):
            self._pending.pop(location, None)
            self._terminating.add(location)
        elif pods.phase(pod) == "Pending":
            self._pending.setdefault(location, self.clock())
        else:
            self._pending.pop(location, None)
        self._mark_owner(pod, grand=True)

    def _mark_owner(self, obj, grand=False):
        owner = pods.controller_uid(obj)
        where = self.store.locate_uid(owner) if owner else None
        if where is None:
            return
        self._dirty[where] = None
        if grand:
            parent = self.store.get(*where)
            if parent is not None:
                self._mark_owner(parent)

    def _all_of(self, group, plural):
        res = self.registry.get(group, plural)
        return [(res, key[0], key[1]) for key, _ in self.store.entries(res)]

    def resync(self):
        """Queue everything, as a controller restart would."""
        with self.store.lock:
            for group, plural, _ in _RECONCILERS:
                for loc in self._all_of(group, plural):
                    self._dirty[loc] = None
            for key, entry in self.store.entries(self._pods_res):
                self._observe_pod((self._pods_res,) + key, entry.obj,
                                  False)
            self._gone_owners.update(self.store.owner_uids())
            for res in (self._services_res, self._endpoints_res):
                self._services.update(key for key, _ in
                                      self.store.entries(res))
        self._wake.set()

    # -- one pass ---------------------------------------------------------

    def step(self):
        """Run every controller once; returns the number of writes."""
        with self.store.lock:
            before = self.store.resource_version
            self._collect_garbage()
            self._finish_terminations()
            self._run_kubelet()
            self._finish_job_pods()
            self._run_workloads()
            self._run_endpoints()
            return self.store.resource_version - before

    def _run_workloads(self):
        dirty = self._dirty
        self._dirty = {}
        for group, plural, reconcile in _RECONCILERS:
            res = self.registry.get(group, plural)
            for location in [loc for loc in dirty if loc[0] is res]:
                obj = self.store.get(*location)
                if obj is None:
                    continue
                try:
                    reconcile(self, obj)
                except errors.ApiError as exc:
                    LOG.debug("reconcile of %s/%s refused: %s",
                              location[1], location[2], exc.message)

    def _run_endpoints(self):
        wanted, self._services = self._services, set()
        for namespace in self._pod_namespaces:
            wanted.update(key for key, _ in self.store.entries(
                self._services_res, namespace))
        self._pod_namespaces = set()
        for namespace, name in sorted(wanted):
            try:
                endpoints.reconcile(self, namespace, name)
            except errors.ApiError as exc:
                LOG.debug("endpoints of %s/%s refused: %s", namespace,
                          name, exc.message)

    def _collect_garbage(self):
        gone, self._gone_owners = self._gone_owners, set()
        for uid in gone:
            if uid is None or self.store.locate_uid(uid) is not None:
                continue
            for location in self.store.dependents(uid):
                obj = self.store.get(*location)
                if obj is None:
                    continue
                refs = obj["metadata"].get("ownerReferences") or []
                alive = [r for r in refs
                         if self.store.locate_uid(r.get("uid"))]
                if alive:
                    new = copy.deepcopy(obj)
                    new["metadata"]["ownerReferences"] = alive
                    self.objects.replace_object(location[0], new)
                elif location[0] is self._pods_res:
                    self.delete_pod(obj)
                else:
                    self.delete(location[0], obj)
        for location in list(self._foreground):
            obj = self.store.get(*location)
            if obj is None or objects_mod.FOREGROUND not in (
                    obj["metadata"].get("finalizers") or ()):
                self._foreground.discard(location)
                continue
            uid = obj["metadata"]["uid"]
            deps = self.store.dependents(uid)
            for dep_loc in deps:
                dep = self.store.get(*dep_loc)
                if dep is None or dep["metadata"].get("deletionTimestamp"):
                    continue
                if dep_loc[0] is self._pods_res:
                    self.delete_pod(dep)
                else:
                    # Foreground deletion propagates down the chain.
                    self.delete(dep_loc[0], dep, propagation="Foreground")
            if not self.store.dependents(uid):
                self._foreground.discard(location)
                new = copy.deepcopy(obj)
                new["metadata"]["finalizers"] = [
                    f for f in new["metadata"]["finalizers"]
                    if f != objects_mod.FOREGROUND]
                if new["metadata"]["finalizers"]:
                    self.objects.replace_object(location[0], new)
                else:
                    self.store.remove(*location)

    def _finish_terminations(self):
        now = self.clock()
        for location in list(self._terminating):
            pod = self.store.get(*location)
            if pod is None:
                self._terminating.discard(location)
                continue
            deadline = self.store.deadlines.get(pod["metadata"]["uid"], 0)
            if deadline <= now and not pod["metadata"].get("finalizers"):
                self.objects.finish_deletion(self._pods_res, pod)

    def _node_ips(self):
        ips = {}
        for node in self.nodes():
            addresses = (node.get("status") or {}).get("addresses") or ()
            ips[node["metadata"]["name"]] = next(
                (a["address"] for a in addresses
                 if a.get("type") == "InternalIP"), "192.168.0.1")
        return ips

    def _run_kubelet(self):
        if not self._pending:
            return
        now = self.clock()
        node_ips = self._node_ips()
        node_names = sorted(node_ips)
        for location, since in list(self._pending.items()):
            pod = self.store.get(*location)
            if pod is None or pods.terminating(pod) or \
                    pods.phase(pod) != "Pending":
                self._pending.pop(location, None)
                continue
            node = (pod.get("spec") or {}).get("nodeName")
            new = None
            if not node:
                if not node_names:
                    continue
                node = node_names[self._next_node % len(node_names)]
                self._next_node += 1
                new = copy.deepcopy(pod)
                new["spec"]["nodeName"] = node
            node_ip = node_ips.get(node, "192.168.0.1")
            due = now - since >= self.pod_start_delay
            if self.hold_pending or not due:
                if new is not None or not (pod.get("status") or {}).get(
                        "conditions"):
                    new = new or copy.deepcopy(pod)
                    new["status"] = pods.scheduled_status(new, node_ip)
                    self.objects.replace_object(self._pods_res, new)
                continue
            new = new or copy.deepcopy(pod)
            if self.fail_new_pods:
                new["status"] = pods.failed_status(new, node_ip)
            else:
                self._pod_ips += 1
                new["status"] = pods.running_status(
                    new, node_ip, _pod_ip(self._pod_ips))
            self._pending.pop(location, None)
            self.objects.replace_object(self._pods_res, new)

    def _finish_job_pods(self):
        # A Job's containers are taken to be batch work: they exit 0
        # once they have run as long as a pod takes to start.
        now = self.clock()
        for location, since in list(self._running_jobs.items()):
            if now - since < self.pod_start_delay:
                continue
            self._running_jobs.pop(location, None)
            pod = self.store.get(*location)
            if pod is None or not pods.active(pod) or \
                    pods.phase(pod) != "Running":
                continue
            new = copy.deepcopy(pod)
            new["status"] = pods.succeeded_status(new)
            self.objects.replace_object(self._pods_res, new)

    # -- timers and settling ----------------------------------------------

    def next_timer(self):
        """Seconds until timed work is due; None when there is none."""
        with self.store.lock:
            now = self.clock()
            due = []
            if not self.hold_pending:
                due.extend(since + self.pod_start_delay - now
                           for since in self._pending.values())
            due.extend(since + self.pod_start_delay - now
                       for since in self._running_jobs.values())
            for location in self._terminating:
                pod = self.store.get(*location)
                if pod is not None and not pod["metadata"].get(
                        "finalizers"):
                    due.append(self.store.deadlines.get(
                        pod["metadata"]["uid"], 0) - now)
            if not due:
                return None
            return max(0.0, min(due))

    def busy(self):
        with self.store.lock:
            return bool(self._dirty or self._gone_owners or
                        self._services or self._pod_namespaces)

    def settle(self, timeout=5.0):
        """Step until quiet with no timer pending; TimeoutError if not."""
        deadline = time.monotonic() + timeout
        while True:
            for _ in range(_MAX_STEPS):
                if not self.step() and not self.busy():
                    break
            wait = self.next_timer()
            if wait is None and not self.busy():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("simulated cluster did not settle in "
                                   "%.1f s" % timeout)
            time.sleep(min(left, max(wait or 0.0, 0.005), 0.05))

    # -- background thread ------------------------------------------------

    def start(self):
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop,
                                        name="k8s-sim-controllers",
                                        daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _loop(self):
        while not self._stop.is_set():
            self._wake.wait(self.tick_interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                for _ in range(_MAX_STEPS):
                    if not self.step() and not self.busy():
                        break
            except Exception:  # noqa: the loop must survive a bug
                LOG.exception("simulated controller pass failed")


def _pod_ip(counter):
    return "10.244.%d.%d" % (counter // 250 % 256, counter % 250 + 2)
