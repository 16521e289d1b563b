"""Run the simulator standalone until SIGINT or SIGTERM.

    python -m tacker_k8s_sim --host 127.0.0.1 --port 6443 \
        [--token TOKEN] [--nodes N] [--tls-dir DIR] [--kubeconfig PATH]
"""

import argparse
import logging
import os
import signal
import sys
import threading

from tacker_k8s_sim import simulator
from tacker_k8s_sim import tls


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
    parser.add_argument("--tls-dir", default=None,
                        help="serve HTTPS with a throw-away CA and "
                        "certificate written to this directory (ca.crt, "
                        "server.crt, server.key)")
    parser.add_argument("--kubeconfig", default=None,
                        help="write a kubeconfig for kubectl to this path "
                        "(with --token, kubectl needs --tls-dir: it sends "
                        "a token over TLS only)")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose
                        else logging.WARNING)
    ca_file = None
    certificate = None
    if args.tls_dir:
        os.makedirs(args.tls_dir, exist_ok=True)
        cert, key, ca_pem = tls.make_certificates(args.tls_dir, args.host)
        ca_file = os.path.join(args.tls_dir, "ca.crt")
        with open(ca_file, "w") as handle:
            handle.write(ca_pem)
        certificate = (cert, key)
    sim = simulator.Simulator(
        token=args.token, nodes=args.nodes,
        pod_start_delay=args.pod_start_delay,
        deletion_grace=args.deletion_grace,
        history_window=args.history_window, host=args.host,
        port=args.port, seed=args.seed, tls=certificate)
    done = threading.Event()

    def _stop(signum, frame):
        done.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    sim.start()
    print("k8s simulator serving at %s" % sim.url, flush=True)
    if args.kubeconfig:
        sim.write_kubeconfig(args.kubeconfig, ca_file=ca_file)
        print("export KUBECONFIG=%s" % os.path.abspath(args.kubeconfig),
              flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
