"""tacker-sandbox end to end, as the operator runs it: a subprocess.

A subprocess keeps the demo's configuration overrides, signal handlers
and in-process messaging out of the test process, and is what
``./tools/sandbox.sh`` runs.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from kubernetes import client
from kubernetes import config

from tacker.sandbox import render
from tacker.sandbox import state as state_mod

pytestmark = pytest.mark.slow

DEMO_TIMEOUT = 120
# As tacker.sandbox.stack names them (not imported: it loads the
# whole product into the test process).
TOKEN_FILE = 'k8s-token'
LOG_FILE = 'tacker.log'
KUBECONFIG_FILE = 'kubeconfig'


def _sandbox(*args):
    return [sys.executable, '-m', 'tacker.cmd.sandbox'] + [str(a)
                                                           for a in args]


def _run(state_dir, cwd):
    return subprocess.run(_sandbox('--state-dir', state_dir), cwd=cwd,
                          capture_output=True, text=True,
                          timeout=DEMO_TIMEOUT)


def _assert_change_vnfpkg_output(out):
    """The change_vnfpkg step.

    A pod healed mid-rollout, a pass skipped, the new vnfdId and pods
    recorded once the rollout ended.
    """
    step = out.split('== change_vnfpkg (v2) while Kubernetes heals a pod')[1]
    assert re.search(r'v2/vnf_instances/\S+/change_vnfpkg \(RollingUpdate '
                     r'of VDU1 to vnfd c2f1a8d4-3b6e-4f0a-9d57-8e2b6a4c1f02'
                     r'\) -> 202', step)
    assert 'Auto-heal mid-rollout: old pod vdu1-' in step
    assert ('A synchronization pass during the rollout: skipped (LCM '
            'operation in progress)') in step
    assert len(re.findall(r'vdu1-\S+  <- new \(rolled out\)', step)) == 2
    for name in ('sync skips change_vnfpkg', 'change_vnfpkg completed',
                 'v2 new vnfdId', 'v2 rolled pods = cluster',
                 'new image runs', 'next pass finds no drift'):
        assert re.search(r'PASS  %s ' % re.escape(name), step), name
    assert 'Deployment vdu1 runs nginx:1.27' in step


def _assert_demo_output(proc, state_dir):
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert 'Traceback' not in out + proc.stderr
    assert 'All 18 expectations met.' in out
    # Old and new pod names: each killed pod is shown stale before the
    # sync, and gone after it; the summary, the API table and the
    # conductor's log line pair old and new pods in the same words.
    heals = re.findall(r'Auto-heal \((v[12])\): pod (\S+) of Deployment '
                       r'vdu1 killed; in Kubernetes, pods: (\S+) -> (\S+)$',
                       out, re.M)
    assert [v for v, _old, _killed, _new in heals] == ['v1', 'v2']
    before, after = out.split('== The API after the sync pass')
    tables, logs = after.split('conductor\'s log lines')
    logs, summary = logs.split('== Summary')
    for version, old, killed, new in heals:
        assert killed == old
        assert '%s  <- gone from Kubernetes' % old in before
        # After the sync the record no longer names it (only a note does).
        assert all('<-' in line and line.index(old) > line.index('<-')
                   for line in tables.splitlines() if old in line)
        (said,) = re.findall(r'^ *PASS +%s pods renamed +VDU1 (pods: .*)$'
                             % version, summary, re.M)
        assert re.search(r'vdu: VDU1 %s;' % re.escape(said), logs), logs
        if version == 'v1':
            # One pod went, one came: the pairing is known.
            assert said == 'pods: %s -> %s' % (old, new)
            assert '%s  <- new, replaces %s' % (new, old) in tables
        else:
            # The heal and the HPA's scale-out in one pass: which new pod
            # is the heal's cannot be known, and nothing claims it.
            found = re.fullmatch(r'pods: replaced \(one of\): (\S+) -> (.*)',
                                 said)
            assert found and found.group(1) == old, said
            came = found.group(2).split(', ')
            assert len(came) == 3 and new in came
            for pod in came:
                assert '%s  <- new; replaced (one of): %s' % (pod, old) \
                    in tables
            assert 'pods: %s -> ' % old not in logs
    # The new scale level, in the table and in the conductor's log line.
    assert 'vdu1_aspect = 2' in after
    assert 'scaleLevel vdu1_aspect: 0 -> 2' in after
    # The 409s, v2 and v1, with Tacker's texts.
    assert re.search(r'v2/vnf_instances/\S+/scale -> 409 '
                     r'application/problem\+json', out)
    assert 'is in progress."}' in out
    assert re.search(r'v1/vnf_instances/\S+/scale -> 409', out)
    assert 'in task_state DB_SYNCHRONIZING. Cannot scale while' in out
    assert 'SCALE_IN went 2 -> 1 with 2 pods' in out
    _assert_change_vnfpkg_output(out)
    # The bearer token never shows.
    token = (state_dir / TOKEN_FILE).read_text()
    assert token and token not in out and token not in proc.stderr
    assert token not in (state_dir / LOG_FILE).read_text()


def _assert_kubeconfig_usable(out, state_dir):
    """The printed KUBECONFIG is in the state dir and reaches the cluster.

    Read with the kubernetes client (kubectl itself is covered by
    tests/functional/k8s_sim/test_kubectl.py): its loader is kubectl's.
    """
    (path,) = re.findall(r'export KUBECONFIG=(\S+)', out)
    assert path == str(state_dir.resolve() / KUBECONFIG_FILE)
    assert oct(os.stat(path).st_mode & 0o777) == '0o600'
    api = config.new_client_from_config(config_file=path)
    with api:
        pods = client.CoreV1Api(api).list_namespaced_pod('sandbox-v1')
    assert any(p.metadata.name.startswith('vdu1-') for p in pods.items)
    kubectl = shutil.which('kubectl')
    if kubectl:
        proc = subprocess.run(
            [kubectl, '--kubeconfig', path, 'get', 'deploy', 'vdu1'],
            capture_output=True, text=True, timeout=60,
            env=dict(os.environ, HOME=str(state_dir)))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stdout.split()[:6] == [
            'NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'vdu1']


def _ports(out):
    """tacker-server's, the simulator's and the metrics' ports, printed."""
    return sorted({int(p) for p in re.findall(
        r'^ *(?:tacker-server|Kubernetes simulator|Prometheus metrics): +'
        r'https?://127\.0\.0\.1:(\d+)', out, re.M)})


def _listening(port):
    with socket.socket() as probe:
        probe.settimeout(5)
        return probe.connect_ex(('127.0.0.1', port)) == 0


def _children(pid):
    """Pids of the processes ``pid`` started (all its threads'), from /proc."""
    found = set()
    for task in os.listdir('/proc/%d/task' % pid):
        try:
            with open('/proc/%d/task/%s/children' % (pid, task)) as handle:
                found.update(int(c) for c in handle.read().split())
        except FileNotFoundError:
            pass  # a thread that ended meanwhile
    return found


def test_demo_passes_and_a_second_run_starts_clean(tmp_path):
    state_dir = tmp_path / 'state'
    first = _run(state_dir, tmp_path)
    _assert_demo_output(first, state_dir)
    second = _run(state_dir, tmp_path)
    _assert_demo_output(second, state_dir)
    ids = re.compile(r'(v[12]) instance (\S+) instantiated')
    assert set(ids.findall(first.stdout)).isdisjoint(
        ids.findall(second.stdout))


def test_keep_running_stops_cleanly_on_sigint(tmp_path, request):
    state_dir = tmp_path / 'state'
    proc = subprocess.Popen(
        [sys.executable, '-X', 'faulthandler'] + _sandbox(
            '--state-dir', state_dir, '--keep-running')[1:],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    lines = []
    try:
        deadline = time.monotonic() + DEMO_TIMEOUT
        for line in proc.stdout:
            lines.append(line)
            if 'Press Ctrl-C' in line or time.monotonic() > deadline:
                break
        out = ''.join(lines)
        assert 'Press Ctrl-C to stop everything.' in out, out
        assert re.search(r'openstack --os-auth-type none --os-endpoint '
                         r'http://127\.0\.0\.1:\d+/ --os-tacker-api-version '
                         r'2 vnflcm show', out)
        assert '/_sim/pods/sandbox-v2/POD_NAME/kill' in out
        _assert_kubeconfig_usable(out, state_dir)
        (metrics_url,) = re.findall(
            r'Prometheus metrics: +(http://127\.0\.0\.1:\d+/metrics)', out)
        with urllib.request.urlopen(metrics_url, timeout=10) as answer:
            metrics = answer.read().decode()
        # The demo's passes healed and scaled: written, and counted.
        passes = re.search(r'^tacker_dbsync_passes_total\{kind="periodic"\} '
                           r'(\S+)$', metrics, re.M)
        assert passes and float(passes.group(1)) >= 1, metrics
        assert re.search(r'^tacker_dbsync_changes_total\{api_version="v2",'
                         r'change="renamed"\} [1-9]', metrics, re.M), metrics
        ports = _ports(out)
        assert len(ports) == 3 and all(_listening(p) for p in ports), out
        children = _children(proc.pid)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        # Stopping is what matters, not how fast on a loaded machine (the
        # time is reported, not asserted); a sandbox that ignores Ctrl-C
        # still fails here.
        try:
            rest, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            # Where is it stuck?  faulthandler dumps every thread.
            proc.send_signal(signal.SIGABRT)
            rest, err = proc.communicate(timeout=30)
            pytest.fail('the sandbox did not stop on SIGINT:\n%s'
                        % err[-12000:])
        took = time.monotonic() - sent
        # Reported (-rP, or a JUnit report's properties), never asserted.
        print('SIGINT to exit: %.2f s' % took)
        request.node.user_properties.append(('sigint_to_exit_seconds',
                                             round(took, 2)))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out + rest + err
    assert 'Traceback' not in out + rest + err
    assert rest.strip().endswith('Stopped.')
    # Nothing left running: no port of the sandbox's still served, no
    # process it started still alive.
    assert [p for p in ports if _listening(p)] == []
    assert [c for c in children if os.path.exists('/proc/%d' % c)] == []
    token = (state_dir / TOKEN_FILE).read_text()
    assert token not in out + rest + err + metrics


def test_refuses_to_wipe_a_foreign_directory(tmp_path):
    (tmp_path / 'precious.txt').write_text('keep me')
    proc = subprocess.run(_sandbox('--state-dir', tmp_path),
                          cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert 'was not made by tacker-sandbox' in proc.stderr
    assert (tmp_path / 'precious.txt').read_text() == 'keep me'


def test_state_dir_is_wiped_and_marked(tmp_path):
    state = tmp_path / 'state'
    state_mod.prepare(state)
    (state / 'old.sqlite').write_text('x')
    (state / 'locks').mkdir()
    assert state_mod.prepare(state) == state.resolve()
    assert sorted(p.name for p in state.iterdir()) == [state_mod.MARKER]


def test_instance_table_shows_pods_and_levels():
    instance = {'instantiatedVnfInfo': {
        'scaleStatus': [{'aspectId': 'vdu1_aspect', 'scaleLevel': 1}],
        'vnfcResourceInfo': [
            {'vduId': 'VDU1', 'computeResource': {
                'resourceId': 'vdu1-b', 'vimLevelResourceType':
                'Deployment'}},
            {'vduId': 'VDU1', 'computeResource': {
                'resourceId': 'vdu1-a', 'vimLevelResourceType':
                'Deployment'}},
            {'vduId': 'VDU4', 'computeResource': {
                'resourceId': 'vdu4', 'vimLevelResourceType': 'Pod'}}]}}
    lines = render.instance_table(instance, {'VDU1': 'vdu1_aspect',
                                             'VDU4': None},
                                  marks={'vdu1-b': 'new'})
    assert lines[0].split() == ['VDU', 'kind', 'pod', 'name',
                                '(resourceId)', 'scale', 'level']
    assert lines[2].split() == ['VDU1', 'Deployment', 'vdu1-a',
                                'vdu1_aspect', '=', '1']
    assert lines[3].split() == ['vdu1-b', '<-', 'new']
    assert lines[4].split() == ['VDU4', 'Pod', 'vdu4']
    assert render.pods_of(instance, 'VDU1') == ['vdu1-a', 'vdu1-b']


@pytest.mark.parametrize('args, message', [
    (['--sync-interval', '1'], 'argument --sync-interval: --sync-interval '
     'must be an integer from 3 to 300 (seconds), not \'1\''),
    (['--sync-interval', '301'], 'from 3 to 300 (seconds), not \'301\''),
    (['--sync-interval', 'five'], 'from 3 to 300 (seconds), not \'five\''),
    (['--port', '-1'], 'argument --port: --port must be an integer from 0 '
     'to 65535 (0 for a free port), not \'-1\''),
    (['--port', '70000'], 'from 0 to 65535 (0 for a free port)'),
    (['--metrics-port', '65536'], 'argument --metrics-port: '
     '--metrics-port must be an integer from 0 to 65535'),
    (['--port', '8080', '--metrics-port', '8080'],
     '--port and --metrics-port must differ (both 8080)'),
    (['--state-dir', ''], 'argument --state-dir: --state-dir must name a '
     'directory'),
], ids=['interval-low', 'interval-high', 'interval-text', 'port-low',
        'port-high', 'metrics-port-high', 'same-ports', 'state-dir-empty'])
def test_bad_arguments_exit_2_naming_the_option_and_range(tmp_path, args,
                                                          message):
    state = tmp_path / 's'
    proc = subprocess.run(_sandbox('--state-dir', state, *args),
                          cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr
    assert proc.stderr.startswith('usage: tacker-sandbox')
    # Refused before anything started or was wiped.
    assert proc.stdout == ''
    assert not state.exists()
