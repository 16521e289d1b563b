"""make_server / serve_in_thread: the in-process server of tests and the
sandbox."""

import json
import urllib.error
import urllib.request

from tacker.api import server as server_mod
from tacker.tests.unit.api import fakes


def test_serve_in_thread_binds_an_ephemeral_port_and_stops(api_conf,
                                                           sqlite_db):
    srv = server_mod.serve_in_thread(auth_strategy='noauth',
                                     conductor=fakes.RecordingConductor())
    try:
        assert srv.port > 0
        assert srv.url == 'http://127.0.0.1:%d/' % srv.port
        with urllib.request.urlopen(srv.url + 'vnflcm/v1/vnf_instances',
                                    timeout=10) as resp:
            assert json.loads(resp.read()) == []
        try:
            urllib.request.urlopen(srv.url + 'nowhere', timeout=10)
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
            assert exc.headers['Content-Type'] == 'application/problem+json'
    finally:
        srv.stop()
    try:
        urllib.request.urlopen(srv.url + 'vnflcm/v1/vnf_instances',
                               timeout=2)
        raise AssertionError('still serving after stop()')
    except urllib.error.URLError:
        pass


def test_make_server_uses_bind_options(api_conf, sqlite_db):
    api_conf.config(bind_host='127.0.0.1', bind_port=0)
    srv = server_mod.make_server(auth_strategy='noauth')
    try:
        assert srv.port > 0
    finally:
        srv.stop()


def test_make_server_sizes_queue_and_pool_from_options(api_conf, sqlite_db):
    api_conf.config(backlog=123, api_threads=7)
    srv = server_mod.make_server(host='127.0.0.1', port=0,
                                 auth_strategy='noauth')
    try:
        assert (srv.backlog, srv.threads) == (123, 7)
    finally:
        srv.stop()
