"""Real Keystone and Barbican for the key manager tests.

``openstack_services`` runs ``tools/openstack-services-venv.sh`` once per
session (it creates, the first time only, the side virtualenv holding
both services and prints its path) and yields a started
:class:`tacker.tests.openstack_services.OpenStackServices`.  When that
virtualenv cannot be created the tests skip, and fail under ``CI=true``.
"""

import pathlib
import subprocess

import pytest

from tacker.tests import db_backends
from tacker.tests.openstack_services import OpenStackServices

REPO = pathlib.Path(__file__).resolve().parents[4]
VENV_SCRIPT = REPO / 'tools' / 'openstack-services-venv.sh'


def _unavailable(message):
    if db_backends.in_ci():
        pytest.fail('CI=true but ' + message, pytrace=False)
    pytest.skip(message)


def _services_venv():
    try:
        done = subprocess.run(
            [str(VENV_SCRIPT)], capture_output=True, text=True,
            stdin=subprocess.DEVNULL, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _unavailable('%s could not run: %s' % (VENV_SCRIPT, exc))
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        _unavailable(
            'the Keystone/Barbican virtualenv could not be created '
            '(%s exited with %s):\n%s'
            % (VENV_SCRIPT, done.returncode, done.stderr[-3000:]))
    venv = pathlib.Path(lines[-1])
    if not (venv / 'bin' / 'gunicorn').exists():
        _unavailable('%s printed %s, which holds no bin/gunicorn'
                     % (VENV_SCRIPT, venv))
    return venv


@pytest.fixture(scope='session')
def openstack_services(tmp_path_factory):
    venv = _services_venv()
    work_dir = tmp_path_factory.mktemp('openstack-services')
    with OpenStackServices(venv, work_dir) as services:
        yield services
