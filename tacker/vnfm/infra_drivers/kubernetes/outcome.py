"""What a pass did to each instance, as values the pass counts and logs."""

import collections
import dataclasses

UNCHANGED = 'unchanged'
CHANGED = 'changed'
DEFERRED = 'deferred'
SKIPPED = 'skipped'
FAILED = 'failed'
STATUSES = (UNCHANGED, CHANGED, DEFERRED, SKIPPED, FAILED)


@dataclasses.dataclass(frozen=True)
class Outcome:
    instance_id: str
    api_version: str
    status: str
    reason: str | None = None
    plan: object = None  # model.InstancePlan when one was computed

    def to_dict(self):
        data = {'instance_id': self.instance_id,
                'api_version': self.api_version, 'status': self.status,
                'reason': self.reason}
        if self.plan is not None:
            plan = self.plan.to_dict()
            data.update(vdu_changes=plan['vdu_changes'],
                        level_changes=plan['level_changes'],
                        errors=plan['errors'], warnings=plan['warnings'],
                        deferred_reasons=plan['deferred_reasons'])
        return data


@dataclasses.dataclass(frozen=True)
class PassResult:
    outcomes: tuple
    vim_failures: tuple  # observer.VimFailure
    duration: float
    dry_run: bool = False
    overlapped: bool = False  # another pass was running: nothing done
    not_owned: int = 0  # instances left to other conductors

    def counts(self):
        counted = collections.Counter(o.status for o in self.outcomes)
        return {status: counted.get(status, 0) for status in STATUSES}

    @property
    def failed(self):
        return bool(self.vim_failures) or any(
            o.status == FAILED for o in self.outcomes)

    def summary(self):
        counts = self.counts()
        return ('Database synchronization pass%(dry)s finished in '
                '%(secs).2fs: %(checked)d instances checked, %(changed)d '
                'changed, %(unchanged)d unchanged, %(deferred)d deferred, '
                '%(skipped)d skipped, %(failed)d failed; %(vims)d VIMs '
                'unreachable%(others)s.' % dict(
                    counts, dry=' (dry run)' if self.dry_run else '',
                    secs=self.duration, checked=len(self.outcomes),
                    vims=len(self.vim_failures),
                    others=('; %d instances left to other conductors'
                            % self.not_owned if self.not_owned else '')))

    def to_dict(self):
        return {'dry_run': self.dry_run, 'duration': self.duration,
                'counts': self.counts(), 'not_owned': self.not_owned,
                'vim_failures': [dataclasses.asdict(f)
                                 for f in self.vim_failures],
                'outcomes': [o.to_dict() for o in self.outcomes]}
