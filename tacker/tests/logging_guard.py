"""A pytest plugin: no test leaves a logging handler behind, and none fails.

Two things, both for every test of the run:

* Hygiene.  A test that runs a command's ``main()`` in-process (``capsys``
  tests of ``tacker-db-sync``) lets oslo.log replace the root logger's
  handlers with a ``StreamHandler`` on the ``sys.stderr`` of that moment,
  which is pytest's capture stream, closed when the test ends.  The root
  logger's handlers and level are put back after each test, and the
  handlers the test added are closed, so nothing a later test (or a
  thread, or the interpreter's exit) logs goes to a closed stream.
* The guard.  ``logging.Handler.handleError`` (what prints ``--- Logging
  error ---``) is wrapped for the run: a handler that fails during a test
  fails that test, and one that fails outside any test fails the run.
  logging's own report is still printed, for the traceback.

The root ``conftest.py`` loads it; its test runs it in a pytest of its own
(``tacker/tests/unit/test_logging_guard.py``).
"""

import logging
import sys

import pytest

_ORIGINAL_HANDLE_ERROR = logging.Handler.handleError
#: (where, handler repr, message, exception text), in order.
_FAILURES = []
_CURRENT = {'test': None}


def _handle_error(self, record):
    exc = sys.exc_info()[1]
    try:
        message = record.getMessage()
    except Exception:  # noqa: the record itself may be what is broken
        message = repr(record.msg)
    _FAILURES.append((_CURRENT['test'], repr(self), message,
                      '%s: %s' % (type(exc).__name__, exc)))
    _ORIGINAL_HANDLE_ERROR(self, record)


def _describe(failures):
    return '\n'.join('  %s: %s could not write %r (%s)'
                     % (where or 'outside any test', handler, message, exc)
                     for where, handler, message, exc in failures)


def pytest_configure(config):
    logging.Handler.handleError = _handle_error


def pytest_unconfigure(config):
    logging.Handler.handleError = _ORIGINAL_HANDLE_ERROR


@pytest.fixture(autouse=True)
def _logging_hygiene(request):
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    seen = len(_FAILURES)
    _CURRENT['test'] = request.node.nodeid
    yield
    added = [h for h in root.handlers if h not in handlers]
    root.handlers[:] = handlers
    root.setLevel(level)
    for handler in added:
        handler.close()
    _CURRENT['test'] = None
    failed = _FAILURES[seen:]
    if failed:
        pytest.fail('a logging handler failed ("--- Logging error ---"):\n'
                    + _describe(failed), pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    outside = [f for f in _FAILURES if f[0] is None]
    if outside:
        session.config.get_terminal_writer().line(
            'FAILED: a logging handler failed outside the tests:\n'
            + _describe(outside), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
