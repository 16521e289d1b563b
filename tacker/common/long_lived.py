"""Keep the garbage collector off what a service keeps until it exits.

Before its first pass a conductor holds about 120,000 objects the cyclic
garbage collector tracks: its modules, classes, functions, options and
the clients it built.  None of them becomes garbage, yet every full
collection walks them all again.  The first pass of a conductor in watch
mode fills its caches and reads every record, which is allocation enough
for several full collections: on the project's benchmark (1,000
instances, 12,000 pods) they cost half a second of a 2.2 s pass.

``freeze()`` collects once, then moves whatever is alive into the
permanent generation, which collections do not scan (``gc.freeze``).
Frozen objects are still freed when their last reference goes; only a
reference cycle among them would outlive its use, and a service's
start-up objects form none that it drops.  It acts once per process:
the services call it when they start, after every import.
"""

import gc
import threading

_LOCK = threading.Lock()
_frozen = False


def freeze():
    """Freeze what is alive now, the first time in this process."""
    global _frozen
    with _LOCK:
        if _frozen:
            return False
        gc.collect()
        gc.freeze()
        _frozen = True
        return True
