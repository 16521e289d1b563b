"""The demo's change_vnfpkg step: a rolling update while Kubernetes heals.

4. The v2 instance moves to ``samples/vnf_packages/sample_cnf_v2``
   (VDU1 on a newer image) through ``POST .../change_vnfpkg``.  While
   the rollout runs (the simulator holds the new pods Pending for a
   moment) Kubernetes heals one of the old pods, and a synchronization
   pass (as ``tacker-db-sync --once`` would run one) skips the instance:
   nothing half-rolled-out is written.  When the operation ends the
   record names the new package and exactly the pods that run, and the
   conductor's next periodic pass finds nothing to change.

``run_step(demo)`` adds its expectations to the demo's checks.
"""

import time

from tacker.dbsync import engine as engine_mod
from tacker.sandbox import render
from tacker.vnfpkgm import build

SAMPLE = 'sample_cnf_v2'
NEW_IMAGE = 'nginx:1.27'
ROLLOUT_WAIT = 10


def _image(sim, namespace, name):
    deployment = sim.get('Deployment', namespace, name) or {}
    containers = (((deployment.get('spec') or {}).get('template') or {})
                  .get('spec') or {}).get('containers') or [{}]
    return containers[0].get('image')


def _onboard(demo):
    client = demo.client
    pkg = client.expect(201, 'POST', '/vnfpkgm/v1/vnf_packages',
                        {'userDefinedData': {'origin': 'sandbox'}}).body
    csar = build.build_csar_bytes(build.SAMPLES_DIR / SAMPLE)
    client.expect(202, 'PUT', '/vnfpkgm/v1/vnf_packages/%s/package_content'
                  % pkg['id'], csar, content_type='application/zip')
    pkg = client.expect(200, 'GET', '/vnfpkgm/v1/vnf_packages/'
                        + pkg['id']).body
    demo.out.step('Package %s (samples/vnf_packages/%s) uploaded: %s, '
                  'vnfdId %s' % (pkg['id'], SAMPLE, pkg['onboardingState'],
                                 pkg['vnfdId']))
    return pkg['vnfdId']


def run_step(demo, *, vdu, deployment, running_pods):
    """Change the v2 instance's package while a pod is healed.

    ``running_pods(sim, namespace, name)``: the Running pods of a
    Deployment, sorted (the demo's own helper).
    """
    out = demo.out
    sim = demo.stack.sim
    inst = demo.instances['v2']
    out.heading('change_vnfpkg (v2) while Kubernetes heals a pod')
    new_vnfd = _onboard(demo)
    before = demo.client.instance('v2', inst.id)
    old_pods = render.pods_of(before, vdu)
    files = (before.get('instantiatedVnfInfo') or {}).get(
        'metadata', {}).get('lcm-kubernetes-def-files')
    body = {'vnfdId': new_vnfd, 'additionalParams': {
        'upgrade_type': 'RollingUpdate',
        'lcm-kubernetes-def-files': files,
        'vdu_params': [{'vdu_id': vdu}]}}
    sim.hold_pending(True)
    try:
        resp = demo.client.lcm('POST', 'v2', '/vnf_instances/%s/'
                               'change_vnfpkg' % inst.id, body)
        out.step('POST /vnflcm/v2/vnf_instances/%s/change_vnfpkg '
                 '(RollingUpdate of %s to vnfd %s) -> %d'
                 % (inst.id, vdu, new_vnfd, resp.status))
        if resp.status != 202:
            demo.check('change_vnfpkg accepted', False, resp.describe())
            return
        deadline = time.monotonic() + ROLLOUT_WAIT
        while _image(sim, inst.namespace, deployment) != NEW_IMAGE and \
                time.monotonic() < deadline:
            time.sleep(0.05)
        out.step('Deployment %s now wants %s; its new pods are slow to '
                 'start' % (deployment, _image(sim, inst.namespace,
                                               deployment)))
        sim.kill_pod(inst.namespace, old_pods[0])
        sim.step()
        out.step('Auto-heal mid-rollout: old pod %s killed; its ReplicaSet '
                 'replaces it' % old_pods[0])
        engine = engine_mod.SyncEngine()
        try:
            passed = engine.run_pass(instance_ids=[inst.id])
        finally:
            engine.close()
        outcomes = [(o.status, o.reason) for o in passed.outcomes]
        out.step('A synchronization pass during the rollout: %s'
                 % ', '.join('%s (%s)' % o for o in outcomes))
        during = demo.client.instance('v2', inst.id)
        demo.check('sync skips change_vnfpkg',
                   outcomes == [('skipped', 'LCM operation in progress')]
                   and render.pods_of(during, vdu) == old_pods
                   and during.get('vnfdId') == before.get('vnfdId'),
                   'the pass wrote nothing while the rollout ran: %s'
                   % outcomes)
    finally:
        sim.hold_pending(False)
    started = time.monotonic()
    occ = demo.client.wait_for_op_occ('v2', resp.headers['Location'],
                                      timeout=60)
    done = time.monotonic()
    shown = demo.client.instance('v2', inst.id)
    pods = render.pods_of(shown, vdu)
    running = running_pods(sim, inst.namespace, deployment)
    out.step('op occ %s %s in %.1f s after the pods were let start'
             % (occ.get('id'), occ.get('operationState'), done - started))
    out.step('After change_vnfpkg: GET /vnflcm/v2/vnf_instances/%s'
             % inst.id)
    out.detail(render.instance_table(shown, demo.vdu_aspects, marks={
        p: 'new (rolled out)' for p in pods}))
    demo.check('change_vnfpkg completed',
               occ.get('operationState') == 'COMPLETED',
               'op occ %s: %s' % (occ.get('id'), occ.get('operationState')))
    demo.check('v2 new vnfdId', shown.get('vnfdId') == new_vnfd,
               'vnfdId %s -> %s (software version %s)'
               % (before.get('vnfdId'), shown.get('vnfdId'),
                  shown.get('vnfSoftwareVersion')))
    demo.check('v2 rolled pods = cluster',
               pods == running and not set(pods) & set(old_pods),
               '%s records %s; Kubernetes runs %s (before: %s)'
               % (vdu, ', '.join(pods), ', '.join(running),
                  ', '.join(old_pods)))
    image = _image(sim, inst.namespace, deployment)
    demo.check('new image runs', image == NEW_IMAGE,
               'Deployment %s runs %s' % (deployment, image))
    interval = demo.stack.settings.sync_interval
    record = demo.stack.engine.wait_for_pass(started_after=done,
                                             timeout=interval * 2 + 10)
    status = None if record is None else {
        o.instance_id: o.status for o in record.result.outcomes}.get(inst.id)
    out.step('The conductor\'s next periodic pass: v2 instance %s'
             % (status or 'not seen'))
    demo.check('next pass finds no drift', status == 'unchanged',
               'the pass after change_vnfpkg: %s' % status)
