"""What the synchronization last did, kept for ``tacker-db-sync --status``.

The engine hands every pass to ``SyncStatus.record`` (its ``PassResult``
and the candidates it checked); the conductor's RPC endpoint answers
``sync_status`` from ``SyncStatus.snapshot``.  Both may run on different
threads (the periodic timer, the watch, the RPC dispatcher): one lock
guards the bookkeeping, and a snapshot is a fresh, JSON-serializable dict.

Kept per VIM (its id and endpoint; the endpoint without user, query or
fragment, and nothing of its credentials): when a pass last tried it,
when one last observed it, how many passes in a row could not, and why
the last one could not.  Per instance: when a pass last checked it, when
one last wrote a change, and the last outcome with its reason.  Memory
stays bounded: a full pass forgets the instances and VIMs it did not
see (deleted, not instantiated any more, or another conductor's).

Once per full pass, one INFO line sums the VIMs up (the failing ones by
name, at most ``LOGGED_FAILURES`` of them).
"""

import datetime
import threading
import urllib.parse

from oslo_log import log as logging

from tacker.dbsync import metrics
from tacker.vnfm.infra_drivers.kubernetes import outcome
import tacker.conf

CONF = tacker.conf.CONF
LOG = logging.getLogger(__name__)

# Failing VIMs named in the per-pass log line; the rest are counted.
LOGGED_FAILURES = 5
# The outcome a pass that could not read TackerDB reports (engine._run).
WHOLE_PASS = '*'


def utc_iso(moment):
    return moment.astimezone(datetime.timezone.utc).strftime(
        '%Y-%m-%dT%H:%M:%SZ')


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def _config_passwords():
    """Passwords of the URLs in the configuration (never to be shown)."""
    found = []
    for url in (CONF.database.connection, CONF.transport_url,
                CONF.coordination.backend_url):
        try:
            password = urllib.parse.urlsplit(url or '').password
        except ValueError:
            password = None
        if password:
            found.append(password)
    return found


class _Scrubber:
    """Replaces known secrets in free text (reasons come from errors)."""

    def __init__(self, secrets):
        # Longest first, so that a secret holding another goes whole.
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4},
                               key=len, reverse=True)
        # The instances of one failing VIM share their reason.
        self._done = {}

    def __call__(self, text):
        if text is None:
            return None
        text = str(text)
        clean = self._done.get(text)
        if clean is None:
            clean = text
            for secret in self._secrets:
                clean = clean.replace(secret, '***')
            self._done[text] = clean
        return clean


def _secrets_of(vim):
    return [getattr(vim, name, None) for name in
            ('bearer_token', 'password', 'username')]


class SyncStatus:
    """Thread-safe bookkeeping of the passes of one engine."""

    def __init__(self, *, now=_utcnow):
        self._now = now
        self._lock = threading.Lock()
        # What passes of the engine count as when not event-driven:
        # tacker-db-sync's one-off pass sets 'once'.
        self.default_kind = 'periodic'
        self._last_pass = None
        self._last_full_pass = None
        self._vims = {}  # (vim_id, endpoint) -> dict
        self._instances = {}  # instance id -> dict

    # --- fed by the engine

    def record(self, result, checked=(), *, full, event, kind=None):
        """Take one pass: its ``PassResult`` and its checked candidates."""
        if result.overlapped:
            return
        try:
            self._record(result, checked, full, kind or (
                'event' if event else self.default_kind))
        except Exception:  # noqa: bookkeeping never fails a pass
            LOG.exception('Could not record the synchronization status '
                          'of a pass.')

    def _record(self, result, checked, full, kind):
        at = utc_iso(self._now())
        vims_of = {}  # instance id -> VimAccess
        secrets = _config_passwords()
        for candidate in checked:
            vims_of[candidate.instance_id] = candidate.vim
            secrets.extend(_secrets_of(candidate.vim))
        scrub = _Scrubber(secrets)
        whole = [o for o in result.outcomes if o.instance_id == WHOLE_PASS]
        failures = {(f.vim_id, metrics.vim_label(f.endpoint)): f
                    for f in result.vim_failures}
        counts = result.counts()
        summary = {
            'kind': kind, 'at': at, 'full': full, 'dry_run': result.dry_run,
            'duration_seconds': round(result.duration, 3),
            'instances': len(result.outcomes) - len(whole),
            'counts': counts, 'vims_failed': len(failures),
            'not_owned': result.not_owned,
            'reason': scrub(whole[0].reason) if whole else None}
        with self._lock:
            self._last_pass = summary
            if full:
                self._last_full_pass = summary
            if whole:
                # TackerDB could not be read: nothing per VIM or instance.
                return
            seen_vims = {(v.vim_id, metrics.vim_label(v.endpoint))
                         for v in vims_of.values()} | set(failures)
            for key in seen_vims:
                self._vim_tried(key, at, failures.get(key), scrub)
            seen = set()
            for item in result.outcomes:
                seen.add(item.instance_id)
                vim = vims_of.get(item.instance_id)
                self._instance_checked(item, vim, at, result.dry_run, scrub)
            if full:
                for gone in set(self._instances) - seen:
                    del self._instances[gone]
                for gone in set(self._vims) - seen_vims:
                    del self._vims[gone]
                line = self._vims_line(kind)
                # With no VIM at all there is nothing to report each pass.
                log = LOG.info if self._vims else LOG.debug
        if full:
            log(line)

    def _vim_tried(self, key, at, failure, scrub):
        entry = self._vims.setdefault(key, {
            'vim_id': key[0], 'endpoint': key[1], 'last_pass': None,
            'last_success': None, 'consecutive_failures': 0,
            'last_failure': None, 'last_failure_reason': None})
        entry['last_pass'] = at
        if failure is None:
            entry['last_success'] = at
            entry['consecutive_failures'] = 0
        else:
            entry['consecutive_failures'] += 1
            entry['last_failure'] = at
            entry['last_failure_reason'] = scrub(failure.reason)

    def _instance_checked(self, item, vim, at, dry_run, scrub):
        entry = self._instances.setdefault(item.instance_id, {
            'instance_id': item.instance_id, 'last_changed': None})
        entry.update(api_version=item.api_version, last_checked=at,
                     outcome=item.status, reason=scrub(item.reason),
                     dry_run=dry_run)
        if vim is not None:
            entry['vim_id'] = vim.vim_id
        else:
            entry.setdefault('vim_id', None)
        if item.status == outcome.CHANGED and not dry_run:
            entry['last_changed'] = at

    def _vims_line(self, kind):
        failing = sorted((v for v in self._vims.values()
                          if v['consecutive_failures']),
                         key=lambda v: v['vim_id'])
        text = ('Synchronization status after the %s pass: %d of %d VIMs '
                'observed' % (kind, len(self._vims) - len(failing),
                              len(self._vims)))
        if failing:
            named = ['%s (%s) %d in a row: %s' % (
                v['vim_id'], v['endpoint'], v['consecutive_failures'],
                v['last_failure_reason']) for v in failing[:LOGGED_FAILURES]]
            more = len(failing) - LOGGED_FAILURES
            text += '; failing: ' + '; '.join(named)
            if more > 0:
                text += '; and %d more' % more
        return text + '.'

    # --- read by the RPC endpoint

    def snapshot(self, instance_ids=None):
        """A JSON-serializable copy; instances only for ``instance_ids``."""
        with self._lock:
            answer = {
                'generated_at': utc_iso(self._now()),
                'last_pass': _copy(self._last_pass),
                'last_full_pass': _copy(self._last_full_pass),
                'vims': [dict(v) for _k, v in sorted(self._vims.items())],
                'instances_known': len(self._instances),
            }
            if instance_ids is not None:
                answer['instances'] = [
                    dict(self._instances[i]) for i in instance_ids
                    if i in self._instances]
                answer['unknown_instances'] = [
                    i for i in instance_ids if i not in self._instances]
        return answer


def _copy(summary):
    if summary is None:
        return None
    return dict(summary, counts=dict(summary['counts']))
