"""Change the current VNF package of a v2 CNF (Tacker's change_vnfpkg).

Only a rolling update exists (``additionalParams.upgrade_type`` must be
``RollingUpdate``), and only v2 has the operation, as in Tacker 16.

1. ``validate`` (at begin, under the instance lock): the new package,
   the request's ``additionalParams`` and the rollout they describe,
   with Tacker's ProblemDetails texts (422 for the package, 400 for the
   rest).  Nothing is written.
2. ``run`` (in the conductor): the Deployment of each VDU of
   ``vdu_params`` gets the spec of the new package's manifest (its
   replica count stays what the cluster runs), then the operation waits
   until every VDU has settled: the rollout has finished, no pod of an
   old ReplicaSet is left, as many pods run as desired.  A rollout that
   does not finish within ``[vnf_lcm] operation_timeout`` raises
   ``KubernetesTimeout`` and the op occ ends FAILED_TEMP.
3. Only then the record is written, once: the new vnfdId and the VNFD
   facts of the new package, the new pods (through the
   synchronization's reconcile, so the next pass finds no drift), the
   applied manifests and the files, and the usage state of both
   packages.

``rollback_change_vnfpkg`` puts the manifests the record still holds
(``metadata.vdu_reses``: the record is not written until the end) back
on the cluster and records the pods they run; the generic retry and
rollback of op occs calls it.
"""

import copy
import dataclasses

from oslo_log import log as logging

from tacker.common import exceptions
from tacker.common import states
from tacker.db.instances import v2 as v2_instances
from tacker.db import packages
from tacker.vnfm.infra_drivers.kubernetes import deployment as deployment_mod
from tacker.vnfm.infra_drivers.kubernetes import k8s_resources
from tacker.vnfm.infra_drivers.kubernetes import model
from tacker.vnfm.infra_drivers.kubernetes import v2_records
from tacker.vnflcm import operations

LOG = logging.getLogger(__name__)

ROLLING_UPDATE = 'RollingUpdate'
DEF_FILES = deployment_mod.DEF_FILES
#: Fields of the request copied to the instance, as Tacker does.
COPIED_FIELDS = ('vnfConfigurableProperties', 'extensions')


class RequestInvalid(exceptions.Invalid):
    """400 with the detail alone, as Tacker's SolValidationError."""

    msg_fmt = '%(detail)s'


class NotInstantiated(exceptions.Conflict):
    msg_fmt = "VnfInstance %(id)s isn't instantiated."


class PackageNotFound(exceptions.TackerError):
    code = 422
    title = 'Unprocessable Entity'
    msg_fmt = ('VnfPackage of vnfdId %(vnfd_id)s is not found or not '
               'operational.')


class PackageNotEnabled(PackageNotFound):
    msg_fmt = 'VnfId %(vnfd_id)s not ENABLED.'


class RecordUnreadable(exceptions.Conflict):
    msg_fmt = ('VnfInstance %(id)s cannot change its VNF package: '
               'instantiatedVnfInfo %(reason)s.')


@dataclasses.dataclass(frozen=True)
class Rollout:
    """What a change_vnfpkg request does to one instance."""

    package: dict  # the new package (packages.find_for_vnfd)
    old: deployment_mod.Deployment  # the instance as it runs now
    new: deployment_mod.Deployment  # the new package's, same VIM/namespace
    vdu_ids: tuple  # the VDUs whose Deployment rolls, sorted


def _invalid(detail):
    return RequestInvalid(detail=detail)


def _vdu_ids(additional):
    vdu_params = additional.get('vdu_params')
    if vdu_params is None:
        raise _invalid("'vdu_params' must exist in additionalParams")
    if not isinstance(vdu_params, list) or not all(
            isinstance(p, dict) for p in vdu_params):
        raise _invalid("'vdu_params' must be a list of objects")
    ids = []
    for vdu_param in vdu_params:
        vdu_id = vdu_param.get('vdu_id')
        if 'vdu_id' not in vdu_param or not isinstance(vdu_id, str):
            raise _invalid('If you set vdu_params in additionalParams, you '
                           'must set vdu_id for each element.')
        ids.append(vdu_id)
    return tuple(sorted(set(ids)))


def check_request(params):
    """``(vnfdId, additionalParams, VDU ids)``; Tacker's 400 texts."""
    additional = params.get('additionalParams')
    if additional is None:
        raise _invalid("Change Current VNF Package operation must have "
                       "'additionalParams'")
    if not isinstance(additional, dict):
        raise _invalid("'additionalParams' must be an object")
    upgrade_type = additional.get('upgrade_type', '')
    if upgrade_type != ROLLING_UPDATE:
        raise _invalid('not support upgrade_type %s' % (upgrade_type,))
    vdu_ids = _vdu_ids(additional)
    if not additional.get(DEF_FILES):
        raise _invalid("'%s' must be specified" % DEF_FILES)
    return params.get('vnfdId'), additional, vdu_ids


def new_package(vnfd_id):
    """The enabled, onboarded package of ``vnfd_id``; else 422."""
    package = packages.find_for_vnfd(vnfd_id)
    if package is None:
        raise PackageNotFound(vnfd_id=vnfd_id)
    if package['operational_state'] != packages.ENABLED:
        raise PackageNotEnabled(vnfd_id=vnfd_id)
    return package


def _check_record(record):
    """409 unless the parts of the record a rollout reads have a shape.

    A record another program wrote (or an older build) may hold anything
    in its JSON; refusing it here keeps a request from failing half-way.
    """
    info = record.instantiated_vnf_info
    if not isinstance(info, dict):
        raise RecordUnreadable(id=record.id, reason='is not an object')
    if not isinstance(info.get('flavourId'), str):
        raise RecordUnreadable(id=record.id,
                               reason='has no flavourId string')
    metadata = info.get('metadata')
    if metadata is not None and not isinstance(metadata, dict):
        raise RecordUnreadable(id=record.id,
                               reason='metadata is not an object')
    vdu_reses = (metadata or {}).get('vdu_reses')
    if vdu_reses is not None and not (
            isinstance(vdu_reses, dict) and
            all(isinstance(v, dict) for v in vdu_reses.values())):
        raise RecordUnreadable(id=record.id, reason='metadata.vdu_reses is '
                               'not an object of manifests')


def plan_rollout(adapter, record, params):
    """The ``Rollout`` of a request; every refusal is typed (400/422).

    Reads the database and the packages' files, never the cluster.
    """
    if adapter.api_version != 'v2':
        raise exceptions.Invalid(reason='change_vnfpkg is a v2 operation '
                                 '(Tacker has no v1 change_vnfpkg)')
    vnfd_id, additional, vdu_ids = check_request(params)
    package = new_package(vnfd_id)
    _check_record(record)
    old = adapter.deployment(record)
    for vdu_id in vdu_ids:
        if vdu_id not in old.targets:
            raise _invalid("vdu_id '%s' does not exist." % vdu_id)
    flavour, package_dir = deployment_mod.flavour_of(
        package['id'], old.flavour.flavour_id)
    new = deployment_mod.build(
        instance_id=record.id, package_dir=package_dir, flavour=flavour,
        files=deployment_mod.files_of(flavour, additional),
        namespace=old.namespace, vim=old.vim)
    for vdu_id in vdu_ids:
        before, after = old.targets[vdu_id], new.targets.get(vdu_id)
        if after is None:
            raise _invalid('VDU %s has no manifest in %s of vnfd %s'
                           % (vdu_id, DEF_FILES, vnfd_id))
        if before.kind != model.DEPLOYMENT or after.kind != model.DEPLOYMENT:
            raise _invalid('VDU %s is a %s; a RollingUpdate rolls '
                           'Deployments only' % (vdu_id, after.kind))
        if before.name != after.name:
            raise _invalid('VDU %s is Deployment %s in the instance and %s '
                           'in vnfd %s; a rolling update keeps the name'
                           % (vdu_id, before.name, after.name, vnfd_id))
    return Rollout(package=package, old=old, new=new, vdu_ids=vdu_ids)


def validate(adapter, record, params):
    """At begin: refuse a request that cannot run (400/422)."""
    plan_rollout(adapter, record, params)


# --- the cluster side

def _with_spec_of(manifest):
    """A change for ``Cluster.replace``: the manifest's spec, live scale."""
    def change(live):
        body = copy.deepcopy(live)
        spec = copy.deepcopy(manifest.get('spec') or {})
        # The replica count is the cluster's (a scale or an HPA may have
        # changed it since instantiation); only the pod template moves.
        spec['replicas'] = (live.get('spec') or {}).get('replicas',
                                                        spec.get('replicas'))
        body['spec'] = spec
        meta = body.setdefault('metadata', {})
        labels = dict(meta.get('labels') or {})
        labels.update((manifest.get('metadata') or {}).get('labels') or {})
        meta['labels'] = labels
        body.pop('status', None)
        return body
    return change


def roll(cluster, manifests, *, settings, deployment):
    """Apply ``{vdu_id: manifest}`` and wait until every VDU has settled.

    Returns the last snapshot; ``KubernetesTimeout`` when the rollout
    does not finish within ``settings.operation_timeout``.
    """
    for vdu_id in sorted(manifests):
        cluster.replace(manifests[vdu_id], _with_spec_of(manifests[vdu_id]))
    return cluster.wait(deployment.namespace,
                        k8s_resources.vdus_ready(deployment.targets.values()),
                        timeout=settings.operation_timeout,
                        interval=settings.poll_interval)


def _cluster(clients, vim, settings):
    return k8s_resources.Cluster(clients.get(vim), vim,
                                 timeout=settings.request_timeout)


def _info_with(record, manifests, files, flavour):
    """instantiatedVnfInfo with the rolled manifests and ``files``."""
    info = copy.deepcopy(record.instantiated_vnf_info or {})
    metadata = info.setdefault('metadata', {})
    vdu_reses = dict(metadata.get('vdu_reses') or {})
    for vdu_id, manifest in manifests.items():
        kept = copy.deepcopy(manifest)
        # What runs: the replicas the stored manifest had (the plan sets
        # the observed count).
        replicas = ((vdu_reses.get(vdu_id) or {}).get('spec') or {}).get(
            'replicas')
        if replicas is not None:
            kept.setdefault('spec', {})['replicas'] = replicas
        vdu_reses[vdu_id] = kept
    metadata['vdu_reses'] = vdu_reses
    if files is not None:
        metadata[DEF_FILES] = list(files)
    if flavour is not None:
        info['maxScaleLevels'] = [
            {'aspectId': aspect, 'scaleLevel': level}
            for aspect, level in sorted(flavour.max_scale_levels.items())]
    return info


def _recorded(adapter, settings, record, info, snapshot, deployment):
    """``info`` with the pods ``snapshot`` shows, as a sync would write."""
    stored = v2_records.stored_from_v2(record.id, info, deployment.targets)
    plan = operations.Operation(adapter, settings)._plan(
        stored, snapshot, deployment)
    return v2_records.apply_plan_v2(info, plan)


def run(adapter, record, params, settings=None):
    """Roll the instance to the new package, then write the record once."""
    settings = settings or operations.Settings.from_conf()
    rollout = plan_rollout(adapter, record, params)
    manifests = {vdu_id: rollout.new.vdu_object(vdu_id)
                 for vdu_id in rollout.vdu_ids}
    # The instance's targets are unchanged (a VDU keeps its kind and
    # name); its flavour is now the new package's.
    after = dataclasses.replace(rollout.old, flavour=rollout.new.flavour,
                                package_dir=rollout.new.package_dir,
                                files=rollout.new.files)
    with operations._Clients() as clients:
        cluster = _cluster(clients, after.vim, settings)
        snapshot = roll(cluster, manifests, settings=settings,
                        deployment=after)
    info = _recorded(adapter, settings, record, _info_with(
        record, manifests, rollout.new.files, rollout.new.flavour),
        snapshot, after)
    package = rollout.package
    old_package_id = adapter.package_id(record)
    values = {
        'vnfdId': package['vnfd_id'],
        'vnfProvider': package['vnf_provider'],
        'vnfProductName': package['vnf_product_name'],
        'vnfSoftwareVersion': package['vnf_software_version'],
        'vnfdVersion': package['vnfd_version'],
        'instantiatedVnfInfo': info,
    }
    # Merged onto what the instance holds, as Tacker does.
    merge = {field: params[field] for field in COPIED_FIELDS
             if isinstance(params.get(field), dict)}
    v2_instances.change_package(record, new_package_id=package['id'],
                                old_package_id=old_package_id, merge=merge,
                                **values)
    LOG.info('vnf %(id)s moved from vnfd %(old)s to vnfd %(new)s by a '
             'rolling update of %(vdus)s',
             {'id': record.id, 'old': record.vnfd_id,
              'new': package['vnfd_id'], 'vdus': ', '.join(rollout.vdu_ids)})


def rollback_change_vnfpkg(adapter, record, params, settings=None):
    """Undo a failed change_vnfpkg: the record's manifests back in place.

    ``record`` is the instance as stored now; a change_vnfpkg writes it
    only when it succeeds, so its ``metadata.vdu_reses`` are still the
    manifests from before the request.  Each VDU the request named gets
    its old spec back (live replica count kept), the operation waits for
    that rollout, and the pods it runs are recorded (vnfdId and the
    package stay the old ones).  Raises like ``run`` (a timeout is a
    ``KubernetesTimeout``: the op occ stays FAILED_TEMP).
    """
    settings = settings or operations.Settings.from_conf()
    _vnfd_id, _additional, vdu_ids = check_request(params)
    _check_record(record)
    deployment = adapter.deployment(record)
    vdu_reses = ((record.instantiated_vnf_info or {}).get('metadata')
                 or {}).get('vdu_reses') or {}
    manifests = {}
    for vdu_id in vdu_ids:
        if vdu_id not in deployment.targets:
            continue
        manifest = vdu_reses.get(vdu_id) or deployment.vdu_object(vdu_id)
        manifests[vdu_id] = manifest
    with operations._Clients() as clients:
        cluster = _cluster(clients, deployment.vim, settings)
        snapshot = roll(cluster, manifests, settings=settings,
                        deployment=deployment)
    info = _recorded(adapter, settings, record,
                     copy.deepcopy(record.instantiated_vnf_info or {}),
                     snapshot, deployment)
    v2_instances.update_instance(record, instantiatedVnfInfo=info)
    LOG.info('vnf %(id)s rolled back to the manifests of vnfd %(vnfd)s '
             '(%(vdus)s)', {'id': record.id, 'vnfd': record.vnfd_id,
                            'vdus': ', '.join(sorted(manifests)) or 'none'})


def _step(operation, record, params):
    run(operation.adapter, record, params, operation.settings)


def _undo_step(operation, record, params):
    rollback_change_vnfpkg(operation.adapter, record, params,
                           operation.settings)


operations.STEPS[states.CHANGE_VNFPKG] = _step
operations.ROLLBACKS[states.CHANGE_VNFPKG] = _undo_step
