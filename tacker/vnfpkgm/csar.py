"""Checks a CSAR (a VNF package zip) and unpacks it safely.

``open_csar`` decides whether a zip is an acceptable package: readable, no
entry that could land outside the target directory, a
``TOSCA-Metadata/TOSCA.meta`` whose ``Entry-Definitions`` exists, and every
artifact listed in TOSCA.meta present with the hash it declares.  The
returned ``Csar`` can then be extracted.  Reading the VNFD is left to
``tacker.vnfpkgm.vnfd``; the database and the package directory layout to
``tacker.vnfpkgm.store``.

TOSCA.meta is read as blocks of ``Key: value`` lines separated by blank
lines, as Tacker 16 reads it.  A block with ``Name:`` (SOL004's key, the
one Tacker's v2 driver lists manifests by), ``Source:`` (the manifest-file
key, which Tacker's v1 onboarding also takes in TOSCA.meta), ``Algorithm:``
or ``Hash:`` describes one artifact; ``Name`` wins when a block has both.
The keys of every other block form the header, which must name
``Entry-Definitions``.
"""

import dataclasses
import hashlib
import io
import os
import posixpath
import re
import shutil
import stat
import zipfile
import zlib

from tacker.vnfpkgm import errors

TOSCA_META = "TOSCA-Metadata/TOSCA.meta"
KUBERNETES_DIR = "Files/kubernetes/"
DEFAULT_MAX_SIZE = 1 << 30  # bytes unpacked; a CNF package is far smaller
# Tacker 16's set (csar_utils.HASH_DICT), whose names it compares
# case-insensitively.
HASH_ALGORITHMS = {"SHA-224": hashlib.sha224, "SHA-256": hashlib.sha256,
                   "SHA-384": hashlib.sha384, "SHA-512": hashlib.sha512}
_ARTIFACT_KEYS = {"name", "source", "algorithm", "hash"}

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_DRIVE = re.compile(r"^[A-Za-z]:")
_CHUNK = 1 << 16


def unsafe_reason(name):
    """Why ``name`` is no safe relative package path (None when it is)."""
    if not name:
        return "empty name"
    if "\0" in name:
        return "NUL character in name"
    if "\\" in name:
        return "backslash in name"
    if name.startswith("/") or _DRIVE.match(name):
        return "absolute path"
    if ".." in name.split("/"):
        return "'..' component"
    return None


def normalize(name):
    """``name`` without '.' components and doubled or trailing slashes."""
    return posixpath.normpath(name).lstrip("/") if name else name


@dataclasses.dataclass(frozen=True)
class Artifact:
    """One artifact block of TOSCA.meta."""

    path: str
    algorithm: str
    hash: str
    content_type: str | None = None
    line: int = 0


@dataclasses.dataclass(frozen=True)
class ToscaMeta:
    entry_definitions: str
    header: dict
    artifacts: tuple[Artifact, ...] = ()

    @property
    def kubernetes_files(self):
        """Artifact paths under ``Files/kubernetes/``, in declared order."""
        return tuple(a.path for a in self.artifacts
                     if a.path.startswith(KUBERNETES_DIR))


def _blocks(text):
    """Yield lists of (line number, key, value) separated by blank lines."""
    block = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            if block:
                yield block
                block = []
            continue
        key, sep, value = raw.partition(":")
        if not sep or not key.strip():
            raise errors.InvalidToscaMeta(
                file=TOSCA_META, line=number,
                reason="expected 'Key: value', got %r" % raw.strip())
        block.append((number, key.strip(), value.strip()))
    if block:
        yield block


def _checked_path(value, line, what):
    if _URL.match(value):
        raise errors.InvalidToscaMeta(
            file=TOSCA_META, line=line,
            reason="%s '%s' is a URL; only files inside the package are "
                   "supported" % (what, value))
    reason = unsafe_reason(value)
    if reason:
        raise errors.InvalidToscaMeta(
            file=TOSCA_META, line=line,
            reason="%s '%s' is not a package path (%s)" % (what, value,
                                                           reason))
    return normalize(value)


def _artifact(block):
    keys = {key.lower(): (number, value) for number, key, value in block}
    first_line = block[0][0]
    if "name" not in keys and "source" not in keys:
        raise errors.InvalidToscaMeta(
            file=TOSCA_META, line=first_line,
            reason="artifact block has no Name")
    line, path = keys.get("name") or keys["source"]
    path = _checked_path(path, line, "artifact")
    missing = [k for k in ("Algorithm", "Hash") if k.lower() not in keys]
    if missing:
        raise errors.InvalidToscaMeta(
            file=TOSCA_META, line=first_line,
            reason="artifact '%s' has no %s" % (path, " or ".join(missing)))
    algorithm = keys["algorithm"][1].upper()
    if algorithm not in HASH_ALGORITHMS:
        raise errors.UnsupportedHashAlgorithm(
            file=TOSCA_META, artifact=path, algorithm=keys["algorithm"][1],
            supported=", ".join(sorted(HASH_ALGORITHMS)))
    content_type = keys.get("content-type", (0, None))[1]
    return Artifact(path=path, algorithm=algorithm,
                    hash=keys["hash"][1].lower(), content_type=content_type,
                    line=first_line)


def parse_tosca_meta(text):
    """Parse TOSCA.meta text into a ``ToscaMeta`` (no file checks)."""
    header = {}
    header_lines = {}
    artifacts = []
    seen = {}
    for block in _blocks(text):
        keys = {key.lower() for _, key, _ in block}
        if keys & _ARTIFACT_KEYS:
            artifact = _artifact(block)
            if artifact.path in seen:
                raise errors.InvalidToscaMeta(
                    file=TOSCA_META, line=artifact.line,
                    reason="artifact '%s' is already listed on line %s" % (
                        artifact.path, seen[artifact.path]))
            seen[artifact.path] = artifact.line
            artifacts.append(artifact)
        else:
            for number, key, value in block:
                header[key] = value
                header_lines[key.lower()] = number
    entry = next((v for k, v in header.items()
                  if k.lower() == "entry-definitions"), None)
    if not entry:
        raise errors.InvalidToscaMeta(
            file=TOSCA_META, line=header_lines.get("entry-definitions", 1),
            reason="no Entry-Definitions")
    entry = _checked_path(entry, header_lines["entry-definitions"],
                          "Entry-Definitions")
    return ToscaMeta(entry_definitions=entry, header=header,
                     artifacts=tuple(artifacts))


def _decode_meta(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise errors.InvalidToscaMeta(file=TOSCA_META, line=1,
                                      reason="not UTF-8 text (%s)" % exc)


def read_tosca_meta(package_dir):
    """Parse the TOSCA.meta of an unpacked package directory."""
    path = os.path.join(package_dir, *TOSCA_META.split("/"))
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise errors.ToscaMetaMissing(file=TOSCA_META)
    return parse_tosca_meta(_decode_meta(data))


class Csar:
    """A zip that passed every check of ``open_csar``.

    Use as a context manager (or call ``close``) to release the zip.
    """

    def __init__(self, zf, members, meta, *, max_size):
        self._zip = zf
        self._members = members  # normalized path -> ZipInfo (files only)
        self.meta = meta
        self.max_size = max_size

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        self._zip.close()

    @property
    def names(self):
        """Package-relative paths of every file, sorted."""
        return sorted(self._members)

    @property
    def unpacked_size(self):
        return sum(info.file_size for info in self._members.values())

    def read(self, name):
        """The bytes of one file of the package."""
        return b"".join(self._chunks(name))

    def _chunks(self, name):
        info = self._members[name]
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError,
                NotImplementedError, RuntimeError) as exc:
            raise errors.InvalidZip(reason="entry '%s': %s" % (name, exc))

    def verify_artifacts(self):
        """Check that every TOSCA.meta artifact exists with its hash."""
        for artifact in self.meta.artifacts:
            if artifact.path not in self._members:
                raise errors.ArtifactMissing(file=TOSCA_META,
                                             artifact=artifact.path)
            digest = HASH_ALGORITHMS[artifact.algorithm]()
            for chunk in self._chunks(artifact.path):
                digest.update(chunk)
            actual = digest.hexdigest()
            if actual != artifact.hash:
                raise errors.ArtifactHashMismatch(
                    file=TOSCA_META, artifact=artifact.path,
                    algorithm=artifact.algorithm, expected=artifact.hash,
                    actual=actual)

    def extract(self, dest_dir):
        """Write every file below ``dest_dir`` (created if missing).

        Files are created exclusively, so nothing that already exists is
        ever overwritten, and the written byte count is checked against
        ``max_size`` whatever the zip headers claim.
        """
        os.makedirs(dest_dir, exist_ok=True)
        written = 0
        for name in self.names:
            target = os.path.join(dest_dir, *name.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "xb") as out:
                for chunk in self._chunks(name):
                    written += len(chunk)
                    if written > self.max_size:
                        raise errors.PackageTooLarge(limit=self.max_size,
                                                     file=name)
                    out.write(chunk)


def _members(zf, max_size):
    members = {}
    total = 0
    for info in zf.infolist():
        reason = unsafe_reason(info.filename)
        if reason is None and stat.S_ISLNK(info.external_attr >> 16):
            reason = "symbolic link"
        if reason:
            raise errors.UnsafeZipEntry(file=info.filename, reason=reason)
        if info.is_dir():
            continue
        name = normalize(info.filename)
        if name in members:
            raise errors.InvalidZip(
                reason="entry '%s' appears more than once" % name)
        total += info.file_size
        if total > max_size:
            raise errors.PackageTooLarge(limit=max_size, file=name)
        members[name] = info
    return members


def open_csar(source, *, max_size=DEFAULT_MAX_SIZE):
    """Open and check a CSAR given as bytes, a path, or a binary file.

    Raises a ``tacker.vnfpkgm.errors.InvalidPackage`` subclass on the
    first problem found; returns an open ``Csar`` otherwise.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(source))
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError,
            ValueError) as exc:
        raise errors.InvalidZip(reason=str(exc) or type(exc).__name__)
    try:
        members = _members(zf, max_size)
        if TOSCA_META not in members:
            raise errors.ToscaMetaMissing(file=TOSCA_META)
        csar = Csar(zf, members, None, max_size=max_size)
        csar.meta = parse_tosca_meta(_decode_meta(csar.read(TOSCA_META)))
        if csar.meta.entry_definitions not in members:
            raise errors.EntryDefinitionsMissing(
                file=TOSCA_META, entry=csar.meta.entry_definitions)
        csar.verify_artifacts()
    except BaseException:
        zf.close()
        raise
    return csar


def extract_csar(source, dest_dir, *, max_size=DEFAULT_MAX_SIZE):
    """Check ``source`` and unpack it to ``dest_dir``; return its meta.

    On any failure the files written so far are removed again (when this
    call created ``dest_dir``, the directory too).
    """
    created = not os.path.exists(dest_dir)
    with open_csar(source, max_size=max_size) as csar:
        try:
            csar.extract(dest_dir)
        except BaseException:
            if created:
                shutil.rmtree(dest_dir, ignore_errors=True)
            raise
        return csar.meta
