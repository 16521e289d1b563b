"""What a conductor process loads before it does anything.

Each module below costs every conductor memory and nothing uses it: the
generated Kubernetes API classes (about 25 MiB with the models they
import; the synchronization and the LCM send their requests through the
``ApiClient`` itself) and eventlet (about 20 MiB; everything runs on
threads).  A fresh interpreter imports what ``tacker-conductor`` imports
and names what it found.
"""

import json
import subprocess
import sys

UNWANTED = ('eventlet', 'kubernetes.client.api.core_v1_api',
            'kubernetes.client.api.apps_v1_api')

PROBE = '''
import json, sys
import tacker.cmd.conductor
from tacker.vnfm.infra_drivers.kubernetes import watcher  # noqa: F401
from tacker.dbsync import engine  # noqa: F401
print(json.dumps({name: sys.modules.get(name) is not None
                  for name in %r}))
''' % (UNWANTED,)


def test_a_conductor_loads_neither_eventlet_nor_the_generated_api_classes():
    answer = subprocess.run([sys.executable, '-c', PROBE],
                            capture_output=True, text=True, timeout=120,
                            check=True)
    loaded = json.loads(answer.stdout.strip().splitlines()[-1])
    assert loaded == {name: False for name in UNWANTED}
