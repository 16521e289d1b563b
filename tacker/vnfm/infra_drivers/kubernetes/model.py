"""The core model of database synchronization, shared by every layer.

Two views of one VNF instance meet here: what TackerDB stores
(``StoredInstance``, built by the v1 or v2 record adapter) and what the
cluster shows (``NamespaceSnapshot`` in, ``VduObservation`` out of
``ownership``).  ``reconcile`` compares them and returns an
``InstancePlan``; the adapters apply a plan to their record shape.

Everything here is a value: frozen dataclasses, no I/O.  Raw Kubernetes
objects in a snapshot are the API's JSON dicts and are never mutated.

``ObservedPod`` gives the pod's metadata as a canonical JSON string
(``metadata_json``: a chosen subset of keys, ``sort_keys``, no spaces),
and ``ObservedPod.metadata`` a fresh dict each time.
"""

import dataclasses
import functools
import json
import typing

from tacker.vnfm.infra_drivers.kubernetes import outcome as outcome_mod


DEPLOYMENT = "Deployment"
REPLICA_SET = "ReplicaSet"
STATEFUL_SET = "StatefulSet"
DAEMON_SET = "DaemonSet"
POD = "Pod"

#: Kinds a VDU can be, in the order the API groups them.
VDU_KINDS = (DEPLOYMENT, REPLICA_SET, STATEFUL_SET, DAEMON_SET, POD)
#: Kinds whose manifest has ``spec.replicas`` (v2 keeps it in vdu_reses).
KINDS_WITH_REPLICAS = frozenset((DEPLOYMENT, REPLICA_SET, STATEFUL_SET))

#: Pod count outside the VDU's vdu_profile [min, max].
ERROR_OUT_OF_RANGE = "out_of_range"
#: Pod count inside the profile but at no scale level of the aspect.
ERROR_SCALE_LEVEL = "scale_level"
#: VDUs of one aspect imply different scale levels.
ERROR_ASPECT_MISMATCH = "aspect_mismatch"
#: A VDU of the instance has no observation (the caller's snapshot is
#: partial); nothing can be decided safely.
ERROR_UNOBSERVED = "unobserved"


@dataclasses.dataclass(frozen=True, eq=False)
class NamespaceSnapshot:
    """Raw objects of one namespace, as parsed from the LIST JSON.

    Items of a LIST answer carry no ``kind``; the tuple an object sits in
    says what it is.  Compared and hashed by identity: ownership indexes
    a snapshot once and remembers the index for as long as the snapshot
    lives.
    """

    namespace: str
    pods: tuple = ()
    replicasets: tuple = ()
    deployments: tuple = ()
    statefulsets: tuple = ()
    daemonsets: tuple = ()
    # Set by a watch-fed cache: one number per version of its contents,
    # never reused in the process; None for a snapshot LISTed for a pass.
    generation: typing.Optional[int] = None

    def __post_init__(self):
        for field in ("pods", "replicasets", "deployments",
                      "statefulsets", "daemonsets"):
            object.__setattr__(self, field, tuple(getattr(self, field)))

    @classmethod
    def from_list_json(cls, namespace, *, pods=None, replicasets=None,
                       deployments=None, statefulsets=None,
                       daemonsets=None):
        """Build from whole LIST answers (``{"items": [...], ...}``)."""
        def items(answer):
            return tuple((answer or {}).get("items") or ())
        return cls(namespace=namespace, pods=items(pods),
                   replicasets=items(replicasets),
                   deployments=items(deployments),
                   statefulsets=items(statefulsets),
                   daemonsets=items(daemonsets))


@dataclasses.dataclass(frozen=True)
class VduTarget:
    """The Kubernetes object a VDU stands for: its kind and name."""

    vdu_id: str
    kind: str
    name: str

    def __post_init__(self):
        if self.kind not in VDU_KINDS:
            raise ValueError("VDU %s has kind %r; expected one of %s"
                             % (self.vdu_id, self.kind, ", ".join(VDU_KINDS)))


@dataclasses.dataclass(frozen=True)
class ObservedPod:
    """A running pod as seen in the cluster.

    ``owner_kind`` / ``owner_name`` name the direct controller (None for
    a bare pod).  ``metadata_json`` is the canonical JSON of the stored
    metadata subset, written out the first time it is asked for: a pass
    observes every pod of the instances it plans, but only the pods a v1
    record gains are stored with their metadata.  The metadata is not
    part of the pod's value (equality, hash): the plan compares pods by
    name, uid and phase.
    """

    name: str
    uid: str
    phase: str
    owner_kind: typing.Optional[str] = None
    owner_name: typing.Optional[str] = None
    # The snapshot's own values (never changed), read when asked for.
    kept_metadata: dict = dataclasses.field(
        default=None, compare=False, hash=False, repr=False)

    @functools.cached_property
    def metadata_json(self):
        return canonical_json(self.kept_metadata or {})

    @property
    def metadata(self):
        """A fresh dict of the stored metadata subset."""
        return json.loads(self.metadata_json)

    @classmethod
    def build(cls, name, uid, phase, metadata=None, *, owner_kind=None,
              owner_name=None):
        return cls(name=name, uid=uid, phase=phase, owner_kind=owner_kind,
                   owner_name=owner_name, kept_metadata=metadata)


def set_scale_levels(statuses, level_changes, *, aspect_key, level_key):
    """Write each LevelChange into a stored scale status list, in place.

    The keys are the record's names for the aspect id and the level
    (v1 ``aspect_id``/``scale_level``, v2 ``aspectId``/``scaleLevel``);
    an aspect without a status gets a new one at the end.
    """
    for change in level_changes:
        for status in statuses:
            if status.get(aspect_key) == change.aspect_id:
                status[level_key] = change.new_level
                break
        else:
            statuses.append({aspect_key: change.aspect_id,
                             level_key: change.new_level})


def canonical_json(value):
    """One spelling per value: sorted keys, compact separators."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclasses.dataclass(frozen=True)
class VduObservation:
    """What the cluster shows for one VDU.

    ``running`` holds the counted pods (phase Running, not being
    deleted), sorted by name.  ``desired`` is what the workload asks for
    (None when the workload is missing).  ``settled`` is False while the
    workload moves; ``unsettled_reason`` then says why in plain words.
    """

    vdu_id: str
    kind: str
    resource_found: bool
    running: tuple = ()
    pending: int = 0
    terminating: int = 0
    failed: int = 0
    desired: typing.Optional[int] = None
    settled: bool = True
    unsettled_reason: typing.Optional[str] = None

    @property
    def running_names(self):
        return tuple(pod.name for pod in self.running)


@dataclasses.dataclass(frozen=True)
class StoredVnfc:
    """One vnfcResourceInfo entry of TackerDB, reduced to what matters."""

    entry_id: str
    vdu_id: str
    pod_name: str
    resource_kind: typing.Optional[str] = None


@dataclasses.dataclass(frozen=True)
class StoredInstance:
    """TackerDB's view of an instance.

    ``replicas`` is optional: per VDU, the ``spec.replicas`` stored with
    the instance (v2 ``metadata.vdu_reses``).  A VDU listed there whose
    stored value differs from the running count is drift too; v1 has no
    such value and leaves it empty.
    """

    instance_id: str
    api_version: str
    vnfcs: tuple = ()
    scale_levels: typing.Mapping[str, int] = dataclasses.field(
        default_factory=dict)
    vdu_targets: typing.Mapping[str, VduTarget] = dataclasses.field(
        default_factory=dict)
    replicas: typing.Mapping[str, int] = dataclasses.field(
        default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "vnfcs", tuple(self.vnfcs))


class PodTurnover(typing.NamedTuple):
    """The pods of one VDU that went and came, and how that is said.

    Which new pod replaced which vanished one is known only when one pod
    went and one came.  With more on either side (a heal and a scale-out
    seen in one pass, several pods killed at once) any pairing would be a
    guess, so none is claimed: ``replaced (one of): gone -> came``.  The
    synchronization's log line and the sandbox's summary and API tables
    all say it with ``describe``, so they never pair differently.  (The
    write still reuses vanished entries for new pods in sorted order; a
    reused entry id is storage, not a claim of which pod replaced which.)
    """

    gone: tuple
    came: tuple

    @classmethod
    def between(cls, before, after):
        """From two lists of pod names (the record's and the cluster's)."""
        before, after = set(before), set(after)
        return cls(tuple(sorted(before - after)),
                   tuple(sorted(after - before)))

    @property
    def known(self):
        """True when the pairing is certain: one pod went, one came."""
        return len(self.gone) == 1 and len(self.came) == 1

    def describe(self):
        if self.known:
            return "pods: %s -> %s" % (self.gone[0], self.came[0])
        if self.gone and self.came:
            return "pods: replaced (one of): %s -> %s" % (
                ", ".join(self.gone), ", ".join(self.came))
        if self.came:
            return "added: " + ", ".join(self.came)
        if self.gone:
            return "removed: " + ", ".join(self.gone)
        return "pods unchanged"


class Rename(typing.NamedTuple):
    """A stored entry whose pod vanished, reused for a new pod."""

    entry_id: str
    old_pod_name: str
    pod: ObservedPod


@dataclasses.dataclass(frozen=True)
class LevelChange:
    """``old_level`` is None when the stored record has no entry."""

    aspect_id: str
    old_level: typing.Optional[int]
    new_level: int


@dataclasses.dataclass(frozen=True)
class PlanError:
    """Why nothing is written for the instance.

    ``vdu_id`` is None for an error about a whole aspect
    (``aspect_mismatch``); ``aspect_id`` is then set.
    """

    kind: str
    vdu_id: typing.Optional[str]
    message: str
    aspect_id: typing.Optional[str] = None


@dataclasses.dataclass(frozen=True)
class VduChange:
    """What must change for one VDU.

    A VDU appears in a plan when its pods, its stored replicas or the
    scale level of its aspect drifted; the pod tuples may all be empty
    for a level-only or replicas-only change.  ``replicas`` is the value
    to store as ``spec.replicas`` (None for kinds without replicas).
    """

    vdu_id: str
    kind: str
    renamed: tuple = ()
    added: tuple = ()
    removed: tuple = ()
    old_count: int = 0
    new_count: int = 0
    replicas: typing.Optional[int] = None
    aspect_id: typing.Optional[str] = None

    @property
    def has_pod_changes(self):
        return bool(self.renamed or self.added or self.removed)

    @property
    def turnover(self):
        """The pods that went and came (``PodTurnover``)."""
        return PodTurnover(
            gone=tuple(sorted([r.old_pod_name for r in self.renamed] +
                              [v.pod_name or "" for v in self.removed])),
            came=tuple(sorted([r.pod.name for r in self.renamed] +
                              [p.name for p in self.added])))

    def describe(self, instance_id, level_change=None):
        """One INFO line naming the instance, the VDU and every change."""
        parts = [self.turnover.describe()]
        if self.old_count != self.new_count:
            parts.append("pod count: %d -> %d"
                         % (self.old_count, self.new_count))
        if self.replicas is not None:
            parts.append("replicas: %d" % self.replicas)
        if level_change is not None:
            old = ("(none)" if level_change.old_level is None
                   else level_change.old_level)
            parts.append("scaleLevel %s: %s -> %s"
                         % (level_change.aspect_id, old,
                            level_change.new_level))
        return ("Database synchronization succeeded. vnf: %s vdu: %s %s"
                % (instance_id, self.vdu_id, "; ".join(parts)))


@dataclasses.dataclass(frozen=True)
class InstancePlan:
    """The outcome of one reconcile of one instance.

    Invariants: changes only with outcome "changed"; errors only with
    outcome "failed"; ``deferred_reasons`` only with outcome "deferred".
    ``unsettled_vdus`` lists every VDU seen unsettled this time and
    ``newly_unsettled`` those the caller did not yet track; the caller
    keeps the "unsettled since" clock from these two.
    """

    instance_id: str
    outcome: str = outcome_mod.UNCHANGED
    vdu_changes: tuple = ()
    level_changes: tuple = ()
    errors: tuple = ()
    warnings: tuple = ()
    deferred_reasons: tuple = ()
    unsettled_vdus: frozenset = frozenset()
    newly_unsettled: frozenset = frozenset()

    @property
    def is_empty(self):
        """True when there is nothing to write."""
        return not (self.vdu_changes or self.level_changes)

    def level_change_for(self, aspect_id):
        for change in self.level_changes:
            if change.aspect_id == aspect_id:
                return change
        return None

    def log_lines(self):
        """The INFO lines of a write: one per changed VDU."""
        return [change.describe(self.instance_id,
                                self.level_change_for(change.aspect_id))
                for change in self.vdu_changes]

    def to_dict(self):
        """A JSON-ready rendering (the dry-run view)."""
        return {
            "instance_id": self.instance_id,
            "outcome": self.outcome,
            "vdu_changes": [_vdu_change_dict(c) for c in self.vdu_changes],
            "level_changes": [dataclasses.asdict(c)
                              for c in self.level_changes],
            "errors": [dataclasses.asdict(e) for e in self.errors],
            "warnings": list(self.warnings),
            "deferred_reasons": list(self.deferred_reasons),
            "unsettled_vdus": sorted(self.unsettled_vdus),
            "newly_unsettled": sorted(self.newly_unsettled),
        }


def _vdu_change_dict(change):
    return {
        "vdu_id": change.vdu_id,
        "kind": change.kind,
        "aspect_id": change.aspect_id,
        "renamed": [{"entry_id": r.entry_id, "old_pod_name": r.old_pod_name,
                     "new_pod_name": r.pod.name} for r in change.renamed],
        "added": [p.name for p in change.added],
        "removed": [{"entry_id": v.entry_id, "pod_name": v.pod_name}
                    for v in change.removed],
        "old_count": change.old_count,
        "new_count": change.new_count,
        "replicas": change.replicas,
    }
