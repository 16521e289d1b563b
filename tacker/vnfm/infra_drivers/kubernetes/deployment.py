"""What an instance runs on: package, flavour, manifests, namespace, VIM.

``Deployment`` is the one value the operations act on, whichever API
version the instance belongs to; the version adapters
(``tacker.versions``) build it from a request (instantiate) or from the
stored record (scale, heal, terminate).  Building it reads the
package's VNFD and manifests (cached) and nothing else.
"""

import dataclasses
import os

from tacker.common import exceptions
from tacker.db import vims
from tacker.vnfm.infra_drivers.kubernetes import k8s_resources
from tacker.vnfm.infra_drivers.kubernetes import manifests
from tacker.vnfm.infra_drivers.kubernetes import names
from tacker.vnfm.infra_drivers.kubernetes import vim_access
from tacker.vnfpkgm import store as package_store
from tacker.vnfpkgm import vnfd as vnfd_mod

DEFAULT_NAMESPACE = 'default'
DEF_FILES = 'lcm-kubernetes-def-files'


class NoVim(exceptions.Invalid):
    msg_fmt = ('vimConnectionInfo names no Kubernetes VIM and project '
               '%(tenant)s has no default VIM.')


@dataclasses.dataclass(frozen=True)
class Deployment:
    instance_id: str
    package_dir: str
    flavour: object  # vnfd.Flavour
    files: tuple
    namespace: str
    vim: vim_access.VimAccess
    targets: dict  # vdu_id -> model.VduTarget
    objects: tuple  # every manifest object, labelled, in file order

    def vdu_object(self, vdu_id):
        """The (labelled) manifest object VDU ``vdu_id`` stands for."""
        target = self.targets[vdu_id]
        for obj in self.objects:
            if obj.get('kind') == target.kind and \
                    obj['metadata'].get('name') == target.name:
                return obj
        raise KeyError(vdu_id)


def flavour_of(package_id, flavour_id):
    """``(flavour, package_dir)``; a missing flavour is Invalid (400).

    A package whose directory is gone (deleted by hand, or a record
    naming a package this server never onboarded) is a typed 409, not
    a failure of the server.
    """
    package_dir = package_store.PackageStore().package_dir(package_id)
    if not os.path.isdir(package_dir):
        raise exceptions.PackageContentMissing(id=package_id,
                                               path=package_dir)
    return vnfd_mod.get_vnfd(package_dir).flavour(flavour_id), package_dir


def files_of(flavour, additional_params):
    files = (additional_params or {}).get(DEF_FILES)
    if files is None:
        files = flavour.kubernetes_files
    if not isinstance(files, (list, tuple)) or not all(
            isinstance(f, str) for f in files):
        raise exceptions.Invalid(reason='additionalParams.%s must be a '
                                 'list of file paths' % DEF_FILES)
    for rel in files:
        if not manifests.is_package_relative(rel):
            raise exceptions.Invalid(reason='additionalParams.%s: %r is '
                                     'not a path inside the package'
                                     % (DEF_FILES, rel[:200]))
    return tuple(files)


def namespace_of(params, field='additionalParams.namespace'):
    """The namespace ``params`` name (default ``default``); else 400.

    ``field`` names where ``params['namespace']`` came from, for the
    message.
    """
    namespace = (params or {}).get('namespace') or DEFAULT_NAMESPACE
    if not isinstance(namespace, str):
        raise exceptions.Invalid(reason='%s must be a string' % field)
    return names.check_namespace(namespace, field)


def build(*, instance_id, package_dir, flavour, files, namespace, vim):
    """A Deployment; manifest problems are Invalid (400)."""
    loaded = manifests.load(package_dir, tuple(files))
    for rel, doc in loaded:
        meta = doc.get('metadata')
        if isinstance(meta, dict) and 'name' in meta:
            # Refused here, not by the cluster after the op occ started.
            names.check_object_name(doc.get('kind'), meta['name'],
                                    '%s: %s' % (rel, doc.get('kind')))
    targets = manifests.vdu_targets(flavour, loaded, files)
    objects = tuple(k8s_resources.labelled(doc, instance_id=instance_id,
                                           namespace=namespace)
                    for _rel, doc in loaded)
    return Deployment(instance_id=instance_id, package_dir=package_dir,
                      flavour=flavour, files=tuple(files),
                      namespace=namespace, vim=vim, targets=targets,
                      objects=objects)


def registered_vim(vim_id):
    vim = vims.get_vim(vim_id)
    return vim_access.from_v1_vim(vim.id, vim.auth_url, vim.auth_cred)


def default_vim(tenant_id):
    """The VimRecord of the project's default VIM, or NoVim."""
    vim = vims.default_vims().get(tenant_id)
    if vim is None:
        raise NoVim(tenant=tenant_id)
    return vim
