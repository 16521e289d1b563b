"""VNF lifecycle management on Kubernetes, shared by the v1 and v2 APIs.

``begin`` (in tacker-server) checks and records an operation; ``runner``
(in tacker-conductor) runs it with ``operations``, whose record adapters
``v1_ops`` / ``v2_ops`` write results as the synchronization reads them.
"""
