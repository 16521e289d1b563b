"""VNF lifecycle management on Kubernetes, shared by the v1 and v2 APIs.

``begin`` (in tacker-server) checks and records an operation; ``runner``
(in tacker-conductor) runs it with ``operations``.  What differs between
v1 and v2 is asked of the instance's version adapter
(``tacker.versions``), which writes results as the synchronization reads
them.
"""
