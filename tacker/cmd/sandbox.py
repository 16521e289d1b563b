"""tacker-sandbox: the all-in-one demo of the TackerDB synchronization.

One process runs tacker-server, tacker-conductor and the Kubernetes
simulator on embedded defaults (SQLite, in-process messaging, file
locks) in a fresh state directory, then shows Kubernetes healing and
scaling pods behind Tacker's back and the conductor writing the truth
back into TackerDB.  Exit status: 0 when every expectation holds, 1
when one does not, 2 on a bad argument, 130 when interrupted.
``--keep-running`` leaves everything up until Ctrl-C.
"""

import argparse
import logging as std_logging
import os
import pathlib
import signal
import socket
import sys
import threading
import time

from oslo_log import log as logging

from tacker.common import config
from tacker.sandbox import api_client
from tacker.sandbox import demo as demo_mod
from tacker.sandbox import render
from tacker.sandbox import stack as stack_mod
from tacker.sandbox import state as state_mod
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

PROG = 'tacker-sandbox'
DEFAULT_STATE_DIR = '.sandbox-state'
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
# Seconds the in-process pieces get to stop once the ports are free.
STOP_TIMEOUT = 0.25
# Seconds after which a stop that still has not ended ends the process.
STOP_DEADLINE = 15


#: Allowed values of the numeric options: (lowest, highest).
SYNC_INTERVAL_RANGE = (3, 300)
PORT_RANGE = (0, 65535)


def _ranged(option, lowest, highest, what):
    """An argparse ``type`` for an integer option within a range.

    argparse turns the error into ``tacker-sandbox: error: argument
    OPTION: ...`` and exit status 2.
    """
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not lowest <= value <= highest:
            raise argparse.ArgumentTypeError(
                '%s must be an integer from %d to %d (%s), not %r'
                % (option, lowest, highest, what, text))
        return value
    return parse


def _state_dir(text):
    if not text.strip():
        raise argparse.ArgumentTypeError(
            '--state-dir must name a directory, not an empty string')
    return pathlib.Path(text)


def _parser():
    parser = argparse.ArgumentParser(
        prog=PROG, description=(
            'Run tacker-server, tacker-conductor and a simulated '
            'Kubernetes cluster in this process, and show the conductor '
            'keeping TackerDB true to Kubernetes.'))
    parser.add_argument(
        '--state-dir', default=DEFAULT_STATE_DIR, type=_state_dir,
        help='Directory for the database, locks, packages and log; '
             'wiped at start (default: %(default)s).')
    parser.add_argument(
        '--port', type=_ranged('--port', *PORT_RANGE,
                               '0 for a free port'), default=0,
        help='TCP port of tacker-server on 127.0.0.1, 0-65535 (default: '
             '0, a free one).')
    parser.add_argument(
        '--sync-interval', type=_ranged('--sync-interval',
                                        *SYNC_INTERVAL_RANGE, 'seconds'),
        default=5, metavar='SECONDS',
        help='[database_sync] interval of the conductor, %d-%d seconds: '
             'the demo reads the stale API view between two passes '
             '(default: %%(default)s).' % SYNC_INTERVAL_RANGE)
    parser.add_argument(
        '--metrics-port', type=_ranged('--metrics-port', *PORT_RANGE,
                                       '0 for a free port'), default=0,
        help='TCP port of the conductor\'s Prometheus metrics (/metrics) '
             'on 127.0.0.1, 0-65535 (default: 0, a free one).')
    parser.add_argument(
        '--keep-running', action='store_true',
        help='After the demo, leave everything running and print what to '
             'try, until Ctrl-C.')
    return parser


def _parse(argv):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.port and args.port == args.metrics_port:
        parser.error('--port and --metrics-port must differ (both %d)'
                     % args.port)
    return args


class _Stop(Exception):
    """SIGTERM (or SIGINT while kept running): stop cleanly."""


def _raise_stop(signum, _frame):
    raise _Stop(signal.Signals(signum).name)


def _free_port():
    # The conductor binds it a moment later; 0 would mean "no metrics".
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _openstack():
    beside = os.path.join(os.path.dirname(sys.executable), 'openstack')
    return beside if os.path.exists(beside) else 'openstack'


def _keep_running(stack, demo, printer):
    # Before "Press Ctrl-C" is printed: a Ctrl-C right after it stops too.
    signal.signal(signal.SIGINT, _raise_stop)
    printer.heading('Sandbox running')
    printer.detail(render.try_it_lines(
        api_url=stack.server.url, sim_url=stack.sim.url,
        instances={v: (i.id, i.namespace)
                   for v, i in demo.instances.items()},
        token_file=stack.token_file, log_file=stack.log_file,
        openstack=_openstack(), metrics_url=stack.metrics_url,
        kubeconfig=stack.write_kubeconfig(), ca_file=stack.ca_file))
    # Short waits: a Ctrl-C the kernel handed to another of the process's
    # threads runs its handler only once the main thread wakes up.
    forever = threading.Event()
    while not forever.wait(0.5):
        pass


def _run_demo(demo, stack, printer, started):
    """Run the demo and print its summary; returns the exit status."""
    try:
        passed = demo.run()
    except (demo_mod.DemoError, api_client.ApiError) as exc:
        printer.write('FAILED: %s' % exc)
        passed = False
    except (KeyboardInterrupt, _Stop):
        raise
    except Exception as exc:  # noqa: report; the traceback goes to the log
        LOG.exception('tacker-sandbox failed')
        printer.write('FAILED: unexpected %s: %s (traceback in %s)'
                      % (type(exc).__name__, exc, stack.log_file))
        passed = False
    demo.summary(time.monotonic() - started)
    return EXIT_OK if passed else EXIT_FAILED


def main(argv=None):
    """Run the sandbox; the process ends here once the sandbox ran.

    The exit status is returned only when nothing was started (a bad
    argument or state directory, Ctrl-C at once); after a run,
    ``_exit_now`` ends the process with it.
    """
    argv = sys.argv[1:] if argv is None else argv
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl-C before the stack existed (or after it stopped).
        return EXIT_INTERRUPTED


def _main(argv):
    args = _parse(argv)
    try:
        state_dir = state_mod.prepare(args.state_dir)
    except (state_mod.StateDirError, OSError) as exc:
        sys.stderr.write('%s: %s\n' % (PROG, exc))
        return EXIT_USAGE
    settings = stack_mod.Settings(
        state_dir=state_dir, port=args.port,
        sync_interval=args.sync_interval,
        metrics_port=args.metrics_port or _free_port())
    # Embedded defaults only: no /etc/tacker/tacker.conf is read.
    config.parse_args([], prog=PROG, default_config_files=[],
                      setup_logging=False)
    stack_mod.configure(settings)
    logging.setup(CONF, 'tacker')

    printer = render.Printer()
    stack = stack_mod.Stack(settings)
    demo = demo_mod.Demo(stack, printer)
    started = time.monotonic()
    previous_term = signal.signal(signal.SIGTERM, _raise_stop)
    code = None
    try:
        code = _run_demo(demo, stack, printer, started)
        if args.keep_running and stack.server is not None:
            _keep_running(stack, demo, printer)
    except (KeyboardInterrupt, _Stop):
        # Interrupted during the demo: 130; once it is over (kept
        # running), the demo's own result.
        printer.write()
        printer.write('Stopping the sandbox ...')
        if code is None:
            code = EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        # Whatever happens while stopping, the process ends in time.
        watchdog = threading.Timer(
            STOP_DEADLINE, _exit_stuck,
            args=(EXIT_INTERRUPTED if code is None else code,))
        watchdog.daemon = True
        watchdog.start()
        try:
            if not stack.stop(timeout=STOP_TIMEOUT):
                LOG.info('tacker-conductor was still stopping after %ss; '
                         'the exit ends it.', STOP_TIMEOUT)
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, previous_term or signal.SIG_DFL)
    printer.write('Stopped.')
    _exit_now(code)


def _exit_stuck(code):
    """The stop did not end within STOP_DEADLINE: end the process anyway."""
    try:
        os.write(2, ('%s: stopping took more than %d s; exiting without '
                     'waiting for the rest.\n' % (PROG, STOP_DEADLINE))
                 .encode())
    finally:
        os._exit(code)


def _exit_now(code):
    """End the process: every piece is stopped, or stops with it.

    A normal interpreter exit would now join the libraries' idle worker
    threads (futurist's pool polls once a second) and tear down every
    loaded module, a second or more after "Stopped."; everything the
    sandbox keeps is already written to its state directory.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    std_logging.shutdown()
    os._exit(code)


if __name__ == '__main__':
    sys.exit(main())
