"""Select oslo.service's threading backend before oslo.service loads.

oslo.service binds its implementation when its modules are first
imported, and its default is still eventlet.  Everything here runs on
threads, so every package that imports oslo.service's service or timer
modules imports this module first.

Nothing here runs on eventlet, yet futurist and oslo.concurrency import
it to find out whether it is in use, which costs every process about
20 MiB of memory.  It is marked absent, so those probes find nothing
(where something imported it already, it is left alone); its
deprecation banner is silenced too, for whatever still imports it.

Being the first import of every service, it also caps glibc's malloc
arenas before any thread starts (see ``malloc_arenas``).
"""

import sys
import warnings

sys.modules.setdefault('eventlet', None)
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

from oslo_service import backend  # noqa: E402  (after the filter)

from tacker.common import malloc_arenas  # noqa: E402

malloc_arenas.limit()

backend.init_backend(backend.BackendType.THREADING)
