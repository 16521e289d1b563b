#!/usr/bin/env bash
# Create (once) the side virtualenv holding OpenStack Tacker 16.0.0, the
# reference the interoperability tests run against.  It lives outside the
# work tree so that it survives fresh clones on the same machine:
#     ${TACKER16_VENV:-$HOME/.cache/tacker-k8s-sync/tacker16-venv}
# Its package is also named "tacker": never put our tree on its sys.path.
set -euo pipefail
PYTHON=${PYTHON:-python3}
venv=${TACKER16_VENV:-$HOME/.cache/tacker-k8s-sync/tacker16-venv}
want="tacker==16.0.0 PyMySQL psycopg2-binary"
stamp="$venv/.tacker16-installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$venv"
    exit 0
fi
echo "Installing Tacker 16.0.0 into $venv (once, about 80 s) ..." >&2
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip >&2
# shellcheck disable=SC2086
"$venv/bin/python" -m pip install -q $want >&2
echo "$want" > "$stamp"
echo "$venv"
