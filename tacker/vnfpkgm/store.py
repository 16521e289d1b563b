"""Onboards VNF packages: files under the CSAR path and rows in TackerDB.

The promise: a package is either fully onboarded (its directory
``<vnf_package_csar_path>/<package id>/`` exists *and* its ``vnf_packages``
row says ONBOARDED with a live ``vnf_package_vnfd`` row) or it has neither
(a row that existed before stays as it was).  How it is kept:

1. The zip is checked and unpacked into ``.onboarding-<id>-<random>``
   beside the target, and the VNFD is parsed from there.  A bad package
   fails here, before the database is touched.
2. One writer transaction updates (or creates) the ``vnf_packages`` row
   and inserts the ``vnf_package_vnfd`` row; the flush takes the row's
   write lock, so a second onboarding of the same id waits and then sees
   ONBOARDED.  While that lock is held the temp directory is renamed onto
   the target (one atomic rename), then the transaction commits.
3. Any failure removes the temp directory, and the target when the
   commit did not happen.  A crash can leave only a temp directory or a
   target whose row never committed; ``cleanup_orphans`` (run it at
   start-up) removes both.

Deleting does the reverse: rows first (commit), then the directory, so a
crash in between leaves files without a live row, which
``cleanup_orphans`` removes.  Which package states an API request may
start from is the API's business; this module only refuses to onboard a
package twice or delete one in use.
"""

import dataclasses
import hashlib
import os
import re
import shutil
import time
import uuid

from oslo_log import log as logging

from tacker.common import exceptions
from tacker.db import packages
from tacker.vnfpkgm import csar
from tacker.vnfpkgm import errors
from tacker.vnfpkgm import vnfd as vnfd_mod
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

CHECKSUM_ALGORITHM = "sha512"  # of the whole zip, as Tacker reports it
TMP_PREFIX = ".onboarding-"
TRASH_PREFIX = ".deleting-"
DEFAULT_GRACE_SECONDS = 300
_PACKAGE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_CHUNK = 1 << 20


@dataclasses.dataclass(frozen=True)
class OnboardResult:
    package_id: str
    path: str  # the package directory
    vnfd: vnfd_mod.Vnfd
    size: int  # bytes of the zip
    algorithm: str
    hash: str


@dataclasses.dataclass(frozen=True)
class CleanupReport:
    removed: tuple[str, ...]  # directories removed
    # ONBOARDED packages whose directory is missing: reported, not fixed.
    missing: tuple[str, ...]


def _checksum(source):
    """(size, sha512 hex) of zip bytes or a zip file."""
    digest = hashlib.new(CHECKSUM_ALGORITHM)
    if isinstance(source, (bytes, bytearray, memoryview)):
        digest.update(source)
        return len(source), digest.hexdigest()
    size = 0
    with open(source, "rb") as f:
        while chunk := f.read(_CHUNK):
            size += len(chunk)
            digest.update(chunk)
    return size, digest.hexdigest()


def _remove(path):
    if path and os.path.lexists(path):
        shutil.rmtree(path, ignore_errors=True)


class PackageStore:
    """Package files under ``csar_path`` kept in step with TackerDB."""

    def __init__(self, csar_path=None, *, max_size=csar.DEFAULT_MAX_SIZE):
        self.csar_path = os.path.abspath(
            csar_path or CONF.vnf_package.vnf_package_csar_path)
        self.max_size = max_size

    def package_dir(self, package_id):
        if not isinstance(package_id, str) or not _PACKAGE_ID.match(
                package_id):
            raise errors.InvalidPackage(
                reason="package id %r is not a plain identifier" % (
                    package_id,))
        return os.path.join(self.csar_path, package_id)

    # --- onboarding

    def onboard(self, package_id, source, *, tenant_id=None):
        """Check, unpack and record a package; all or nothing.

        ``source`` is the zip as bytes or a path.  The ``vnf_packages`` row
        is updated when it exists (any state but ONBOARDED) and created
        with ``tenant_id`` otherwise.  Raises an ``errors.InvalidPackage``
        subclass for a bad package, ``exceptions.PackageStateConflict`` when
        it is already onboarded, ``exceptions.PackageNotFound`` for a deleted
        row.
        """
        target = self.package_dir(package_id)
        os.makedirs(self.csar_path, exist_ok=True)
        size, digest = _checksum(source)
        tmp = os.path.join(self.csar_path, "%s%s-%s" % (
            TMP_PREFIX, package_id, uuid.uuid4().hex))
        renamed = False
        try:
            with csar.open_csar(source, max_size=self.max_size) as pkg:
                pkg.extract(tmp)
            parsed = vnfd_mod.load_vnfd(tmp)
            with packages.onboarding(package_id, parsed,
                                     tenant_id=tenant_id, size=size,
                                     algorithm=CHECKSUM_ALGORITHM,
                                     digest=digest):
                if os.path.lexists(target):
                    # A leftover of a crash: the row lock is ours and the
                    # row was not ONBOARDED, so nobody owns these files.
                    LOG.warning("Removing stale files of VNF package "
                                "%(id)s before onboarding it.",
                                {"id": package_id})
                    _remove(target)
                os.rename(tmp, target)
                renamed = True
        except BaseException:
            _remove(tmp)
            if renamed:
                _remove(target)
            raise
        vnfd_mod.invalidate(target)
        LOG.info("VNF package %(id)s onboarded: vnfd %(vnfd)s, %(size)s "
                 "bytes.", {"id": package_id, "vnfd": parsed.vnfd_id,
                            "size": size})
        return OnboardResult(
            package_id=package_id, path=target,
            vnfd=dataclasses.replace(parsed, package_dir=target), size=size,
            algorithm=CHECKSUM_ALGORITHM, hash=digest)

    # --- reading

    def get_vnfd(self, package_id):
        """The cached ``vnfd.Vnfd`` of an onboarded package."""
        path = self.package_dir(package_id)
        if not os.path.isdir(path):
            raise exceptions.PackageNotFound(id=package_id)
        return vnfd_mod.get_vnfd(path)

    # --- deleting

    def delete(self, package_id):
        """Soft-delete the package's rows, then remove its files.

        Refuses (``PackageStateConflict``) while the package is IN_USE.
        """
        packages.soft_delete(package_id)
        self._remove_files(package_id)

    def _remove_files(self, package_id):
        target = self.package_dir(package_id)
        vnfd_mod.invalidate(target)
        if not os.path.lexists(target):
            return
        trash = os.path.join(self.csar_path, "%s%s-%s" % (
            TRASH_PREFIX, package_id, uuid.uuid4().hex))
        os.rename(target, trash)
        _remove(trash)

    # --- start-up recovery

    def cleanup_orphans(self, *, grace_seconds=DEFAULT_GRACE_SECONDS):
        """Remove what a crash left under ``csar_path``.

        Removed: temp and trash directories, and package directories
        without a live ONBOARDED row, once older than ``grace_seconds``
        (so an onboarding running in another process right now is left
        alone; 0 removes them whatever their age).  Names that look like
        neither are never touched.
        """
        if not os.path.isdir(self.csar_path):
            return CleanupReport(removed=(), missing=())
        live = packages.onboarded_ids()
        now = time.time()
        removed = []
        names = set(os.listdir(self.csar_path))
        for name in sorted(names):
            path = os.path.join(self.csar_path, name)
            ours = name.startswith((TMP_PREFIX, TRASH_PREFIX))
            orphan = bool(_PACKAGE_ID.match(name)) and name not in live
            if not (ours or orphan) or not os.path.isdir(path):
                continue
            if now - os.lstat(path).st_mtime < grace_seconds:
                continue
            LOG.warning("Removing %(path)s: no onboarded VNF package owns "
                        "it.", {"path": path})
            vnfd_mod.invalidate(path)
            _remove(path)
            removed.append(path)
        missing = sorted(live - names)
        for package_id in missing:
            LOG.error("VNF package %(id)s is ONBOARDED but its directory "
                      "%(path)s is missing.",
                      {"id": package_id,
                       "path": os.path.join(self.csar_path, package_id)})
        return CleanupReport(removed=tuple(removed), missing=tuple(missing))
