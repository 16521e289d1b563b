"""A small world for synchronization tests: a simulated cluster, an
onboarded sample package, a registered VIM, and CNF instances whose
TackerDB records are written here, independently of the product's own
LCM code, in the shapes Tacker stores (v1 optionally as versioned-object
primitives, as Tacker writes them)."""

import copy
import json
import time
import uuid

from tacker.tests import factories
from tacker.vnfpkgm import store as store_mod

SAMPLE = 'sample_cnf'
TOKEN = 'sim-secret-token-7f3a'
LABEL = 'tacker_vnf_instance_id'
KINDS_WITH_REPLICAS = ('Deployment', 'ReplicaSet', 'StatefulSet')


def owner(obj):
    refs = [r for r in obj['metadata'].get('ownerReferences') or []
            if r.get('controller')]
    return (refs[0]['kind'], refs[0]['name']) if refs else (None, None)


class World:
    def __init__(self, sim, sample=SAMPLE, ca_pem=None, package=None):
        # ``package``, another World, shares its onboarded package: a
        # second cluster, with a VIM of its own, for the same VNFD.
        self.sim = sim
        self.ca_pem = ca_pem
        if package is None:
            self.store = store_mod.PackageStore()
            onboarded = factories.onboarded_package(
                tenant_id='project-a', sample=sample, store=self.store)
            self.package_id = onboarded.id
            self.vnfd = onboarded.vnfd
        else:
            self.store = package.store
            self.package_id = package.package_id
            self.vnfd = package.vnfd
        self.flavour = self.vnfd.flavour('simple')
        self.manifests = self._manifests()
        self.vim = factories.vim(
            url=sim.url, auth_cred={'bearer_token': TOKEN},
            tenant_id='project-a',
            name='sim-%s%s' % (sample, '' if package is None else '-b'),
            is_default=package is None)

    def _manifests(self):
        import yaml
        by_vdu = {}
        self.files = {}
        names = {v.name: vdu_id for vdu_id, v in self.flavour.vdus.items()}
        for rel in self.vnfd.kubernetes_files:
            with open('%s/%s' % (self.store.package_dir(self.package_id),
                                 rel)) as f:
                for doc in yaml.safe_load_all(f):
                    vdu_id = names[doc['metadata']['name']]
                    by_vdu[vdu_id] = doc
                    self.files[vdu_id] = rel
        return by_vdu

    # --- the cluster side

    def manifest(self, vdu_id, name, instance_id, replicas=None):
        doc = copy.deepcopy(self.manifests[vdu_id])
        old = doc['metadata']['name']
        doc['metadata']['name'] = name
        doc['metadata'].setdefault('labels', {})[LABEL] = instance_id
        spec = doc.get('spec') or {}
        if doc['kind'] != 'Pod':
            # Keep selectors apart when one namespace holds two CNFs.
            spec['selector']['matchLabels'] = {'app': name}
            spec['template']['metadata']['labels'] = {'app': name,
                                                      LABEL: instance_id}
            if doc['kind'] == 'StatefulSet':
                spec['serviceName'] = name
        else:
            doc['metadata']['labels']['app'] = name
        if replicas is not None and doc['kind'] in KINDS_WITH_REPLICAS:
            spec['replicas'] = replicas
        assert old
        return doc

    def pods_of(self, namespace, kind, name):
        """Running pods of a workload, by ownerReferences, sorted."""
        rs_names = set()
        if kind == 'Deployment':
            rs_names = {rs['metadata']['name']
                        for rs in self.sim.list('replicasets', namespace)
                        if owner(rs) == ('Deployment', name)}
        found = []
        for pod in self.sim.pods(namespace, running=True):
            pod_owner = owner(pod)
            if (kind == 'Pod' and pod['metadata']['name'] == name
                    and pod_owner == (None, None)) or \
                    pod_owner == (kind, name) or \
                    (pod_owner[0] == 'ReplicaSet'
                     and pod_owner[1] in rs_names):
                found.append(pod)
        return sorted(found, key=lambda p: p['metadata']['name'])

    def deploy(self, api_version, *, namespace=None, names=None,
               vdus=None, replicas=None, wrapped=False, levels=None):
        """Create the workloads and the matching TackerDB record."""
        instance_id = str(uuid.uuid4())
        namespace = namespace or 'ns-' + instance_id[:8]
        if self.sim.get('namespaces', None, namespace) is None:
            self.sim.create({'apiVersion': 'v1', 'kind': 'Namespace',
                             'metadata': {'name': namespace}})
        vdus = vdus or sorted(self.manifests)
        names = dict(names or {})
        replicas = dict(replicas or {})
        docs = {}
        for vdu_id in vdus:
            name = names.setdefault(vdu_id, self.flavour.vdus[vdu_id].name)
            docs[vdu_id] = self.manifest(vdu_id, name, instance_id,
                                         replicas.get(vdu_id))
            self.sim.create(docs[vdu_id], namespace)
        self.sim.wait_settled(timeout=10)
        pods = {vdu_id: self.pods_of(namespace, docs[vdu_id]['kind'],
                                     names[vdu_id]) for vdu_id in vdus}
        if levels is None:
            levels = {}
            for vdu_id in vdus:
                scaling = self.flavour.vdu_scaling(vdu_id)
                if scaling.aspect_id:
                    levels[scaling.aspect_id] = scaling.level_for_count(
                        len(pods[vdu_id]))
        record = {'v1': self._write_v1, 'v2': self._write_v2}[api_version]
        record(instance_id, namespace, docs, pods, levels, wrapped)
        return Instance(instance_id, api_version, namespace, names, docs)

    # --- the TackerDB side

    def _write_v2(self, instance_id, namespace, docs, pods, levels,
                  wrapped):
        vnfcs, infos = [], []
        for vdu_id, vdu_pods in sorted(pods.items()):
            for pod in vdu_pods:
                name = pod['metadata']['name']
                vnfcs.append({'id': name, 'vduId': vdu_id, 'metadata': {},
                              'computeResource': {
                                  'resourceId': name,
                                  'vimLevelResourceType':
                                      docs[vdu_id]['kind']}})
                infos.append({'id': '%s-%s' % (vdu_id, name),
                              'vduId': vdu_id, 'vnfcResourceInfoId': name,
                              'vnfcState': 'STARTED',
                              'vnfcConfigurableProperties': {
                                  'owner': 'operator-set'}})
        info = {
            'flavourId': 'simple', 'vnfState': 'STARTED',
            'scaleStatus': [{'aspectId': a, 'scaleLevel': lvl}
                            for a, lvl in sorted(levels.items())],
            'maxScaleLevels': [{'aspectId': a,
                                'scaleLevel': self.flavour.max_scale_levels[a]}
                               for a in sorted(levels)],
            'vnfcResourceInfo': vnfcs, 'vnfcInfo': infos,
            'metadata': {'namespace': namespace,
                         'lcm-kubernetes-def-files':
                             list(self.vnfd.kubernetes_files),
                         'vdu_reses': docs}}
        factories.v2_instance(
            instance_id=instance_id, state='INSTANTIATED', info=info,
            vim_connection_info={'vim1': {
                'vimId': self.vim.id, 'vimType': 'kubernetes',
                'interfaceInfo': dict(
                    {'endpoint': self.sim.url},
                    **({'ssl_ca_cert': self.ca_pem} if self.ca_pem
                       else {})),
                'accessInfo': {'bearer_token': TOKEN}}},
            metadata={}, name=None, **self._descriptor())

    def _write_v1(self, instance_id, namespace, docs, pods, levels,
                  wrapped):
        entries = []
        for vdu_id, vdu_pods in sorted(pods.items()):
            for pod in vdu_pods:
                entry = {
                    'id': str(uuid.uuid4()), 'vdu_id': vdu_id,
                    'compute_resource': {
                        'vim_connection_id': self.vim.id,
                        'resource_id': pod['metadata']['name'],
                        'vim_level_resource_type': docs[vdu_id]['kind']},
                    'storage_resource_ids': [], 'vnfc_cp_info': [],
                    'metadata': {'Pod': json.dumps(pod['metadata'])}}
                entries.append(_wrap(entry) if wrapped else entry)
        scale_status = [{'aspect_id': a, 'scale_level': lvl}
                        for a, lvl in sorted(levels.items())]
        factories.v1_instance(
            instance_id=instance_id, state='INSTANTIATED',
            package_id=self.package_id, tenant_id='project-a',
            vim_connection_info=[{'id': 'c1', 'vim_id': self.vim.id,
                                  'vim_type': 'kubernetes'}],
            metadata={'namespace': namespace}, name=None,
            info={'flavour_id': 'simple', 'vnfc_resource_info': entries,
                  'scale_status': scale_status,
                  'additional_params': {
                      'namespace': namespace,
                      'lcm-kubernetes-def-files': sorted(
                          self.files[vdu_id] for vdu_id in docs)}},
            **self._descriptor())

    def _descriptor(self):
        """The VNFD's identity, as an instance record repeats it."""
        return {'vnfd_id': self.vnfd.vnfd_id, 'provider': self.vnfd.provider,
                'product_name': self.vnfd.product_name,
                'software_version': self.vnfd.software_version,
                'vnfd_version': self.vnfd.vnfd_version}


def _wrap(entry):
    compute = dict(entry['compute_resource'])
    data = dict(entry, compute_resource={
        'tacker_object.name': 'ResourceHandle',
        'tacker_object.namespace': 'tacker',
        'tacker_object.version': '1.0', 'tacker_object.data': compute,
        'tacker_object.changes': sorted(compute)})
    return {'tacker_object.name': 'VnfcResourceInfo',
            'tacker_object.namespace': 'tacker',
            'tacker_object.version': '1.0', 'tacker_object.data': data,
            'tacker_object.changes': sorted(data)}


class Instance:
    def __init__(self, instance_id, api_version, namespace, names, docs):
        self.id = instance_id
        self.api_version = api_version
        self.namespace = namespace
        self.names = names
        self.docs = docs

    def stored(self):
        """(pod names per VDU, scale levels, entry ids per VDU) in the DB."""
        from tacker.db.instances import v1 as v1_instances
        from tacker.db.instances import v2 as v2_instances
        from tacker.vnfm.infra_drivers.kubernetes import v1_records
        pods, ids = {}, {}
        if self.api_version == 'v2':
            info = v2_instances.get_instance(self.id).instantiated_vnf_info
            for entry in info['vnfcResourceInfo']:
                pods.setdefault(entry['vduId'], []).append(
                    entry['computeResource']['resourceId'])
                ids.setdefault(entry['vduId'], []).append(entry['id'])
            levels = {s['aspectId']: s['scaleLevel']
                      for s in info['scaleStatus']}
        else:
            info = v1_instances.get_instance(self.id).instantiated
            for entry in v1_records.unwrap(info.vnfc_resource_info):
                vdu = entry['vdu_id']
                pods.setdefault(vdu, []).append(
                    entry['compute_resource']['resource_id'])
                ids.setdefault(vdu, []).append(entry['id'])
            levels = {s['aspect_id']: s['scale_level']
                      for s in v1_records.unwrap(info.scale_status)}
        return ({k: sorted(v) for k, v in pods.items()}, levels,
                {k: sorted(v) for k, v in ids.items()})

    def raw(self):
        """The stored JSON exactly as read (to prove nothing was written)."""
        from tacker.db.instances import v1 as v1_instances
        from tacker.db.instances import v2 as v2_instances
        if self.api_version == 'v2':
            return v2_instances.get_instance(self.id).version.stored
        return v1_instances.get_instance(self.id).instantiated.version.stored


def wait_until(predicate, timeout=15, interval=0.05):
    """Poll ``predicate`` until true or ``timeout`` seconds; its answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
