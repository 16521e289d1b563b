"""The v2 Kubernetes infra driver's side of the synchronization."""

import contextlib

from tacker.db import v2_repository as v2_repo
from tacker.vnfm.infra_drivers.kubernetes import sync
from tacker.vnfm.infra_drivers.kubernetes import v2_records


class KubernetesV2Driver:
    api_version = 'v2'

    def stored(self, candidate):
        return v2_records.stored_from_v2(
            candidate.instance_id, candidate.record.instantiated_vnf_info,
            candidate.targets)

    @contextlib.contextmanager
    def guard(self, candidate):
        # v2 has no task_state; the instance lock is the whole guard.
        yield

    def write(self, candidate, plan):
        new_info = v2_records.apply_plan_v2(
            candidate.record.instantiated_vnf_info, plan)
        v2_repo.update_instance(candidate.record,
                                instantiatedVnfInfo=new_info)

    def sync_db(self, candidate, snapshot, **kwargs):
        return sync.sync_db(candidate, snapshot, driver=self, **kwargs)
