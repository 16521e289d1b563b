"""Benchmark the Kubernetes simulator through the official client.

Creates 20,000 pods (two namespaces of 10,000) through the Python API,
lets the simulated kubelet start them, then prints:

* the time of one LIST of 10,000 pods with ``_preload_content=False``
  and ``json.loads``, and with the client's model deserialization;
* the latency of one watch event from write to delivery (median).

Prints numbers only; asserts nothing about time.

    /work/venv/bin/python -m benchmarks.k8s_sim_list [--pods 10000]
"""

import argparse
import gc
import json
import queue
import statistics
import threading
import time

from kubernetes import client
from kubernetes import watch

from tacker_k8s_sim import simulator


def _pod(name, index):
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {
            "app": "bench", "vdu": "VDU%d" % (index % 4),
            "shard": str(index % 16)},
            "annotations": {"bench/index": str(index)}},
        "spec": {"containers": [{
            "name": "app", "image": "registry.example/bench:1.0",
            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
            "env": [{"name": "INDEX", "value": str(index)},
                    {"name": "ROLE", "value": "worker"}],
            "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                          "limits": {"cpu": "200m", "memory": "128Mi"}},
        }]},
    }


def _best(func, rounds):
    times = []
    result = None
    for _ in range(rounds):
        began = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - began)
    return min(times), statistics.median(times), result


def _watch_latency(sim, core, samples):
    namespace = "latency"
    sim.create({"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": namespace}})
    rv = core.list_namespaced_pod(namespace).metadata.resource_version
    arrivals = queue.Queue()
    ready = threading.Event()

    def run():
        ready.set()
        for event in watch.Watch().stream(
                core.list_namespaced_pod, namespace, resource_version=rv,
                timeout_seconds=60, _request_timeout=90, deserialize=False):
            if event["type"] == "ADDED":
                arrivals.put((event["object"]["metadata"]["name"],
                              time.perf_counter()))
                if event["object"]["metadata"]["name"] == "last":
                    return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait()
    time.sleep(0.2)
    latencies = []
    for index in range(samples):
        name = "last" if index == samples - 1 else "w%d" % index
        began = time.perf_counter()
        sim.create(_pod(name, index), namespace=namespace)
        got, at = arrivals.get(timeout=10)
        assert got == name
        latencies.append(at - began)
        time.sleep(0.01)
    thread.join(10)
    return latencies


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pods", type=int, default=10000,
                        help="pods per namespace (two namespaces)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=21)
    args = parser.parse_args(argv)

    with simulator.Simulator(nodes=4, history_window=100000) as sim:
        began = time.perf_counter()
        for namespace in ("bench-a", "bench-b"):
            sim.create({"apiVersion": "v1", "kind": "Namespace",
                        "metadata": {"name": namespace}})
            sim.create_many((_pod("pod-%05d" % i, i)
                             for i in range(args.pods)),
                            namespace=namespace)
        created = time.perf_counter() - began
        began = time.perf_counter()
        sim.wait_settled(timeout=600)
        settled = time.perf_counter() - began
        print("pods_created %d" % (2 * args.pods))
        print("create_seconds %.3f" % created)
        print("start_all_seconds %.3f" % settled)
        # The simulator's 20,000 stored pods share this process with the
        # client; freeze them so the cyclic GC, which a real client
        # process would not pay for them, does not scan them during
        # json.loads.
        gc.collect()
        gc.freeze()

        with sim.api_client() as api:
            core = client.CoreV1Api(api)

            def transfer_only():
                return core.list_namespaced_pod("bench-a",
                                                _preload_content=False,
                                                _request_timeout=120).data

            def raw_list():
                resp = core.list_namespaced_pod("bench-a",
                                                _preload_content=False,
                                                _request_timeout=120)
                return json.loads(resp.data)

            def model_list():
                return core.list_namespaced_pod("bench-a",
                                                _request_timeout=300)

            best, median, data = _best(transfer_only, args.rounds)
            print("list_bytes %d" % len(data))
            print("list_transfer_seconds_best %.3f" % best)
            best, median, body = _best(raw_list, args.rounds)
            print("list_items %d" % len(body["items"]))
            print("list_raw_json_seconds_best %.3f" % best)
            print("list_raw_json_seconds_median %.3f" % median)
            best, median, result = _best(model_list, 1)
            print("list_models_seconds %.3f" % best)
            assert len(result.items) == args.pods
            latencies = _watch_latency(sim, core, args.samples)
            print("watch_event_latency_ms_median %.2f"
                  % (statistics.median(latencies) * 1000))
            print("watch_event_latency_ms_max %.2f"
                  % (max(latencies) * 1000))


if __name__ == "__main__":
    main()
