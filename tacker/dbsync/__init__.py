"""The TackerDB <-> Kubernetes synchronization pass.

``engine.SyncEngine.run_pass`` is the one entry point: the conductor's
periodic timer, ``tacker-db-sync`` and the tests all call it.
"""
