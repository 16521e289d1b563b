"""A service freezes its start-up objects once, and no garbage with them.

Each case runs in a fresh interpreter: freezing is once per process.
"""

import json
import subprocess
import sys

PROBE = '''
import gc, json, weakref
from tacker.common import long_lived

class Node:
    pass

# Garbage that only the cyclic collector can free, made before the freeze.
a, b = Node(), Node()
a.other, b.other = b, a
gone = weakref.ref(a)
del a, b
kept = Node()
gc.disable()  # only the freeze itself may collect
first = long_lived.freeze()
frozen = gc.get_freeze_count()
second = long_lived.freeze()
print(json.dumps({
    'first': first, 'second': second, 'frozen': frozen,
    'again': gc.get_freeze_count(),
    'garbage_collected': gone() is None,
    'kept_not_scanned': not any(o is kept for o in gc.get_objects()),
}))
'''


def test_freeze_moves_the_live_objects_out_of_the_collectors_sight():
    answer = subprocess.run([sys.executable, '-c', PROBE],
                            capture_output=True, text=True, timeout=120,
                            check=True)
    found = json.loads(answer.stdout.strip().splitlines()[-1])
    assert found['first'] is True and found['second'] is False
    assert found['frozen'] > 1000 and found['again'] == found['frozen']
    assert found['garbage_collected']
    assert found['kept_not_scanned']
