"""The bookkeeping of ``SyncStatus``: per VIM, per instance, forgetting."""

import dataclasses
import datetime
import json
import logging
import threading

from tacker.dbsync import status
from tacker.vnfm.infra_drivers.kubernetes import observer
from tacker.vnfm.infra_drivers.kubernetes import outcome
from tacker.vnfm.infra_drivers.kubernetes import vim_access

TOKEN = 'unit-secret-token-55e1'
GOOD = vim_access.VimAccess('vim-good', 'https://good.example:6443/',
                            bearer_token=TOKEN)
BAD = vim_access.VimAccess('vim-bad', 'https://admin:pw-77aa@bad.example/k8s',
                           password='pw-77aa')


@dataclasses.dataclass
class Checked:
    instance_id: str
    vim: object


class Clock:
    def __init__(self):
        self.moment = datetime.datetime(2026, 1, 2, 3, 4, 5,
                                        tzinfo=datetime.timezone.utc)

    def __call__(self):
        return self.moment

    def tick(self, seconds=60):
        self.moment += datetime.timedelta(seconds=seconds)


def _result(outcomes, failures=(), dry_run=False):
    return outcome.PassResult(tuple(outcomes), tuple(failures), 0.25,
                              dry_run)


def _bad_failure(reason='HTTP 401 Unauthorized'):
    return observer.VimFailure(BAD.vim_id, BAD.endpoint, reason)


def _a_pass(book, *, changed='i-1', bad_fails=True, full=True, event=False,
            dry_run=False):
    outcomes = [outcome.Outcome('i-1', 'v2', outcome.CHANGED
                                if changed == 'i-1' else outcome.UNCHANGED),
                outcome.Outcome('i-2', 'v1', outcome.FAILED if bad_fails
                                else outcome.UNCHANGED,
                                'VIM vim-bad: HTTP 401 Unauthorized'
                                if bad_fails else None)]
    book.record(_result(outcomes, [_bad_failure()] if bad_fails else [],
                        dry_run=dry_run),
                [Checked('i-1', GOOD), Checked('i-2', BAD)], full=full,
                event=event)


def test_a_pass_is_kept_per_vim_and_per_instance():
    clock = Clock()
    book = status.SyncStatus(now=clock)
    _a_pass(book)
    clock.tick()
    _a_pass(book, changed=None)
    answer = book.snapshot(['i-1', 'i-2', 'i-3'])
    json.dumps(answer)  # what the RPC answer carries
    good, bad = sorted(answer['vims'], key=lambda v: v['vim_id'] != 'vim-good')
    assert good == {'vim_id': 'vim-good', 'endpoint':
                    'https://good.example:6443/', 'last_pass':
                    '2026-01-02T03:05:05Z', 'last_success':
                    '2026-01-02T03:05:05Z', 'consecutive_failures': 0,
                    'last_failure': None, 'last_failure_reason': None}
    assert bad['endpoint'] == 'https://bad.example/k8s'
    assert bad['consecutive_failures'] == 2
    assert bad['last_success'] is None
    assert bad['last_failure_reason'] == 'HTTP 401 Unauthorized'
    one, two = answer['instances']
    assert one['last_checked'] == '2026-01-02T03:05:05Z'
    assert one['last_changed'] == '2026-01-02T03:04:05Z'
    assert one['outcome'] == 'unchanged' and one['vim_id'] == 'vim-good'
    assert two['outcome'] == 'failed' and two['last_changed'] is None
    assert two['api_version'] == 'v1'
    assert answer['unknown_instances'] == ['i-3']
    assert answer['last_full_pass']['kind'] == 'periodic'
    assert answer['last_pass']['counts']['failed'] == 1
    assert 'instances' not in book.snapshot()


def test_a_success_resets_the_failures_in_a_row():
    clock = Clock()
    book = status.SyncStatus(now=clock)
    _a_pass(book)
    _a_pass(book)
    clock.tick()
    _a_pass(book, bad_fails=False)
    bad = [v for v in book.snapshot()['vims'] if v['vim_id'] == 'vim-bad'][0]
    assert bad['consecutive_failures'] == 0
    assert bad['last_success'] == '2026-01-02T03:05:05Z'
    # The last failure stays known after the VIM recovered.
    assert bad['last_failure'] == '2026-01-02T03:04:05Z'


def test_a_full_pass_forgets_what_it_did_not_see():
    book = status.SyncStatus(now=Clock())
    _a_pass(book)
    only_good = _result([outcome.Outcome('i-1', 'v2', outcome.UNCHANGED)])
    # An event pass sees a part only: nothing is forgotten.
    book.record(only_good, [Checked('i-1', GOOD)], full=False, event=True)
    assert book.snapshot()['instances_known'] == 2
    assert book.snapshot()['last_pass']['kind'] == 'event'
    book.record(only_good, [Checked('i-1', GOOD)], full=True, event=False)
    answer = book.snapshot(['i-2'])
    assert answer['instances_known'] == 1
    assert answer['unknown_instances'] == ['i-2']
    assert [v['vim_id'] for v in answer['vims']] == ['vim-good']


def test_a_pass_that_cannot_read_tackerdb_keeps_the_rest():
    book = status.SyncStatus(now=Clock())
    _a_pass(book)
    book.record(_result([outcome.Outcome('*', '-', outcome.FAILED,
                                         'TackerDB unreadable')]),
                full=True, event=False)
    answer = book.snapshot()
    assert answer['last_pass']['reason'] == 'TackerDB unreadable'
    assert answer['last_pass']['instances'] == 0
    assert answer['instances_known'] == 2 and len(answer['vims']) == 2


def test_dry_run_changes_nothing_and_overlaps_are_not_passes():
    book = status.SyncStatus(now=Clock())
    _a_pass(book, dry_run=True)
    (one,) = book.snapshot(['i-1'])['instances']
    assert one['outcome'] == 'changed' and one['last_changed'] is None
    book.record(outcome.PassResult((), (), 0.0, overlapped=True),
                full=True, event=False)
    assert book.snapshot()['instances_known'] == 2


def test_no_secret_is_kept_or_logged(caplog):
    book = status.SyncStatus(now=Clock())
    leaky = outcome.Outcome('i-2', 'v1', outcome.FAILED,
                            'RuntimeError: token %s refused' % TOKEN)
    with caplog.at_level(logging.INFO, logger='tacker'):
        book.record(_result([leaky, outcome.Outcome(
            'i-3', 'v2', outcome.FAILED, 'VIM vim-bad: pw-77aa rejected')],
            [_bad_failure('pw-77aa rejected')]),
            [Checked('i-2', GOOD), Checked('i-3', BAD)], full=True,
            event=False)
    text = json.dumps(book.snapshot(['i-2', 'i-3'])) + caplog.text
    assert TOKEN not in text and 'pw-77aa' not in text
    assert 'admin' not in text
    [line] = [r.getMessage() for r in caplog.records
              if 'Synchronization status' in r.getMessage()]
    assert line.startswith('Synchronization status after the periodic '
                           'pass: 1 of 2 VIMs observed; failing: vim-bad')


def test_one_status_line_names_at_most_a_few_failing_vims(caplog):
    book = status.SyncStatus(now=Clock())
    vims = [vim_access.VimAccess('vim-%02d' % n, 'https://h%d/' % n)
            for n in range(8)]
    failures = [observer.VimFailure(v.vim_id, v.endpoint, 'unreachable')
                for v in vims]
    outcomes = [outcome.Outcome('i-%d' % n, 'v2', outcome.FAILED, 'x')
                for n in range(8)]
    with caplog.at_level(logging.INFO, logger='tacker'):
        book.record(_result(outcomes, failures),
                    [Checked('i-%d' % n, v) for n, v in enumerate(vims)],
                    full=True, event=False)
    [line] = [r.getMessage() for r in caplog.records
              if 'Synchronization status' in r.getMessage()]
    assert line.count('unreachable') == status.LOGGED_FAILURES
    assert line.endswith('and 3 more.')


def test_a_conductor_without_vims_says_nothing_at_info_each_pass(caplog):
    book = status.SyncStatus(now=Clock())
    with caplog.at_level(logging.DEBUG, logger='tacker'):
        book.record(_result([]), [], full=True, event=False)
        _a_pass(book)
    lines = [(r.levelname, r.getMessage()) for r in caplog.records
             if 'Synchronization status' in r.getMessage()]
    assert [level for level, _m in lines] == ['DEBUG', 'INFO']
    assert '0 of 0 VIMs' in lines[0][1]


def test_passes_and_readers_on_several_threads():
    book = status.SyncStatus()
    errors = []

    def feed():
        for _ in range(200):
            _a_pass(book)

    def read():
        try:
            for _ in range(200):
                json.dumps(book.snapshot(['i-1']))
        except Exception as exc:  # noqa: reported below
            errors.append(exc)

    threads = [threading.Thread(target=f) for f in (feed, feed, read, read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    bad = [v for v in book.snapshot()['vims'] if v['vim_id'] == 'vim-bad'][0]
    assert bad['consecutive_failures'] == 400
