"""Options: defaults, the deprecated Tacker name, and bad values."""

import subprocess
import sys

import pytest

import tacker.conf
from tacker.common import config


def _write(tmp_path, text):
    path = tmp_path / 'tacker.conf'
    path.write_text(text)
    return str(path)


def test_defaults(conf):
    sync = tacker.conf.CONF.database_sync
    assert (sync.interval, sync.initial_delay) == (300, 60)
    state = tacker.conf.CONF.state_path
    assert tacker.conf.CONF.coordination.backend_url == \
        'file://%s/locks' % state
    assert tacker.conf.CONF.database.connection == \
        'sqlite:///%s/tacker.sqlite' % state


def test_conductor_topic_defaults_to_ours_not_tackers(conf):
    topic = tacker.conf.CONF.conductor.topic
    assert topic == 'tacker_conductor'
    # Tacker 16's conductor would take (and drop) our casts.
    assert topic not in ('TACKER_CONDUCTOR', 'TACKER_CONDUCTOR_V2')


def test_api_server_defaults_take_a_burst(conf):
    assert tacker.conf.CONF.backlog == 4096
    assert tacker.conf.CONF.api_threads == 64


def test_old_tacker_option_name_still_sets_the_interval(tmp_path):
    path = _write(tmp_path,
                  '[DEFAULT]\ndb_synchronization_interval = 120\n')
    conf = _fresh_conf()
    config.parse_args(['--config-file', path], prog='test', conf=conf,
                      setup_logging=False)
    assert conf.database_sync.interval == 120


def test_new_name_wins_over_old_name(tmp_path):
    path = _write(tmp_path, '[DEFAULT]\ndb_synchronization_interval = 120\n'
                            '[database_sync]\ninterval = 30\n')
    conf = _fresh_conf()
    config.parse_args(['--config-file', path], prog='test', conf=conf,
                      setup_logging=False)
    assert conf.database_sync.interval == 30


def _fresh_conf():
    from oslo_config import cfg
    conf = cfg.ConfigOpts()
    tacker.conf.register_opts(conf)
    return conf


@pytest.mark.parametrize('value,reason', [
    ('-5', 'Should be greater than or equal to 0'),
    ('soon', "invalid literal for int() with base 10: 'soon'"),
])
def test_bad_interval_stops_start_up_with_one_line(tmp_path, value, reason):
    path = _write(tmp_path, '[DEFAULT]\nstate_path = %s\n'
                            '[database_sync]\ninterval = %s\n'
                  % (tmp_path, value))
    result = subprocess.run(
        [sys.executable, '-m', 'tacker.cmd.db_manage', '--config-file',
         path, 'current'], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        'tacker-db-manage: Invalid configuration: '
        '[database_sync] interval = %s: %s' % (value, reason)]
