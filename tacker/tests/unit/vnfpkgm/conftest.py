"""Fixtures of the VNF package tests: sample zips built once per session."""

import pytest

from tacker.tests.unit.vnfpkgm import packages
from tacker.vnfpkgm import build
from tacker.vnfpkgm import vnfd


@pytest.fixture(scope="session")
def sample_zips(tmp_path_factory):
    """Sample name -> path of its freshly built CSAR zip."""
    out = tmp_path_factory.mktemp("csars")
    paths = build.build_all(out, samples_dir=packages.SAMPLES)
    return {p.rsplit("/", 1)[-1][:-len(".zip")]: p for p in paths}


@pytest.fixture(scope="session")
def sample_cnf_zip(sample_zips):
    with open(sample_zips["sample_cnf"], "rb") as f:
        return f.read()


@pytest.fixture(autouse=True)
def _fresh_vnfd_cache():
    vnfd.CACHE.clear()
    yield
    vnfd.CACHE.clear()
