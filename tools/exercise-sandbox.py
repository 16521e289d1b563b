#!/usr/bin/env python3
"""Change a running sandbox's cluster behind Tacker's back for a while.

A developer tool for the documentation's picture of the Grafana
dashboard (tools/render-dashboard.py): started beside ``tacker-sandbox
--keep-running``, it gives the synchronization something to do, so that
every panel shows what the conductor does about it.  Every 8 to 20
seconds (a seeded RNG) it kills one or two pods of the Deployment,
DaemonSet and ReplicaSet VDUs in both namespaces (the simulator replaces
them); every third round it scales the v2 Deployment ``vdu1`` to 1-4
replicas (4 is beyond the VNFD's profile: the next passes report the
instance ``failed``); every fifth it holds the v2 instance's lock, as an
LCM operation does, while a pod of it is killed (the passes meanwhile
give up with a lock conflict), and runs a SCALE_OUT and a SCALE_IN
through the API.  In round 6 Kubernetes LISTs answer 0.4 s late for
40 s; in round 14 every Kubernetes request is answered 503 for 20 s (the
VIM goes down, then up).

It only uses what the sandbox prints: the simulator's admin endpoint
(``/_sim/``), its API with the bearer token, tacker-server's vnflcm API,
and the state directory's file lock backend (``locks/``), through tooz.
Run it with the project's virtualenv (tooz is a dependency).
"""

import argparse
import json
import pathlib
import random
import sys
import time
import urllib.error
import urllib.request

from tooz import coordination


def _parser():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sim', required=True, metavar='URL',
                        help='the Kubernetes simulator the sandbox printed')
    parser.add_argument('--api', required=True, metavar='URL',
                        help='tacker-server, as the sandbox printed it')
    parser.add_argument('--state-dir', type=pathlib.Path,
                        default=pathlib.Path('.sandbox-state'),
                        help='the sandbox\'s state directory (default: '
                             '%(default)s)')
    parser.add_argument('--v2-instance', required=True, metavar='ID',
                        help='the v2 instance the sandbox printed')
    parser.add_argument('--minutes', type=float, default=8)
    parser.add_argument('--seed', type=int, default=15)
    return parser


class Sandbox:
    def __init__(self, args):
        self.sim = args.sim.rstrip('/')
        self.api = args.api.rstrip('/')
        self.token = (args.state_dir / 'k8s-token').read_text().strip()
        self.v2 = args.v2_instance
        self.locks = coordination.get_coordinator(
            'file://%s' % (args.state_dir / 'locks').resolve(),
            b'exercise-sandbox')
        self.locks.start()

    def call(self, method, url, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method,
                                         headers=dict(headers or {}))
        if data is not None:
            request.add_header('Content-Type', 'application/json')
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def pods(self, namespace, prefixes):
        code, raw = self.call(
            'GET', '%s/api/v1/namespaces/%s/pods' % (self.sim, namespace),
            headers={'Authorization': 'Bearer ' + self.token})
        if code != 200:
            return []  # a 503 fault of ours answers us too
        return [p['metadata']['name'] for p in json.loads(raw)['items']
                if p['metadata']['name'].startswith(prefixes)]

    def kill(self, namespace, pod):
        code, _ = self.call('POST', '%s/_sim/pods/%s/%s/kill'
                            % (self.sim, namespace, pod))
        log('kill %s/%s -> %d' % (namespace, pod, code))

    def scale(self, replicas):
        code, _ = self.call('POST', '%s/_sim/scale/sandbox-v2/deployment/'
                            'vdu1' % self.sim, {'replicas': replicas})
        log('scale sandbox-v2 deployment/vdu1 to %d -> %d'
            % (replicas, code))

    def fault(self, **rule):
        code, _ = self.call('POST', self.sim + '/_sim/faults', rule)
        log('fault %s -> %d' % (rule, code))

    def hold_lock_and_scale(self):
        lock = self.locks.get_lock(('tacker-%s' % self.v2).encode())
        with lock:
            log('holding lock tacker-%s' % self.v2)
            for pod in self.pods('sandbox-v2', ('vdu1-',))[:1]:
                self.kill('sandbox-v2', pod)
            time.sleep(12)
        log('lock released')
        for kind in ('SCALE_OUT', 'SCALE_IN'):
            code, _ = self.call(
                'POST', '%s/vnflcm/v2/vnf_instances/%s/scale'
                % (self.api, self.v2),
                {'type': kind, 'aspectId': 'vdu1_aspect'},
                headers={'Version': '2.0.0'})
            log('POST .../scale %s -> %d' % (kind, code))
            time.sleep(2)


def log(text):
    print(time.strftime('%H:%M:%S'), text, flush=True)


def main(argv=None):
    args = _parser().parse_args(argv)
    rng = random.Random(args.seed)
    sandbox = Sandbox(args)
    deadline = time.monotonic() + args.minutes * 60
    round_ = 0
    try:
        while time.monotonic() < deadline:
            round_ += 1
            for namespace in ('sandbox-v1', 'sandbox-v2'):
                pods = sandbox.pods(namespace, ('vdu1-', 'vdu3-', 'vdu5-'))
                for pod in rng.sample(pods, k=min(len(pods),
                                                  rng.randint(1, 2))):
                    sandbox.kill(namespace, pod)
            if round_ % 3 == 0:
                sandbox.scale(rng.randint(1, 4))
            if round_ == 6:
                sandbox.fault(kind='latency', delay=0.4, seconds=40,
                              verb='list')
            if round_ == 14:
                sandbox.fault(kind='error', status=503, seconds=20)
            if round_ % 5 == 2:
                sandbox.hold_lock_and_scale()
            time.sleep(rng.uniform(8, 20))
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.locks.stop()
    log('done after %d rounds' % round_)
    return 0


if __name__ == '__main__':
    sys.exit(main())
