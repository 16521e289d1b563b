"""Reads a SOL001 VNFD from an unpacked package into scaling facts.

What this module decides: which files form the VNFD (the TOSCA.meta
``Entry-Definitions`` plus its ``imports``, resolved inside the package
only), which node type is the VNF, which files are deployment flavours,
and per flavour the VDUs, scaling aspects, per-VDU deltas, initial deltas
and instantiation levels, checked for consistency.  It never validates
against the SOL001 type definitions (they are parsed and skipped) and it
never touches the network.

Interpretation choices (documented in doc/source/user/vnf_packages.rst):

* An aspect's ``step_deltas`` has either one entry (every step adds that
  delta) or ``max_scale_level`` entries (one per step).  When it is absent,
  the VDU's VduScalingAspectDeltas must declare exactly one delta, which
  then applies to every step.
* A VDU without a VduInitialDelta starts with ``min_number_of_instances``.
* A VDU belongs to at most one aspect; every declared aspect must scale at
  least one VDU; every scale level of every VDU must stay inside its
  ``vdu_profile``; deltas are at least 1 (otherwise a pod count could not
  be turned back into one scale level).

``load_vnfd`` parses; ``get_vnfd`` returns a process-wide cached result,
re-parsed only when the package directory was replaced, and
``invalidate`` drops one entry (call it when a package is deleted).
"""

import dataclasses
import os
import posixpath
import re
import threading

import yaml

from tacker.vnfpkgm import csar
from tacker.vnfpkgm import errors
from tacker.vnfpkgm import scaling

VNF_TYPE = "tosca.nodes.nfv.VNF"
VDU_TYPE = "tosca.nodes.nfv.Vdu.Compute"
SCALING_ASPECTS = "tosca.policies.nfv.ScalingAspects"
ASPECT_DELTAS = "tosca.policies.nfv.VduScalingAspectDeltas"
INITIAL_DELTA = "tosca.policies.nfv.VduInitialDelta"
INSTANTIATION_LEVELS = "tosca.policies.nfv.InstantiationLevels"
VDU_INSTANTIATION_LEVELS = "tosca.policies.nfv.VduInstantiationLevels"

# The VNFD properties that identify it, as (our name, SOL001 property).
IDENTITY = (("vnfd_id", "descriptor_id"), ("provider", "provider"),
            ("product_name", "product_name"),
            ("software_version", "software_version"),
            ("vnfd_version", "descriptor_version"))

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A scheme ("http:", "file:", ...); a drive letter counts as one too.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


# --- the model

@dataclasses.dataclass(frozen=True)
class Vdu:
    vdu_id: str
    name: str
    min_instances: int
    max_instances: int


@dataclasses.dataclass(frozen=True)
class ScalingAspect:
    aspect_id: str
    max_scale_level: int
    # One delta id per step (expanded, so len == max_scale_level); empty
    # when the VNFD leaves it to the single delta of each VDU's policy.
    step_deltas: tuple[str, ...]
    name: str | None = None
    description: str | None = None


@dataclasses.dataclass(frozen=True)
class InstantiationLevel:
    level_id: str
    description: str | None
    scale_levels: dict  # aspect id -> scale level (absent aspects: 0)
    vdu_counts: dict  # VDU id -> number_of_instances (when declared)


@dataclasses.dataclass(frozen=True)
class Flavour:
    """One deployment flavour; treat every mapping as read-only."""

    flavour_id: str
    file: str  # package-relative path of the flavour's definitions
    description: str | None
    vdus: dict  # VDU id -> Vdu
    aspects: dict  # aspect id -> ScalingAspect
    instantiation_levels: dict  # level id -> InstantiationLevel
    default_instantiation_level_id: str | None
    kubernetes_files: tuple[str, ...]
    _scaling: dict = dataclasses.field(repr=False, default=None)

    def vdu_scaling(self, vdu_id):
        """The ``scaling.VduScaling`` of one VDU."""
        try:
            return self._scaling[vdu_id]
        except KeyError:
            raise errors.VduNotFound(vdu_id=vdu_id,
                                     flavour_id=self.flavour_id,
                                     file=self.file)

    def aspect_vdus(self, aspect_id):
        """VDU ids an aspect scales, sorted."""
        if aspect_id not in self.aspects:
            raise errors.AspectNotFound(aspect_id=aspect_id,
                                        flavour_id=self.flavour_id,
                                        file=self.file)
        return tuple(sorted(v for v, s in self._scaling.items()
                            if s.aspect_id == aspect_id))

    @property
    def max_scale_levels(self):
        """Aspect id -> max_scale_level."""
        return {a.aspect_id: a.max_scale_level for a in self.aspects.values()}

    def _level(self, level_id):
        if level_id is None:
            level_id = self.default_instantiation_level_id
            if level_id is None:
                return None
        try:
            return self.instantiation_levels[level_id]
        except KeyError:
            raise errors.InstantiationLevelNotFound(
                level_id=level_id, flavour_id=self.flavour_id,
                file=self.file)

    def scale_levels_for_instantiation_level(self, level_id=None):
        """Aspect id -> scale level at an instantiation level.

        ``level_id`` None means the default level; without any
        instantiation level every aspect is at level 0.
        """
        level = self._level(level_id)
        given = level.scale_levels if level else {}
        return {a: given.get(a, 0) for a in self.aspects}

    def pod_count_for_instantiation_level(self, level_id, vdu_id):
        """Pods ``vdu_id`` has at an instantiation level (None: default)."""
        vdu = self.vdu_scaling(vdu_id)
        level = self._level(level_id)
        if level is None:
            return vdu.initial_delta
        if vdu_id in level.vdu_counts:
            return level.vdu_counts[vdu_id]
        if vdu.aspect_id is None:
            return vdu.initial_delta
        return vdu.count_at_level(level.scale_levels.get(vdu.aspect_id, 0))


@dataclasses.dataclass(frozen=True)
class Vnfd:
    vnfd_id: str
    provider: str
    product_name: str
    software_version: str
    vnfd_version: str
    vnf_node_type: str
    entry_definitions: str
    package_dir: str
    flavours: dict  # flavour id -> Flavour
    # Every Files/kubernetes/ artifact TOSCA.meta lists, in its order.
    kubernetes_files: tuple[str, ...]
    files: tuple[str, ...]  # every VNFD file loaded, package-relative

    def flavour(self, flavour_id):
        try:
            return self.flavours[flavour_id]
        except KeyError:
            raise errors.FlavourNotFound(
                flavour_id=flavour_id, file=self.entry_definitions,
                known=", ".join(sorted(self.flavours)) or "none")


# --- small typed accessors

def _bad(file, field, reason):
    return errors.InvalidVnfd(file=file, field=field, reason=reason)


def _mapping(value, file, field, *, required=False):
    if value is None:
        if required:
            raise _bad(file, field, "missing")
        return {}
    if not isinstance(value, dict):
        raise _bad(file, field, "expected a mapping, got %r" % (value,))
    return value


def _int(value, file, field, *, minimum=0):
    if value is None:
        raise _bad(file, field, "missing")
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(file, field, "expected an integer, got %r" % (value,))
    if value < minimum:
        raise _bad(file, field, "must be at least %d, got %d" % (minimum,
                                                                 value))
    return value


def _str_list(value, file, field):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str)
                                              for v in value):
        raise _bad(file, field, "expected a list of names, got %r" % (value,))
    return value


# --- files and imports

def _read_yaml(package_dir, rel):
    path = os.path.join(package_dir, *rel.split("/"))
    try:
        with open(path, "rb") as f:
            data = yaml.load(f, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise errors.VnfdYamlError(
            file=rel, line=mark.line + 1 if mark else "?",
            reason=exc.problem or exc.context or str(exc))
    except yaml.YAMLError as exc:
        raise errors.VnfdYamlError(file=rel, line="?", reason=str(exc))
    return _mapping(data, rel, "(document)", required=True)


def _inside(package_dir, rel):
    root = os.path.realpath(package_dir)
    real = os.path.realpath(os.path.join(root, *rel.split("/")))
    return real == root or real.startswith(root + os.sep)


def _resolve_import(package_dir, importer, entry):
    if isinstance(entry, dict):
        if entry.get("repository"):
            raise errors.RemoteImportRejected(
                file=importer, import_="%s (repository %s)" % (
                    entry.get("file"), entry["repository"]))
        entry = entry.get("file")
    if not isinstance(entry, str) or not entry:
        raise _bad(importer, "imports", "entry %r names no file" % (entry,))
    if _URL.match(entry):
        raise errors.RemoteImportRejected(file=importer, import_=entry)
    if entry.startswith("/") or "\\" in entry:
        raise errors.ImportOutsidePackage(file=importer, import_=entry)
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(importer),
                                            entry))
    if rel == ".." or rel.startswith("../") or not _inside(package_dir, rel):
        raise errors.ImportOutsidePackage(file=importer, import_=entry)
    if not os.path.isfile(os.path.join(package_dir, *rel.split("/"))):
        raise errors.ImportNotFound(file=importer, import_=entry)
    return rel


def _load_documents(package_dir, entry):
    """Package-relative path -> parsed YAML, entry first, imports after."""
    docs = {}
    pending = [entry]
    while pending:
        rel = pending.pop(0)
        if rel in docs:
            continue
        docs[rel] = data = _read_yaml(package_dir, rel)
        for item in _str_or_list(data.get("imports"), rel):
            pending.append(_resolve_import(package_dir, rel, item))
    return docs


def _str_or_list(value, file):
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise _bad(file, "imports", "expected a list, got %r" % (value,))


# --- types

class _Types:
    """Node and policy types declared anywhere in the VNFD files."""

    def __init__(self, docs):
        self.node = {}  # name -> (file, definition)
        self.policy = {}
        for rel, data in docs.items():
            for section, table in (("node_types", self.node),
                                   ("policy_types", self.policy)):
                for name, definition in _mapping(data.get(section), rel,
                                                 section).items():
                    table.setdefault(name, (rel, definition or {}))

    @staticmethod
    def _is_a(table, name, base):
        seen = set()
        while name and name not in seen:
            if name == base:
                return True
            seen.add(name)
            definition = table.get(name, (None, {}))[1]
            name = (definition.get("derived_from")
                    if isinstance(definition, dict) else None)
        return False

    def node_is_a(self, name, base):
        return self._is_a(self.node, name, base)

    def policy_is_a(self, name, base):
        return self._is_a(self.policy, name, base)


def _vnf_node_type(docs, entry, types):
    candidates = sorted(n for n in types.node
                        if n != VNF_TYPE and types.node_is_a(n, VNF_TYPE))
    if len(candidates) > 1:
        templates = _mapping(_mapping(docs[entry].get("topology_template"),
                                      entry, "topology_template")
                             .get("node_templates"), entry,
                             "topology_template.node_templates")
        used = {t.get("type") for t in templates.values()
                if isinstance(t, dict)}
        candidates = [c for c in candidates if c in used]
    if len(candidates) != 1:
        raise _bad(entry, "node_types",
                   "expected exactly one node type derived from %s, found "
                   "%s" % (VNF_TYPE, ", ".join(candidates) or "none"))
    return candidates[0]


def _type_property(types, type_name, prop):
    """A node type property's default (or its only valid value)."""
    file, definition = types.node[type_name]
    spec = _mapping(definition.get("properties"), file,
                    "node_types.%s.properties" % type_name).get(prop)
    if not isinstance(spec, dict):
        return None, file
    if "default" in spec:
        return spec["default"], file
    for constraint in spec.get("constraints") or ():
        values = (constraint or {}).get("valid_values")
        if isinstance(values, list) and len(values) == 1:
            return values[0], file
    return None, file


def _identity(docs, entry, types, vnf_type):
    templates = _mapping(docs[entry].get("topology_template"), entry,
                         "topology_template").get("node_templates") or {}
    given = {}
    for template in templates.values():
        if isinstance(template, dict) and template.get("type") == vnf_type:
            given = _mapping(template.get("properties"), entry,
                             "properties")
    identity = {}
    for ours, prop in IDENTITY:
        value = given.get(prop)
        if not isinstance(value, (str, int, float)):
            value, file = _type_property(types, vnf_type, prop)
            if value is None:
                raise _bad(file, "node_types.%s.properties.%s.default" % (
                    vnf_type, prop), "missing")
        identity[ours] = str(value)
    return identity


# --- flavours

def _policies(tt, file):
    """Yield (name, type, properties, targets, field) of every policy."""
    raw = tt.get("policies") or []
    if isinstance(raw, dict):
        raw = [{name: body} for name, body in raw.items()]
    if not isinstance(raw, list):
        raise _bad(file, "topology_template.policies",
                   "expected a list, got %r" % (raw,))
    for item in raw:
        for name, body in _mapping(item, file,
                                   "topology_template.policies").items():
            field = "topology_template.policies.%s" % name
            body = _mapping(body, file, field, required=True)
            yield (name, body.get("type"),
                   _mapping(body.get("properties"), file,
                            field + ".properties"),
                   _str_list(body.get("targets"), file, field + ".targets"),
                   field)


class _FlavourReader:
    """Builds one Flavour from its file; every error names file + field."""

    def __init__(self, package_dir, file, data, types, package_k8s_files):
        self.package_dir = package_dir
        self.file = file
        self.types = types
        self.tt = _mapping(data.get("topology_template"), file,
                           "topology_template", required=True)
        self.package_k8s_files = package_k8s_files
        self.templates = _mapping(self.tt.get("node_templates"), file,
                                  "topology_template.node_templates")
        self.groups = _mapping(self.tt.get("groups"), file,
                               "topology_template.groups")
        self.by_type = {}
        for policy in _policies(self.tt, file):
            self.by_type.setdefault(self._policy_kind(policy[1]),
                                    []).append(policy)

    def _policy_kind(self, type_name):
        for kind in (SCALING_ASPECTS, ASPECT_DELTAS, INITIAL_DELTA,
                     INSTANTIATION_LEVELS, VDU_INSTANTIATION_LEVELS):
            if self.types.policy_is_a(type_name, kind):
                return kind
        return type_name

    def flavour_id(self):
        sm = _mapping(self.tt.get("substitution_mappings"), self.file,
                      "topology_template.substitution_mappings")
        props = _mapping(sm.get("properties"), self.file,
                         "topology_template.substitution_mappings.properties")
        value = props.get("flavour_id")
        if not isinstance(value, str) or not value:
            raise _bad(self.file, "topology_template.substitution_mappings."
                       "properties.flavour_id", "missing")
        return value

    def vdus(self):
        vdus = {}
        for vdu_id, template in self.templates.items():
            if not (isinstance(template, dict) and self.types.node_is_a(
                    template.get("type"), VDU_TYPE)):
                continue
            field = "topology_template.node_templates.%s.properties" % vdu_id
            props = _mapping(template.get("properties"), self.file, field)
            name = props.get("name")
            if not isinstance(name, str) or not name:
                raise _bad(self.file, field + ".name", "missing")
            profile = props.get("vdu_profile")
            if not isinstance(profile, dict) or not {
                    "min_number_of_instances",
                    "max_number_of_instances"} <= set(profile):
                raise errors.VduProfileMissing(file=self.file,
                                               field=field + ".vdu_profile")
            low = _int(profile["min_number_of_instances"], self.file,
                       field + ".vdu_profile.min_number_of_instances")
            high = _int(profile["max_number_of_instances"], self.file,
                        field + ".vdu_profile.max_number_of_instances",
                        minimum=max(low, 1))
            vdus[vdu_id] = Vdu(vdu_id=vdu_id, name=name, min_instances=low,
                               max_instances=high)
        return vdus

    def targets(self, targets, field, vdus):
        """Expand group targets; every result must be a VDU."""
        result = []
        for target in targets:
            members = self.groups.get(target, {})
            names = (members.get("members") if isinstance(members, dict)
                     and target not in vdus else None) or [target]
            for name in names:
                if name not in vdus:
                    raise _bad(self.file, field + ".targets",
                               "'%s' is not a VDU of this flavour" % name)
                result.append(name)
        return result

    def aspects(self):
        aspects = {}
        for _, _, props, _, field in self.by_type.get(SCALING_ASPECTS, ()):
            field += ".properties.aspects"
            for aspect_id, spec in _mapping(props.get("aspects"), self.file,
                                            field, required=True).items():
                here = "%s.%s" % (field, aspect_id)
                if aspect_id in aspects:
                    raise _bad(self.file, here, "aspect declared twice")
                spec = _mapping(spec, self.file, here, required=True)
                top = _int(spec.get("max_scale_level"), self.file,
                           here + ".max_scale_level")
                steps = _str_list(spec.get("step_deltas"), self.file,
                                  here + ".step_deltas")
                if top == 0:
                    steps = []
                elif len(steps) == 1:
                    steps = steps * top
                elif steps and len(steps) != top:
                    raise _bad(self.file, here + ".step_deltas",
                               "has %d entries; expected 1 or "
                               "max_scale_level (%d)" % (len(steps), top))
                aspects[aspect_id] = ScalingAspect(
                    aspect_id=aspect_id, max_scale_level=top,
                    step_deltas=tuple(steps), name=spec.get("name"),
                    description=spec.get("description"))
        return aspects

    def aspect_deltas(self, vdus, aspects):
        """VDU id -> (aspect id, step delta counts)."""
        found = {}
        covered = set()
        for name, _, props, targets, field in self.by_type.get(
                ASPECT_DELTAS, ()):
            aspect_id = props.get("aspect")
            if aspect_id not in aspects:
                raise _bad(self.file, field + ".properties.aspect",
                           "names no aspect of the ScalingAspects policy "
                           "(%r)" % (aspect_id,))
            covered.add(aspect_id)
            deltas = _mapping(props.get("deltas"), self.file,
                              field + ".properties.deltas", required=True)
            aspect = aspects[aspect_id]
            steps = aspect.step_deltas
            if aspect.max_scale_level and not steps:
                if len(deltas) != 1:
                    raise _bad(self.file,
                               self._aspect_field(aspect_id) + ".step_deltas",
                               "missing, and policy %s declares %d deltas" % (
                                   name, len(deltas)))
                steps = tuple(deltas) * aspect.max_scale_level
            for vdu_id in self.targets(targets, field, vdus):
                if vdu_id in found:
                    raise _bad(self.file, field + ".targets",
                               "VDU '%s' is already scaled by aspect '%s'; "
                               "a VDU belongs to one aspect" % (
                                   vdu_id, found[vdu_id][0]))
                counts = []
                for delta_id in steps:
                    spec = deltas.get(delta_id)
                    here = "%s.properties.deltas.%s.number_of_instances" % (
                        field, delta_id)
                    if not isinstance(spec, dict) or (
                            "number_of_instances" not in spec):
                        raise errors.StepDeltaNotFound(
                            file=self.file, field=here, delta_id=delta_id,
                            aspect_id=aspect_id, vdu_id=vdu_id)
                    counts.append(_int(spec["number_of_instances"],
                                       self.file, here, minimum=1))
                found[vdu_id] = (aspect_id, tuple(counts))
        for aspect_id in aspects:
            if aspect_id not in covered:
                raise errors.ScalingPolicyMissing(
                    file=self.file, aspect_id=aspect_id,
                    field=self._aspect_field(aspect_id))
        return found

    def _aspect_field(self, aspect_id):
        for _, _, _, _, field in self.by_type.get(SCALING_ASPECTS, ()):
            return "%s.properties.aspects.%s" % (field, aspect_id)

    def initial_deltas(self, vdus):
        found = {}
        for _, _, props, targets, field in self.by_type.get(INITIAL_DELTA,
                                                            ()):
            spec = _mapping(props.get("initial_delta"), self.file,
                            field + ".properties.initial_delta",
                            required=True)
            count = _int(spec.get("number_of_instances"), self.file,
                         field + ".properties.initial_delta."
                         "number_of_instances")
            for vdu_id in self.targets(targets, field, vdus):
                if vdu_id in found:
                    raise _bad(self.file, field + ".targets",
                               "VDU '%s' has two initial deltas" % vdu_id)
                found[vdu_id] = count
        return found

    def scaling(self, vdus, aspects):
        deltas = self.aspect_deltas(vdus, aspects)
        initial = self.initial_deltas(vdus)
        result = {}
        for vdu_id, vdu in vdus.items():
            aspect_id, steps = deltas.get(vdu_id, (None, ()))
            facts = scaling.VduScaling(
                vdu_id=vdu_id, min_instances=vdu.min_instances,
                max_instances=vdu.max_instances,
                initial_delta=initial.get(vdu_id, vdu.min_instances),
                aspect_id=aspect_id, step_deltas=steps)
            for level in range(facts.max_scale_level + 1):
                count = facts.count_at_level(level)
                if not facts.in_profile(count):
                    raise _bad(
                        self.file, "topology_template.node_templates.%s."
                        "properties.vdu_profile" % vdu_id,
                        "scale level %d of aspect %s gives %d pods, outside "
                        "[%d, %d]" % (level, aspect_id, count,
                                      vdu.min_instances, vdu.max_instances))
            result[vdu_id] = facts
        return result

    def instantiation_levels(self, vdus, aspects, facts):
        levels = {}
        default = None
        for _, _, props, _, field in self.by_type.get(INSTANTIATION_LEVELS,
                                                      ()):
            here = field + ".properties.levels"
            for level_id, spec in _mapping(props.get("levels"), self.file,
                                           here, required=True).items():
                spec = _mapping(spec, self.file, "%s.%s" % (here, level_id))
                given = {}
                info_field = "%s.%s.scale_info" % (here, level_id)
                for aspect_id, info in _mapping(spec.get("scale_info"),
                                                self.file,
                                                info_field).items():
                    at = "%s.%s.scale_level" % (info_field, aspect_id)
                    if aspect_id not in aspects:
                        raise _bad(self.file, "%s.%s" % (info_field,
                                                         aspect_id),
                                   "names no declared aspect")
                    info = _mapping(info, self.file, at, required=True)
                    value = _int(info.get("scale_level"), self.file, at)
                    if value > aspects[aspect_id].max_scale_level:
                        raise _bad(self.file, at, "exceeds max_scale_level "
                                   "%d" % aspects[aspect_id].max_scale_level)
                    given[aspect_id] = value
                levels[level_id] = InstantiationLevel(
                    level_id=level_id, description=spec.get("description"),
                    scale_levels=given, vdu_counts={})
            default = props.get("default_level", default)
            if default is not None and default not in levels:
                raise _bad(self.file, field + ".properties.default_level",
                           "names no level (%r)" % (default,))
        for _, _, props, targets, field in self.by_type.get(
                VDU_INSTANTIATION_LEVELS, ()):
            here = field + ".properties.levels"
            vdu_ids = self.targets(targets, field, vdus)
            for level_id, spec in _mapping(props.get("levels"), self.file,
                                           here, required=True).items():
                at = "%s.%s.number_of_instances" % (here, level_id)
                spec = _mapping(spec, self.file, at, required=True)
                count = _int(spec.get("number_of_instances"), self.file, at)
                level = levels.setdefault(level_id, InstantiationLevel(
                    level_id=level_id, description=None, scale_levels={},
                    vdu_counts={}))
                for vdu_id in vdu_ids:
                    self._check_level_count(facts[vdu_id], level, count, at)
                    level.vdu_counts[vdu_id] = count
        return levels, default

    def _check_level_count(self, vdu, level, count, field):
        expected = level.scale_levels.get(vdu.aspect_id, 0)
        try:
            actual = vdu.level_for_count(count)
        except scaling.PodCountOutOfRange:
            actual = None
        except scaling.PodCountMatchesNoLevel:
            actual = None
        if actual != expected:
            raise _bad(self.file, field,
                       "%d pods of VDU %s do not match scale level %d of "
                       "aspect %s" % (count, vdu.vdu_id, expected,
                                      vdu.aspect_id))

    def kubernetes_files(self):
        files = []
        for node_id, template in self.templates.items():
            if not isinstance(template, dict):
                continue
            field = "topology_template.node_templates.%s.artifacts" % node_id
            for art_id, art in _mapping(template.get("artifacts"), self.file,
                                        field).items():
                path = art.get("file") if isinstance(art, dict) else art
                if not isinstance(path, str):
                    raise _bad(self.file, "%s.%s" % (field, art_id),
                               "names no file")
                rel = posixpath.normpath(posixpath.join(
                    posixpath.dirname(self.file), path))
                if path.startswith("/") or rel.startswith("..") or (
                        not _inside(self.package_dir, rel)):
                    raise _bad(self.file, "%s.%s" % (field, art_id),
                               "'%s' lies outside the package" % path)
                if rel.startswith(csar.KUBERNETES_DIR) and rel not in files:
                    files.append(rel)
        return tuple(files) or self.package_k8s_files

    def read(self, description):
        vdus = self.vdus()
        aspects = self.aspects()
        facts = self.scaling(vdus, aspects)
        levels, default = self.instantiation_levels(vdus, aspects, facts)
        return Flavour(flavour_id=self.flavour_id(), file=self.file,
                       description=description, vdus=vdus, aspects=aspects,
                       instantiation_levels=levels,
                       default_instantiation_level_id=default,
                       kubernetes_files=self.kubernetes_files(),
                       _scaling=facts)


def _flavour_description(tt, vnf_type):
    for template in (tt.get("node_templates") or {}).values():
        if isinstance(template, dict) and template.get("type") == vnf_type:
            props = template.get("properties") or {}
            if isinstance(props, dict):
                return props.get("flavour_description")
    return None


def _is_flavour_doc(data, types, vnf_type):
    tt = data.get("topology_template")
    sm = tt.get("substitution_mappings") if isinstance(tt, dict) else None
    if not isinstance(sm, dict):
        return False
    props = sm.get("properties")
    return (types.node_is_a(sm.get("node_type"), vnf_type)
            or isinstance(props, dict) and "flavour_id" in props)


def load_vnfd(package_dir):
    """Parse the VNFD of an unpacked package directory (no caching)."""
    meta = csar.read_tosca_meta(package_dir)
    entry = meta.entry_definitions
    if not os.path.isfile(os.path.join(package_dir, *entry.split("/"))):
        raise errors.EntryDefinitionsMissing(file=csar.TOSCA_META,
                                             entry=entry)
    docs = _load_documents(package_dir, entry)
    types = _Types(docs)
    vnf_type = _vnf_node_type(docs, entry, types)
    identity = _identity(docs, entry, types, vnf_type)
    flavours = {}
    for rel, data in docs.items():
        if not _is_flavour_doc(data, types, vnf_type):
            continue
        reader = _FlavourReader(package_dir, rel, data, types,
                                meta.kubernetes_files)
        flavour = reader.read(_flavour_description(reader.tt, vnf_type))
        if flavour.flavour_id in flavours:
            raise _bad(rel, "topology_template.substitution_mappings."
                       "properties.flavour_id",
                       "flavour '%s' is also defined in '%s'" % (
                           flavour.flavour_id,
                           flavours[flavour.flavour_id].file))
        flavours[flavour.flavour_id] = flavour
    declared, types_file = _declared_flavours(types, vnf_type)
    for flavour_id in declared:
        if flavour_id not in flavours:
            raise errors.FlavourNotFound(
                flavour_id=flavour_id, file=types_file,
                known=", ".join(sorted(flavours)) or "none")
    if not flavours:
        raise _bad(entry, "topology_template.substitution_mappings",
                   "the VNFD defines no deployment flavour")
    return Vnfd(vnf_node_type=vnf_type, entry_definitions=entry,
                package_dir=package_dir, flavours=flavours,
                kubernetes_files=meta.kubernetes_files,
                files=tuple(docs), **identity)


def _declared_flavours(types, vnf_type):
    """Flavour ids the VNF node type allows (its flavour_id valid_values)."""
    file, definition = types.node[vnf_type]
    spec = (definition.get("properties") or {}).get("flavour_id")
    declared = []
    if isinstance(spec, dict):
        for constraint in spec.get("constraints") or ():
            values = (constraint or {}).get("valid_values")
            if isinstance(values, list):
                declared.extend(v for v in values if isinstance(v, str))
    return declared, file


# --- the process-wide cache

class VnfdCache:
    """Parsed VNFDs by package directory, re-parsed when it is replaced.

    The stamp is the directory's (device, inode, mtime): onboarding
    renames a fresh directory into place, so a re-onboarded package always
    gets a new stamp.  Parsing happens under the lock, so concurrent
    callers parse a package once.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}

    @staticmethod
    def _key(package_dir):
        return os.path.realpath(package_dir)

    def get(self, package_dir):
        key = self._key(package_dir)
        st = os.stat(key)
        stamp = (st.st_dev, st.st_ino, st.st_mtime_ns)
        with self._lock:
            cached = self._entries.get(key)
            if cached and cached[0] == stamp:
                return cached[1]
            vnfd = load_vnfd(package_dir)
            self._entries[key] = (stamp, vnfd)
            return vnfd

    def invalidate(self, package_dir):
        with self._lock:
            self._entries.pop(self._key(package_dir), None)

    def clear(self):
        with self._lock:
            self._entries.clear()


CACHE = VnfdCache()


def get_vnfd(package_dir):
    """The cached VNFD of an unpacked package directory."""
    return CACHE.get(package_dir)


def invalidate(package_dir):
    """Forget the cached VNFD of a package directory (e.g. on delete)."""
    CACHE.invalidate(package_dir)
