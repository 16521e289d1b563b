"""``tacker-db-sync --daemon`` that writes down what each pass checked.

The synchronization-only conductor service (``ConductorService(lcm=False)``,
the service ``tacker-db-sync --daemon`` launches), unchanged but for two
observers that ``benchmarks/conductors.py`` reads:

* the partition remembers the members of the synchronization group it
  read for the pass (``SyncPartition.members``, called once per pass);
* after every pass, one JSON line is appended to ``--record FILE``: this
  member's id, the wall-clock start and end of the pass, the members it
  saw, and for every instance it checked the status and the wall-clock
  time its synchronization finished.

Nothing else differs from the product: the same timer, the same group,
the same hash ring, the same engine.

    python -m benchmarks.recording_conductor --record FILE \
        --config-file tacker.conf
"""

from tacker.common import service_backend  # noqa: F401  (must come first)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from oslo_service import service  # noqa: E402

from tacker.common import config  # noqa: E402
from tacker.common import coordination  # noqa: E402
from tacker.conductor import service as conductor_service  # noqa: E402
from tacker.dbsync import engine as engine_mod  # noqa: E402
import tacker.conf  # noqa: E402

CONF = tacker.conf.CONF


class RecordingPartition(coordination.SyncPartition):
    """The product's partition; keeps the members of the latest read."""

    seen = frozenset()

    def members(self):
        members = super().members()
        self.seen = frozenset(members)
        return members


class RecordingEngine(engine_mod.SyncEngine):
    """The product's engine; appends one JSON line per pass to a file."""

    def __init__(self, record_path, **kwargs):
        super().__init__(**kwargs)
        self._record_path = record_path
        self._record_lock = threading.Lock()
        self._finished_at = {}

    def _sync_one(self, candidate, observation, dry_run):
        result = super()._sync_one(candidate, observation, dry_run)
        self._finished_at[candidate.instance_id] = time.time()
        return result

    def run_pass(self, **kwargs):
        started = time.time()
        result = super().run_pass(**kwargs)
        ended = time.time()
        if result.overlapped:
            return result
        finished, self._finished_at = self._finished_at, {}
        partition = self.partition
        record = {
            'member': partition.member_id.decode() if partition else None,
            'pid': os.getpid(),
            'started': started, 'ended': ended,
            'duration': result.duration,
            'members': sorted(m.decode() for m in partition.seen)
            if partition else [],
            'not_owned': result.not_owned,
            'checked': {o.instance_id: [o.status,
                                        finished.get(o.instance_id, ended)]
                        for o in result.outcomes},
        }
        line = json.dumps(record, sort_keys=True) + '\n'
        with self._record_lock, open(self._record_path, 'a') as out:
            out.write(line)
            out.flush()
        return result


class RecordingService(conductor_service.ConductorService):
    """The synchronization-only service with the recording partition."""

    def _join_sync_group(self):
        # The service's own join, with a partition that also remembers
        # what it read (the backends this benchmark uses all have groups).
        self.engine.partition = RecordingPartition()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--record', required=True,
                        help='JSON-lines file to append pass records to')
    args, rest = parser.parse_known_args(argv)
    config.parse_args(rest, prog='recording-conductor')
    engine = RecordingEngine(args.record)
    sync_only = RecordingService(engine=engine, lcm=False)
    service.launch(CONF, sync_only, restart_method='mutate').wait()
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
