"""Benchmark several conductors sharing the instances, and one dying.

Starts K (``--conductors``, default 3) synchronization-only conductors,
each the service ``tacker-db-sync --daemon`` runs, in a process of its
own with a generated configuration file (``benchmarks.recording_conductor``:
the product's service, engine and ``SyncPartition``, which also append
one JSON line per pass saying which instances they checked, when, and
which group members they saw).  They share ``--instances`` (default
10,000) v2 instances of three VDUs with 4 pods each, built as
``benchmarks/dbsync_pass.py`` builds them: the Kubernetes simulator in a
child process, TackerDB filled by another, on PostgreSQL (``--db URL``,
default a database of its own on 127.0.0.1:5432, dropped at the end).
The coordination backend (``--backend``) is a private ``redis-server``
(or ``--redis-url`` for an existing one) or a private etcd reached
through its v3 gateway (``etcd3+http://``).

It measures, from the conductors' records:

``steady rounds``
    ``--rounds`` (2) passes of every conductor that saw all K members;
    the n-th such pass of each conductor makes round n.  Per round: how
    many instances each conductor checked and how long its pass took,
    and how many instances no conductor checked (missed) or more than
    one did (duplicated);
``kill -9``
    then one conductor's process group is killed.  For each of its
    instances: the time from the kill, and from its last check, until a
    survivor checked it, beside the bound ``membership_timeout +
    interval + the survivor's pass``; when each survivor first read a
    group without it; the coordination backend's requests in the
    steady rounds and in the takeover (Redis ``INFO commandstats`` or
    etcd's ``grpc_server_handled_total`` deltas: the whole server's,
    which is the conductors' alone on a private server);
``after rounds``
    ``--after-rounds`` (1) rounds of the survivors that saw only the
    survivors: missed, duplicated, and whether every instance has
    exactly one live owner.

Prints a table; ``--json`` prints one JSON object; ``--svg FILE``
draws the partition before and after the kill.  Asserts nothing about
time.  Every process, the database, the backend and its keys and the
temporary directory are removed at exit, Ctrl-C included.

    python -m benchmarks.conductors [--conductors 3] [--instances 10000]
        [--backend redis|etcd] [--interval 60] [--membership-timeout 10]
        [--db postgresql+psycopg2://...] [--json] [--svg FILE]
"""

import argparse
import json
import multiprocessing
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

from benchmarks import dbsync_pass
from benchmarks import soak_stack

ROOT = pathlib.Path(__file__).resolve().parents[1]
PG_ADMIN = 'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres'
PG_URL = 'postgresql+psycopg2://postgres@127.0.0.1:5432/%s'
# How often the benchmark reads the conductors' records, in seconds.
POLL = 0.5


class BenchError(Exception):
    """The run could not go on; the message says why."""


# --- the coordination backends -------------------------------------------

class PrivateRedis:
    """A ``redis-server`` of the run's own: its counts are ours alone."""

    kind = 'redis'

    def __init__(self, base, url=None):
        self.namespace = 'tacker-bench-%s' % uuid.uuid4().hex[:10]
        self.private = url is None
        self.port = soak_stack.free_port() if self.private else None
        self.server_url = url or 'redis://127.0.0.1:%d' % self.port
        self.process = None
        self.dir = pathlib.Path(base) / 'redis'
        # One connection for the counts: no HELLO of ours between them.
        self._counter = None

    def start(self):
        if self.private:
            self.dir.mkdir()
            self.process = soak_stack.Process('redis-server', [
                'redis-server', '--port', str(self.port),
                '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
                '--dir', str(self.dir)], self.dir / 'redis.log').start()
        deadline = time.monotonic() + 30
        while True:
            try:
                self._client().ping()
                return self
            except Exception as exc:  # noqa: retried until the deadline
                if time.monotonic() > deadline:
                    raise BenchError('Redis does not answer: %s' % exc)
                time.sleep(0.1)

    def _client(self):
        import redis
        return redis.Redis.from_url(self.server_url, socket_timeout=5)

    def tooz_url(self, membership_timeout):
        sep = '&' if '?' in self.server_url else '?'
        return ('%s%snamespace=%s&timeout=5&membership_timeout=%d'
                % (self.server_url, sep, self.namespace, membership_timeout))

    def describe(self):
        return ('private redis-server' if self.private
                else 'Redis %s (server-wide counts: other clients too)'
                % self.server_url.split('@')[-1])

    def counts(self):
        """Calls per command since the server started (not INFO's own)."""
        if self._counter is None:
            self._counter = self._client()
        stats = self._counter.info('commandstats')
        return {name[len('cmdstat_'):]: value['calls']
                for name, value in stats.items()
                if name != 'cmdstat_info'}

    def stop(self):
        if self._counter is not None:
            self._counter.close()
        try:
            client = self._client()
            try:
                keys = list(client.scan_iter(match=self.namespace + '*'))
                if keys:
                    client.delete(*keys)
            finally:
                client.close()
        except Exception:  # noqa: a private server goes away in any case
            if not self.private:
                raise
        if self.process is not None:
            self.process.stop()


class PrivateEtcd:
    """``benchmarks.etcd_server`` on free ports; its gRPC counters."""

    kind = 'etcd'

    def __init__(self, base):
        from benchmarks import etcd_server
        if not etcd_server.available():
            raise BenchError('etcd is not installed (Debian etcd-server)')
        self.server = etcd_server.EtcdServer(pathlib.Path(base) / 'etcd')

    def start(self):
        self.server.start()
        return self

    def tooz_url(self, membership_timeout):
        return '%s?timeout=5&membership_timeout=%d' % (
            self.server.url, membership_timeout)

    def describe(self):
        return 'private etcd (v3 gateway)'

    def counts(self):
        """gRPC calls per method the server handled since it started."""
        url = 'http://127.0.0.1:%d/metrics' % self.server.client_port
        with urllib.request.urlopen(url, timeout=10) as resp:
            text = resp.read().decode()
        found = {}
        for line in text.splitlines():
            if not line.startswith('grpc_server_handled_total{'):
                continue
            labels, value = line.rsplit(' ', 1)
            method = labels.split('grpc_method="', 1)[1].split('"', 1)[0]
            found[method] = found.get(method, 0) + int(float(value))
        return found

    def stop(self):
        self.server.stop()


def _delta(after, before):
    diff = {k: v - before.get(k, 0) for k, v in after.items()}
    return {k: v for k, v in sorted(diff.items()) if v}


# --- the database ----------------------------------------------------------

class Database:
    """``--db`` as given, or a PostgreSQL database of the run's own."""

    def __init__(self, url=None):
        self.own = url is None
        self.name = 'tacker_bench_%s' % uuid.uuid4().hex[:12]
        self.url = url or PG_URL % self.name
        self._admin = None

    def create(self):
        if not self.own:
            return
        import sqlalchemy as sa
        self._admin = sa.create_engine(PG_ADMIN, isolation_level='AUTOCOMMIT')
        with self._admin.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE %s' % self.name))

    def drop(self):
        if self._admin is None:
            return
        import sqlalchemy as sa
        with self._admin.connect() as conn:
            conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = '%s' AND pid <> pg_backend_pid()"
                % self.name))
            conn.execute(sa.text('DROP DATABASE IF EXISTS %s' % self.name))
        self._admin.dispose()
        self._admin = None

    def backend_name(self):
        return self.url.split(':', 1)[0].split('+', 1)[0]


# --- the conductors' records -----------------------------------------------

class Records:
    """One conductor's JSON-lines file, read as it grows."""

    def __init__(self, path):
        self.path = pathlib.Path(path)
        self.passes = []
        self._offset = 0

    def read(self):
        try:
            with open(self.path, 'rb') as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            return self.passes
        # A conductor killed while writing leaves a line without its end.
        complete = data[:data.rfind(b'\n') + 1]
        self._offset += len(complete)
        for line in complete.splitlines():
            self.passes.append(json.loads(line))
        return self.passes

    @property
    def member(self):
        return self.passes[0]['member'] if self.passes else None


def _passes_seeing(records, members, after=0.0):
    return [p for p in records.passes
            if set(p['members']) == members and p['started'] >= after]


def _round(passes_by_name, instances):
    """Counts and times of one round: the n-th pass of each conductor."""
    times_checked = dict.fromkeys(instances, 0)
    per = {}
    statuses = {}
    for name, record in sorted(passes_by_name.items()):
        checked = record['checked']
        per[name] = {'instances': len(checked), 'pass_s': record['duration']}
        for instance_id, (status, _at) in checked.items():
            times_checked[instance_id] = times_checked.get(instance_id, 0) + 1
            statuses[status] = statuses.get(status, 0) + 1
    return {'conductors': per, 'statuses': statuses,
            'missed': sum(1 for n in times_checked.values() if n == 0),
            'duplicated': sum(1 for n in times_checked.values() if n > 1)}


_percentile = dbsync_pass.percentile


# --- the run ---------------------------------------------------------------

class Run:
    """Everything one run starts; ``close()`` removes all of it."""

    def __init__(self, args):
        self.args = args
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix='tacker-cond-'))
        self.db = Database(args.db)
        if args.backend == 'etcd':
            self.backend = PrivateEtcd(self.dir)
        else:
            self.backend = PrivateRedis(self.dir, args.redis_url)
        self.instances = [str(uuid.uuid4()) for _ in range(args.instances)]
        self.cluster = None
        self.filler = None
        self.conductors = []  # (name, soak_stack.Process, Records)
        self.env = dict(os.environ, PYTHONPATH=str(ROOT))
        self._closed = False

    # -- setting up

    def _conf(self, name):
        path = self.dir / ('%s.conf' % name)
        soak_stack.write_conf(path, {
            # One state_path for all: the package the filler onboarded
            # is under it (vnf_package_csar_path's default).
            'DEFAULT': {'state_path': self.dir, 'host': 'bench-%s' % name,
                        'log_file': self.dir / ('%s.log' % name),
                        'use_stderr': False},
            'database': {'connection': self.db.url},
            'coordination': {'backend_url': self.backend.tooz_url(
                self.args.membership_timeout)},
            # Every pod is running, so no instance waits to settle; no
            # Tacker conductor shares this database.
            'database_sync': {'interval': self.args.interval,
                              'initial_delay': self.args.initial_delay,
                              'settle_timeout': 0,
                              'stale_claim_age': 0},
        })
        return path

    def _child(self, target, *args):
        process = multiprocessing.get_context('spawn').Process(
            target=target, args=args)
        process.start()
        return process

    def setup(self, say):
        started = time.monotonic()
        self.db.create()
        done = subprocess.run(
            [sys.executable, '-m', 'tacker.cmd.db_manage', '--config-file',
             str(self._conf('db-manage')), 'upgrade', 'head'],
            capture_output=True, text=True, env=self.env, timeout=300)
        if done.returncode != 0:
            raise BenchError('tacker-db-manage upgrade head failed: %s'
                             % done.stderr[-2000:])
        self.backend.start()
        self.cluster = dbsync_pass._Cluster(self.instances,
                                            self.args.namespaces)
        pods = sum(len(v) for v in self.cluster.pods.values())
        say('cluster: %d pods, ready after %.1f s'
            % (pods, time.monotonic() - started))
        self.filler = self._child(
            dbsync_pass._populate_db, self.db.url, str(self.dir),
            self.instances, self.args.namespaces, self.cluster.url,
            self.cluster.pods)
        self.filler.join()
        if self.filler.exitcode != 0:
            raise BenchError('filling TackerDB failed (exit %s)'
                             % self.filler.exitcode)
        self.filler = None
        say('TackerDB: %d instances, ready after %.1f s'
            % (len(self.instances), time.monotonic() - started))
        return pods

    def start_conductors(self):
        for index in range(self.args.conductors):
            name = 'c%d' % index
            record = self.dir / ('%s.jsonl' % name)
            process = soak_stack.Process(name, [
                sys.executable, '-m', 'benchmarks.recording_conductor',
                '--record', record, '--config-file', self._conf(name)],
                self.dir / ('%s.out' % name))
            with open(process.log_path, 'ab') as out:
                # soak_stack.Process.start, with the worktree's PYTHONPATH.
                process.proc = subprocess.Popen(
                    process.argv, stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True,
                    env=self.env, cwd=str(ROOT))
            self.conductors.append((name, process, Records(record)))

    # -- watching

    def read(self):
        for name, process, records in self.conductors:
            records.read()

    def wait(self, done, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            self.read()
            for name, process, _records in self.conductors:
                if name != getattr(self, 'victim', None) and \
                        not process.alive():
                    raise BenchError('conductor %s exited:\n%s'
                                     % (name, process.tail()))
            if done():
                return
            if time.monotonic() > deadline:
                raise BenchError('%s within %.0f s' % (what, timeout))
            time.sleep(POLL)

    # -- taking down

    def close(self):
        if self._closed:
            return
        self._closed = True
        for _name, process, _records in self.conductors:
            _quietly(process.stop)
        if self.filler is not None:
            _quietly(self.filler.terminate)
            _quietly(lambda: self.filler.join(10))
        if self.cluster is not None:
            _stop_cluster(self.cluster)
        _quietly(self.backend.stop)
        _quietly(self.db.drop)
        shutil.rmtree(self.dir, ignore_errors=True)


def _quietly(step):
    try:
        step()
    except Exception as exc:  # noqa: cleanup goes on with the next step
        sys.stderr.write('cleanup: %s: %s\n' % (type(exc).__name__, exc))


def _stop_cluster(cluster):
    child = cluster._child
    if child.is_alive():
        try:
            cluster._conn.send(('stop', None))
            if cluster._conn.poll(30):
                cluster._conn.recv()
        except (OSError, EOFError):
            pass
    child.join(10)
    if child.is_alive():
        child.kill()
        child.join(10)


def _measure(run, say):
    args = run.args
    names = [name for name, _p, _r in run.conductors]
    records = {name: r for name, _p, r in run.conductors}
    instances = set(run.instances)
    startup = args.initial_delay + args.interval * 3 + 180

    def members():
        return {records[n].member for n in names if records[n].member}

    def steady():
        everyone = members()
        if len(everyone) < len(names):
            return {n: [] for n in names}
        return {n: _passes_seeing(records[n], everyone) for n in names}

    def steady_rounds(count):
        return lambda: all(len(p) >= count for p in steady().values())

    run.wait(steady_rounds(1), startup, 'every conductor did not pass '
             'once in a group of all %d' % len(names))
    before_counts, before_at = run.backend.counts(), time.time()
    # The steady rounds are the ones after the traffic count began (on a
    # slow start, more than one round may already be done by then).
    first = {n: len(p) for n, p in steady().items()}
    run.wait(lambda: all(len(p) >= first[n] + args.rounds
                         for n, p in steady().items()),
             args.interval * (args.rounds + 2) + 120,
             'the steady rounds did not finish')
    everyone = members()
    rounds = [_round({n: steady()[n][first[n] + i] for n in names},
                     instances)
              for i in range(args.rounds)]
    for i, row in enumerate(rounds):
        say('steady round %d: %s' % (i + 1, _round_text(row)))

    # -- kill -9 the last conductor's process group
    victim = names[-1]
    run.victim = victim
    victim_member = records[victim].member
    kill_counts = run.backend.counts()
    killed_at = time.time()
    {n: p for n, p, _r in run.conductors}[victim].kill()
    records[victim].read()
    survivors = [n for n in names if n != victim]
    last_victim = _passes_seeing(records[victim], everyone)[-1]
    victim_instances = set(last_victim['checked'])
    last_check = {}
    for record in records[victim].passes:
        for instance_id, (_status, at) in record['checked'].items():
            last_check[instance_id] = at
    say('kill -9 %s (%d instances in its last pass)'
        % (victim, len(victim_instances)))

    def first_survivor_checks():
        found = {}
        for n in survivors:
            for record in records[n].passes:
                if record['ended'] < killed_at:
                    continue
                for instance_id, (_s, at) in record['checked'].items():
                    if instance_id in victim_instances and at > killed_at:
                        if at < found.get(instance_id, (float('inf'),))[0]:
                            found[instance_id] = (at, n)
        return found

    takeover_limit = args.membership_timeout + args.interval * 3 + 120
    try:
        run.wait(lambda: len(first_survivor_checks()) == len(
            victim_instances), takeover_limit,
            'the survivors did not take every instance over')
    except BenchError as exc:
        say(str(exc))
    taken = first_survivor_checks()
    taken_at = max((at for at, _n in taken.values()), default=killed_at)
    takeover_counts = run.backend.counts()
    took_over_by = {}
    for _at, n in taken.values():
        took_over_by[n] = took_over_by.get(n, 0) + 1

    alive = {records[n].member for n in survivors}
    run.wait(lambda: all(
        len(_passes_seeing(records[n], alive, killed_at)) >= args.after_rounds
        for n in survivors), args.interval * (args.after_rounds + 2) + 120,
        'the after rounds did not finish')
    end_counts, end_at = run.backend.counts(), time.time()
    after = [_round({n: _passes_seeing(records[n], alive, killed_at)[i]
                     for n in survivors}, instances)
             for i in range(args.after_rounds)]
    for i, row in enumerate(after):
        say('after round %d: %s' % (i + 1, _round_text(row)))
    owners = {}
    for n in survivors:
        last = _passes_seeing(records[n], alive, killed_at)[
            args.after_rounds - 1]
        for instance_id in last['checked']:
            owners.setdefault(instance_id, []).append(n)
    victim_after = [p for p in records[victim].passes
                    if p['started'] > killed_at]

    member_views = {}
    for n in survivors:
        passes = [p for p in records[n].passes if p['started'] >= killed_at]
        saw_dead = [p for p in passes if victim_member in p['members']]
        without = [p for p in passes if victim_member not in p['members']]
        member_views[n] = {
            'passes_still_seeing_dead': len(saw_dead),
            'last_seen_dead_s': saw_dead[-1]['started'] - killed_at
            if saw_dead else None,
            'first_seen_without_s': without[0]['started'] - killed_at
            if without else None}
    from_kill = sorted(at - killed_at for at, _n in taken.values())
    gaps = sorted(at - last_check[i] for i, (at, _n) in taken.items()
                  if i in last_check)
    survivor_pass = max((p['duration'] for n in survivors
                         for p in records[n].passes
                         if p['started'] >= killed_at), default=0.0)
    steady_window = _delta(kill_counts, before_counts)
    return {
        'rounds': rounds, 'after_rounds': after,
        'member_ids': {n: records[n].member for n in names},
        'kill': {
            'victim': victim, 'victim_instances': len(victim_instances),
            'taken_over': len(taken),
            'not_taken_over': len(victim_instances) - len(taken),
            'taken_over_by': took_over_by,
            'from_kill_p50_s': _percentile(from_kill, 50),
            'from_kill_max_s': from_kill[-1] if from_kill else None,
            'since_last_check_p50_s': _percentile(gaps, 50),
            'since_last_check_max_s': gaps[-1] if gaps else None,
            'bound_from_kill_s': args.membership_timeout + args.interval
            + survivor_pass,
            'bound_since_last_check_s': args.membership_timeout
            + 2 * args.interval + survivor_pass,
            'survivor_pass_max_s': survivor_pass,
            'membership_views': member_views,
            'victim_passes_after_kill': len(victim_after),
        },
        'owners_after': {
            'instances': len(instances),
            'exactly_one_live_owner': sum(
                1 for i in instances if len(owners.get(i, ())) == 1),
            'no_owner': sum(1 for i in instances if i not in owners),
            'several_owners': sum(1 for v in owners.values() if len(v) > 1),
            'owned_by_dead': len(victim_after),
        },
        'traffic': {
            'what': run.backend.describe(),
            'unit': 'Redis commands (INFO commandstats)'
            if run.backend.kind == 'redis'
            else 'etcd gRPC calls (grpc_server_handled_total)',
            'steady_window_s': killed_at - before_at,
            'steady_calls': steady_window,
            'steady_per_s': sum(steady_window.values())
            / max(killed_at - before_at, 1e-9),
            'takeover_window_s': taken_at - killed_at,
            'takeover_calls': _delta(takeover_counts, kill_counts),
            'takeover_per_s': sum(_delta(takeover_counts,
                                         kill_counts).values())
            / max(taken_at - killed_at, 1e-9),
            'after_window_s': end_at - taken_at,
            'after_calls': _delta(end_counts, takeover_counts),
        },
    }


def _round_text(row):
    parts = ['%s %d (%.2f s)' % (n, c['instances'], c['pass_s'])
             for n, c in sorted(row['conductors'].items())]
    return '%s; missed %d, duplicated %d; %s' % (
        ', '.join(parts), row['missed'], row['duplicated'],
        _calls_text(row['statuses']))


def _print_table(report):
    print('%(conductors)d conductors, %(instances)d instances (%(pods)d '
          'pods, %(namespaces)d namespaces), %(db)s, %(backend)s; '
          'interval %(interval_s)d s, membership_timeout '
          '%(membership_timeout_s)d s' % report)
    print('%-16s %-10s %10s %10s %8s %10s  %s' % (
        'round', 'conductor', 'instances', 'pass s', 'missed',
        'duplicated', 'outcomes'))
    for label, rows in (('steady', report['rounds']),
                        ('after kill', report['after_rounds'])):
        for i, row in enumerate(rows):
            first = True
            for name, c in sorted(row['conductors'].items()):
                print('%-16s %-10s %10d %10.2f %8s %10s  %s' % (
                    '%s %d' % (label, i + 1) if first else '', name,
                    c['instances'], c['pass_s'],
                    row['missed'] if first else '',
                    row['duplicated'] if first else '',
                    _calls_text(row['statuses']) if first else ''))
                first = False
    kill = report['kill']
    print('kill -9 %s: %d of its %d instances taken over (%s)' % (
        kill['victim'], kill['taken_over'], kill['victim_instances'],
        ', '.join('%s %d' % kv for kv in sorted(
            kill['taken_over_by'].items()))))
    if kill['from_kill_max_s'] is not None:
        print('  unsynchronized after the kill: p50 %.1f s, max %.1f s '
              '(bound: membership_timeout + interval + pass = %.1f s)'
              % (kill['from_kill_p50_s'], kill['from_kill_max_s'],
                 kill['bound_from_kill_s']))
        print('  since each instance\'s last check: p50 %.1f s, max %.1f s '
              '(bound: membership_timeout + 2 x interval + pass = %.1f s)'
              % (kill['since_last_check_p50_s'],
                 kill['since_last_check_max_s'],
                 kill['bound_since_last_check_s']))
    for name, view in sorted(kill['membership_views'].items()):
        print('  %s: %d passes still saw the dead member%s; first pass '
              'without it at +%s s' % (
                  name, view['passes_still_seeing_dead'],
                  ' (last at +%.1f s)' % view['last_seen_dead_s']
                  if view['last_seen_dead_s'] is not None else '',
                  '%.1f' % view['first_seen_without_s']
                  if view['first_seen_without_s'] is not None else '-'))
    owners = report['owners_after']
    print('after: %d of %d instances have exactly one live owner '
          '(%d none, %d several, %d passes of the dead one)' % (
              owners['exactly_one_live_owner'], owners['instances'],
              owners['no_owner'], owners['several_owners'],
              owners['owned_by_dead']))
    traffic = report['traffic']
    print('backend traffic, %s, %s:' % (traffic['unit'], traffic['what']))
    print('  steady:   %6.1f per s over %.0f s  %s' % (
        traffic['steady_per_s'], traffic['steady_window_s'],
        _calls_text(traffic['steady_calls'])))
    print('  takeover: %6.1f per s over %.0f s  %s' % (
        traffic['takeover_per_s'], traffic['takeover_window_s'],
        _calls_text(traffic['takeover_calls'])))


def _calls_text(calls):
    return ' '.join('%s=%d' % kv for kv in sorted(
        calls.items(), key=lambda kv: -kv[1]))


# --- the picture -----------------------------------------------------------

COLOURS = ('#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2',
           '#edc948', '#b07aa1', '#ff9da7')


def _svg(report):
    """Two bars: the instances of each conductor before and after."""
    width, left, bar_w, bar_h = 760, 110, 620, 46
    names = sorted(report['member_ids'])
    colour = {n: COLOURS[i % len(COLOURS)] for i, n in enumerate(names)}
    total = report['instances']
    before = report['rounds'][-1]['conductors']
    after = report['after_rounds'][-1]['conductors']
    kill = report['kill']
    victim = kill['victim']
    out = []

    def text(x, y, body, size=13, anchor='start', weight='normal',
             fill='#222'):
        out.append('<text x="%.1f" y="%.1f" font-size="%d" '
                   'text-anchor="%s" font-weight="%s" fill="%s">%s</text>'
                   % (x, y, size, anchor, weight, fill, _escape(body)))

    def rect(x, y, w, h, fill, extra=''):
        out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" '
                   'fill="%s" stroke="#fff" stroke-width="1"%s/>'
                   % (x, y, w, h, fill, extra))

    text(20, 28, '%d instances, %d conductors (%s); one killed with '
         'kill -9' % (total, len(names), report['backend']), 15,
         weight='bold')
    y = 60
    text(20, y + 28, 'before', 14, weight='bold')
    x = left
    for n in names:
        count = before[n]['instances']
        w = bar_w * count / total
        rect(x, y, w, bar_h, colour[n])
        text(x + w / 2, y + 20, n, 13, 'middle', 'bold', '#fff')
        text(x + w / 2, y + 37, '%d' % count, 12, 'middle', fill='#fff')
        if n == victim:
            text(x + w / 2, y + bar_h + 16, 'killed (kill -9)', 12,
                 'middle', fill='#b00')
        x += w
    y += bar_h + 70
    text(20, y + 28, 'after', 14, weight='bold')
    x = left
    for n in names:
        if n == victim:
            continue
        count = after[n]['instances']
        kept = count - kill['taken_over_by'].get(n, 0)
        w_kept = bar_w * kept / total
        w_new = bar_w * (count - kept) / total
        rect(x, y, w_kept, bar_h, colour[n])
        rect(x + w_kept, y, w_new, bar_h, colour[n],
             ' fill-opacity="0.55"')
        out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" '
                   'fill="url(#from-dead)"/>'
                   % (x + w_kept, y, w_new, bar_h))
        text(x + w_kept / 2, y + 20, n, 13, 'middle', 'bold', '#fff')
        text(x + w_kept / 2, y + 37, '%d' % kept, 12, 'middle',
             fill='#fff')
        text(x + w_kept + w_new / 2, y + 28, '+%d' % (count - kept), 12,
             'middle', 'bold')
        x += w_kept + w_new
    text(left, y - 14, 'hatched: %s\'s instances, taken over by the '
         'survivors' % victim, 12, fill='#444')
    y += bar_h + 34
    if kill['from_kill_max_s'] is not None:
        text(20, y, '%s\'s instances unchecked after the kill: p50 %.1f s,'
             ' max %.1f s' % (
                 victim, kill['from_kill_p50_s'], kill['from_kill_max_s']),
             12)
        y += 18
        text(20, y, '(bound: membership_timeout %d s + interval %d s + '
             'survivor\'s pass %.1f s = %.1f s)' % (
                 report['membership_timeout_s'], report['interval_s'],
                 kill['survivor_pass_max_s'], kill['bound_from_kill_s']),
             12, fill='#444')
        y += 22
    missed = sum(r['missed'] for r in report['rounds'] +
                 report['after_rounds'])
    duplicated = sum(r['duplicated'] for r in report['rounds'] +
                     report['after_rounds'])
    text(20, y, 'steady and after rounds: %d missed, %d duplicated' % (
        missed, duplicated), 12)
    height = y + 20
    head = ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d"'
            ' viewBox="0 0 %d %d" font-family="sans-serif">'
            '<defs><pattern id="from-dead" width="8" height="8" '
            'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            '<rect width="3" height="8" fill="%s"/></pattern></defs>'
            '<rect width="100%%" height="100%%" fill="#fff"/>'
            % (width, height, width, height, colour[victim]))
    return '\n'.join([head] + out + ['</svg>']) + '\n'


def _escape(body):
    return (body.replace('&', '&amp;').replace('<', '&lt;')
            .replace('>', '&gt;'))


# --- main ------------------------------------------------------------------

def _parser():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--conductors', type=int, default=3)
    parser.add_argument('--instances', type=int, default=10000)
    parser.add_argument('--namespaces', type=int, default=10)
    parser.add_argument('--backend', choices=('redis', 'etcd'),
                        default='redis')
    parser.add_argument('--redis-url', default=None,
                        help='an existing Redis server (default: a private '
                             'redis-server, so that its command counts '
                             'are the conductors\' alone)')
    parser.add_argument('--db', default=None,
                        help='SQLAlchemy URL of an empty database (default: '
                             'a new PostgreSQL database on 127.0.0.1:5432, '
                             'dropped at the end)')
    parser.add_argument('--interval', type=int, default=60,
                        help='[database_sync] interval, seconds')
    parser.add_argument('--initial-delay', type=int, default=10,
                        help='[database_sync] initial_delay, seconds')
    parser.add_argument('--membership-timeout', type=int, default=10,
                        help='seconds the backend keeps a member that '
                             'stopped heartbeating (tooz '
                             'membership_timeout in the backend URL)')
    parser.add_argument('--rounds', type=int, default=2,
                        help='steady rounds before the kill (>= 2 for a '
                             'steady traffic rate)')
    parser.add_argument('--after-rounds', type=int, default=1)
    parser.add_argument('--json', action='store_true')
    parser.add_argument('--save-json', default=None, metavar='FILE',
                        help='also write the JSON object to this file')
    parser.add_argument('--svg', default=None,
                        help='write the partition before and after the '
                             'kill to this SVG file')
    return parser


def _interrupted(signum, frame):
    raise KeyboardInterrupt('signal %d' % signum)


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.conductors < 2:
        raise SystemExit('--conductors must be at least 2 (one is killed)')
    if args.rounds < 1 or args.after_rounds < 1:
        raise SystemExit('--rounds and --after-rounds must be at least 1')

    def say(message):
        if not args.json:
            print(message, flush=True)

    # Also when started with SIGINT ignored (a background job): Ctrl-C or
    # SIGINT, like SIGTERM, must reach the cleanup below.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupted)
    started = time.monotonic()
    run = Run(args)
    try:
        pods = run.setup(say)
        run.start_conductors()
        measured = _measure(run, say)
    except KeyboardInterrupt:
        sys.stderr.write('interrupted; removing what the run made\n')
        run.close()
        return 130
    except BenchError as exc:
        sys.stderr.write('benchmark failed: %s\n' % exc)
        run.close()
        return 1
    finally:
        run.close()
    report = {
        'conductors': args.conductors, 'instances': args.instances,
        'pods': pods, 'namespaces': args.namespaces,
        'db': run.db.backend_name(), 'backend': args.backend,
        'interval_s': args.interval,
        'membership_timeout_s': args.membership_timeout,
        'wall_s': time.monotonic() - started,
    }
    report.update(measured)
    if args.svg:
        pathlib.Path(args.svg).write_text(_svg(report))
    if args.save_json:
        pathlib.Path(args.save_json).write_text(
            json.dumps(report, sort_keys=True, indent=1) + '\n')
    if args.json:
        print(json.dumps(report, sort_keys=True))
    else:
        _print_table(report)
        print('wall time %.0f s' % report['wall_s'])
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
