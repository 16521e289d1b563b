"""Benchmark one synchronization pass over many CNF instances.

Builds N v2 instances (default 1,000) of three VDUs (a Deployment, a
StatefulSet and a ReplicaSet) with 4 pods each, spread over 10
namespaces, in the Kubernetes simulator (run in a child process, so the
numbers below are the conductor's alone) and in TackerDB (SQLite by
default, or ``--db-url``).  Then prints, for a pass with no drift and for
a pass after 10 % of the pods were replaced by Kubernetes:

    wall time, Kubernetes requests, DB statements, rows written, peak RSS

and the same two passes for a baseline that observes each instance on
its own (one set of LISTs per instance, as Tacker does), measured in the
same run.  Prints numbers; asserts nothing about time.

    python -m benchmarks.dbsync_pass [--instances 1000] [--namespaces 10]
        [--db-url mysql+pymysql://root@127.0.0.1/bench] [--drift 0.1]
"""

import argparse
import multiprocessing
import os
import random
import resource
import shutil
import tempfile
import time
import uuid

PODS_PER_VDU = 4
VDUS = (('VDU1', 'Deployment', 'vdu1'), ('VDU2', 'StatefulSet', 'vdu2'),
        ('VDU5', 'ReplicaSet', 'vdu5'))
TOKEN = 'bench-token'


# --- the cluster, in a child process ------------------------------------

def _workload(kind, name, instance_id):
    labels = {'app': name, 'tacker_vnf_instance_id': instance_id}
    spec = {'replicas': PODS_PER_VDU,
            'selector': {'matchLabels': {'app': name}},
            'template': {'metadata': {'labels': labels}, 'spec': {
                'containers': [{'name': 'web', 'image': 'nginx:1.25'}]}}}
    if kind == 'StatefulSet':
        spec['serviceName'] = name
    return {'apiVersion': 'apps/v1', 'kind': kind,
            'metadata': {'name': name, 'labels': labels}, 'spec': spec}


def _owner_name(sim_obj):
    refs = sim_obj['metadata'].get('ownerReferences') or []
    return refs[0]['name'] if refs else None


def _cluster(conn, instances, namespaces):
    from tacker_k8s_sim import simulator
    sim = simulator.Simulator(token=TOKEN, nodes=2, seed=7)
    sim.start()
    for ns in range(namespaces):
        sim.create({'apiVersion': 'v1', 'kind': 'Namespace',
                    'metadata': {'name': 'bench-%d' % ns}})
    for index, instance_id in enumerate(instances):
        ns = 'bench-%d' % (index % namespaces)
        sim.create_many([_workload(kind, '%s-i%04d' % (name, index),
                                   instance_id)
                         for _vdu, kind, name in VDUS], namespace=ns)
    sim.wait_settled(timeout=600)
    conn.send((sim.url, _pods_by_workload(sim)))
    while True:
        command, arg = conn.recv()
        if command == 'replace':
            pods = sim.pods(running=True)
            for pod in random.Random(11).sample(pods, int(len(pods) * arg)):
                sim.kill_pod(pod['metadata']['namespace'],
                             pod['metadata']['name'])
            sim.wait_settled(timeout=600)
            conn.send(True)
        elif command == 'requests':
            conn.send(sim.request_count)
        else:
            sim.stop()
            conn.send(True)
            return


def _pods_by_workload(sim):
    rs_owner = {rs['metadata']['name']: _owner_name(rs)
                for rs in sim.list('replicasets')}
    found = {}
    for pod in sim.pods(running=True):
        owner = _owner_name(pod)
        owner = rs_owner.get(owner) or owner
        found.setdefault((pod['metadata']['namespace'], owner), []).append(
            pod['metadata']['name'])
    return found


# --- TackerDB -------------------------------------------------------------

def _bench_package(tmp):
    from tacker.vnfpkgm import build
    src = os.path.join(tmp, 'bench_cnf')
    shutil.copytree(build.SAMPLES_DIR / 'sample_cnf', src)
    flavour = os.path.join(src, 'Definitions', 'sample_cnf_df_simple.yaml')
    with open(flavour) as f:
        text = f.read()
    text = text.replace('max_number_of_instances: 3',
                        'max_number_of_instances: 5')
    text = text.replace('max_scale_level: 2', 'max_scale_level: 4')
    with open(flavour, 'w') as f:
        f.write(text)
    return build.build_csar_bytes(src)


def _populate_db(instances, namespaces, url, pods, package_zip):
    from tacker.db import api as db_api
    from tacker.db.models import v2 as v2_models
    from tacker.vnfpkgm import store as store_mod
    result = store_mod.PackageStore().onboard(str(uuid.uuid4()),
                                              package_zip,
                                              tenant_id='bench')
    vnfd = result.vnfd
    with db_api.writer_session() as session:
        for index, instance_id in enumerate(instances):
            ns = 'bench-%d' % (index % namespaces)
            vnfcs, infos, reses = [], [], {}
            for vdu_id, kind, name in VDUS:
                workload = '%s-i%04d' % (name, index)
                reses[vdu_id] = _workload(kind, workload, instance_id)
                for pod in sorted(pods[(ns, workload)]):
                    vnfcs.append({'id': pod, 'vduId': vdu_id,
                                  'metadata': {}, 'computeResource': {
                                      'resourceId': pod,
                                      'vimLevelResourceType': kind}})
                    infos.append({'id': '%s-%s' % (vdu_id, pod),
                                  'vduId': vdu_id,
                                  'vnfcResourceInfoId': pod,
                                  'vnfcState': 'STARTED'})
            session.add(v2_models.VnfInstanceV2(
                id=instance_id, vnfdId=vnfd.vnfd_id,
                vnfProvider=vnfd.provider,
                vnfProductName=vnfd.product_name,
                vnfSoftwareVersion=vnfd.software_version,
                vnfdVersion=vnfd.vnfd_version,
                instantiationState='INSTANTIATED',
                vimConnectionInfo={'vim1': {
                    'vimType': 'kubernetes',
                    'interfaceInfo': {'endpoint': url},
                    'accessInfo': {'bearer_token': TOKEN}}},
                instantiatedVnfInfo={
                    'flavourId': 'simple', 'vnfState': 'STARTED',
                    'scaleStatus': [
                        {'aspectId': a, 'scaleLevel': PODS_PER_VDU - 1}
                        for a in ('vdu1_aspect', 'vdu2_aspect',
                                  'vdu5_aspect')],
                    'vnfcResourceInfo': vnfcs, 'vnfcInfo': infos,
                    'metadata': {'namespace': ns, 'vdu_reses': reses}},
                metadata_={}))


class _Counter:
    """DB statements and rows written, from SQLAlchemy's engine events."""

    def __init__(self, engine):
        import sqlalchemy as sa
        self.statements = 0
        self.rows_written = 0
        sa.event.listen(engine, 'after_cursor_execute', self._after)

    def _after(self, conn, cursor, statement, params, context, many):
        self.statements += 1
        if statement.lstrip().upper().startswith(('UPDATE', 'INSERT',
                                                  'DELETE')):
            self.rows_written += max(cursor.rowcount, 0)

    def reset(self):
        self.statements = self.rows_written = 0


def _per_instance_engine():
    """Baseline: every instance observes its namespace on its own."""
    from tacker.dbsync import engine as engine_mod
    from tacker.vnfm.infra_drivers.kubernetes import observer
    import tacker.conf

    class PerInstanceEngine(engine_mod.SyncEngine):
        def _observe(self, found, full=True):
            return observer.Observation({}, {})

        def _sync_one(self, candidate, observation, dry_run):
            timeout = tacker.conf.CONF.database_sync \
                .kubernetes_request_timeout
            own = observer.observe({candidate.vim: {candidate.namespace}},
                                   self._clients, timeout=timeout,
                                   max_workers=1)
            return super()._sync_one(candidate, own, dry_run)

    return PerInstanceEngine()


def _measure(label, engine, conn, counter):
    conn.send(('requests', None))
    before = conn.recv()
    counter.reset()
    started = time.perf_counter()
    result = engine.run_pass()
    wall = time.perf_counter() - started
    conn.send(('requests', None))
    requests = conn.recv() - before
    counts = result.counts()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print('%-36s %6.2f s %7d k8s req %7d DB stmts %6d rows written '
          '%7.0f MiB peak RSS   %s' % (
              label, wall, requests, counter.statements,
              counter.rows_written, rss,
              ' '.join('%s=%d' % kv for kv in counts.items() if kv[1])))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--instances', type=int, default=1000)
    parser.add_argument('--namespaces', type=int, default=10)
    parser.add_argument('--drift', type=float, default=0.10)
    parser.add_argument('--db-url', default=None)
    args = parser.parse_args()

    from tacker.common import service_backend  # noqa: F401
    from tacker.common import config
    from tacker.db import api as db_api
    from tacker.db import migration
    from tacker.dbsync import engine as engine_mod
    import tacker.conf
    conf = tacker.conf.CONF

    tmp = tempfile.mkdtemp(prefix='dbsync-bench-')
    config.parse_args([], prog='dbsync-bench', setup_logging=False)
    conf.set_override('state_path', tmp)
    conf.set_override('connection', args.db_url or
                      'sqlite:///%s/bench.sqlite' % tmp, group='database')
    conf.set_override('settle_timeout', 0, group='database_sync')
    migration.upgrade('head')
    counter = _Counter(db_api.get_engine())

    instances = [str(uuid.uuid4()) for _ in range(args.instances)]
    ctx = multiprocessing.get_context('spawn')
    conn, child_conn = ctx.Pipe()
    child = ctx.Process(target=_cluster, args=(child_conn, instances,
                                               args.namespaces))
    started = time.perf_counter()
    child.start()
    url, pods = conn.recv()
    print('cluster: %d pods in %d namespaces, ready in %.1f s' % (
        sum(len(v) for v in pods.values()), args.namespaces,
        time.perf_counter() - started))
    _populate_db(instances, args.namespaces, url, pods, _bench_package(tmp))
    print('TackerDB: %d v2 instances (%s)' % (
        len(instances), db_api.get_engine().url.get_backend_name()))

    engine = engine_mod.SyncEngine()
    baseline = _per_instance_engine()
    try:
        # The baseline runs last: peak RSS only grows, so each row's RSS
        # is the most the process needed up to and including that pass.
        _measure('shared snapshot, no drift', engine, conn, counter)
        conn.send(('replace', args.drift))
        conn.recv()
        _measure('shared snapshot, %d%% replaced' % (args.drift * 100),
                 engine, conn, counter)
        _measure('shared snapshot, next pass', engine, conn, counter)
        _measure('baseline per-instance, no drift', baseline, conn, counter)
        conn.send(('replace', args.drift))
        conn.recv()
        _measure('baseline per-instance, %d%% replaced' % (
            args.drift * 100), baseline, conn, counter)
    finally:
        engine.close()
        baseline.close()
        conn.send(('stop', None))
        conn.recv()
        child.join(30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
