"""The logging guard (tacker/tests/logging_guard.py), in a pytest of its own.

Each case writes a small test module, runs pytest on it in a subprocess
with only the guard loaded, and reads the exit status and the report.
"""

import subprocess
import sys
import textwrap

# A handler left on a stream that is closed afterwards, as oslo.log's
# setup does with a capture stream; a later test then logs through it.
LEAKY = '''
    import io
    import logging

    def test_a_leaves_a_handler_on_a_stream_it_closes():
        stream = io.StringIO()
        logging.getLogger().addHandler(logging.StreamHandler(stream))
        stream.close()

    def test_b_logs_afterwards():
        logging.getLogger('later').warning('written after the leak')
'''

# The same handler, but failing inside the test that installed it.
FAILS_IN_TEST = '''
    import io
    import logging

    def test_logs_to_a_closed_stream():
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        logger = logging.getLogger('closed')
        logger.addHandler(handler)
        stream.close()
        try:
            logger.warning('nobody reads this')
        finally:
            logger.removeHandler(handler)
'''

CLEAN = '''
    import logging

    def test_logs_normally():
        logging.getLogger('fine').warning('a warning, written')
'''


def _pytest(tmp_path, source):
    (tmp_path / 'pytest.ini').write_text('[pytest]\n')
    (tmp_path / 'test_case.py').write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
         '-p', 'tacker.tests.logging_guard', '-c', str(tmp_path /
                                                       'pytest.ini'),
         '--rootdir', str(tmp_path), str(tmp_path / 'test_case.py')],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)


def test_a_handler_failing_in_a_test_fails_that_test(tmp_path):
    proc = _pytest(tmp_path, FAILS_IN_TEST)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'a logging handler failed ("--- Logging error ---")' in proc.stdout
    assert "could not write 'nobody reads this'" in proc.stdout
    assert 'I/O operation on closed file' in proc.stdout
    assert '1 passed, 1 error' in proc.stdout


def test_a_handler_left_behind_is_removed_after_its_test(tmp_path):
    # Without the hygiene, test_b's warning would hit the closed stream.
    proc = _pytest(tmp_path, LEAKY)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'Logging error' not in proc.stdout + proc.stderr
    assert '2 passed' in proc.stdout


def test_a_clean_run_passes(tmp_path):
    proc = _pytest(tmp_path, CLEAN)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '1 passed' in proc.stdout
