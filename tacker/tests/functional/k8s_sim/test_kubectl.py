"""kubectl against the Kubernetes simulator: what an operator types.

The real ``kubectl`` binary (Debian package kubernetes-client) reads a
kubeconfig the simulator wrote and runs the commands an operator
reaches for first.  Without kubectl the module is skipped, except under
CI (``CI=true``), where ``.ci/run`` installs it and absence fails.
"""

import os
import shutil
import subprocess

import pytest

from tacker.tests import db_backends
from tacker_k8s_sim import simulator
from tacker_k8s_sim import tls
from tacker_k8s_sim.tests import manifests

pytestmark = pytest.mark.slow

NS = 'default'
TIMEOUT = 60


@pytest.fixture(scope='module')
def kubectl_binary():
    found = shutil.which('kubectl')
    if found is None:
        message = 'kubectl is not installed (Debian package kubernetes-client)'
        if db_backends.in_ci():
            pytest.fail('CI=true but ' + message + '; .ci/run must '
                        'install it', pytrace=False)
        pytest.skip(message)
    return found


@pytest.fixture
def sim(tmp_path):
    # HTTPS: kubectl sends a kubeconfig's token over TLS only.
    cert, key, ca_pem = tls.make_certificates(str(tmp_path))
    (tmp_path / 'ca.crt').write_text(ca_pem)
    with simulator.Simulator(token='kubectl-test-token', nodes=2,
                             tls=(cert, key)) as sim:
        yield sim


@pytest.fixture
def kubectl(kubectl_binary, sim, tmp_path):
    """Run kubectl with a kubeconfig of its own; returns the process."""
    config = sim.write_kubeconfig(str(tmp_path / 'kubeconfig'),
                                  ca_file=str(tmp_path / 'ca.crt'))
    env = dict(os.environ, KUBECONFIG=config, HOME=str(tmp_path))
    env.pop('KUBERNETES_SERVICE_HOST', None)

    def run(*args, check=True, timeout=TIMEOUT):
        proc = subprocess.run(
            [kubectl_binary, '--cache-dir', str(tmp_path / 'cache')]
            + list(args), env=env, capture_output=True, text=True,
            timeout=timeout)
        if check:
            assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    run.env = env
    run.argv = [kubectl_binary, '--cache-dir', str(tmp_path / 'cache')]
    return run


def _table(text):
    """The lines of kubectl's table output, split into cells."""
    return [line.split() for line in text.strip().splitlines()]


@pytest.fixture
def web(sim):
    sim.create(manifests.deployment('web', 2), NS)
    sim.wait_settled()
    return sorted(p['metadata']['name'] for p in sim.pods(NS))


def test_kubeconfig_is_private_and_carries_the_token(sim, tmp_path,
                                                     kubectl):
    kubectl('get', 'ns')
    path = tmp_path / 'kubeconfig'
    assert oct(path.stat().st_mode & 0o777) == '0o600'
    assert 'kubectl-test-token' in path.read_text()
    # A wrong token is refused: kubectl really authenticates.
    sim.token = 'another'
    proc = kubectl('get', 'ns', check=False)
    assert proc.returncode != 0 and 'Unauthorized' in proc.stderr


def test_get_ns(kubectl):
    rows = _table(kubectl('get', 'ns').stdout)
    assert rows[0] == ['NAME', 'STATUS', 'AGE']
    assert ['default', 'Active'] == rows[1 + [r[0] for r in rows[1:]]
                                         .index('default')][:2]


def test_get_deploy_and_pods_show_readiness(kubectl, web):
    rows = _table(kubectl('get', 'deploy').stdout)
    assert rows[0] == ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']
    assert rows[1][:4] == ['web', '2/2', '2', '2']
    rows = _table(kubectl('get', 'pods').stdout)
    assert rows[0] == ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']
    assert sorted(r[:4] for r in rows[1:]) == [
        [name, '1/1', 'Running', '0'] for name in web]
    wide = _table(kubectl('get', 'po', '-o', 'wide').stdout)
    assert wide[0][5:7] == ['IP', 'NODE']
    assert {r[6] for r in wide[1:]} <= {'sim-node-0', 'sim-node-1'}
    rows = _table(kubectl('get', 'rs').stdout)
    assert rows[0] == ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']


def test_get_nodes_wide(kubectl):
    rows = _table(kubectl('get', 'nodes', '-o', 'wide').stdout)
    assert rows[0][:7] == ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION',
                           'INTERNAL-IP', 'EXTERNAL-IP']
    assert [r[:2] + r[4:6] for r in rows[1:]] == [
        ['sim-node-0', 'Ready', 'v1.30.0-k8s-sim', '192.168.0.10'],
        ['sim-node-1', 'Ready', 'v1.30.0-k8s-sim', '192.168.0.11']]


def test_get_all_lists_every_workload(kubectl, web):
    out = kubectl('get', 'all').stdout
    assert 'deployment.apps/web' in out
    for name in web:
        assert 'pod/%s' % name in out
    assert 'replicaset.apps/web-' in out


def test_delete_pod_is_seen_by_a_watch_and_replaced(sim, kubectl, web):
    watcher = subprocess.Popen(
        # --request-timeout ends the watch, so a missing event fails the
        # test instead of blocking it.
        kubectl.argv + ['get', 'pods', '--watch', '--output-watch-events',
                        '--request-timeout=%ds' % TIMEOUT],
        env=kubectl.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        # The watch prints the current pods first; then delete one.
        seen = [watcher.stdout.readline() for _ in range(len(web) + 1)]
        assert seen[0].split()[:3] == ['EVENT', 'NAME', 'READY'], seen
        victim = web[0]
        out = kubectl('delete', 'pod', victim).stdout
        assert 'pod "%s" deleted' % victim in out
        while True:
            line = watcher.stdout.readline()
            seen.append(line)
            if line.split()[:2] == ['DELETED', victim]:
                break
            if not line:
                pytest.fail('no DELETED event: %s' % seen)
    finally:
        watcher.terminate()
        watcher.communicate(timeout=TIMEOUT)
    sim.wait_settled()
    names = [r[0] for r in _table(kubectl('get', 'pods').stdout)[1:]]
    assert victim not in names and len(names) == len(web)


def test_scale_and_rollout_status(sim, kubectl, web):
    assert 'deployment.apps/web scaled' in kubectl(
        'scale', 'deploy', 'web', '--replicas=3').stdout
    out = kubectl('rollout', 'status', 'deploy/web', '--timeout=%ds'
                  % TIMEOUT).stdout
    assert 'successfully rolled out' in out
    assert _table(kubectl('get', 'deploy', 'web').stdout)[1][:4] == [
        'web', '3/3', '3', '3']
    assert len(sim.pods(NS, running=True)) == 3
    # A new template rolls out to new pods, which rollout status waits
    # for.
    kubectl('set', 'image', 'deploy/web', 'app=nginx:1.27')
    out = kubectl('rollout', 'status', 'deploy/web', '--timeout=%ds'
                  % TIMEOUT).stdout
    assert 'successfully rolled out' in out
    images = {p['spec']['containers'][0]['image']
              for p in sim.pods(NS, running=True)}
    assert images == {'nginx:1.27'}
