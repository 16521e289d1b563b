"""A package's Kubernetes manifests, and the VDU each workload stands for.

A VDU's ``properties.name`` in the VNFD is the ``metadata.name`` of one
manifest object; that object's ``kind`` (Deployment, ReplicaSet,
StatefulSet, DaemonSet or Pod) says how its pods are owned.
"""

import functools
import os

import yaml

from tacker.common import exceptions
from tacker.vnfm.infra_drivers.kubernetes import model


class ManifestError(exceptions.Invalid):
    msg_fmt = 'Kubernetes manifest %(file)s: %(reason)s'


class NoVduManifest(exceptions.Invalid):
    msg_fmt = ('No VDU of flavour %(flavour)s has a Deployment, ReplicaSet, '
               'StatefulSet, DaemonSet or Pod manifest in %(files)s')


def is_package_relative(rel):
    """True for a relative path that stays inside its package."""
    if not rel or os.path.isabs(rel) or '\0' in rel:
        return False
    parts = rel.replace('\\', '/').split('/')
    return '..' not in parts


@functools.lru_cache(maxsize=256)
def load(package_dir, files):
    """Every object of ``files`` (package-relative paths), in order."""
    objects = []
    root = os.path.realpath(package_dir)
    for rel in files:
        path = os.path.realpath(os.path.join(root, rel))
        if not is_package_relative(rel) or not path.startswith(
                root + os.sep):
            raise ManifestError(file=rel, reason='not a file inside the '
                                'package')
        try:
            with open(path, encoding='utf-8') as stream:
                docs = list(yaml.safe_load_all(stream))
        except OSError as exc:
            raise ManifestError(file=rel, reason=exc.strerror or str(exc))
        except yaml.YAMLError as exc:
            raise ManifestError(file=rel, reason='not valid YAML (%s)'
                                % str(exc).splitlines()[0])
        for doc in docs:
            if doc is None:
                continue
            if not isinstance(doc, dict) or 'kind' not in doc:
                raise ManifestError(file=rel,
                                    reason='an object without kind')
            objects.append((rel, doc))
    return tuple(objects)


def vdu_targets(flavour, objects, files=()):
    """``{vdu_id: model.VduTarget}`` of the VDUs deployed from ``objects``.

    An instance may be instantiated from some of the package's files
    only (``lcm-kubernetes-def-files``); VDUs with no object there were
    not deployed and are no target.
    """
    by_name = {}
    for _rel, doc in objects:
        if doc.get('kind') in model.VDU_KINDS:
            name = (doc.get('metadata') or {}).get('name')
            by_name.setdefault(name, doc['kind'])
    targets = {}
    for vdu_id, vdu in sorted(flavour.vdus.items()):
        kind = by_name.get(vdu.name)
        if kind is None:
            continue
        targets[vdu_id] = model.VduTarget(vdu_id=vdu_id, kind=kind,
                                          name=vdu.name)
    if not targets:
        raise NoVduManifest(flavour=flavour.flavour_id,
                            files=', '.join(files) or 'the package')
    return targets
