"""A service process caps glibc's malloc arenas before its threads start.

Eight threads allocate at the same time in a fresh interpreter, and
glibc's ``malloc_stats`` (on stderr) says how many arenas served them:
without the cap each thread gets one of its own.
"""

import os
import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != 'glibc',
                                reason='the cap is glibc\'s')

PROBE = '''
import ctypes, sys, threading
%s
barrier = threading.Barrier(8)
def work():
    kept = [bytearray(4096) for _ in range(50)]
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
ctypes.CDLL(None).malloc_stats()
'''


def _arenas(prelude, **env):
    answer = subprocess.run(
        [sys.executable, '-c', PROBE % prelude], capture_output=True,
        text=True, timeout=120, check=True,
        env={k: v for k, v in os.environ.items()
             if k != 'MALLOC_ARENA_MAX'} | env)
    return sum(1 for line in answer.stderr.splitlines()
               if line.startswith('Arena '))


def test_a_service_process_uses_at_most_two_arenas():
    assert _arenas('import tacker.common.service_backend') <= 2


def test_without_the_cap_the_threads_get_arenas_of_their_own():
    # What the cap changes (and that the probe can see it).
    assert _arenas('') > 2


def test_the_operators_malloc_arena_max_wins():
    assert _arenas('import tacker.common.service_backend',
                   MALLOC_ARENA_MAX='4') > 2
