# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.mailauth.rollout.plugins.module_utils._propagation import Check, evaluate, wait_for
from ansible_collections.mailauth.rollout.plugins.module_utils._resolve import Nameserver, parse_server

NEW = 'v=DKIM1; k=ed25519; p=NEW'
OLD = 'v=DKIM1; k=ed25519; p=OLD'


@pytest.mark.parametrize('mode, expected, seen, ok', [
    ('present', [NEW], [NEW], True),
    ('present', [NEW], [NEW, 'google-site-verification=x'], True),
    ('present', [NEW], [OLD], False),
    ('present', [NEW], [], False),
    ('equals', [NEW], [NEW], True),
    ('equals', [NEW], [NEW, OLD], False),
    ('equals', [NEW], [], False),
    ('absent', [OLD], [NEW], True),
    ('absent', [OLD], [OLD, NEW], False),
    ('absent', [], [], True),
    ('absent', [], [NEW], False),
])
def test_evaluate(mode, expected, seen, ok):
    assert evaluate(mode, expected, seen)[0] is ok


class FakeClock(object):
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def served_by(schedule):
    """schedule: server label -> function(round_time) -> TXT values (tuples of bytes)."""
    def query(server, name, rtype, timeout):
        values = schedule[server.label]()
        return ('ok' if values else 'nxdomain'), values
    return query


def test_waits_for_the_lagging_server_and_reports_each_server():
    clock = FakeClock()
    a, b = Nameserver('127.0.0.1', 5353), Nameserver('127.0.0.1', 5355)
    check = Check('s1._domainkey.example.test', 'TXT', 'present', [NEW], [a, b])
    # b serves the old value until t=5, then the new one split in two strings
    query = served_by({a.label: lambda: [(NEW.encode(),)],
                       b.label: lambda: [(OLD.encode(),)] if clock.now < 5 else [(NEW[:10].encode(), NEW[10:].encode())]})
    ok, rounds, elapsed = wait_for([check], query, timeout=60, interval=1, max_interval=4, clock=clock.clock, sleep=clock.sleep)
    assert ok is True
    assert elapsed >= 5
    assert rounds >= 3
    assert [r['ok'] for r in check.report] == [True, True]
    assert check.report[1]['values'] == [NEW]


def test_times_out_with_per_server_reasons_and_never_succeeds_on_stale_values():
    clock = FakeClock()
    a, b = Nameserver('127.0.0.1', 5353), Nameserver('127.0.0.1', 5355)
    check = Check('example.test', 'TXT', 'equals', [NEW], [a, b])
    query = served_by({a.label: lambda: [(NEW.encode(),)], b.label: lambda: [(OLD.encode(),)]})
    ok, rounds, elapsed = wait_for([check], query, timeout=10, interval=1, max_interval=2, clock=clock.clock, sleep=clock.sleep)
    assert ok is False
    assert elapsed <= 10
    assert check.done is False
    assert check.report[0]['ok'] is True
    assert check.report[1]['ok'] is False and OLD in check.report[1]['reason']
    # bounded backoff: no pause longer than the cap
    assert max(clock.sleeps) <= 2


def test_flapping_server_must_be_right_in_the_final_round():
    clock = FakeClock()
    a, b = Nameserver('127.0.0.1', 5353), Nameserver('127.0.0.1', 5355)
    answers = {a: iter([[(NEW.encode(),)], [(OLD.encode(),)], [(NEW.encode(),)]]),
               b: iter([[(OLD.encode(),)], [(NEW.encode(),)], [(NEW.encode(),)]])}
    check = Check('example.test', 'TXT', 'present', [NEW], [a, b])

    def query(server, name, rtype, timeout):
        return 'ok', next(answers[server])
    ok, rounds, dummy = wait_for([check], query, timeout=60, interval=1, clock=clock.clock, sleep=clock.sleep, workers=1)
    # round 1: a new, b old; round 2: a old (flap), b new; round 3: both new
    assert ok is True and rounds == 3


def test_unusable_answers_do_not_count_as_absent():
    clock = FakeClock()
    a = Nameserver('127.0.0.1', 5353)
    check = Check('example.test', 'TXT', 'absent', [OLD], [a])
    ok, dummy, dummy2 = wait_for([check], lambda s, n, t, to: ('timeout', []), timeout=3, interval=1,
                                 clock=clock.clock, sleep=clock.sleep)
    assert ok is False
    assert check.report[0]['reason'] == 'no usable answer (timeout)'


@pytest.mark.parametrize('text, expected', [
    ('192.0.2.1', ('192.0.2.1', 53)),
    ('192.0.2.1:5353', ('192.0.2.1', 5353)),
    ('[2001:db8::1]:5353', ('2001:db8::1', 5353)),
    ('[2001:db8::1]', ('2001:db8::1', 53)),
    ('2001:db8::1', ('2001:db8::1', 53)),
    ('ns1.example.test', ('ns1.example.test', 53)),
])
def test_parse_server(text, expected):
    assert parse_server(text) == expected
