"""A bounded chaos soak of the whole product, end to end.

    python -m benchmarks.soak [--minutes 5] [--seed N] [--conductors 3]
        [--instances 4] [--locks file|redis|both] [--db mariadb]
        [--sync-interval 3] [--faults-per-minute 8] [--keep]

1. Stand up a private world (``benchmarks.soak_stack``): MariaDB on a
   temp data directory, the schema, a RabbitMQ vhost, the Kubernetes
   simulator, tacker-server and several tacker-conductors on one lock
   backend (with ``--locks both``: file for the first half of the time,
   Redis for the second, each half a round of its own).
2. Through the REST API: the simulator as default VIM, the sample CNF
   package, ``--instances`` instances (v1 and v2 alternately, one
   namespace each), instantiated.
3. For the round's time, with a seeded RNG: pod kills (the simulator's
   controllers replace the pods), HPA-like scale-outs and scale-ins on
   the simulator, budgeted API faults (the simulator's chaos rules),
   concurrent LCM requests (scale out/in, heal) through the API, a
   kill -9 and restart of a conductor (twice per round), a restart of
   the database server (once per round).  Every HTTP status is counted.
4. Stop the faults, wait one sync interval plus settle time (bounded),
   then check: each instance's record (the API's view) equals the
   cluster; no op occ left in progress; no lock held (v1 task_state,
   the tooz locks); no 5xx answer.
5. Print the figures; exit 1 when a record is wrong, something is stuck
   or a 5xx was answered.  Everything started is stopped, also on
   Ctrl-C.

Rules the checks follow, so that a failure is a defect and not noise:
the chaos never kills a bare Pod (nothing would bring it back) and
never scales a workload outside its VDU profile; it leaves an instance
alone while an LCM request of the soak's is in flight on it (a real HPA
would not, but then the operation times out by design); an instance
with a FAILED_TEMP op occ, or whose latest op occ is FAILED, is not
synchronized by contract (as in Tacker), so its record is not compared;
once the faults have stopped, the operator's recovery (fail, heal all)
must bring it back, and one still "excluded" after that fails the run.
"""

import argparse
import collections
import concurrent.futures
import dataclasses
import json
import random
import signal
import sys
import threading
import time
import warnings

from benchmarks import soak_stack

SAMPLE = 'sample_cnf'
FLAVOUR = 'simple'
# (VDU id, workload kind, workload name) of the sample CNF.
WORKLOADS = (('VDU1', 'Deployment', 'vdu1'), ('VDU2', 'StatefulSet', 'vdu2'),
             ('VDU3', 'DaemonSet', 'vdu3'), ('VDU4', 'Pod', 'vdu4'),
             ('VDU5', 'ReplicaSet', 'vdu5'))
SCALABLE = ('VDU1', 'VDU2', 'VDU5')
IN_PROGRESS = ('STARTING', 'PROCESSING', 'ROLLING_BACK')
FAILED = ('FAILED_TEMP', 'FAILED')
FAULT_KINDS = ('latency', 'error', 'drop', 'unauthorized', 'corrupt',
               'truncate', 'html')
LCM_TIMEOUT = 45
# Seconds after the database server is back during which a 503 still
# counts as an answer of its outage (pooled connections are found dead).
DB_OUTAGE_MARGIN = 5


@dataclasses.dataclass
class Instance:
    version: str
    id: str
    namespace: str
    busy: threading.Lock = dataclasses.field(default_factory=threading.Lock)


class Figures:
    """Every counter the soak prints; thread-safe."""

    def __init__(self):
        self._guard = threading.Lock()
        self.operations = collections.Counter()
        self.faults = collections.Counter()
        self.statuses = collections.Counter()
        self.op_results = collections.Counter()
        self.server_errors = []
        self.expected_503 = []
        self.db_outages = []
        self.chaos_errors = []
        self.durations = collections.OrderedDict()
        self.rounds = []

    def operation(self, kind):
        with self._guard:
            self.operations[kind] += 1

    def fault(self, kind):
        with self._guard:
            self.faults[kind] += 1

    def db_down(self):
        """Marks the start of an outage; call the result at its end."""
        outage = [time.monotonic(), float('inf')]
        with self._guard:
            self.db_outages.append(outage)

        def ended():
            with self._guard:
                outage[1] = time.monotonic()
        return ended

    def _during_db_outage(self, sent, answered):
        # A request that overlapped the outage, give or take the margin
        # the processes need to notice the server is back.
        return any(sent <= end + DB_OUTAGE_MARGIN and answered >= start
                   for start, end in self.db_outages)

    def answered(self, kind, resp, method, path, sent):
        now = time.monotonic()
        with self._guard:
            self.statuses['%s %s' % (kind, resp.status)] += 1
            if resp.status < 500:
                return
            line = '%s %s %s -> %s' % (time.strftime('%H:%M:%S'), method,
                                       path, resp.describe()[:400])
            if resp.status == 503 and self._during_db_outage(sent, now):
                self.expected_503.append(line)
            else:
                self.server_errors.append(line)

    def op_result(self, state):
        with self._guard:
            self.op_results[state] += 1


# --- the API

class Api:
    """tacker-server's REST API, every answer counted in the figures."""

    def __init__(self, stack, figures):
        from tacker.sandbox import api_client
        self._client_mod = api_client
        self.stack = stack
        self.figures = figures

    @property
    def client(self):
        return self._client_mod.TackerClient(self.stack.server_url,
                                             timeout=30)

    def call(self, kind, method, path, body=None, *, version=None,
             content_type='application/json'):
        sent = time.monotonic()
        try:
            resp = self.client.request(method, path, body, version=version,
                                       content_type=content_type)
        except OSError as exc:
            # No HTTP answer at all (connection refused or reset, timeout).
            resp = _NoAnswer(exc)
        self.figures.answered(kind, resp, method, path, sent)
        return resp

    def lcm(self, kind, method, version, path, body=None):
        return self.call(kind, method, '/vnflcm/%s%s' % (version, path),
                         body, version=self._client_mod.TackerClient
                         .header_version(version))

    def expect(self, status, kind, method, path, body=None, **kwargs):
        resp = self.call(kind, method, path, body, **kwargs)
        if resp.status != status:
            raise SoakError('%s %s answered %s (expected %d)' % (
                method, path, resp.describe(), status))
        return resp.body

    def op_occs(self, version):
        resp = self.lcm('read', 'GET', version, '/vnf_lcm_op_occs')
        if resp.status != 200:
            raise SoakError('GET %s op occs answered %s'
                            % (version, resp.describe()))
        return resp.body

    def wait_op(self, version, location, timeout=LCM_TIMEOUT):
        """The final state of an op occ, or None when still running."""
        occ_id = location.rstrip('/').rsplit('/', 1)[-1]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            resp = self.lcm('read', 'GET', version,
                            '/vnf_lcm_op_occs/' + occ_id)
            if resp.status == 200 and resp.body.get(
                    'operationState') not in IN_PROGRESS:
                return resp.body.get('operationState')
            time.sleep(0.3)
        return None


class _NoAnswer:
    status = 0

    def __init__(self, exc):
        self.exc = exc
        self.headers = {}
        self.body = None

    def describe(self):
        return 'no answer (%s)' % self.exc


class SoakError(Exception):
    """The soak could not carry out a step; the message says which."""


# --- set up

def set_up(api, stack, count):
    from kubernetes import client
    from tacker.vnfpkgm import build
    core = client.CoreV1Api(stack.sim.api_client())
    api.expect(201, 'setup', 'POST', '/v1.0/vims', {'vim': {
        'name': 'soak-k8s', 'type': 'kubernetes',
        'auth_url': stack.sim.url,
        'auth_cred': {'bearer_token': stack.token},
        'vim_project': {'name': 'default'}, 'is_default': True}})
    pkg = api.expect(201, 'setup', 'POST', '/vnfpkgm/v1/vnf_packages',
                     {'userDefinedData': {'origin': 'soak'}})
    api.expect(202, 'setup', 'PUT', '/vnfpkgm/v1/vnf_packages/%s/'
               'package_content' % pkg['id'],
               build.build_csar_bytes(build.SAMPLES_DIR / SAMPLE),
               content_type='application/zip')
    pkg = api.expect(200, 'setup', 'GET',
                     '/vnfpkgm/v1/vnf_packages/' + pkg['id'])
    instances = []
    for index in range(count):
        version = 'v1' if index % 2 == 0 else 'v2'
        namespace = 'soak-%d' % index
        core.create_namespace({'apiVersion': 'v1', 'kind': 'Namespace',
                               'metadata': {'name': namespace}})
        resp = api.lcm('setup', 'POST', version, '/vnf_instances', {
            'vnfdId': pkg['vnfdId'],
            'vnfInstanceName': 'soak-%s-%d' % (version, index)})
        if resp.status != 201:
            raise SoakError('creating a %s instance answered %s'
                            % (version, resp.describe()))
        inst = Instance(version, resp.body['id'], namespace)
        resp = api.lcm('setup', 'POST', version, '/vnf_instances/%s/'
                       'instantiate' % inst.id, {
                           'flavourId': FLAVOUR, 'additionalParams': {
                               'namespace': namespace}})
        if resp.status != 202:
            raise SoakError('instantiating %s answered %s'
                            % (inst.id, resp.describe()))
        state = api.wait_op(version, resp.headers['Location'], timeout=90)
        if state != 'COMPLETED':
            raise SoakError('instantiate of %s %s ended %s'
                            % (version, inst.id, state))
        instances.append(inst)
    return instances


# --- the cluster's truth

def _controller(meta):
    for ref in meta.owner_references or ():
        if ref.controller:
            return ref.kind, ref.name
    return None, None


def cluster_pods(stack, namespace):
    """{VDU id: sorted names of its running pods}, found by ownership."""
    from kubernetes import client
    api_client = stack.sim.api_client()
    core = client.CoreV1Api(api_client)
    apps = client.AppsV1Api(api_client)
    rs_owner = {}
    for rs in apps.list_namespaced_replica_set(namespace,
                                               _request_timeout=10).items:
        kind, name = _controller(rs.metadata)
        rs_owner[rs.metadata.name] = ((kind, name) if kind == 'Deployment'
                                      else ('ReplicaSet', rs.metadata.name))
    by_workload = {(kind, name): vdu for vdu, kind, name in WORKLOADS}
    found = {vdu: [] for vdu, _k, _n in WORKLOADS}
    for pod in core.list_namespaced_pod(namespace,
                                        _request_timeout=10).items:
        if pod.status.phase != 'Running' or pod.metadata.deletion_timestamp:
            continue
        owner = _controller(pod.metadata)
        if owner[0] is None:
            owner = ('Pod', pod.metadata.name)
        elif owner[0] == 'ReplicaSet':
            owner = rs_owner.get(owner[1], owner)
        vdu = by_workload.get(owner)
        if vdu is not None:
            found[vdu].append(pod.metadata.name)
    return {vdu: sorted(names) for vdu, names in found.items()}


def expected_levels(flavour, pods):
    """{aspect id: the level the pods mean, or None if no level does}."""
    levels = {}
    for vdu_id in SCALABLE:
        scaling = flavour.vdu_scaling(vdu_id)
        count = len(pods.get(vdu_id, ()))
        levels[scaling.aspect_id] = next(
            (lvl for lvl in range(scaling.max_scale_level + 1)
             if scaling.count_at_level(lvl) == count), None)
    return levels


# --- chaos

class Chaos:
    """One round's fault schedule, driven by a seeded RNG."""

    WEIGHTS = (('pod_kill', 4), ('hpa_scale', 3), ('lcm', 3),
               ('api_fault', 2))

    def __init__(self, *, rng, api, stack, instances, figures, flavour,
                 faults_per_minute, db_crash):
        self.rng = rng
        self.api = api
        self.stack = stack
        self.instances = instances
        self.figures = figures
        self.flavour = flavour
        self.faults_per_minute = faults_per_minute
        self.db_crash = db_crash
        self.pool = concurrent.futures.ThreadPoolExecutor(4)
        self.pending = set()
        self.threads = []
        self.errors = []
        self._conductor_guard = threading.Lock()

    def run(self, seconds):
        start = time.monotonic()
        end = start + seconds
        one_off = sorted([
            (start + seconds * self.rng.uniform(0.15, 0.35), 'conductor'),
            (start + seconds * self.rng.uniform(0.40, 0.55), 'db'),
            (start + seconds * self.rng.uniform(0.60, 0.80), 'conductor')])
        fault_budget = max(1, int(self.faults_per_minute * seconds / 60))
        kinds, weights = zip(*self.WEIGHTS)
        while time.monotonic() < end:
            now = time.monotonic()
            if one_off and one_off[0][0] <= now:
                _at, what = one_off.pop(0)
                # In the background: requests go on while it is down.
                self._background(self.kill_conductor if what == 'conductor'
                                 else self.restart_db)
                continue
            what = self.rng.choices(kinds, weights)[0]
            if what == 'api_fault':
                if fault_budget <= 0:
                    continue
                fault_budget -= 1
            try:
                getattr(self, what)()
            except soak_stack.StackError as exc:
                self.errors.append('%s: %s' % (what, exc))
            except Exception:  # noqa: the soak's own read met a fault
                # The chaos reads the cluster through the same faulty API
                # as the product; such a step is skipped, and counted.
                self.figures.operation('soak read hit a fault (step '
                                       'skipped)')
            time.sleep(self.rng.uniform(0.2, 0.8))
        for _at, what in one_off:  # a very short round: do them anyway
            self._background(self.kill_conductor if what == 'conductor'
                             else self.restart_db)
        for thread in self.threads:
            thread.join()

    def _background(self, action):
        def guarded():
            try:
                action()
            except Exception as exc:  # noqa: reported, the soak goes on
                self.errors.append('%s: %s' % (action.__name__, exc))
        thread = threading.Thread(target=guarded, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _idle_instance(self):
        """A random instance with no LCM request of ours in flight."""
        order = list(self.instances)
        self.rng.shuffle(order)
        for inst in order:
            if not inst.busy.locked():
                return inst
        return None

    # --- Kubernetes behind Tacker's back

    def pod_kill(self):
        inst = self._idle_instance()
        if inst is None:
            return
        pods = [p for vdu, names in sorted(cluster_pods(
            self.stack, inst.namespace).items()) if vdu != 'VDU4'
            for p in names]
        if not pods:
            return
        pod = self.rng.choice(pods)
        self.stack.sim.admin('POST', '/pods/%s/%s/kill'
                             % (inst.namespace, pod), {})
        self.figures.fault('pod_kill')

    def hpa_scale(self):
        inst = self._idle_instance()
        if inst is None:
            return
        vdu_id = self.rng.choice(SCALABLE)
        scaling = self.flavour.vdu_scaling(vdu_id)
        kind, name = {v: (k, n) for v, k, n in WORKLOADS}[vdu_id]
        current = len(cluster_pods(self.stack, inst.namespace)[vdu_id])
        choices = [n for n in range(scaling.min_instances,
                                    scaling.max_instances + 1)
                   if n != current]
        replicas = self.rng.choice(choices)
        self.stack.sim.admin('POST', '/scale/%s/%s/%s' % (
            inst.namespace, kind.lower(), name), {'replicas': replicas})
        self.figures.fault('hpa_scale_out' if replicas > current
                           else 'hpa_scale_in')

    def api_fault(self):
        kind = self.rng.choice(FAULT_KINDS)
        body = {'kind': kind}
        if self.rng.random() < 0.5:
            body['count'] = self.rng.randint(1, 4)
        else:
            body['seconds'] = round(self.rng.uniform(0.5, 3.0), 2)
        if kind == 'latency':
            body['delay'] = round(self.rng.uniform(0.5, 3.0), 2)
        elif kind == 'error':
            body['status'] = self.rng.choice([500, 503, 429, 403])
        elif kind == 'corrupt':
            body['field'] = self.rng.choice(['metadata.ownerReferences',
                                             'status'])
        verb = self.rng.choice([None, 'list', 'get', 'patch'])
        if verb:
            body['verb'] = verb
        self.stack.sim.admin('POST', '/faults', body)
        self.figures.fault('api_' + kind)

    # --- the operator's requests

    def lcm(self):
        self.pending = {f for f in self.pending if not f.done()}
        if len(self.pending) >= 4:
            return
        inst = self._idle_instance()
        if inst is None:
            return
        action = self.rng.choice(['scale_out', 'scale_in', 'heal'])
        body = self._lcm_body(inst, action)
        # Sometimes a second request for the same instance at once: one
        # of the two must be refused with 409, never both accepted.
        twin = self.rng.random() < 0.3
        inst.busy.acquire()
        future = self.pool.submit(self._run_lcm, inst, action, body, twin)
        self.pending.add(future)

    def _lcm_body(self, inst, action):
        if action == 'heal':
            shown = self.api.lcm('read', 'GET', inst.version,
                                 '/vnf_instances/' + inst.id)
            info = (shown.body or {}).get('instantiatedVnfInfo') or {} \
                if shown.status == 200 else {}
            field = 'vnfcInfo' if inst.version == 'v2' else \
                'vnfcResourceInfo'
            ids = [e['id'] for e in info.get(field) or ()
                   if e.get('vduId') != 'VDU4']
            picked = self.rng.sample(ids, min(len(ids),
                                              self.rng.randint(1, 2)))
            return {'vnfcInstanceId': picked, 'cause': 'soak'}
        aspect = self.flavour.vdu_scaling(self.rng.choice(
            SCALABLE)).aspect_id
        return {'type': action.upper(), 'aspectId': aspect,
                'numberOfSteps': 1}

    def _run_lcm(self, inst, action, body, twin):
        try:
            path = '/vnf_instances/%s/%s' % (inst.id, action.split('_')[0])
            if twin:
                self.figures.operation(action + ' (twin)')
                requests = self._at_once(inst, action, path, body)
            else:
                requests = [self.pool_call(inst, action, path, body)]
            accepted = [r for r in requests if r.status == 202]
            if twin and len(accepted) > 1:
                self.figures.op_result('both twins accepted')
            for resp in accepted:
                location = resp.headers['Location']
                state = self.api.wait_op(inst.version, location)
                self.figures.op_result(state or 'still running')
                if state == 'FAILED_TEMP':
                    operator_recovery(self.api, self.figures, inst,
                                      location.rstrip('/').rsplit('/')[-1])
        finally:
            inst.busy.release()

    def _at_once(self, inst, action, path, body):
        """Two identical requests released together; both answers."""
        gate = threading.Barrier(2)
        answers = [None, None]

        def send(slot):
            gate.wait(timeout=10)
            answers[slot] = self.pool_call(inst, action, path, body)
        threads = [threading.Thread(target=send, args=(i,), daemon=True)
                   for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return [a for a in answers if a is not None]

    def pool_call(self, inst, action, path, body):
        self.figures.operation(action)
        return self.api.lcm('lcm', 'POST', inst.version, path, body)

    # --- process crashes

    def kill_conductor(self):
        # One crash at a time: in a short round the second would come
        # while the first conductor is still starting again.
        with self._conductor_guard:
            index = self.rng.randrange(len(self.stack.conductors))
            pause = self.rng.uniform(1.0, 3.0)
            self.stack.kill_conductor(index)
            self.figures.fault('conductor_kill -9')
            time.sleep(pause)
            self.stack.restart_conductor(index)
            self.stack.wait_conductor(index)
            self.figures.fault('conductor_restart')

    def restart_db(self):
        pause = self.rng.uniform(2.0, 5.0)
        ended = self.figures.db_down()
        try:
            down = self.stack.db.restart(crash=self.db_crash, down=pause)
        finally:
            ended()
        self.figures.fault('db_restart (%s)' % ('kill -9' if self.db_crash
                                                else 'SIGTERM'))
        self.figures.durations['db down %d' % (self.stack.db.restarts)] = \
            down

    def drain(self, timeout=LCM_TIMEOUT + 15):
        concurrent.futures.wait(self.pending, timeout=timeout)
        self.pool.shutdown(wait=False, cancel_futures=True)


def operator_recovery(api, figures, inst, occ_id, *, attempts=3):
    """What an operator does after FAILED_TEMP: fail it, heal all.

    A FAILED_TEMP op occ blocks the instance's synchronization (any such
    op occ, as in Tacker); ``fail`` gives it up, and a heal of every VNFC
    writes the pods Kubernetes runs, so the instance is in play again.
    A heal that fails in turn is recovered the same way, ``attempts``
    times in all.
    """
    for _attempt in range(attempts):
        figures.operation('fail (operator recovery)')
        resp = api.lcm('recover', 'POST', inst.version,
                       '/vnf_lcm_op_occs/%s/fail' % occ_id)
        if resp.status != 200:
            return
        # Op occ times keep whole seconds on MariaDB: a heal in the next
        # second is newer beyond doubt, as an operator's would be.
        time.sleep(1.1)
        for _try in range(5):
            figures.operation('heal all (operator recovery)')
            resp = api.lcm('recover', 'POST', inst.version,
                           '/vnf_instances/%s/heal' % inst.id,
                           {'cause': 'soak: operator recovery'})
            if resp.status != 409:
                break
            time.sleep(1)  # the sync held the instance for a moment
        if resp.status != 202:
            return
        location = resp.headers['Location']
        state = api.wait_op(inst.version, location)
        figures.op_result('recovery heal %s' % (state or 'still running'))
        if state != 'FAILED_TEMP':
            return
        occ_id = location.rstrip('/').rsplit('/')[-1]


def blocked_by_failure(occs):
    """Why the sync skips an instance with these op occs, oldest first.

    The contract, as Tacker has it: any FAILED_TEMP op occ, or the
    latest one FAILED.  None when the sync may write the instance.
    """
    temp = [o for o in occs if o['operationState'] == 'FAILED_TEMP']
    if temp:
        return temp
    if occs and occs[-1]['operationState'] == 'FAILED':
        return occs[-1:]
    return None


def op_occs_by_instance(api):
    """{instance id: its op occs, oldest first}, v1 and v2."""
    found = {}
    for version in ('v1', 'v2'):
        for occ in api.op_occs(version):
            occ['soak_version'] = version
            found.setdefault(occ['vnfInstanceId'], []).append(occ)
    return {key: sorted(occs, key=_age) for key, occs in found.items()}


def _age(occ):
    """Sort key, oldest first: one op occ starts once the last ended."""
    return (occ.get('startTime') or '', occ.get('stateEnteredTime') or '')


# --- the checks

@dataclasses.dataclass
class Verdict:
    checked: int = 0
    excluded: list = dataclasses.field(default_factory=list)
    wrong: list = dataclasses.field(default_factory=list)
    stuck_op_occs: list = dataclasses.field(default_factory=list)
    stuck_locks: list = dataclasses.field(default_factory=list)
    op_occ_states: collections.Counter = dataclasses.field(
        default_factory=collections.Counter)

    @property
    def clean(self):
        return not (self.wrong or self.stuck_op_occs or self.stuck_locks)


def check(api, stack, instances, flavour):
    """Compare every record with the cluster; find what is stuck."""
    from tacker.common import coordination
    from tacker.db.instances import v1 as v1_instances
    from tacker.sandbox import render
    verdict = Verdict()
    by_instance = op_occs_by_instance(api)
    for occs in by_instance.values():
        for occ in occs:
            verdict.op_occ_states[occ['operationState']] += 1
            if occ['operationState'] in IN_PROGRESS:
                verdict.stuck_op_occs.append(
                    '%s op occ %s (%s of %s) %s since %s' % (
                        occ['soak_version'], occ['id'], occ['operation'],
                        occ['vnfInstanceId'], occ['operationState'],
                        occ.get('stateEnteredTime')))
    for inst in instances:
        blocking = blocked_by_failure(by_instance.get(inst.id, []))
        if blocking:
            verdict.excluded.append('%s %s: op occ %s %s %s' % (
                inst.version, inst.id, blocking[-1]['id'],
                blocking[-1]['operation'],
                blocking[-1]['operationState']))
            continue
        resp = api.lcm('read', 'GET', inst.version,
                       '/vnf_instances/' + inst.id)
        if resp.status != 200:
            verdict.wrong.append('%s %s: GET answered %s' % (
                inst.version, inst.id, resp.describe()))
            continue
        verdict.checked += 1
        shown = resp.body
        pods = cluster_pods(stack, inst.namespace)
        recorded = {vdu: render.pods_of(shown, vdu) for vdu in pods}
        levels = render.scale_levels(shown)
        wanted = expected_levels(flavour, pods)
        recorded_levels = {a: levels.get(a) for a in wanted}
        if recorded != pods or recorded_levels != wanted:
            verdict.wrong.append(
                '%s %s (namespace %s):\n    record  pods %s levels %s\n'
                '    cluster pods %s levels %s' % (
                    inst.version, inst.id, inst.namespace,
                    json.dumps(recorded, sort_keys=True),
                    json.dumps(recorded_levels, sort_keys=True),
                    json.dumps(pods, sort_keys=True),
                    json.dumps(wanted, sort_keys=True)))
    for record in v1_instances.list_instances():
        if record.task_state is not None:
            verdict.stuck_locks.append('v1 %s task_state %s' % (
                record.id, record.task_state))
    for inst in instances:
        if coordination.is_locked(inst.id):
            verdict.stuck_locks.append('tooz lock %s held (%s)' % (
                coordination.lock_name(inst.id), stack.lock_url))
    return verdict


def _recover_failed(api, instances, started, bound=40):
    """Operator recovery of every instance a failure keeps out of sync.

    First waits (bounded) for the conductors' recovery to settle the op
    occs a killed conductor left in progress.
    """
    while time.monotonic() - started < bound:
        by_instance = op_occs_by_instance(api)
        if not any(o['operationState'] in IN_PROGRESS
                   for occs in by_instance.values() for o in occs):
            break
        time.sleep(1)
    for inst in instances:
        blocking = blocked_by_failure(by_instance.get(inst.id, []))
        if not blocking or blocking[-1]['operationState'] != 'FAILED_TEMP':
            continue
        for occ in blocking[:-1]:
            api.figures.operation('fail (operator recovery)')
            api.lcm('recover', 'POST', inst.version,
                    '/vnf_lcm_op_occs/%s/fail' % occ['id'])
        operator_recovery(api, api.figures, inst, blocking[-1]['id'])


def settle_and_check(api, stack, instances, flavour, *, sync_interval):
    """Wait for the product to catch up (bounded), then the last verdict.

    At least one sync interval and a bit; then until a verdict is clean
    or the bound passes: two intervals, the settle timeout, and the
    grace after which recovery settles a lost STARTING op occ.
    """
    stack.sim.admin('DELETE', '/faults')
    stack.sim.admin('POST', '/settle', {'timeout': 30}, timeout=40)
    started = time.monotonic()
    time.sleep(sync_interval + 2)
    _recover_failed(api, instances, started)
    bound = 2 * sync_interval + 10 + (2 + 2 * 10) + 10
    while True:
        verdict = check(api, stack, instances, flavour)
        if verdict.clean or time.monotonic() - started > bound:
            return verdict, time.monotonic() - started
        time.sleep(1)


# --- the run

def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='python -m benchmarks.soak',
        description='A bounded chaos soak of server, conductors, DB and '
                    'the Kubernetes simulator.')
    parser.add_argument('--minutes', type=float, default=5.0,
                        help='chaos time in minutes, split between the '
                             'rounds (float)')
    parser.add_argument('--seed', type=int, default=None,
                        help='RNG seed (printed; random when omitted)')
    parser.add_argument('--conductors', type=int, default=3)
    parser.add_argument('--instances', type=int, default=4,
                        help='CNF instances, v1 and v2 alternately')
    parser.add_argument('--locks', choices=('file', 'redis', 'both'),
                        default='both',
                        help='lock backend; both = a round on each')
    parser.add_argument('--db', choices=sorted(soak_stack.DATABASES),
                        default='mariadb',
                        help='the private database server to start')
    parser.add_argument('--sync-interval', type=int, default=3,
                        help='[database_sync] interval of the conductors')
    parser.add_argument('--faults-per-minute', type=float, default=8.0,
                        help='budget of injected Kubernetes API faults')
    parser.add_argument('--keep', action='store_true',
                        help='keep the temp dir (logs) after the run')
    args = parser.parse_args(argv)
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(10 ** 6)
    if args.minutes <= 0 or args.conductors < 1 or args.instances < 1:
        parser.error('--minutes, --conductors and --instances must be > 0')
    return args


def _configure_reader(stack):
    """This process reads TackerDB and the locks as the product does."""
    import tacker.conf
    conf = tacker.conf.CONF
    conf([], project='tacker', default_config_files=[])
    conf.set_override('state_path', str(stack.dir))
    conf.set_override('connection', stack.db.url, group='database')
    conf.set_override('backend_url', stack.lock_url, group='coordination')


def _use_locks(stack, url):
    from tacker.common import coordination
    from tacker.db import api as db_api
    import tacker.conf
    coordination.stop()
    db_api.reset()
    tacker.conf.CONF.set_override('backend_url', url, group='coordination')


def _leave_locks():
    from tacker.common import coordination
    try:
        coordination.stop()
    except Exception as exc:  # noqa: cleaning up goes on regardless
        sys.stderr.write('soak: leaving the lock backend failed: %s\n'
                         % exc)


def _sigterm(signum, frame):
    raise KeyboardInterrupt()


def run(args, out=sys.stdout):
    from tacker.vnfpkgm import build
    from tacker.vnfpkgm import vnfd as vnfd_mod
    rng = random.Random(args.seed)
    figures = Figures()
    flavour = vnfd_mod.load_vnfd(build.SAMPLES_DIR / SAMPLE).flavour(
        FLAVOUR)
    backends = ['file', 'redis'] if args.locks == 'both' else [args.locks]
    for name, host_port in (('RabbitMQ', soak_stack.RABBIT),
                            ('Redis', soak_stack.REDIS)):
        if name == 'Redis' and 'redis' not in backends:
            continue
        if not soak_stack.reachable(*host_port):
            raise SoakError('%s is not reachable on %s:%s' % (
                (name,) + host_port))
    stack = soak_stack.Stack(seed=args.seed, conductors=args.conductors,
                             sync_interval=args.sync_interval,
                             keep=args.keep, db=args.db)
    verdicts = []
    failed = True
    try:
        t0 = time.monotonic()
        stack.start_base()
        _configure_reader(stack)
        figures.durations['start db, schema, vhost, simulator'] = (
            time.monotonic() - t0)
        instances = None
        api = Api(stack, figures)
        for number, backend in enumerate(backends):
            url = stack.lock_urls()[backend]
            t0 = time.monotonic()
            stack.start_product(url)
            _use_locks(stack, url)
            figures.durations['round %d start server + %d conductors'
                              % (number + 1, args.conductors)] = (
                time.monotonic() - t0)
            if instances is None:
                t0 = time.monotonic()
                instances = set_up(api, stack, args.instances)
                figures.durations['onboard + instantiate %d' % len(
                    instances)] = time.monotonic() - t0
            seconds = args.minutes * 60 / len(backends)
            out.write('soak: round %d (%s locks): %.0f s of chaos, seed %d\n'
                      % (number + 1, backend, seconds, args.seed))
            out.flush()
            chaos = Chaos(rng=rng, api=api, stack=stack, instances=instances,
                          figures=figures, flavour=flavour,
                          faults_per_minute=args.faults_per_minute,
                          db_crash=number % 2 == 1)
            t0 = time.monotonic()
            try:
                chaos.run(seconds)
            finally:
                chaos.drain()
                figures.chaos_errors.extend(chaos.errors)
            figures.durations['round %d chaos' % (number + 1)] = (
                time.monotonic() - t0)
            verdict, waited = settle_and_check(
                api, stack, instances, flavour,
                sync_interval=args.sync_interval)
            figures.durations['round %d settle + check' % (number + 1)] = \
                waited
            verdicts.append((backend, verdict))
            if backend == 'redis':
                figures.rounds.append('redis keys of the run at the check: '
                                      '%d' % len(stack.redis.keys()))
            if number + 1 < len(backends):
                stack.stop_product()
        failed = print_figures(out, args, figures, verdicts)
        if failed:
            out.write('\n===== process log tails\n%s\n' % stack.log_tails())
            out.write('(temp dir %s %s)\n' % (
                stack.dir, 'kept' if args.keep else 'removed'))
    finally:
        t0 = time.monotonic()
        _leave_locks()  # before the Redis keys go: its heartbeat writes
        stack.close()
        out.write('soak: cleaned up in %.1f s\n' % (time.monotonic() - t0))
    return 1 if failed else 0


def print_figures(out, args, figures, verdicts):
    """Print every figure; True when the run failed."""
    def w(text=''):
        out.write(text + '\n')

    checked = sum(v.checked for _b, v in verdicts)
    wrong = [x for _b, v in verdicts for x in v.wrong]
    stuck_occs = [x for _b, v in verdicts for x in v.stuck_op_occs]
    stuck_locks = [x for _b, v in verdicts for x in v.stuck_locks]
    excluded = [x for _b, v in verdicts for x in v.excluded]
    fivexx = len(figures.server_errors)
    twins = figures.op_results.get('both twins accepted', 0)
    w('===== soak figures (seed %d, %.2f minutes, %d conductors, %d '
      'instances, locks %s, db %s)' % (
          args.seed, args.minutes, args.conductors, args.instances,
          args.locks, args.db))
    w('operations tried: %s' % _counter(figures.operations))
    w('operation results: %s' % _counter(figures.op_results))
    w('faults injected: %s' % _counter(figures.faults))
    w('http statuses: %s' % _counter(figures.statuses))
    for backend, verdict in verdicts:
        w('round %s locks: records checked %d, wrong %d, excluded %d, '
          'stuck op occs %d, stuck locks %d; op occs by state: %s' % (
              backend, verdict.checked, len(verdict.wrong),
              len(verdict.excluded), len(verdict.stuck_op_occs),
              len(verdict.stuck_locks), _counter(verdict.op_occ_states)))
    for line in figures.rounds:
        w(line)
    w('records checked: %d' % checked)
    w('records wrong: %d' % len(wrong))
    w('records excluded: %d' % len(excluded))
    w('stuck op occs: %d' % len(stuck_occs))
    w('stuck locks: %d' % len(stuck_locks))
    w('5xx: %d' % fivexx)
    w('503 while the database server was down (expected, not counted '
      'in 5xx): %d' % len(figures.expected_503))
    w('twin requests both accepted: %d' % twins)
    w('durations: %s' % ', '.join('%s %.1f s' % item
                                  for item in figures.durations.items()))
    for title, items in (('wrong records', wrong),
                         ('excluded records', excluded),
                         ('stuck op occs', stuck_occs),
                         ('stuck locks', stuck_locks),
                         ('5xx answers', figures.server_errors),
                         ('503 answers during the database outage',
                          figures.expected_503),
                         ('chaos steps that failed', figures.chaos_errors)):
        if items:
            w('--- %s' % title)
            for item in items:
                w('  ' + item)
    w('chaos steps that failed: %d' % len(figures.chaos_errors))
    failed = bool(wrong or stuck_occs or stuck_locks or fivexx or twins
                  or excluded or figures.chaos_errors)
    w('soak: %s' % ('FAILED' if failed else 'PASSED'))
    out.flush()
    return failed


def _counter(counter):
    return ', '.join('%s %d' % item for item in sorted(counter.items())) \
        or 'none'


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
    signal.signal(signal.SIGTERM, _sigterm)
    try:
        return run(args)
    except KeyboardInterrupt:
        sys.stderr.write('soak: interrupted; everything started was '
                         'stopped\n')
        return 130
    except (SoakError, soak_stack.StackError) as exc:
        sys.stderr.write('soak: %s\n' % exc)
        return 2


if __name__ == '__main__':
    sys.exit(main())
