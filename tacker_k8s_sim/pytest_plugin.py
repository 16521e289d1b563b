"""pytest fixture ``k8s_sim``: a fresh, started Simulator per test.

Register with ``pytest_plugins = ["tacker_k8s_sim.pytest_plugin"]``.
Options can be changed per test with the ``k8s_sim_options`` marker::

    @pytest.mark.k8s_sim_options(token="secret", deletion_grace=0.5)
    def test_x(k8s_sim): ...
"""

import pytest

from tacker_k8s_sim import simulator


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "k8s_sim_options(**kwargs): Simulator arguments for "
        "the k8s_sim fixture")


@pytest.fixture
def k8s_sim(request):
    marker = request.node.get_closest_marker("k8s_sim_options")
    kwargs = dict(marker.kwargs) if marker else {}
    sim = simulator.Simulator(**kwargs)
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()
