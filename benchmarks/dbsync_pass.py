"""Benchmark the synchronization pass, side by side with Tacker's shape.

Builds N v2 instances (default 1,000) of three VDUs (a Deployment, a
StatefulSet and a ReplicaSet) with 4 pods each, spread over 10
namespaces, in the Kubernetes simulator and in TackerDB (SQLite by
default, or ``--db``).  The simulator and the filling of TackerDB run in
child processes, so the peak RSS printed is the synchronization's own.
Then measures, in one run:

``no drift, cold``
    the first pass of a new engine (new clients, nothing cached);
``no drift, warm``
    the next pass of the same engine;
``drift``
    a pass after ``--drift`` (10 %) of the pods were replaced;
``raw floor``
    one LIST of the pods of every namespace, read as JSON and nothing
    else: the least any pass over this cluster can ask of it;
``Tacker shape``
    what Tacker 16's v2 synchronization asks per instance when nothing
    drifted: a new ``ApiClient`` and one ``CoreV1Api.list_namespaced_pod``
    of the instance's namespace, deserialized into the client's models.
    ``--tacker-sample K`` times K instances and scales the time to N (the
    cost is per instance by construction); by default every instance;
``staleness``
    with the watch on (``[database_sync] watch`` and its defaults),
    ``--staleness-pods`` (100) pods replaced at once over all namespaces:
    for every replacement, the time from the kill to its name being in
    TackerDB (polled every 50 ms while the cluster replaces them); p50
    and p99.

``--watch`` runs the cold, warm and drift passes in watch mode: the
engine's observer serves each namespace from its watch-fed cache
(``informer``); the cold pass starts the caches and waits for their
first LIST, the warm pass should ask the cluster nothing, and the drift
pass runs once the caches are quiet again.

``--latency-ms`` makes the simulator wait that long before every answer,
to model a real API server's round trip.  Prints a table; ``--json``
prints one JSON object instead.  Asserts nothing about time.

    python -m benchmarks.dbsync_pass [--instances 1000] [--namespaces 10]
        [--db mysql+pymysql://root@127.0.0.1/bench] [--drift 0.1]
        [--latency-ms 20] [--tacker-sample 100] [--staleness-pods 100]
        [--watch] [--max-concurrent-lists 4] [--json]
"""

import argparse
import json
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
import uuid

PODS_PER_VDU = 4
VDUS = (('VDU1', 'Deployment', 'vdu1'), ('VDU2', 'StatefulSet', 'vdu2'),
        ('VDU5', 'ReplicaSet', 'vdu5'))
TOKEN = 'bench-token'


def _namespace(index, namespaces):
    return 'bench-%d' % (index % namespaces)


def _workload_name(name, index):
    return '%s-i%04d' % (name, index)


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


def _spread(pods, count, rng):
    """``count`` pods taken round-robin over their namespaces.

    Only pods a ReplicaSet owns (a Deployment's or a bare ReplicaSet's):
    their replacements get new names, a StatefulSet's keep theirs.
    """
    by_ns = {}
    for pod in pods:
        refs = pod['metadata'].get('ownerReferences') or []
        if not refs or refs[0].get('kind') != 'ReplicaSet':
            continue
        by_ns.setdefault(pod['metadata']['namespace'], []).append(pod)
    for group in by_ns.values():
        rng.shuffle(group)
    chosen, groups = [], [by_ns[ns] for ns in sorted(by_ns)]
    while len(chosen) < count and any(groups):
        for group in groups:
            if group and len(chosen) < count:
                chosen.append(group.pop())
    return chosen


def _cluster(conn, instances, namespaces):
    from tacker_k8s_sim import simulator
    sim = simulator.Simulator(token=TOKEN, nodes=2, seed=7)
    sim.start()
    for ns in range(namespaces):
        sim.create({'apiVersion': 'v1', 'kind': 'Namespace',
                    'metadata': {'name': _namespace(ns, namespaces)}})
    for index, instance_id in enumerate(instances):
        sim.create_many([_workload(kind, _workload_name(name, index),
                                   instance_id)
                         for _vdu, kind, name in VDUS],
                        namespace=_namespace(index, namespaces))
    sim.wait_settled(timeout=600)
    conn.send((sim.url, _pods_by_workload(sim)))
    rng = random.Random(11)
    while True:
        command, arg = conn.recv()
        if command == 'replace':
            pods = sim.pods(running=True)
            for pod in rng.sample(pods, int(len(pods) * arg)):
                sim.kill_pod(pod['metadata']['namespace'],
                             pod['metadata']['name'])
            sim.wait_settled(timeout=600)
            conn.send(True)
        elif command == 'replace_spread':
            before = _pods_by_workload(sim)
            chosen = _spread(sim.pods(running=True), arg, rng)
            owners = {}
            for key, names in before.items():
                for name in names:
                    owners[(key[0], name)] = key
            # First which workloads lose a pod, so that the parent
            # watches TackerDB while the cluster replaces them.
            conn.send((time.time(), sorted({owners[(
                p['metadata']['namespace'], p['metadata']['name'])]
                for p in chosen})))
            for pod in chosen:
                sim.kill_pod(pod['metadata']['namespace'],
                             pod['metadata']['name'])
            sim.wait_settled(timeout=600)
            after = _pods_by_workload(sim)
            new = {key: sorted(set(names) - set(before.get(key, ())))
                   for key, names in after.items()}
            conn.send({k: v for k, v in new.items() if v})
        elif command == 'latency':
            sim.reset_faults()
            if arg:
                sim.inject_latency(arg / 1000.0)
            conn.send(True)
        elif command == 'requests':
            conn.send(sim.request_count)
        else:
            sim.stop()
            conn.send(True)
            return


# --- TackerDB -------------------------------------------------------------

def _configure(db_url, state_path):
    from tacker.common import service_backend  # noqa: F401
    from tacker.common import config
    import tacker.conf
    conf = tacker.conf.CONF
    config.parse_args([], prog='dbsync-bench', setup_logging=False)
    conf.set_override('state_path', state_path)
    conf.set_override('connection', db_url, group='database')
    return conf


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


def _populate_db(db_url, tmp, instances, namespaces, url, pods):
    """Fill TackerDB (in a child process: its memory is not the pass's)."""
    _configure(db_url, tmp)
    from tacker.db import api as db_api
    from tacker.db import migration
    from tacker.db.models import v2 as v2_models
    # Here, not in the measured process: a conductor runs no migration.
    migration.upgrade('head')
    from tacker.vnfpkgm import store as store_mod
    result = store_mod.PackageStore().onboard(
        str(uuid.uuid4()), _bench_package(tmp), tenant_id='bench')
    vnfd = result.vnfd
    with db_api.writer_session() as session:
        for index, instance_id in enumerate(instances):
            ns = _namespace(index, namespaces)
            vnfcs, infos, reses = [], [], {}
            for vdu_id, kind, name in VDUS:
                workload = _workload_name(name, index)
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


class _Cluster:
    """The child process that runs the simulator."""

    def __init__(self, instances, namespaces):
        ctx = multiprocessing.get_context('spawn')
        self._conn, child_conn = ctx.Pipe()
        self._child = ctx.Process(target=_cluster, args=(
            child_conn, instances, namespaces))
        self._child.start()
        self.url, self.pods = self._conn.recv()

    def ask(self, command, arg=None):
        return self.send(command, arg)

    def send(self, command, arg=None):
        """Send a command; its first answer."""
        self._conn.send((command, arg))
        return self._conn.recv()

    def poll(self, timeout=0):
        """A further answer if one came within ``timeout`` s, else None."""
        return self._conn.recv() if self._conn.poll(timeout) else None

    def stop(self):
        try:
            self.ask('stop')
        finally:
            self._child.join(30)


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _measure(engine, cluster, counter):
    before = cluster.ask('requests')
    counter.reset()
    started = time.perf_counter()
    result = engine.run_pass()
    wall = time.perf_counter() - started
    return {'s': wall, 'k8s_requests': cluster.ask('requests') - before,
            'db_statements': counter.statements,
            'rows_written': counter.rows_written,
            'counts': {k: v for k, v in result.counts().items() if v}}


def _informers_ready(manager, timeout=300, quiet=1.0):
    """Wait until every cache is synced and no event came for ``quiet``."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        caches = [manager.informers.get(*pair)
                  for pair in manager.informers.watched()]
        state = tuple(sum(kind.changes for kind in cache.kinds)
                      for cache in caches if cache is not None)
        synced = caches and all(c is not None and c.synced for c in caches)
        if state != last or not synced:
            last, since = state, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return True
        time.sleep(0.05)
    return False


def _client_configuration(url):
    from kubernetes import client as k8s_client
    configuration = k8s_client.Configuration()
    configuration.host = url
    configuration.api_key = {'authorization': 'Bearer ' + TOKEN}
    configuration.verify_ssl = False
    return configuration


def _raw_floor(cluster, namespaces):
    """One raw LIST of pods per namespace, parsed as JSON."""
    from kubernetes import client as k8s_client
    from tacker.vnfm.infra_drivers.kubernetes import observer
    before = cluster.ask('requests')
    started = time.perf_counter()
    with k8s_client.ApiClient(_client_configuration(cluster.url)) as api:
        pods = 0
        for ns in range(namespaces):
            answer = observer.get_namespaced(
                api, '/api/v1', 'pods', _namespace(ns, namespaces),
                timeout=None)
            pods += len(json.loads(answer.data)['items'])
    return {'s': time.perf_counter() - started, 'pods': pods,
            'k8s_requests': cluster.ask('requests') - before}


def _tacker_shape(cluster, instances, namespaces, sample):
    """Per instance: a new ApiClient and a model-deserialized pod LIST."""
    from kubernetes import client as k8s_client
    chosen = random.Random(5).sample(range(len(instances)),
                                     min(sample, len(instances)))
    configuration = _client_configuration(cluster.url)
    before = cluster.ask('requests')
    started = time.perf_counter()
    for index in chosen:
        with k8s_client.ApiClient(configuration) as api:
            pods = k8s_client.CoreV1Api(api).list_namespaced_pod(
                namespace=_namespace(index, namespaces)).items
            # Tacker keeps the running pods whose names match a workload.
            [p for p in pods if p.status.phase == 'Running']
    measured = time.perf_counter() - started
    per_instance = measured / max(len(chosen), 1)
    return {'s': per_instance * len(instances), 'measured_s': measured,
            'sample': len(chosen), 'per_instance_s': per_instance,
            'k8s_requests': cluster.ask('requests') - before}


def _stored_pods(instance_ids):
    from tacker import versions
    reader = versions.get('v2').instances
    found = {}
    for record in reader.list_instances(ids=instance_ids):
        info = record.instantiated_vnf_info or {}
        found[record.id] = {
            (entry.get('computeResource') or {}).get('resourceId')
            for entry in info.get('vnfcResourceInfo') or ()}
    return found


def _staleness(engine, cluster, conf, instance_of, count, timeout=120):
    """Seconds from a batch of pod kills to each new name in TackerDB."""
    from tacker.vnfm.infra_drivers.kubernetes import watcher
    conf.clear_override('settle_timeout', group='database_sync')
    manager = watcher.WatchManager(engine)
    try:
        manager.ensure(engine.last_wanted)
        # Every watch lists first and asks for a pass: wait for it.
        deadline = time.monotonic() + timeout
        while manager.passes < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        # ... and for every namespace's first sync to be passed: the kill
        # comes after a second without any event-driven pass running or
        # ending.
        quiet = max(1.0, 2 * conf.database_sync.watch_debounce + 0.5)
        last, since = manager.passes, time.monotonic()
        while time.monotonic() - since < quiet and \
                time.monotonic() < deadline:
            time.sleep(0.05)
            if manager.passes != last or engine.busy:
                last, since = manager.passes, time.monotonic()
        killed_at, keys = cluster.send('replace_spread', count)
        touched = sorted({instance_of[key] for key in keys})
        # When each (instance, pod name) was first in TackerDB; the new
        # names are known only once the cluster has settled.
        first_seen, new = {}, None
        while time.time() - killed_at < timeout:
            now = time.time()
            for instance_id, names in _stored_pods(touched).items():
                for name in names:
                    first_seen.setdefault((instance_id, name), now)
            if new is None:
                new = cluster.poll()
            if new is not None and all(
                    (instance_of[key], name) in first_seen
                    for key, names in new.items() for name in names):
                break
            time.sleep(0.05)  # the poll shares the process with the sync
        if new is None:
            new = cluster.poll(timeout)
        seen_after, missing = [], 0
        for key, names in new.items():
            for name in names:
                seen = first_seen.get((instance_of[key], name))
                if seen is None:
                    missing += 1
                else:
                    seen_after.append(seen - killed_at)
    finally:
        manager.stop()
    seen_after.sort()
    return {'replaced': len(seen_after) + missing, 'missing': missing,
            'p50_s': percentile(seen_after, 50),
            'p99_s': percentile(seen_after, 99)}


def percentile(values, pct):
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method='inclusive')[pct - 1]


def _report(args, backend, pods, rows):
    cold, warm, drift = rows['cold'], rows['warm'], rows['drift']
    tacker, raw, stale = rows['tacker'], rows['raw'], rows['staleness']
    return {
        'instances': args.instances, 'namespaces': args.namespaces,
        'watch': args.watch,
        'pods': pods, 'db': backend, 'latency_ms': args.latency_ms,
        'cold_pass_s': cold['s'],
        'cold_k8s_requests': cold['k8s_requests'],
        'no_drift_pass_s': warm['s'],
        'no_drift_k8s_requests': warm['k8s_requests'],
        'no_drift_db_statements': warm['db_statements'],
        'no_drift_rows_written': warm['rows_written'],
        'drift_fraction': args.drift,
        'drift_pass_s': drift['s'],
        'drift_k8s_requests': drift['k8s_requests'],
        'drift_rows_written': drift['rows_written'],
        'drift_changed': drift['counts'].get('changed', 0),
        'tacker_shape_pass_s': tacker['s'],
        'tacker_shape_sample': tacker['sample'],
        'tacker_shape_k8s_requests': tacker['k8s_requests'],
        'tacker_shape_per_instance_s': tacker['per_instance_s'],
        'speedup_vs_tacker_shape': tacker['s'] / warm['s']
        if warm['s'] else None,
        'raw_floor_s': raw['s'],
        'raw_floor_k8s_requests': raw['k8s_requests'],
        'rss_mb': rows['rss_mb'],
        'staleness_replaced': stale['replaced'],
        'staleness_missing': stale['missing'],
        'staleness_p50_s': stale['p50_s'],
        'staleness_p99_s': stale['p99_s'],
    }


def _print_table(report, rows):
    def line(label, row, extra=''):
        print('%-34s %8.3f s %7d k8s req %7s DB stmts %7s rows written  %s'
              % (label, row['s'], row['k8s_requests'],
                 row.get('db_statements', '-'),
                 row.get('rows_written', '-'), extra))

    print('%d instances, %d pods in %d namespaces, %s, +%d ms per '
          'request%s' % (report['instances'], report['pods'],
                         report['namespaces'], report['db'],
                         report['latency_ms'],
                         ', passes read watch-fed caches' if report['watch']
                         else ''))
    line('no drift, cold', rows['cold'])
    line('no drift, warm', rows['warm'])
    line('drift (%d%% of pods replaced)' % (report['drift_fraction'] * 100),
         rows['drift'], ' '.join('%s=%d' % kv
                                 for kv in rows['drift']['counts'].items()))
    line('raw floor (1 LIST per namespace)', rows['raw'])
    tacker = rows['tacker']
    line('Tacker shape', tacker,
         '(%d of %d instances timed: %.1f ms each, scaled)' % (
             tacker['sample'], report['instances'],
             tacker['per_instance_s'] * 1000))
    print('peak RSS of the synchronization: %.0f MiB' % report['rss_mb'])
    if report['speedup_vs_tacker_shape']:
        print('warm no-drift pass vs Tacker shape: %.0fx faster'
              % report['speedup_vs_tacker_shape'])
    if report['staleness_p50_s'] is None:
        print('staleness: no replacement reached TackerDB')
    else:
        print('staleness, %d pods replaced at once: p50 %.2f s, p99 %.2f s'
              '%s' % (report['staleness_replaced'],
                      report['staleness_p50_s'], report['staleness_p99_s'],
                      ', %d never seen' % report['staleness_missing']
                      if report['staleness_missing'] else ''))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--instances', type=int, default=1000)
    parser.add_argument('--namespaces', type=int, default=10)
    parser.add_argument('--drift', type=float, default=0.10)
    parser.add_argument('--db', '--db-url', dest='db', default=None,
                        help='SQLAlchemy URL of an empty database '
                             '(default: SQLite in a temp dir)')
    parser.add_argument('--latency-ms', type=int, default=0)
    parser.add_argument('--tacker-sample', type=int, default=None,
                        help='instances timed for the Tacker shape '
                             '(default: all)')
    parser.add_argument('--staleness-pods', type=int, default=100)
    parser.add_argument('--max-concurrent-lists', type=int, default=None,
                        help='[database_sync] max_concurrent_lists '
                             '(default: the option\'s default)')
    parser.add_argument('--watch', action='store_true',
                        help='run the passes with the watch-fed caches')
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix='dbsync-bench-')
    db_url = args.db or 'sqlite:///%s/bench.sqlite' % tmp
    conf = _configure(db_url, tmp)
    from tacker.common import long_lived
    from tacker.db import api as db_api
    from tacker.dbsync import engine as engine_mod
    conf.set_override('settle_timeout', 0, group='database_sync')
    if args.max_concurrent_lists is not None:
        conf.set_override('max_concurrent_lists', args.max_concurrent_lists,
                          group='database_sync')
    backend = db_api.get_engine().url.get_backend_name()

    instances = [str(uuid.uuid4()) for _ in range(args.instances)]
    started = time.perf_counter()
    cluster = _Cluster(instances, args.namespaces)
    pods = sum(len(v) for v in cluster.pods.values())
    engine = None
    try:
        if not args.json:
            print('cluster: %d pods, ready in %.1f s' % (
                pods, time.perf_counter() - started))
        filler = multiprocessing.get_context('spawn').Process(
            target=_populate_db, args=(db_url, tmp, instances,
                                       args.namespaces, cluster.url,
                                       cluster.pods))
        filler.start()
        filler.join()
        # The filler's alone: not the measured process's memory.
        cluster.pods = None
        if filler.exitcode != 0:
            raise SystemExit('filling TackerDB failed (exit %s)'
                             % filler.exitcode)
        counter = _Counter(db_api.get_engine())
        cluster.ask('latency', args.latency_ms)
        engine = engine_mod.SyncEngine()
        # As tacker-conductor does when it starts.
        engine.connect_locks().join()
        manager = None
        if args.watch:
            from tacker.vnfm.infra_drivers.kubernetes import watcher
            # A debounce longer than the run: only the measured passes.
            manager = watcher.WatchManager(engine, debounce=3600)
        # As the service does once it has started.
        long_lived.freeze()
        rows = {'cold': _measure(engine, cluster, counter)}
        if manager is not None:
            manager.ensure(engine.last_wanted)
            if not _informers_ready(manager):
                raise SystemExit('the watch-fed caches did not sync')
        rows['warm'] = _measure(engine, cluster, counter)
        cluster.ask('replace', args.drift)
        if manager is not None and not _informers_ready(manager):
            raise SystemExit('the watch-fed caches did not settle')
        rows['drift'] = _measure(engine, cluster, counter)
        if manager is not None:
            manager.stop()
        rows['rss_mb'] = _peak_rss_mb()
        rows['raw'] = _raw_floor(cluster, args.namespaces)
        instance_of = {}
        for index, instance_id in enumerate(instances):
            for _vdu, _kind, name in VDUS:
                instance_of[(_namespace(index, args.namespaces),
                             _workload_name(name, index))] = instance_id
        rows['staleness'] = _staleness(engine, cluster, conf, instance_of,
                                       args.staleness_pods)
        # Last: the client's models are the biggest thing held here.
        rows['tacker'] = _tacker_shape(
            cluster, instances, args.namespaces,
            args.instances if args.tacker_sample is None
            else args.tacker_sample)
    finally:
        if engine is not None:
            engine.close()
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    report = _report(args, backend, pods, rows)
    report['max_concurrent_lists'] = conf.database_sync.max_concurrent_lists
    if args.json:
        print(json.dumps(report, sort_keys=True))
    else:
        _print_table(report, rows)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
