#!/usr/bin/env bash
# Set up .venv (once) and run the whole test suite. Extra arguments go to
# pytest, e.g. ./tools/run-tests.sh tacker/tests/unit/db -x
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/venv.sh
exec .venv/bin/python -m pytest "$@"
