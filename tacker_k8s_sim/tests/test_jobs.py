"""Jobs: API defaults, the Job controller and the pods it runs."""

import pytest
from kubernetes import client
from kubernetes.client import rest

from tacker_k8s_sim import job_strategy
from tacker_k8s_sim import jobs
from tacker_k8s_sim.tests import manifests

NS = "default"


@pytest.fixture
def batch(api_client):
    return client.BatchV1Api(api_client)


@pytest.mark.parametrize("spec, succeeded, wanted", [
    ({"parallelism": 1, "completions": 1}, 0, 1),
    ({"parallelism": 3, "completions": 5}, 0, 3),
    ({"parallelism": 3, "completions": 5}, 4, 1),
    ({"parallelism": 3, "completions": 5}, 5, 0),
    ({"parallelism": 2}, 0, 2),
    ({"parallelism": 2}, 1, 0),
    ({"parallelism": 2, "completions": 4, "suspend": True}, 0, 0),
], ids=["single", "parallel", "last-one", "done", "work-queue",
        "work-queue-draining", "suspended"])
def test_wanted_active(spec, succeeded, wanted):
    assert jobs.wanted_active(spec, succeeded) == wanted


@pytest.mark.parametrize("spec, succeeded, active, done", [
    ({"completions": 2}, 1, 1, False),
    ({"completions": 2}, 2, 0, True),
    ({}, 1, 1, False),
    ({}, 1, 0, True),
], ids=["counting", "reached", "queue-busy", "queue-drained"])
def test_complete(spec, succeeded, active, done):
    assert jobs.complete(spec, succeeded, active) == done


def test_defaults_and_generated_selector(batch):
    job = batch.create_namespaced_job(NS, manifests.job("pi"))
    assert (job.spec.completions, job.spec.parallelism,
            job.spec.backoff_limit) == (1, 1, 6)
    uid = job.metadata.uid
    assert job.spec.selector.match_labels == {
        job_strategy.CONTROLLER_UID: uid}
    labels = job.spec.template.metadata.labels
    assert labels["job-name"] == labels[job_strategy.JOB_NAME] == "pi"
    assert labels["controller-uid"] == uid
    queue = batch.create_namespaced_job(NS, manifests.job("q",
                                                          parallelism=2))
    assert queue.spec.completions is None


def test_restart_policy_always_is_refused(batch):
    body = manifests.job("bad")
    del body["spec"]["template"]["spec"]["restartPolicy"]
    with pytest.raises(rest.ApiException) as exc:
        batch.create_namespaced_job(NS, body)
    assert exc.value.status == 422


def test_job_runs_to_completion(k8s_sim, batch, core):
    batch.create_namespaced_job(NS, manifests.job("pi", completions=3,
                                                  parallelism=2))
    k8s_sim.wait_settled()
    job = batch.read_namespaced_job("pi", NS)
    assert job.status.succeeded == 3 and not job.status.active
    assert job.status.start_time and job.status.completion_time
    assert [(c.type, c.status) for c in job.status.conditions] == [
        ("SuccessCriteriaMet", "True"), ("Complete", "True")]
    assert job.spec.completions == job.status.succeeded
    found = core.list_namespaced_pod(NS, label_selector="job-name=pi").items
    assert len(found) == 3
    for pod in found:
        assert pod.status.phase == "Succeeded"
        assert pod.metadata.name.startswith("pi-")
        [ref] = pod.metadata.owner_references
        assert (ref.kind, ref.name, ref.controller) == ("Job", "pi", True)
        assert pod.metadata.labels[job_strategy.CONTROLLER_UID] == \
            job.metadata.uid
        [state] = pod.status.container_statuses
        assert state.state.terminated.exit_code == 0


def test_parallelism_bounds_active_pods(k8s_sim, batch):
    k8s_sim.pod_start_delay = 3600
    batch.create_namespaced_job(NS, manifests.job("pi", completions=5,
                                                  parallelism=2))
    k8s_sim.step()
    job = batch.read_namespaced_job("pi", NS)
    assert job.status.active == 2 and job.status.ready == 0
    assert not job.status.succeeded and job.status.conditions is None
    assert len(k8s_sim.pods(NS)) == 2


def test_failed_pods_past_backoff_limit_fail_the_job(k8s_sim, batch):
    k8s_sim.fail_new_pods(True)
    body = manifests.job("bad")
    body["spec"]["backoffLimit"] = 2
    batch.create_namespaced_job(NS, body)
    k8s_sim.wait_settled()
    job = batch.read_namespaced_job("bad", NS)
    assert job.status.failed == 3 and not job.status.active
    assert job.status.conditions[-1].type == "Failed"
    assert job.status.conditions[-1].reason == "BackoffLimitExceeded"


@pytest.mark.parametrize("policy", ["Background", "Foreground"])
def test_deleting_a_job_removes_its_pods(k8s_sim, batch, policy):
    batch.create_namespaced_job(NS, manifests.job("pi"))
    k8s_sim.wait_settled()
    assert len(k8s_sim.pods(NS)) == 1
    batch.delete_namespaced_job("pi", NS, body=client.V1DeleteOptions(
        propagation_policy=policy))
    k8s_sim.wait_settled()
    assert k8s_sim.pods(NS) == [] and k8s_sim.list("jobs", NS) == []


def test_deleting_a_job_by_default_orphans_its_pods(k8s_sim, batch):
    batch.create_namespaced_job(NS, manifests.job("pi"))
    k8s_sim.wait_settled()
    batch.delete_namespaced_job("pi", NS)
    k8s_sim.wait_settled()
    [pod] = k8s_sim.pods(NS)
    assert not pod["metadata"].get("ownerReferences")
