"""Builds CSAR zips from package source folders (the samples, mainly).

A source folder is laid out like the unpacked package, except that its
``TOSCA-Metadata/TOSCA.meta`` holds only the header (``Entry-Definitions``
and friends).  The build owns the artifact blocks: it drops any the source
has and writes one block for every file under ``Files/``, so the hashes
can never go stale.  A block is SOL004's ``Name`` / ``Content-Type`` /
``Algorithm`` / ``Hash`` (SHA-256, lower-case hex), because Tacker's v2
Kubernetes driver finds a package's manifests by the ``Name`` entries of
TOSCA.meta only (an older ``Source`` block satisfies v1 onboarding but
leaves v2 with ``CnfDefinitionNotFound``).  Zips are reproducible: sorted
entries and fixed timestamps.

Usage::

    python -m tacker.vnfpkgm.build samples/vnf_packages/sample_cnf OUT.zip
    python -m tacker.vnfpkgm.build --all OUTDIR   # every sample -> <name>.zip
"""

import argparse
import hashlib
import io
import os
import pathlib
import sys
import zipfile

from tacker.vnfpkgm import csar

SAMPLES_DIR = pathlib.Path(__file__).resolve().parents[2].joinpath(
    "samples", "vnf_packages")
_EPOCH = (1980, 1, 1, 0, 0, 0)
_CONTENT_TYPES = {".yaml": "application/yaml", ".yml": "application/yaml",
                  ".json": "application/json"}
_SKIPPED_DIRS = {"__pycache__"}


def _files(src_dir):
    """Package-relative paths of every file to ship, sorted."""
    root = pathlib.Path(src_dir)
    result = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".")
                             and d not in _SKIPPED_DIRS)
        for name in filenames:
            if name.startswith(".") or name.endswith(("~", ".pyc")):
                continue
            result.append(pathlib.Path(dirpath, name).relative_to(
                root).as_posix())
    return sorted(result)


def render_tosca_meta(src_dir):
    """The TOSCA.meta text the zip gets: the source header + artifacts."""
    root = pathlib.Path(src_dir)
    source = root.joinpath(*csar.TOSCA_META.split("/")).read_text("utf-8")
    header_blocks = []
    for block in source.replace("\r\n", "\n").split("\n\n"):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        keys = {ln.partition(":")[0].strip().lower() for ln in lines}
        if lines and not keys & {"name", "source"}:
            header_blocks.append("\n".join(lines))
    blocks = header_blocks
    for rel in _files(root):
        if not rel.startswith("Files/"):
            continue
        digest = hashlib.sha256(root.joinpath(*rel.split("/")).read_bytes())
        content_type = _CONTENT_TYPES.get(pathlib.PurePosixPath(rel).suffix,
                                          "application/octet-stream")
        blocks.append("Name: %s\nContent-Type: %s\nAlgorithm: SHA-256\n"
                      "Hash: %s" % (rel, content_type, digest.hexdigest()))
    return "\n\n".join(blocks) + "\n"


def build_csar_bytes(src_dir):
    """The CSAR zip of a source folder, as bytes."""
    root = pathlib.Path(src_dir)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel in _files(root):
            if rel == csar.TOSCA_META:
                data = render_tosca_meta(root).encode("utf-8")
            else:
                data = root.joinpath(*rel.split("/")).read_bytes()
            info = zipfile.ZipInfo(rel, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def build_csar(src_dir, out_path):
    """Write the CSAR of ``src_dir`` to ``out_path``; return the path."""
    data = build_csar_bytes(src_dir)
    out_path = os.fspath(out_path)
    parent = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(parent, exist_ok=True)
    partial = out_path + ".partial"
    with open(partial, "wb") as f:
        f.write(data)
    os.replace(partial, out_path)
    return out_path


def sample_dirs(samples_dir=SAMPLES_DIR):
    """Every folder below ``samples_dir`` that has a TOSCA.meta, sorted."""
    root = pathlib.Path(samples_dir)
    return [d for d in sorted(root.iterdir())
            if d.joinpath(*csar.TOSCA_META.split("/")).is_file()]


def build_all(out_dir, *, samples_dir=SAMPLES_DIR):
    """Build ``<out_dir>/<sample>.zip`` for every sample; return the paths."""
    return [build_csar(d, os.path.join(out_dir, d.name + ".zip"))
            for d in sample_dirs(samples_dir)]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tacker.vnfpkgm.build",
        description="Build CSAR zips from VNF package source folders.")
    parser.add_argument("source", nargs="?",
                        help="package source folder (with TOSCA-Metadata/)")
    parser.add_argument("output", nargs="?", help="zip file to write")
    parser.add_argument("--all", metavar="OUTDIR",
                        help="build every sample into OUTDIR/<name>.zip")
    parser.add_argument("--samples-dir", default=str(SAMPLES_DIR),
                        help="where --all looks for samples "
                             "(default: %(default)s)")
    args = parser.parse_args(argv)
    if args.all:
        if args.source or args.output:
            parser.error("--all takes no source/output arguments")
        paths = build_all(args.all, samples_dir=args.samples_dir)
    elif args.source and args.output:
        paths = [build_csar(args.source, args.output)]
    else:
        parser.error("give SOURCE and OUTPUT, or --all OUTDIR")
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
