#!/usr/bin/env bash
# Set up .venv (once) and run the whole test suite. Extra arguments go to
# pytest, e.g. ./tools/run-tests.sh tacker/tests/unit/db -x
# The tests against Tacker 16 itself use a side virtualenv, created once
# by tools/tacker16-venv.sh (kept outside the work tree, see there).
# Tests run in one worker per CPU (pytest-xdist); TEST_WORKERS=0 runs them
# in this process, e.g. to use a debugger.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/venv.sh
TACKER16_VENV=$(./tools/tacker16-venv.sh)
export TACKER16_VENV
echo "Running pytest (-n ${TEST_WORKERS:-auto}; the whole suite takes about 8 minutes on 2 cores) ..." >&2
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-auto}" "$@"
