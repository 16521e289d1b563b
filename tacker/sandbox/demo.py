"""The demo's steps, and the expectations each one checks.

1. Set up through the REST API: a VIM on the simulator, the sample
   package, one v1 and one v2 instance, instantiated.
2. Behind Tacker's back, Kubernetes heals a pod of each instance and an
   "HPA" scales the v2 instance's Deployment; the API still shows the
   old pods and level until the conductor's next pass writes the real
   ones (its log lines say which pods went and came, in the words of
   ``PodTurnover``, as the summary and the tables do).
3. While the synchronization holds an instance, a scale request gets
   409; once released, a scale starts from the synchronized level.
4. The v2 instance changes package by a rolling update while Kubernetes
   heals one of its pods (``tacker.sandbox.change_pkg``).

Each expectation becomes a ``Check``; the run passes when all do.
"""

import dataclasses
import time

from tacker.common import coordination
from tacker.common import states
from tacker.db.instances import v1 as v1_instances
from tacker.sandbox import api_client
from tacker.sandbox import change_pkg
from tacker.sandbox import render
from tacker.sandbox import stack as stack_mod
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfpkgm import build
from tacker.vnfpkgm import vnfd as vnfd_mod

SAMPLE = 'sample_cnf'
FLAVOUR = 'simple'
VDU = 'VDU1'
DEPLOYMENT = 'vdu1'
ASPECT = 'vdu1_aspect'
HPA_REPLICAS = 3
SYNC_LINE = 'Database synchronization succeeded.'
OP_TIMEOUT = 60


class DemoError(Exception):
    """A step could not be carried out; the message says which and why."""


@dataclasses.dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


@dataclasses.dataclass
class Instance:
    version: str
    id: str = ''
    namespace: str = ''
    killed: str = ''
    replacement: str = ''
    scaled_in: tuple = ()


class Demo:
    def __init__(self, stack, printer):
        self.stack = stack
        self.out = printer
        self.client = None
        self.checks = []
        self.before = {}
        self.instances = {v: Instance(v, namespace=ns)
                          for v, ns in stack_mod.NAMESPACES.items()}
        flavour = vnfd_mod.load_vnfd(build.SAMPLES_DIR / SAMPLE).flavour(
            FLAVOUR)
        self.vdu_aspects = {vdu_id: flavour.vdu_scaling(vdu_id).aspect_id
                            for vdu_id in flavour.vdus}

    def check(self, name, passed, detail):
        self.checks.append(Check(name, bool(passed), detail))
        return passed

    @property
    def passed(self):
        return bool(self.checks) and all(c.passed for c in self.checks)

    # --- 1. start and set up ---------------------------------------------

    def start(self):
        stack = self.stack
        out = self.out
        out.heading('Starting the sandbox (state in %s)' % stack.state_dir)
        url = stack.start_simulator()
        out.step('Kubernetes simulator at %s (%d nodes; bearer token in '
                 '%s, not shown)' % (url, stack.settings.nodes,
                                     stack.token_file))
        stack.start_database()
        out.step('TackerDB migrated: %s' % stack.state_dir.joinpath(
            'tacker.sqlite'))
        url = stack.start_server()
        self.client = api_client.TackerClient(url)
        out.step('tacker-server listening at %s (auth_strategy noauth, '
                 'messaging fake://)' % url)
        stack.start_conductor()
        out.step('tacker-conductor started: sync every %d s, first pass '
                 'after %d s (log: %s)'
                 % (stack.settings.sync_interval,
                    stack.settings.initial_delay, stack.log_file))

    def set_up(self):
        client = self.client
        out = self.out
        out.heading('Onboarding through the REST API')
        vim = client.expect(201, 'POST', '/v1.0/vims', {'vim': {
            'name': 'sandbox-k8s', 'type': 'kubernetes',
            'description': 'The Kubernetes simulator',
            'auth_url': self.stack.sim.url,
            'auth_cred': {'bearer_token': self.stack.token,
                          'ssl_ca_cert': self.stack.ca_pem},
            'vim_project': {'name': 'default'}, 'is_default': True,
        }}).body['vim']
        out.step('POST /v1.0/vims -> 201: VIM %s (%s), the default VIM'
                 % (vim['id'], vim['name']))
        pkg = client.expect(201, 'POST', '/vnfpkgm/v1/vnf_packages',
                            {'userDefinedData': {'origin': 'sandbox'}}).body
        csar = build.build_csar_bytes(build.SAMPLES_DIR / SAMPLE)
        client.expect(202, 'PUT', '/vnfpkgm/v1/vnf_packages/%s/'
                      'package_content' % pkg['id'], csar,
                      content_type='application/zip')
        pkg = client.expect(200, 'GET', '/vnfpkgm/v1/vnf_packages/'
                            + pkg['id']).body
        if pkg.get('onboardingState') != 'ONBOARDED':
            raise DemoError('package %s is %s, not ONBOARDED'
                            % (pkg['id'], pkg.get('onboardingState')))
        out.step('Package %s (samples/vnf_packages/%s, %d bytes) uploaded: '
                 '%s, vnfdId %s' % (pkg['id'], SAMPLE, len(csar),
                                    pkg['onboardingState'], pkg['vnfdId']))
        for inst in self.instances.values():
            self._instantiate(inst, pkg['vnfdId'])

    def _instantiate(self, inst, vnfd_id):
        client = self.client
        created = client.lcm('POST', inst.version, '/vnf_instances', {
            'vnfdId': vnfd_id,
            'vnfInstanceName': 'sandbox-%s' % inst.version})
        if created.status != 201:
            raise DemoError('creating the %s instance answered %s'
                            % (inst.version, created.describe()))
        inst.id = created.body['id']
        started = time.monotonic()
        occ = self._run_lcm(inst, 'instantiate', {
            'flavourId': FLAVOUR,
            'additionalParams': {'namespace': inst.namespace}})
        shown = client.instance(inst.version, inst.id)
        self.out.step(
            '%s instance %s instantiated in namespace %s: op occ %s '
            '%s in %.1f s, %d pods' % (
                inst.version, inst.id, inst.namespace, occ['id'],
                occ['operationState'], time.monotonic() - started,
                len(render.vnfcs(shown))))

    def _run_lcm(self, inst, action, body):
        """POST an LCM request, expect 202, wait for COMPLETED."""
        resp = self.client.lcm('POST', inst.version, '/vnf_instances/%s/%s'
                               % (inst.id, action), body)
        if resp.status != 202:
            raise DemoError('%s %s of %s answered %s' % (
                inst.version, action, inst.id, resp.describe()))
        try:
            occ = self.client.wait_for_op_occ(
                inst.version, resp.headers['Location'], timeout=OP_TIMEOUT)
        except api_client.ApiError as exc:
            raise DemoError(str(exc))
        if occ.get('operationState') != states.COMPLETED:
            raise DemoError('%s %s of %s ended %s: %s' % (
                inst.version, action, inst.id, occ.get('operationState'),
                (occ.get('error') or {}).get('detail')))
        return occ

    # --- 2. Kubernetes acts behind Tacker's back -------------------------

    def drift(self):
        out = self.out
        engine = self.stack.engine
        out.heading('Kubernetes changes pods behind Tacker\'s back')
        timeout = self.stack.settings.sync_interval * 2 + 10
        # Act right after a pass, so that the "before" view below is
        # taken well before the next one.
        record = engine.wait_for_pass(started_after=time.monotonic(),
                                      timeout=timeout)
        if record is None:
            raise DemoError('no synchronization pass within %d s' % timeout)
        out.step('Waited for a sync pass to end (%s)' % _counts(record))
        sim = self.stack.sim
        for inst in self.instances.values():
            shown = self.client.instance(inst.version, inst.id)
            inst.killed = render.pods_of(shown, VDU)[0]
            new = self._pods_appearing(inst.namespace, lambda i=inst: (
                sim.kill_pod(i.namespace, i.killed)))
            inst.replacement = new[0] if len(new) == 1 else ''
            out.step('Auto-heal (%s): pod %s of Deployment %s killed; in '
                     'Kubernetes, %s' % (
                         inst.version, inst.killed, DEPLOYMENT,
                         model.PodTurnover((inst.killed,),
                                           tuple(new)).describe()))
        inst = self.instances['v2']
        new = self._pods_appearing(inst.namespace, lambda: sim.scale(
            'Deployment', inst.namespace, DEPLOYMENT, HPA_REPLICAS))
        inst.scaled_in = tuple(new)
        out.step('Auto-scale (v2): Deployment %s scaled 1 -> %d replicas '
                 'as an HPA would; new pods %s'
                 % (DEPLOYMENT, HPA_REPLICAS, ', '.join(new)))
        return time.monotonic()

    def _pods_appearing(self, namespace, action):
        sim = self.stack.sim
        before = {p['metadata']['name']
                  for p in sim.pods(namespace, running=True)}
        action()
        sim.wait_settled(timeout=10)
        return sorted(p['metadata']['name']
                      for p in sim.pods(namespace, running=True)
                      if p['metadata']['name'] not in before)

    def show_before(self):
        self.out.heading('The API before the next sync pass (stale)')
        views = self._show_tables('Before the sync', stale=True)
        self.before = views
        v1, v2 = self.instances['v1'], self.instances['v2']
        stale = (v1.killed in render.pods_of(views['v1'], VDU) and
                 v2.killed in render.pods_of(views['v2'], VDU) and
                 render.scale_levels(views['v2']).get(ASPECT) == 0)
        self.check('stale before sync', stale,
                   'the API still named the killed pods %s, %s and %s = %s'
                   % (v1.killed, v2.killed, ASPECT,
                      render.scale_levels(views['v2']).get(ASPECT)))

    def _show_tables(self, label, *, stale=False):
        views = {}
        for inst in self.instances.values():
            shown = self.client.instance(inst.version, inst.id)
            views[inst.version] = shown
            if stale:
                marks = {inst.killed: 'gone from Kubernetes'}
            else:
                # What the API shows changed since the stale view, said
                # as the conductor's log line says it.
                marks = render.turnover_marks(self._turnover(inst, shown))
            self.out.step('%s: GET /vnflcm/%s/vnf_instances/%s'
                          % (label, inst.version, inst.id))
            self.out.detail(render.instance_table(shown, self.vdu_aspects,
                                                  marks=marks))
        return views

    def _turnover(self, inst, shown):
        return model.PodTurnover.between(
            render.pods_of(self.before[inst.version], VDU),
            render.pods_of(shown, VDU))

    def wait_for_sync(self, changed_at):
        out = self.out
        interval = self.stack.settings.sync_interval
        out.heading('The conductor\'s next sync pass')
        out.step('Waiting for the next pass (every %d s) ...' % interval)
        ids = {inst.id for inst in self.instances.values()}
        deadline = time.monotonic() + interval * 2 + \
            self.stack.settings.settle_timeout + 10
        after = changed_at
        while True:
            record = self.stack.engine.wait_for_pass(
                started_after=after,
                timeout=max(0.0, deadline - time.monotonic()))
            if record is None:
                raise DemoError('no synchronization pass wrote both '
                                'instances before the deadline')
            changed = {o.instance_id for o in record.result.outcomes
                       if o.status == 'changed'}
            out.detail('pass at +%.1f s: %s'
                       % (record.started - changed_at, _counts(record)))
            if ids <= changed:
                return record
            after = record.started

    def show_after(self, changed_at):
        out = self.out
        out.heading('The API after the sync pass (true to Kubernetes)')
        views = self._show_tables('After the sync')
        for inst in self.instances.values():
            pods = render.pods_of(views[inst.version], VDU)
            running = _deployment_pods(self.stack.sim, inst.namespace,
                                       DEPLOYMENT)
            turnover = self._turnover(inst, views[inst.version])
            self.check('%s pods renamed' % inst.version,
                       inst.killed in turnover.gone and
                       inst.replacement in turnover.came,
                       '%s %s' % (VDU, turnover.describe()))
            self.check('%s pods = cluster' % inst.version, pods == running,
                       '%s records %s; Kubernetes runs %s'
                       % (VDU, ', '.join(pods), ', '.join(running)))
        level = render.scale_levels(views['v2']).get(ASPECT)
        self.check('v2 new scale level', level == HPA_REPLICAS - 1,
                   '%s: 0 -> %s (%d pods)' % (ASPECT, level, HPA_REPLICAS))
        out.step('The conductor\'s log lines of that pass (logger tacker, '
                 'INFO):')
        lines = [text for _level, text in self.stack.log_capture.since(
            changed_at, startswith=SYNC_LINE)]
        out.detail(lines or ['(none)'])
        for inst in self.instances.values():
            # The same words as the table above and the summary: the log
            # pairs old and new pods only when the pairing is known.
            said = 'vnf: %s vdu: %s %s;' % (
                inst.id, VDU, self._turnover(inst, views[inst.version])
                .describe())
            self.check('%s sync log line' % inst.version,
                       [t for t in lines if said in t], 'says %r' % said)
        wanted = 'scaleLevel %s: 0 -> %d' % (ASPECT, HPA_REPLICAS - 1)
        self.check('v2 level log line',
                   [t for t in lines if wanted in t], 'says %r' % wanted)

    # --- 3. a scale while the synchronization holds the instance ---------

    def conflicts(self):
        out = self.out
        out.heading('A scale request while the sync holds the instance')
        v1, v2 = self.instances['v1'], self.instances['v2']
        scale_in = {'type': 'SCALE_IN', 'aspectId': ASPECT}
        with coordination.instance_lock(v2.id):
            out.step('Holding lock %s exactly as the sync does while it '
                     'writes' % coordination.lock_name(v2.id))
            resp = self.client.lcm('POST', 'v2', '/vnf_instances/%s/scale'
                                   % v2.id, scale_in)
            self._show_conflict('v2', v2, resp,
                                'Other LCM operation of vnfInstance %s is '
                                'in progress.' % v2.id)
        with coordination.instance_lock(v1.id):
            # The v1 write also marks task_state, as Tacker's does.
            if not v1_instances.claim_task_state(v1.id,
                                                 states.DB_SYNCHRONIZING):
                raise DemoError('could not mark v1 instance %s %s'
                                % (v1.id, states.DB_SYNCHRONIZING))
            try:
                out.step('Holding lock %s and task_state %s as the v1 sync '
                         'does' % (coordination.lock_name(v1.id),
                                   states.DB_SYNCHRONIZING))
                resp = self.client.lcm(
                    'POST', 'v1', '/vnf_instances/%s/scale' % v1.id,
                    {'type': 'SCALE_OUT', 'aspectId': ASPECT})
            finally:
                v1_instances.release_task_state(v1.id, states.DB_SYNCHRONIZING)
            self._show_conflict('v1', v1, resp,
                                'Vnf instance %s in task_state %s. Cannot '
                                'scale while the vnf instance is in this '
                                'state.' % (v1.id, states.DB_SYNCHRONIZING))

    def _show_conflict(self, version, inst, resp, expected):
        self.out.step('POST /vnflcm/%s/vnf_instances/%s/scale -> %d %s'
                      % (version, inst.id, resp.status,
                         resp.headers.get('Content-Type', '')))
        self.out.detail(resp.describe())
        body = resp.body if isinstance(resp.body, dict) else {}
        self.check('%s scale 409' % version,
                   resp.status == 409 and body.get('detail') == expected,
                   'HTTP %d: %s' % (resp.status, body.get('detail')))

    def scale_after_release(self):
        out = self.out
        v2 = self.instances['v2']
        before = render.scale_levels(
            self.client.instance('v2', v2.id)).get(ASPECT)
        out.step('Lock released; POST /vnflcm/v2/vnf_instances/%s/scale '
                 'SCALE_IN %s (synced level %s)' % (v2.id, ASPECT, before))
        started = time.monotonic()
        occ = self._run_lcm(v2, 'scale', {'type': 'SCALE_IN',
                                          'aspectId': ASPECT})
        shown = self.client.instance('v2', v2.id)
        level = render.scale_levels(shown).get(ASPECT)
        pods = render.pods_of(shown, VDU)
        out.step('202 -> op occ %s %s in %.1f s; %s %s -> %s, %s pods: %s'
                 % (occ['id'], occ['operationState'],
                    time.monotonic() - started, ASPECT, before, level,
                    VDU, ', '.join(pods)))
        self.check('scale from synced level',
                   before == HPA_REPLICAS - 1 and level == before - 1 and
                   len(pods) == HPA_REPLICAS - 1,
                   'SCALE_IN went %s -> %s with %d pods (from the stale '
                   'level 0 it would have been refused)'
                   % (before, level, len(pods)))

    # --- the whole run ---------------------------------------------------

    def run(self):
        self.start()
        self.set_up()
        changed_at = self.drift()
        self.show_before()
        self.wait_for_sync(changed_at)
        self.show_after(changed_at)
        self.conflicts()
        self.scale_after_release()
        change_pkg.run_step(self, vdu=VDU, deployment=DEPLOYMENT,
                            running_pods=_deployment_pods)
        return self.passed

    def summary(self, elapsed):
        out = self.out
        out.heading('Summary (%.1f s)' % elapsed)
        out.detail(render.summary_lines(self.checks))
        if self.passed:
            out.write('All %d expectations met.' % len(self.checks))
        else:
            failed = [c.name for c in self.checks if not c.passed]
            out.write('FAILED: %d of %d expectations not met: %s'
                      % (len(failed), len(self.checks), ', '.join(failed)))


def _counts(record):
    counts = record.result.counts()
    shown = ', '.join('%d %s' % (n, status)
                      for status, n in counts.items() if n)
    return '%d instances checked%s' % (len(record.result.outcomes),
                                       ': ' + shown if shown else '')


def _controller(obj):
    for ref in obj['metadata'].get('ownerReferences') or []:
        if ref.get('controller'):
            return ref.get('kind'), ref.get('name')
    return None, None


def _deployment_pods(sim, namespace, name):
    """Running pods of a Deployment, found by ownership, sorted."""
    replica_sets = {rs['metadata']['name']
                    for rs in sim.list('ReplicaSet', namespace)
                    if _controller(rs) == ('Deployment', name)}
    return sorted(p['metadata']['name']
                  for p in sim.pods(namespace, running=True)
                  if _controller(p)[0] == 'ReplicaSet' and
                  _controller(p)[1] in replica_sets)
