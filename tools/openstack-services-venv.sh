#!/usr/bin/env bash
# Create (once) a side virtualenv holding OpenStack Keystone and Barbican,
# which tacker/tests/openstack_services.py starts as real services for the
# key manager tests.  It lives outside the work tree so that it survives
# fresh clones on the same machine:
#     ${OPENSTACK_SERVICES_VENV:-$HOME/.cache/tacker-k8s-sync/openstack-services-venv}
# Progress goes to stderr; stdout carries only the path of the venv.
set -euo pipefail
PYTHON=${PYTHON:-python3}
venv=${OPENSTACK_SERVICES_VENV:-$HOME/.cache/tacker-k8s-sync/openstack-services-venv}
want="keystone==30.0.0 barbican==23.0.0 castellan==5.8.0 python-barbicanclient==7.6.0 keystonemiddleware==13.0.1 gunicorn==27.0.1"
stamp="$venv/.openstack-services-installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$venv"
    exit 0
fi
# Concurrent callers (pytest-xdist workers) wait for one installation.
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
if command -v flock >/dev/null; then
    flock 9
fi
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$venv"
    exit 0
fi
echo "Installing Keystone and Barbican into $venv (once) ..." >&2
rm -rf "$venv"
"$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip >&2
# shellcheck disable=SC2086
"$venv/bin/python" -m pip install -q $want >&2
"$venv/bin/python" -m pip check >&2
echo "$want" > "$stamp"
echo "$venv"
