"""Our synchronization beside a running Tacker 16, end to end.

This module walks doc/source/user/beside_tacker.rst, "Step by step",
one step after the other (the step numbers below are the page's); change
both together.

Tacker 16's own ``tacker-server`` and ``tacker-conductor`` run from the
side virtualenv on MariaDB and a RabbitMQ vhost of their own
(``tacker_processes``), with the Kubernetes simulator as the cluster.  The
real ``openstack`` CLI onboards our sample CNF and instantiates it through
Tacker's v2 API; Kubernetes then heals a pod and scales the Deployment
behind Tacker's back; our ``tacker-db-sync`` runs once on Tacker's
database, package store and lock backend; and Tacker itself shows, scales
and locks from what we wrote.
"""

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

from kubernetes import client
import pytest

from tacker.common import coordination
from tacker.db import api as db_api
from tacker.dbsync import engine as engine_mod
from tacker.tests import db_backends
from tacker.tests.functional.api import conftest as api_conftest
from tacker.tests.functional.tacker16 import tacker_processes
from tacker.vnfpkgm import build
from tacker_k8s_sim import simulator

pytestmark = [pytest.mark.slow, pytest.mark.mariadb, pytest.mark.rabbitmq]

VNFD_ID = '7f3d3b0e-6a55-4b7c-9f0e-5d7c2a1e9b01'
TOKEN = 'beside-tacker16-token-7d21'
NAMESPACE = 'default'
ASPECT = 'vdu1_aspect'
TACKER_DB_SYNC = os.path.join(os.path.dirname(sys.executable),
                              'tacker-db-sync')
# What the VNFD says: VduInitialDelta 1, VduScalingAspectDeltas 1.
INITIAL_DELTA, DELTA = 1, 1
# One workload of each kind Tacker's driver deploys; VDU1's Deployment
# is the one Kubernetes heals and scales.
MANIFESTS = ['Files/kubernetes/%s.yaml' % name for name in (
    'vdu1-deployment', 'vdu2-statefulset', 'vdu3-daemonset', 'vdu4-pod',
    'vdu5-replicaset')]
MERGE_PATCH = 'application/merge-patch+json'
# oslo.log's default line: date time pid LEVEL logger ...
LOG_PROBLEM = re.compile(r'^\S+ \S+ \d+ (ERROR|CRITICAL) ')
SYNC_WARNING = re.compile(r'^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ')


class TackerApi:
    """Tacker's REST API, v2 (``Version: 2.0.0``), no authentication."""

    def __init__(self, url):
        self.url = url.rstrip('/')

    def call(self, method, path, body=None, *,
             content_type='application/json'):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data,
                                     method=method)
        req.add_header('Version', '2.0.0')
        req.add_header('Accept', 'application/json')
        if data is not None:
            req.add_header('Content-Type', content_type)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            return exc.code, json.loads(raw) if raw else None

    def get(self, path):
        status, body = self.call('GET', path)
        assert status == 200, 'GET %s: HTTP %s %s' % (path, status, body)
        return body

    def instance(self, instance_id):
        return self.get('/vnflcm/v2/vnf_instances/%s' % instance_id)

    def op_ids(self):
        return {o['id'] for o in self.get('/vnflcm/v2/vnf_lcm_op_occs')}

    def wait_for_op(self, instance_id, operation, *, known, timeout=180):
        """The new op occ of ``operation`` once it has finished."""
        deadline = time.monotonic() + timeout
        occ = None
        while time.monotonic() < deadline:
            occs = [o for o in self.get('/vnflcm/v2/vnf_lcm_op_occs')
                    if o['vnfInstanceId'] == instance_id and
                    o['operation'] == operation and o['id'] not in known]
            occ = occs[-1] if occs else None
            if occ and occ['operationState'] in ('COMPLETED', 'FAILED_TEMP',
                                                 'FAILED', 'ROLLED_BACK'):
                return occ
            time.sleep(0.5)
        raise AssertionError('%s of %s not finished in %ss: %s' % (
            operation, instance_id, timeout, occ))


@pytest.fixture(scope='module')
def tacker_services(tacker16, tmp_path_factory):
    """Tacker 16's server and conductor, up for the whole module."""
    db_backends.require_service('mysql', '127.0.0.1', 3306)
    db_backends.require_service('rabbitmq', *tacker_processes.RABBIT)
    if shutil.which('rabbitmqctl') is None:
        message = 'rabbitmqctl is missing: no private RabbitMQ vhost'
        if db_backends.in_ci():
            pytest.fail('CI=true but ' + message, pytrace=False)
        pytest.skip(message)
    services = tacker_processes.TackerServices(
        tacker16.python, tmp_path_factory.mktemp('tacker16-services'))
    try:
        services.start()
        yield services
    finally:
        services.stop()


@pytest.fixture(scope='module')
def cluster():
    with simulator.Simulator(token=TOKEN) as sim:
        yield sim


@pytest.fixture(scope='module')
def module_csar(tmp_path_factory):
    path = tmp_path_factory.mktemp('csar') / 'sample_cnf.zip'
    subprocess.run([sys.executable, '-m', 'tacker.vnfpkgm.build',
                    str(build.SAMPLES_DIR / 'sample_cnf'), str(path)],
                   check=True, capture_output=True, timeout=60)
    return path


def sync_conf(tacker_conf, path):
    """Step 1: copy what the page lists from Tacker's tacker.conf."""
    theirs = configparser.RawConfigParser()
    theirs.read(tacker_conf)
    tacker_processes.write_conf(path, {
        'database': {'connection': theirs.get('database', 'connection')},
        'vnf_package': {'vnf_package_csar_path': theirs.get(
            'vnf_package', 'vnf_package_csar_path')},
        'coordination': {'backend_url': theirs.get('coordination',
                                                   'backend_url')},
        # Only for --daemon (step 5): a pass every second, from the start.
        'database_sync': {'interval': 1, 'initial_delay': 0},
    })
    return path


def run_db_sync(conf_path, *args):
    done = subprocess.run(
        [TACKER_DB_SYNC, '--config-file', str(conf_path)] + list(args),
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, 'tacker-db-sync %s failed (%s):\n%s%s' % (
        ' '.join(args), done.returncode, done.stdout, done.stderr)
    # On Tacker's own records our pass has nothing to warn about.
    warned = [line for line in done.stderr.splitlines()
              if SYNC_WARNING.match(line)]
    assert not warned, '\n'.join(warned)
    return done.stdout


def run_daemon_until(conf_path, done, timeout=90):
    """``tacker-db-sync --daemon`` until ``done()``, then SIGTERM."""
    daemon = subprocess.Popen(
        [TACKER_DB_SYNC, '--config-file', str(conf_path), '--daemon'],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            time.sleep(0.5)
        reached = done()
    finally:
        daemon.terminate()
        out, _ = daemon.communicate(timeout=60)
    assert reached, 'the daemon did not synchronize:\n' + out
    assert daemon.returncode == 0, out
    warned = [line for line in out.splitlines() if SYNC_WARNING.match(line)]
    assert not warned, '\n'.join(warned)
    return out


def our_pass(conf, tacker_conf, instance_id):
    """One pass of our engine, in this process, on Tacker's database."""
    theirs = configparser.RawConfigParser()
    theirs.read(tacker_conf)
    conf.config(connection=theirs.get('database', 'connection'),
                group='database')
    conf.config(vnf_package_csar_path=theirs.get(
        'vnf_package', 'vnf_package_csar_path'), group='vnf_package')
    db_api.reset()
    engine = engine_mod.SyncEngine()
    try:
        return engine.run_pass(instance_ids=[instance_id])
    finally:
        engine.close()
        db_api.reset()


def vdu1(instance):
    return [e for e in instance['instantiatedVnfInfo']['vnfcResourceInfo']
            if e['vduId'] == 'VDU1']


def others(instance):
    info = instance['instantiatedVnfInfo']
    return ([e for e in info['vnfcResourceInfo'] if e['vduId'] != 'VDU1'],
            [c for c in info['vnfcInfo'] if c['vduId'] != 'VDU1'],
            {vdu: res for vdu, res in info['metadata']['vdu_reses'].items()
             if vdu != 'VDU1'})


def pod_names(instance):
    return sorted(e['computeResource']['resourceId']
                  for e in vdu1(instance))


def level(instance):
    return {s['aspectId']: s['scaleLevel']
            for s in instance['instantiatedVnfInfo']['scaleStatus']}[ASPECT]


def running_vdu1_pods(cluster):
    return sorted(p['metadata']['name']
                  for p in cluster.pods(NAMESPACE, running=True)
                  if p['metadata'].get('labels', {}).get('app') == 'vdu1')


def test_beside_tacker(tacker_services, cluster, module_csar, tmp_path,
                       conf, record_property):
    api = TackerApi(tacker_services.url)
    cli = api_conftest.Cli(tacker_services.url, tmp_path)

    # Step 1: our synchronization reads Tacker's database, package store
    # and lock backend.
    our_conf = sync_conf(tacker_services.conf_path, tmp_path / 'sync.conf')

    # Step 2: onboard the package through Tacker's vnfpkgm API.
    package = cli.json('vnf', 'package', 'create')
    cli.run('vnf', 'package', 'upload', '--path', module_csar,
            package['ID'])
    shown = _wait_onboarded(cli, package['ID'])
    assert shown['VNFD ID'] == VNFD_ID

    # Step 3: create and instantiate a v2 instance, the VIM inline.
    instance_id = cli.json('vnflcm', 'create', VNFD_ID, '--name', 'cnf',
                           version='v2')['ID']
    request = cli.file('instantiate.json', {
        'flavourId': 'simple',
        'additionalParams': {
            'lcm-kubernetes-def-files': MANIFESTS,
            'namespace': NAMESPACE},
        'vimConnectionInfo': {'vim1': {
            'vimId': str(uuid.uuid4()),
            'vimType': 'ETSINFV.KUBERNETES.V_1',
            'interfaceInfo': {'endpoint': cluster.url},
            'accessInfo': {'bearer_token': TOKEN}}}})
    known = api.op_ids()
    cli.run('vnflcm', 'instantiate', instance_id, request, version='v2')
    occ = api.wait_for_op(instance_id, 'INSTANTIATE', known=known)
    assert occ['operationState'] == 'COMPLETED', occ
    before = api.instance(instance_id)
    assert before['instantiationState'] == 'INSTANTIATED'
    assert pod_names(before) == running_vdu1_pods(cluster)
    assert level(before) == 0

    # Step 4: Kubernetes heals a pod and scales the Deployment.
    healed = pod_names(before)[0]
    cluster.kill_pod(NAMESPACE, healed)
    apps = client.AppsV1Api(cluster.api_client())
    apps.patch_namespaced_deployment_scale(
        'vdu1', NAMESPACE, {'spec': {'replicas': INITIAL_DELTA + 2 * DELTA}})
    cluster.wait_settled(timeout=30)
    running = running_vdu1_pods(cluster)
    assert healed not in running and len(running) == 3
    stale = api.instance(instance_id)
    assert pod_names(stale) == pod_names(before) and level(stale) == 0

    # Step 5: see what our synchronization would change, then run it.
    diff = run_db_sync(our_conf, '--dry-run', '--instance', instance_id)
    assert instance_id in diff and healed in diff
    print(diff)
    log = run_daemon_until(our_conf, lambda: pod_names(
        api.instance(instance_id)) == running)
    assert 'Database synchronization runs every 1s' in log

    # Step 6: Tacker's own GET shows the pods and the scale level.
    after = api.instance(instance_id)
    assert pod_names(after) == running
    assert level(after) == 2
    # ... in the form Tacker writes itself: entries named by their pods,
    # the Deployment's stored replicas as observed.
    info = after['instantiatedVnfInfo']
    assert sorted(e['id'] for e in vdu1(after)) == running
    assert sorted(c['id'] for c in info['vnfcInfo']
                  if c['vduId'] == 'VDU1') == [
        'VDU1-%s' % pod for pod in running]
    assert info['metadata']['vdu_reses']['VDU1']['spec']['replicas'] == 3
    # The VDUs Kubernetes left alone are left alone.
    assert others(after) == others(before)
    for name, shown in (('before', before), ('after', after)):
        seen = json.dumps({
            'pods': pod_names(shown),
            'scaleStatus': shown['instantiatedVnfInfo']['scaleStatus']})
        record_property('tacker_get_%s_sync' % name, seen)
        print('Tacker GET %s our pass: %s' % (name, seen))

    # Step 7: while the synchronization holds the instance's lock, Tacker's
    # API refuses the operations it locks itself (terminate, modify); a
    # scale it accepts, and its conductor waits for the lock (at most 10 s)
    # before it starts.
    conf.config(backend_url=tacker_services.lock_url, group='coordination')
    path = '/vnflcm/v2/vnf_instances/%s' % instance_id
    known = api.op_ids()
    try:
        with coordination.instance_lock(instance_id):
            refused = {
                'terminate': api.call('POST', path + '/terminate',
                                      {'terminationType': 'FORCEFUL'}),
                'modify': api.call('PATCH', path,
                                   {'vnfInstanceDescription': 'changed'},
                                   content_type=MERGE_PATCH),
            }
            accepted = api.call('POST', path + '/scale',
                                {'type': 'SCALE_IN', 'aspectId': ASPECT})
            waiting = [o for o in api.get('/vnflcm/v2/vnf_lcm_op_occs')
                       if o['id'] not in known]
            # Tacker has that scale open: our synchronization leaves the
            # instance alone (in this process: the conductor gives the
            # lock 10 s, too short to start a command on a busy machine).
            while_open = our_pass(conf, tacker_services.conf_path,
                                  instance_id)
    finally:
        coordination.stop()
    for operation, (status, body) in refused.items():
        assert status == 409, (operation, status, body)
        assert body['detail'] == ('Other LCM operation of vnfInstance %s '
                                  'is in progress.' % instance_id), body
    assert accepted[0] == 202, accepted
    assert [(o['operation'], o['operationState']) for o in waiting] == [
        ('SCALE', 'STARTING')]
    assert [(o.instance_id, o.status, o.reason)
            for o in while_open.outcomes] == [
        (instance_id, 'skipped', 'LCM operation in progress')]

    # Step 8: that scale starts from the synchronized level.
    occ = api.wait_for_op(instance_id, 'SCALE', known=known)
    assert occ['operationState'] == 'COMPLETED', occ
    # Tacker's own diff of our record and its result: one pod less.
    changes = api.get('/vnflcm/v2/vnf_lcm_op_occs/%s' % occ['id'])[
        'resourceChanges']['affectedVnfcs']
    assert [c['changeType'] for c in changes] == ['REMOVED'], changes
    scaled = api.instance(instance_id)
    assert level(scaled) == 1
    replicas = INITIAL_DELTA + 1 * DELTA
    assert apps.read_namespaced_deployment(
        'vdu1', NAMESPACE).spec.replicas == replicas
    cluster.wait_settled(timeout=30)
    assert pod_names(scaled) == running_vdu1_pods(cluster)
    assert len(pod_names(scaled)) == replicas
    # The refused modify changed nothing.
    assert scaled.get('vnfInstanceDescription') == after.get(
        'vnfInstanceDescription')

    # Step 9: Tacker heals a VNFC by the id our synchronization wrote.
    ours = [c for c in scaled['instantiatedVnfInfo']['vnfcInfo']
            if c['vduId'] == 'VDU1' and
            c['vnfcResourceInfoId'] not in pod_names(before)][0]
    known = api.op_ids()
    cli.run('vnflcm', 'heal', instance_id, '--vnfc-instance', ours['id'],
            version='v2')
    occ = api.wait_for_op(instance_id, 'HEAL', known=known)
    assert occ['operationState'] == 'COMPLETED', occ
    cluster.wait_settled(timeout=30)
    healed_by_tacker = api.instance(instance_id)
    assert ours['vnfcResourceInfoId'] not in pod_names(healed_by_tacker)
    assert pod_names(healed_by_tacker) == running_vdu1_pods(cluster)
    assert len(pod_names(healed_by_tacker)) == replicas

    # Step 10: Tacker terminates the instance.
    known = api.op_ids()
    cli.run('vnflcm', 'terminate', instance_id, version='v2')
    occ = api.wait_for_op(instance_id, 'TERMINATE', known=known)
    assert occ['operationState'] == 'COMPLETED', occ
    assert api.instance(instance_id)['instantiationState'] == \
        'NOT_INSTANTIATED'
    cluster.wait_settled(timeout=30)
    assert cluster.list('deployments', NAMESPACE) == []
    assert cluster.pods(NAMESPACE) == []

    # Step 11: Tacker's conductor saw nothing wrong in what we wrote.
    log = tacker_services.log_text('tacker-conductor')
    problems = [line for line in log.splitlines()
                if LOG_PROBLEM.match(line) or 'Traceback' in line]
    assert not problems, '\n'.join(problems[:20])


def _wait_onboarded(cli, package_id, timeout=60):
    deadline = time.monotonic() + timeout
    shown = {}
    while time.monotonic() < deadline:
        shown = cli.json('vnf', 'package', 'show', package_id)
        if shown.get('Onboarding State') == 'ONBOARDED':
            return shown
        time.sleep(0.5)
    raise AssertionError('package %s not onboarded: %s' % (package_id,
                                                           shown))
