"""A Kubernetes API simulator for tests, driven over HTTP.

``Simulator`` serves the subset of the Kubernetes REST API this project
uses, with controllers that behave like Kubernetes' own.  Product code
reaches it only through a URL; see
doc/source/contributor/k8s_simulator.rst.
"""

from tacker.tests.k8s_sim.simulator import Simulator  # noqa: F401
