"""The state names Tacker stores, in one place.

Instances, op occs and v1's ``task_state`` carry these strings in
TackerDB; Tacker's own processes read and write the same ones, so they
are spelled exactly as Tacker spells them.
"""

# --- an instance's instantiation state
NOT_INSTANTIATED = 'NOT_INSTANTIATED'
INSTANTIATED = 'INSTANTIATED'
INSTANTIATION_STATES = (NOT_INSTANTIATED, INSTANTIATED)

# --- the LCM operations this slice runs
INSTANTIATE = 'INSTANTIATE'
SCALE = 'SCALE'
HEAL = 'HEAL'
TERMINATE = 'TERMINATE'
#: v2 only (Tacker has no v1 change_vnfpkg): a rolling update to the
#: manifests of another VNF package.
CHANGE_VNFPKG = 'CHANGE_VNFPKG'
#: SOL003 "Modify VNF information" (PATCH of an instance).
MODIFY_INFO = 'MODIFY_INFO'
OPERATIONS = (INSTANTIATE, SCALE, HEAL, TERMINATE, CHANGE_VNFPKG, MODIFY_INFO)
#: The operations of each API version.
V1_OPERATIONS = (INSTANTIATE, SCALE, HEAL, TERMINATE, MODIFY_INFO)

#: The instantiation state each operation starts from (None: either).
REQUIRED_STATE = {INSTANTIATE: NOT_INSTANTIATED, SCALE: INSTANTIATED,
                  HEAL: INSTANTIATED, TERMINATE: INSTANTIATED,
                  CHANGE_VNFPKG: INSTANTIATED, MODIFY_INFO: None}

# --- an op occ's operation state (SOL003)
STARTING = 'STARTING'
PROCESSING = 'PROCESSING'
COMPLETED = 'COMPLETED'
FAILED_TEMP = 'FAILED_TEMP'
FAILED = 'FAILED'
ROLLING_BACK = 'ROLLING_BACK'
ROLLED_BACK = 'ROLLED_BACK'
OPERATION_STATES = (STARTING, PROCESSING, COMPLETED, FAILED_TEMP, FAILED,
                    ROLLING_BACK, ROLLED_BACK)

#: States in which an op occ is still running: no other operation, and
#: no synchronization, may touch its instance.
IN_PROGRESS = (STARTING, PROCESSING, ROLLING_BACK)

# --- v1's vnf_instances.task_state
#: Held by the synchronization while it writes a v1 instance.
DB_SYNCHRONIZING = 'DB_SYNCHRONIZING'
#: Held by each v1 LCM operation from its start to its end.  A modify
#: holds none, as in Tacker: it only rewrites the instance's own columns.
TASK_STATES = {INSTANTIATE: 'INSTANTIATING', SCALE: 'SCALING',
               HEAL: 'HEALING', TERMINATE: 'TERMINATING'}
