"""DELETE answers deserialize into what the kubernetes client declares.

For every built-in resource the simulator serves, the client's own
``delete_*`` method is called and its answer checked against the return
type the client declares: the model of the kind (V1Service, V1Pod...)
where the API server answers the deleted object, a Status otherwise.
"""

import inspect
import re

import pytest
from kubernetes import client

from tacker_k8s_sim import resources
from tacker_k8s_sim.tests import manifests

NS = "default"
BUILTIN = sorted(
    (res for res in resources.Registry().all() if res.builtin),
    key=lambda r: (r.group, r.version, r.plural))


def api_class(res):
    """``apps``/``v1`` -> AppsV1Api, ``rbac.authorization.k8s.io`` ..."""
    group = res.group.replace(".k8s.io", "") or "core"
    name = "".join(part.capitalize() for part in group.split("."))
    return getattr(client, "%s%sApi" % (name, res.version.capitalize()))


def delete_method(res, api):
    # APIService -> api_service, PersistentVolumeClaim -> persistent_...
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])",
                   "_", res.kind).lower()
    scoped = "namespaced_" if res.namespaced else ""
    return getattr(api, "delete_%s%s" % (scoped, snake))


def body(res, name):
    if res.kind == "Pod":
        return manifests.pod(name)
    if res.kind in ("Deployment", "StatefulSet", "DaemonSet"):
        return getattr(manifests, res.kind.lower())(name)
    if res.kind == "ReplicaSet":
        obj = manifests.deployment(name, replicas=1)
        obj["kind"] = "ReplicaSet"
        return obj
    if res.kind == "Job":
        return manifests.job(name)
    obj = {"apiVersion": res.api_version, "kind": res.kind,
           "metadata": {"name": name}}
    # Fields the client's models require.
    obj.update(_REQUIRED.get(res.kind, {}))
    return obj


_REQUIRED = {
    "StorageClass": {"provisioner": "sim.example.com"},
    "VolumeAttachment": {"spec": {
        "attacher": "sim.example.com", "nodeName": "sim-node-0",
        "source": {"persistentVolumeName": "pv1"}}},
}


@pytest.mark.parametrize("res", BUILTIN, ids=lambda r: r.key + "/"
                         + r.version)
def test_delete_answer_deserializes_into_declared_type(k8s_sim, api_client,
                                                       res):
    name = "victim"
    k8s_sim.create(body(res, name), NS if res.namespaced else None)
    method = delete_method(res, api_class(res)(api_client))
    declared = inspect.signature(method).return_annotation
    args = (name, NS) if res.namespaced else (name,)
    answer = method(*args)
    if declared is object:
        # The client declares V1Status (as a plain object) here.
        expected = "Namespace" if res.kind == "Namespace" else "Status"
        assert answer["kind"] == expected
    else:
        assert isinstance(answer, declared)
        assert answer.kind == res.kind and answer.metadata.name == name
    assert res.returns_deleted == (declared is not object)
