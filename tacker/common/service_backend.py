"""Select oslo.service's threading backend before oslo.service loads.

oslo.service binds its implementation when its modules are first
imported, and its default is still eventlet.  Everything here runs on
threads, so every package that imports oslo.service's service or timer
modules imports this module first.  futurist imports eventlet (patching
nothing) only to detect it; its deprecation banner is silenced so that
operators do not see it on every command.
"""

import warnings

warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

from oslo_service import backend  # noqa: E402  (after the filter)

backend.init_backend(backend.BackendType.THREADING)
