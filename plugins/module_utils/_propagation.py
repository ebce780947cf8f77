# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait until every authoritative nameserver serves what is expected.

Success needs every (record, server) pair satisfied in the same round, so a server that answered
the new value once and the old one later (a load-balanced pair behind one address) cannot make the
wait succeed on a stale value. Rounds back off exponentially with jitter up to a cap.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor

from ._reconcile import decode_txt

MODES = ('present', 'equals', 'absent')


def seen_text(rtype, values):
    """Served values as comparable strings: TXT joined and decoded, others lower-cased presentation."""
    if rtype == 'TXT':
        return [decode_txt(v) for v in values]
    return [v.lower() for v in values]


def expected_text(rtype, values):
    if rtype == 'TXT':
        return list(values)
    return [v.strip().lower() for v in values]


def evaluate(mode, expected, seen):
    """(satisfied, reason) for one server's answer; `expected`/`seen` as from expected_text/seen_text."""
    want, have = set(expected), set(seen)
    if mode == 'present':
        missing = sorted(want - have)
        return (not missing, 'missing %s' % missing if missing else 'present')
    if mode == 'equals':
        if want == have:
            return True, 'equal'
        return False, 'serves %s' % (sorted(have) or 'nothing')
    if expected:
        still = sorted(want & have)
        return (not still, 'still serves %s' % still if still else 'absent')
    return (not have, 'serves %s' % sorted(have) if have else 'absent')


class Check(object):
    def __init__(self, name, rtype, mode, expected, servers):
        self.name = name if name.endswith('.') else name + '.'
        self.rtype = rtype.upper()
        self.mode = mode
        self.expected = expected_text(self.rtype, expected)
        self.servers = servers
        self.report = []
        self.done = False

    def as_dict(self):
        return dict(name=self.name, type=self.rtype, mode=self.mode, expected=self.expected, done=self.done, servers=self.report)


def wait_for(checks, query, timeout, query_timeout=3.0, interval=1.0, max_interval=10.0, workers=16,
             clock=time.monotonic, sleep=time.sleep):
    """Poll until every check is satisfied on all its servers in one round, or the timeout passes.

    `query(server, name, rtype, query_timeout) -> (status, values)`. Returns (ok, rounds, elapsed).
    """
    start = clock()
    delay = interval
    rounds = 0
    pairs = [(c, s) for c in checks for s in c.servers]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(pairs) or 1))) as pool:
        while True:
            rounds += 1
            answers = list(pool.map(lambda pair: query(pair[1], pair[0].name, pair[0].rtype, query_timeout), pairs))
            reports = {}
            for (check, server), (status, values) in zip(pairs, answers):
                seen = seen_text(check.rtype, values)
                if status in ('ok', 'nodata', 'nxdomain'):
                    ok, reason = evaluate(check.mode, check.expected, seen)
                else:
                    ok, reason = False, 'no usable answer (%s)' % status
                reports.setdefault(id(check), []).append(dict(server=server.label, status=status, values=seen, ok=ok, reason=reason))
            for check in checks:
                check.report = reports.get(id(check), [])
                check.done = all(r['ok'] for r in check.report)
            elapsed = clock() - start
            if all(c.done for c in checks):
                return True, rounds, elapsed
            if elapsed + delay > timeout:
                return False, rounds, elapsed
            # Full jitter keeps many parallel waits (one per AWX job) from polling in lockstep.
            sleep(delay / 2 + random.uniform(0, delay / 2))
            delay = min(delay * 2, max_interval)
