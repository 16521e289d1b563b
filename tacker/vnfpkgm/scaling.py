"""Scale level <-> pod count arithmetic for one VDU.

The VNFD gives, per VDU: an initial delta (pods at level 0), one delta per
scaling step of its aspect (``step_deltas[0]`` is what step 1 adds, and so
on), and a vdu_profile ``[min, max]``.  Pods at level L are the initial
delta plus the deltas of steps 1..L, so aspects whose steps add different
numbers of pods work too.

This module is pure: no I/O, no configuration.
"""

import dataclasses

from tacker.common import exceptions


class PodCountOutOfRange(exceptions.Invalid):
    msg_fmt = ("Pod count %(count)s of VDU %(vdu_id)s lies outside "
               "vdu_profile [%(min)s, %(max)s].")


class PodCountMatchesNoLevel(exceptions.Invalid):
    msg_fmt = ("Pod count %(count)s of VDU %(vdu_id)s matches no scale "
               "level of aspect %(aspect_id)s (initial delta %(initial)s, "
               "step deltas %(deltas)s).")


class ScaleLevelOutOfRange(exceptions.Invalid):
    msg_fmt = ("Scale level %(level)s of aspect %(aspect_id)s lies outside "
               "[0, %(max_level)s].")


@dataclasses.dataclass(frozen=True)
class VduScaling:
    """Scaling facts of one VDU.

    ``aspect_id`` is None for a VDU that no scaling aspect targets (a
    DaemonSet or a bare Pod, typically); ``step_deltas`` is then empty.
    """

    vdu_id: str
    min_instances: int
    max_instances: int
    initial_delta: int
    aspect_id: str | None = None
    step_deltas: tuple[int, ...] = ()

    @property
    def max_scale_level(self):
        return len(self.step_deltas)

    def in_profile(self, count):
        return self.min_instances <= count <= self.max_instances

    def count_at_level(self, level):
        """Pods the VDU has at ``level``."""
        if not 0 <= level <= self.max_scale_level:
            raise ScaleLevelOutOfRange(level=level, aspect_id=self.aspect_id,
                                       max_level=self.max_scale_level)
        return self.initial_delta + sum(self.step_deltas[:level])

    def level_for_count(self, count):
        """The scale level at which the VDU has ``count`` pods.

        Raises PodCountOutOfRange when ``count`` lies outside the
        vdu_profile, PodCountMatchesNoLevel when no level gives exactly
        ``count`` pods.  A VDU without an aspect is always at level 0 and
        only the profile is checked.
        """
        if not self.in_profile(count):
            raise PodCountOutOfRange(count=count, vdu_id=self.vdu_id,
                                     min=self.min_instances,
                                     max=self.max_instances)
        if self.aspect_id is None:
            return 0
        total = self.initial_delta
        for level in range(self.max_scale_level + 1):
            if level:
                total += self.step_deltas[level - 1]
            if total == count:
                return level
        raise PodCountMatchesNoLevel(count=count, vdu_id=self.vdu_id,
                                     aspect_id=self.aspect_id,
                                     initial=self.initial_delta,
                                     deltas=list(self.step_deltas))

    def uniform_delta(self):
        """The delta shown in Tacker's error line (the first step's)."""
        return self.step_deltas[0] if self.step_deltas else 0
