"""A Kubernetes API simulator: a test double, driven over HTTP.

This package is a test double, not part of the product.  ``Simulator``
serves the subset of the Kubernetes REST API this project uses, with
controllers that behave like Kubernetes' own.  Product code never
imports it: the product reaches it only through a VIM's endpoint URL
and bearer token, exactly as it reaches a real cluster, and it is never
used by the product against a real VIM.  Its users are the tests, the
sandbox demo (``tacker-sandbox``, which starts it in place of a
cluster) and the benchmarks.  It lives outside ``tacker/tests`` so that
those never import the product's tests; see
doc/source/contributor/k8s_simulator.rst.
"""

from tacker_k8s_sim.simulator import Simulator  # noqa: F401
