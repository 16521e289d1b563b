"""Fixtures for the simulator's own tests: clients bound to k8s_sim."""

import pytest
from kubernetes import client


@pytest.fixture
def api_client(k8s_sim):
    with k8s_sim.api_client() as api:
        yield api


@pytest.fixture
def core(api_client):
    return client.CoreV1Api(api_client)


@pytest.fixture
def apps(api_client):
    return client.AppsV1Api(api_client)
