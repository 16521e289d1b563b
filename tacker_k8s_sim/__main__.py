"""Run the simulator standalone until SIGINT or SIGTERM.

    python -m tacker_k8s_sim --host 127.0.0.1 --port 6443 \
        [--token TOKEN] [--nodes N]
"""

import argparse
import logging
import signal
import sys
import threading

from tacker_k8s_sim import simulator


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m tacker_k8s_sim",
        description="Serve a simulated Kubernetes API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0,
                        help="TCP port; 0 picks a free one (printed)")
    parser.add_argument("--token", default=None,
                        help="require 'Authorization: Bearer TOKEN'")
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--pod-start-delay", type=float, default=0.0,
                        help="seconds a new pod stays Pending")
    parser.add_argument("--deletion-grace", type=float, default=0.0,
                        help="default pod deletion grace, in seconds")
    parser.add_argument("--history-window", type=int, default=50000,
                        help="watch events kept for resuming")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose
                        else logging.WARNING)
    sim = simulator.Simulator(
        token=args.token, nodes=args.nodes,
        pod_start_delay=args.pod_start_delay,
        deletion_grace=args.deletion_grace,
        history_window=args.history_window, host=args.host,
        port=args.port, seed=args.seed)
    done = threading.Event()

    def _stop(signum, frame):
        done.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    sim.start()
    print("k8s simulator serving at %s" % sim.url, flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
