"""Entry points of the Tacker processes.

oslo.service binds its implementation when its modules are first
imported, and its default is still eventlet.  Every process here runs on
the threading backend, so it is selected before anything else loads.
futurist imports eventlet (without patching anything) only to detect it;
its deprecation banner would greet operators on every command, so it is
silenced here.
"""

import warnings

warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

from oslo_service import backend  # noqa: E402  (after the filter)

backend.init_backend(backend.BackendType.THREADING)
