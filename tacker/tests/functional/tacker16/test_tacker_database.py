"""Our synchronization on a database that Tacker 16 built and seeded.

Tacker 16's own migrations (its models on SQLite) build the schema, its
own object classes create a VIM, a package, a v1 and a v2 instance; the
simulator then replaces and scales pods; our ``tacker-db-sync --once``
runs as an operator would run it; and Tacker 16's own objects and API
view builders read the instances back.  What they show is what an
operator of that Tacker would see.
"""

import copy
import json
import os
import subprocess
import sys
import uuid

import pytest
import yaml

from tacker.vnfpkgm import build
from tacker.vnfpkgm import csar
from tacker.vnfpkgm import vnfd as vnfd_mod
from tacker_k8s_sim import simulator

TOKEN = 'tacker16-interop-token-5c1e'
LABEL = 'tacker_vnf_instance_id'
TENANT = uuid.uuid4().hex
VDUS = ('VDU1', 'VDU2')  # a Deployment and a StatefulSet
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))


@pytest.fixture
def sim():
    with simulator.Simulator(token=TOKEN, nodes=2) as running:
        yield running


def _owner(obj):
    refs = [r for r in obj['metadata'].get('ownerReferences') or []
            if r.get('controller')]
    return (refs[0]['kind'], refs[0]['name']) if refs else (None, None)


class Site:
    """The package files, the cluster and the spec Tacker seeds from."""

    def __init__(self, sim, tmp_path):
        self.sim = sim
        self.tmp = tmp_path
        self.csar_path = tmp_path / 'csar'
        self.package_id = str(uuid.uuid4())
        package_dir = self.csar_path / self.package_id
        source = build.build_csar_bytes(build.SAMPLES_DIR / 'sample_cnf')
        with csar.open_csar(source) as pkg:
            pkg.extract(str(package_dir))
        self.vnfd = vnfd_mod.load_vnfd(str(package_dir))
        self.flavour = self.vnfd.flavour('simple')
        self.files, self.docs = {}, {}
        names = {v.name: vdu for vdu, v in self.flavour.vdus.items()}
        for rel in self.vnfd.kubernetes_files:
            with open(package_dir / rel) as f:
                for doc in yaml.safe_load_all(f):
                    vdu = names[doc['metadata']['name']]
                    self.files[vdu], self.docs[vdu] = rel, doc
        self.vim_id = str(uuid.uuid4())
        # namespace -> suffix of its workload names (Helm releases name
        # them <VDU properties.name>-<something>).
        self._suffix = {}

    def name(self, namespace, vdu):
        return self.docs[vdu]['metadata']['name'] + self._suffix[namespace]

    def _manifest(self, vdu, instance_id, replicas, suffix):
        doc = copy.deepcopy(self.docs[vdu])
        doc['metadata']['name'] += suffix
        doc['metadata'].setdefault('labels', {})[LABEL] = instance_id
        doc['spec']['template']['metadata'].setdefault(
            'labels', {})[LABEL] = instance_id
        doc['spec']['replicas'] = replicas
        return doc

    def deploy(self, namespace, instance_id, replicas, suffix=''):
        self._suffix[namespace] = suffix
        self.sim.create({'apiVersion': 'v1', 'kind': 'Namespace',
                         'metadata': {'name': namespace}})
        manifests = {vdu: self._manifest(vdu, instance_id, replicas[vdu],
                                         suffix)
                     for vdu in VDUS}
        for doc in manifests.values():
            self.sim.create(doc, namespace)
        self.sim.wait_settled(timeout=10)
        return manifests

    def pods(self, namespace, vdu):
        """Names of the running pods of a VDU, by ownerReferences."""
        kind, name = self.docs[vdu]['kind'], self.name(namespace, vdu)
        owners = {(kind, name)}
        if kind == 'Deployment':
            owners |= {('ReplicaSet', rs['metadata']['name'])
                       for rs in self.sim.list('replicasets', namespace)
                       if _owner(rs) == (kind, name)}
        return sorted(p['metadata']['name']
                      for p in self.sim.pods(namespace, running=True)
                      if _owner(p) in owners)

    def level(self, vdu, count):
        return self.flavour.vdu_scaling(vdu).level_for_count(count)

    def aspect(self, vdu):
        return self.flavour.vdu_scaling(vdu).aspect_id

    def _vnfcs(self, namespace):
        return [{'vdu_id': vdu, 'pod_name': pod,
                 'kind': self.docs[vdu]['kind']}
                for vdu in VDUS for pod in self.pods(namespace, vdu)]

    def _levels(self, namespace):
        return [{'aspect_id': self.aspect(vdu),
                 'scale_level': self.level(vdu,
                                           len(self.pods(namespace, vdu)))}
                for vdu in VDUS]

    def spec(self, v1, v2, barbican=None):
        vnfd = self.vnfd
        facts = {'vnfd_id': vnfd.vnfd_id, 'provider': vnfd.provider,
                 'product_name': vnfd.product_name,
                 'software_version': vnfd.software_version,
                 'vnfd_version': vnfd.vnfd_version}
        files = sorted(self.files[vdu] for vdu in VDUS)
        return {
            'vim': {'id': self.vim_id, 'name': 'sim-%s' % self.vim_id[:8],
                    'tenant_id': TENANT, 'auth_url': self.sim.url,
                    'bearer_token': TOKEN, 'barbican': barbican},
            'package': dict(facts, id=self.package_id, tenant_id=TENANT),
            'v2_instance': dict(
                facts, id=v2.id, namespace=v2.namespace,
                endpoint=self.sim.url, bearer_token=TOKEN,
                vim_id=self.vim_id, flavour_id='simple',
                vnfcs=self._vnfcs(v2.namespace),
                scale_status=self._levels(v2.namespace),
                max_scale_levels=[
                    {'aspect_id': self.aspect(vdu),
                     'scale_level': self.flavour.max_scale_levels[
                         self.aspect(vdu)]} for vdu in VDUS],
                vdu_reses=v2.manifests, def_files=files),
            'v1_instance': {
                'id': v1.id, 'vnfd_id': vnfd.vnfd_id,
                'package_id': self.package_id, 'tenant_id': TENANT,
                'vim_id': self.vim_id, 'namespace': v1.namespace,
                'flavour_id': 'simple', 'vnfcs': self._vnfcs(v1.namespace),
                'scale_status': self._levels(v1.namespace),
                'def_files': files},
        }

    def db_sync(self, url, *args, extra=''):
        """Our ``tacker-db-sync``, as an operator runs it; (rc, JSON)."""
        conf = self.tmp / 'tacker.conf'
        base = ('[DEFAULT]\nstate_path = %(tmp)s\n'
                '[database]\nconnection = %(url)s\nmax_retries = 0\n'
                '[vnf_package]\nvnf_package_csar_path = %(csar)s\n'
                '[coordination]\nbackend_url = file://%(tmp)s/locks\n'
                '[database_sync]\nsettle_timeout = 30\n'
                'kubernetes_request_timeout = 5\n'
                % {'tmp': self.tmp, 'url': url, 'csar': self.csar_path})
        conf.write_text(extra + base)
        done = subprocess.run(
            [sys.executable, '-m', 'tacker.cmd.db_sync', '--config-file',
             str(conf), '--once', '--format', 'json', *args],
            cwd=REPO, capture_output=True, text=True, timeout=300)
        assert TOKEN not in done.stdout + done.stderr
        return done.returncode, json.loads(done.stdout), done.stderr


class Cnf:
    def __init__(self, site, replicas, suffix=''):
        self.id = str(uuid.uuid4())
        self.namespace = 'ns-' + self.id[:8]
        self.manifests = site.deploy(self.namespace, self.id, replicas,
                                     suffix)


@pytest.fixture
def seeded(tacker16, tacker_db, sim, tmp_path):
    """Tacker 16's rows for a v1 and a v2 CNF running in the simulator."""
    site = Site(sim, tmp_path)
    v1 = Cnf(site, {'VDU1': 1, 'VDU2': 1})
    v2 = Cnf(site, {'VDU1': 2, 'VDU2': 1})
    tacker16.run('seed', tacker_db.url, spec=site.spec(v1, v2))
    return site, v1, v2


def _read(tacker16, url, v1, v2):
    found = tacker16.read(url, v1=[v1.id], v2=[v2.id])
    v1_found, v2_found = found['v1'][v1.id], found['v2'][v2.id]
    for instance in (v1_found, v2_found):
        assert instance['load_ok'] == {'object': True, 'view': True}, \
            instance
    return v1_found, v2_found


def _expect(site, cnf):
    pods = {vdu: site.pods(cnf.namespace, vdu) for vdu in VDUS}
    levels = {site.aspect(vdu): site.level(vdu, len(pods[vdu]))
              for vdu in VDUS}
    return pods, levels


def _assert_shows_the_cluster(site, found, cnf):
    pods, levels = _expect(site, cnf)
    for shown in (found['object'], found['view']):
        assert shown['pods_per_vdu'] == pods
        assert shown['vnfc_count_per_vdu'] == {v: len(p)
                                               for v, p in pods.items()}
        assert shown['scale_levels'] == levels


def _outcomes(result):
    return {o['instance_id']: o['status'] for o in result['outcomes']}


def _heal_and_scale(site, changes):
    for cnf, vdu, replicas in changes:
        site.sim.kill_pod(cnf.namespace, site.pods(cnf.namespace,
                                                   'VDU1')[0])
        site.sim.scale(site.docs[vdu]['kind'], cnf.namespace,
                       site.name(cnf.namespace, vdu), replicas)
    site.sim.wait_settled(timeout=10)


def test_tacker_reads_what_our_sync_wrote_after_heal_and_scale(
        tacker16, tacker_db, seeded):
    site, v1, v2 = seeded
    url = tacker_db.url
    before_v1, before_v2 = _read(tacker16, url, v1, v2)

    # Kubernetes heals one pod of each CNF and scales one VDU of each.
    _heal_and_scale(site, ((v1, 'VDU2', 2), (v2, 'VDU1', 3)))

    rc, result, stderr = site.db_sync(url)
    assert rc == 0, stderr
    assert _outcomes(result) == {v1.id: 'changed', v2.id: 'changed'}

    after_v1, after_v2 = _read(tacker16, url, v1, v2)
    _assert_shows_the_cluster(site, after_v1, v1)
    _assert_shows_the_cluster(site, after_v2, v2)
    assert after_v1['object']['scale_levels'] != \
        before_v1['object']['scale_levels']
    assert after_v2['object']['scale_levels']['vdu1_aspect'] == 2
    # Entries of pods that still run keep their ids (v1 and v2).
    for before, after in ((before_v1, after_v1), (before_v2, after_v2)):
        kept = set(before['object']['entry_ids_per_vdu']['VDU2']) & set(
            after['object']['entry_ids_per_vdu']['VDU2'])
        assert kept
    # What the operator set on a VNFC survives the rewrite (v2).
    assert all(info['vnfcConfigurableProperties'] == {
        'owner': 'operator-set'}
        for info in after_v2['object']['vnfc_info']
        if info['vnfcResourceInfoId'] in set(
            before_v2['object']['pods_per_vdu']['VDU1']
            + before_v2['object']['pods_per_vdu']['VDU2']))


def test_no_drift_and_dry_run_write_nothing(tacker16, tacker_db, seeded):
    site, v1, v2 = seeded
    url = tacker_db.url
    rc, result, stderr = site.db_sync(url)
    assert rc == 0, stderr
    assert _outcomes(result) == {v1.id: 'unchanged', v2.id: 'unchanged'}

    before = _read(tacker16, url, v1, v2)
    site.sim.kill_pod(v2.namespace, site.pods(v2.namespace, 'VDU1')[0])
    site.sim.wait_settled(timeout=10)
    rc, result, stderr = site.db_sync(url, '--dry-run')
    assert rc == 0, stderr
    assert _outcomes(result) == {v1.id: 'unchanged', v2.id: 'changed'}
    assert _read(tacker16, url, v1, v2) == before


def _service_section(credentials):
    return '[keystone_authtoken]\n' + ''.join(
        '%s = %s\n' % item for item in sorted(credentials.items()))


def test_vim_secrets_that_tacker_keeps_in_barbican(
        tacker16, tacker_db, sim, tmp_path, openstack_services):
    service = openstack_services.service_credentials
    site = Site(sim, tmp_path)
    v1 = Cnf(site, {'VDU1': 1, 'VDU2': 1})
    v2 = Cnf(site, {'VDU1': 2, 'VDU2': 1})
    tacker16.run('seed', tacker_db.url, spec=site.spec(v1, v2, service))
    site.sim.kill_pod(v1.namespace, site.pods(v1.namespace, 'VDU1')[0])
    site.sim.wait_settled(timeout=10)

    # Without the key manager: the VIM fails once, its instance is not
    # synchronized and its cluster is not asked.
    sim.reset_request_log()
    rc, result, stderr = site.db_sync(tacker_db.url)
    assert rc == 1
    statuses = _outcomes(result)
    assert statuses[v1.id] == 'failed'
    assert statuses[v2.id] == 'unchanged'
    assert stderr.count('Cannot use VIM %s' % site.vim_id) == 1
    assert 'no key manager is configured' in stderr
    assert not [path for _m, path, _q in sim.requests
                if v1.namespace in path]

    # With Tacker's service user, the key comes from Barbican.
    rc, result, stderr = site.db_sync(tacker_db.url,
                                      extra=_service_section(service))
    assert rc == 0, stderr
    assert _outcomes(result) == {v1.id: 'changed', v2.id: 'unchanged'}
    assert service['password'] not in stderr
    after_v1, _ = _read(tacker16, tacker_db.url, v1, v2)
    _assert_shows_the_cluster(site, after_v1, v1)


def test_a_helm_instance_tacker_recorded_is_synchronized(
        tacker16, tacker_db, sim, tmp_path):
    site = Site(sim, tmp_path)
    v1 = Cnf(site, {'VDU1': 1, 'VDU2': 1})
    helm = Cnf(site, {'VDU1': 2, 'VDU2': 1}, suffix='-vnfrel1')
    spec = site.spec(v1, helm)
    # As Tacker 16's Helm driver records a release: the chart in the
    # package, the workloads it created in vdu_reses.
    chart = 'Files/kubernetes/localhelm-0.1.0.tgz'
    spec['v2_instance'].update(
        vim_type='ETSINFV.HELM.V_3', def_files=[chart],
        extra_metadata={'release_name': 'vnfrel1', 'revision': 1,
                        'helm_chart_path': chart,
                        'helm_value_names': {
                            'VDU1': {'replica': 'replicaCount'}}})
    tacker16.run('seed', tacker_db.url, spec=spec)
    _heal_and_scale(site, ((helm, 'VDU1', 3),))

    rc, result, stderr = site.db_sync(tacker_db.url)
    assert rc == 0, stderr
    assert _outcomes(result) == {v1.id: 'unchanged', helm.id: 'changed'}
    _, found = _read(tacker16, tacker_db.url, v1, helm)
    _assert_shows_the_cluster(site, found, helm)
    assert found['object']['scale_levels']['vdu1_aspect'] == 2
