#!/usr/bin/env bash
# Set up .venv (once) and run the all-in-one sandbox demo.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/venv.sh
exec .venv/bin/tacker-sandbox "$@"
