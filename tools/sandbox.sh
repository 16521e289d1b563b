#!/usr/bin/env bash
# Set up .venv (once: about 2 minutes, each step printed) and run the
# all-in-one sandbox demo (about 20 s more).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/venv.sh
echo "Starting tacker-sandbox (the demo takes about 20 s) ..." >&2
exec .venv/bin/tacker-sandbox "$@"
