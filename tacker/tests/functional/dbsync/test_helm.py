"""Instances Tacker deployed from Helm charts are synchronized too.

Tacker 16 records a v2 Helm instance like a Kubernetes one, with
``vimType`` ``ETSINFV.HELM.V_3`` and the workloads the release created in
``metadata.vdu_reses``, named ``<VDU properties.name>-<suffix>``; a v1
Helm instance has ``additionalParams.use_helm`` and names each workload in
its entries' ``metadata[<kind>]``.  Its package holds a chart, not
manifests.  Ownership follows those names, not a name prefix.
"""

import json

import pytest
import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.db.models import v1 as v1_models
from tacker.db.models import v2 as v2_models
from tacker.db.instances import v1 as v1_instances
from tacker.db.instances import v2 as v2_instances
from tacker.vnfm.infra_drivers.kubernetes import outcome

CHART = 'Files/kubernetes/localhelm-0.1.0.tgz'


def _release(world, api):
    # Two releases in one namespace whose workloads share the VDU's
    # prefix: a name-prefix match would mix their pods.
    first = world.deploy(api, vdus=['VDU1'], names={'VDU1': 'vdu1-rel1'},
                         namespace='helm-%s' % api)
    second = world.deploy(api, vdus=['VDU1'], names={'VDU1': 'vdu1-rel2'},
                          namespace='helm-%s' % api)
    for inst in (first, second):
        (_v2_helm if api == 'v2' else _v1_helm)(inst)
    return first, second


def _v2_helm(inst):
    record = v2_instances.get_instance(inst.id)
    connections = {key: dict(value, vimType='ETSINFV.HELM.V_3')
                   for key, value in record.vim_connection_info.items()}
    info = dict(record.instantiated_vnf_info)
    info['metadata'] = dict(info['metadata'], release_name='rel',
                            revision='1', helm_chart_path=CHART,
                            helm_value_names={'VDU1': {
                                'replica': 'replicaCount'}})
    info['metadata']['lcm-kubernetes-def-files'] = [CHART]
    with db_api.writer_session() as session:
        table = v2_models.VnfInstanceV2.__table__
        session.execute(sa.update(table).where(table.c.id == inst.id).values(
            vimConnectionInfo=connections, instantiatedVnfInfo=info))


def _v1_helm(inst):
    record = v1_instances.get_instance(inst.id)
    entries = []
    for entry in record.instantiated.vnfc_resource_info:
        kind = entry['compute_resource']['vim_level_resource_type']
        name = inst.names[entry['vdu_id']]
        entries.append(dict(entry, metadata=dict(
            entry['metadata'], **{kind: json.dumps({'name': name})})))
    params = dict(record.instantiated.additional_params, use_helm='True')
    params['lcm-kubernetes-def-files'] = [CHART]
    params['using_helm_install_param'] = [{
        'exthelmchart': 'false', 'helmchartfile_path': CHART,
        'helmreleasename': 'rel'}]
    with db_api.writer_session() as session:
        table = v1_models.VnfInstantiatedInfo.__table__
        session.execute(sa.update(table).where(
            table.c.vnf_instance_id == inst.id,
            table.c.deleted == False).values(  # noqa: E712
            additional_params=params,
            **v1_instances.encode({'vnfc_resource_info': entries})))


@pytest.mark.parametrize('api', ['v1', 'v2'])
def test_helm_release_pods_are_followed_by_ownership(world, engine, api):
    first, second = _release(world, api)
    world.sim.scale('Deployment', first.namespace, 'vdu1-rel1', 3)
    pods, _, _ = second.stored()
    world.sim.kill_pod(second.namespace, pods['VDU1'][0])
    world.sim.wait_settled()

    result = engine.run_pass()

    statuses = {o.instance_id: o.status for o in result.outcomes}
    assert statuses == {first.id: outcome.CHANGED,
                        second.id: outcome.CHANGED}
    for inst, name in ((first, 'vdu1-rel1'), (second, 'vdu1-rel2')):
        running = sorted(p['metadata']['name'] for p in world.pods_of(
            inst.namespace, 'Deployment', name))
        stored_pods, levels, _ = inst.stored()
        assert stored_pods['VDU1'] == running
    assert first.stored()[1]['vdu1_aspect'] == 2
