"""Entry point of oslo-config-generator for the 'tacker' namespace."""

from tacker.conf import conductor
from tacker.conf import coordination
from tacker.conf import credentials
from tacker.conf import database_sync
from tacker.conf import default
from tacker.conf import vnf_package
from tacker.conf import vnflcm

_MODULES = (default, database_sync, coordination, vnf_package, vnflcm,
            conductor, credentials)


def list_opts():
    groups = {}
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            groups.setdefault(group, []).extend(opts)
    return list(groups.items())
