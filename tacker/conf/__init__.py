"""Configuration options, one module per option group.

``CONF`` is the process-wide oslo.config object; importing this package
registers every option on it, so any module can read ``CONF.<group>.<opt>``.
"""

from oslo_config import cfg

from tacker.conf import conductor
from tacker.conf import coordination
from tacker.conf import credentials
from tacker.conf import database
from tacker.conf import database_sync
from tacker.conf import default
from tacker.conf import vnf_package
from tacker.conf import vnflcm

CONF = cfg.CONF

_MODULES = (default, database, database_sync, coordination, vnf_package,
            vnflcm, conductor, credentials)


def register_opts(conf):
    for module in _MODULES:
        module.register_opts(conf)


register_opts(CONF)
