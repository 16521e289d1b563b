"""The v1 Kubernetes infra driver's side of the synchronization."""

import contextlib

from tacker.common import exceptions
from tacker.db import v1_repository as v1_repo
from tacker.vnfm.infra_drivers.kubernetes import sync
from tacker.vnfm.infra_drivers.kubernetes import v1_records

DB_SYNCHRONIZING = 'DB_SYNCHRONIZING'


class KubernetesV1Driver:
    api_version = 'v1'

    def stored(self, candidate):
        info = candidate.record.instantiated
        return v1_records.stored_from_v1(
            candidate.instance_id,
            vnfc_resource_info=info.vnfc_resource_info,
            scale_status=info.scale_status, vdu_targets=candidate.targets)

    @contextlib.contextmanager
    def guard(self, candidate):
        """Hold ``task_state = DB_SYNCHRONIZING`` for the write.

        The claim succeeds only when task_state is NULL, in one UPDATE, so
        a v1 LCM request that set its own task_state first wins.  It runs
        under the instance lock, so a DB_SYNCHRONIZING found there was
        left by a synchronization that died and is taken over.
        """
        if not v1_repo.claim_task_state(candidate.instance_id,
                                        DB_SYNCHRONIZING, reclaim=True,
                                        instantiation_state='INSTANTIATED'):
            raise exceptions.LockHeld(id=candidate.instance_id)
        try:
            yield
        finally:
            v1_repo.release_task_state(candidate.instance_id,
                                       DB_SYNCHRONIZING)

    def write(self, candidate, plan):
        info = candidate.record.instantiated
        vnfcs, scale_status = v1_records.apply_plan_v1(
            info.vnfc_resource_info, info.scale_status, plan,
            vim_connection_id=candidate.vim.vim_id)
        v1_repo.update_instantiated_info(
            candidate.record, vnfc_resource_info=vnfcs,
            scale_status=scale_status)

    def sync_db(self, candidate, snapshot, **kwargs):
        return sync.sync_db(candidate, snapshot, driver=self, **kwargs)
