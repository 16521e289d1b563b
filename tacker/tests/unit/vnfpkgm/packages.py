"""Helpers that make good and broken VNF packages for the tests."""

import io
import pathlib
import shutil
import zipfile

from tacker.vnfpkgm import build

SAMPLES = build.SAMPLES_DIR
SAMPLE_CNF = SAMPLES / "sample_cnf"
SAMPLE_MULTI = SAMPLES / "sample_cnf_multi"
FLAVOUR = "Definitions/sample_cnf_df_simple.yaml"
TOP = "Definitions/sample_cnf_top.vnfd.yaml"
TYPES = "Definitions/sample_cnf_types.yaml"
META = "TOSCA-Metadata/TOSCA.meta"


def copy_sample(tmp_path, sample=SAMPLE_CNF):
    """A private copy of a sample source folder, free to edit."""
    dest = pathlib.Path(tmp_path) / ("src-" + sample.name)
    shutil.copytree(sample, dest)
    return dest


def edit(src, rel, old, new, count=1):
    """Replace ``old`` by ``new`` in one file of a source folder."""
    path = src.joinpath(*rel.split("/"))
    text = path.read_text()
    assert old in text, "%r not in %s" % (old, rel)
    path.write_text(text.replace(old, new, count))


def zip_of(src):
    return build.build_csar_bytes(src)


def rezip(data, *, replace=None, drop=(), add=None, raw_names=None):
    """A copy of zip ``data`` with members replaced, dropped or added.

    ``raw_names`` adds entries whose names are written as given, for the
    zip-slip cases; ``add`` takes ZipInfo or name keys.
    """
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            dst.writestr(info, replace.get(info.filename,
                                           src.read(info.filename)))
        for name, body in (add or {}).items():
            dst.writestr(name, body)
        for name, body in (raw_names or {}).items():
            info = zipfile.ZipInfo("placeholder")
            info.filename = name
            dst.writestr(info, body)
    return out.getvalue()


def read_member(data, name):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)
