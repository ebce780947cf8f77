# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many domains at once: entries -> Desired records -> one plan per zone -> zones applied concurrently.

One batch per zone (one provider.apply call), zones in parallel threads. A domain whose entry is
invalid, or whose zone fails, gets an error of its own; the other domains go on.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from . import _desired
from ._providers.base import ProviderError
from ._providers.registry import get_provider
from ._reconcile import reconcile_zone, render_rrset
from ._records.errors import RecordError

PARKED_SPF = 'v=spf1 -all'
PARKED_DMARC = {'p': 'reject', 'sp': 'reject', 'np': 'reject'}


def entry_desired(entry, default_ttl=None):
    """One `domains` entry -> (domain, [Desired], warnings); RecordError on invalid input."""
    domain = entry.get('domain')
    ttl = entry.get('ttl') or default_ttl
    desired, warnings = [], []

    def add(builder, opts):
        opts = dict(opts)
        if opts.get('ttl') is None:
            opts['ttl'] = ttl
        d, w = builder(domain, opts)
        desired.extend(d)
        warnings.extend(w)

    if entry.get('parked'):
        for key in ('spf', 'dkim', 'null_mx'):
            if entry.get(key):
                raise RecordError('a parked domain gets fixed records; remove %s or parked' % key, term='%s.%s' % (domain, key))
        given = dict((k, v) for k, v in (entry.get('dmarc') or {}).items() if v not in (None, [], False) and k != 'ttl')
        if given.get('state') == 'present':
            del given['state']
        extra = dict((k, v) for k, v in given.items() if k in ('rua', 'ruf'))
        if set(given) - set(extra):
            raise RecordError('a parked domain takes only rua/ruf in dmarc (its policy is p=reject)', term='%s.dmarc' % domain)
        add(_desired.spf_record, {'value': PARKED_SPF})
        add(_desired.dmarc_record, dict(PARKED_DMARC, **extra))
        add(_desired.dkim_record, {'selector': '*', 'state': 'revoked'})
        add(_desired.null_mx, {'force': bool(entry.get('force'))})
        return domain, desired, warnings
    if entry.get('spf'):
        add(_desired.spf_record, entry['spf'])
    if entry.get('dmarc'):
        add(_desired.dmarc_record, entry['dmarc'])
    for key in entry.get('dkim') or []:
        add(_desired.dkim_record, key)
    if entry.get('null_mx'):
        add(_desired.null_mx, {'force': bool(entry.get('force'))})
    if not desired:
        raise RecordError('nothing to manage: give spf, dmarc, dkim, null_mx or parked', term=domain)
    return domain, desired, warnings


class DomainResult(object):
    def __init__(self, domain):
        self.domain = domain
        self.zone = None
        self.keys = []
        self.records = []
        self.warnings = []
        self.error = None
        self.changed = False
        self.diff = {'before': '', 'after': ''}

    def as_dict(self, with_diff):
        out = dict(domain=self.domain, zone=self.zone, changed=self.changed, records=self.records,
                   warnings=self.warnings, error=self.error)
        if with_diff:
            out['diff'] = self.diff
        return out


def _render(lines):
    return ''.join(line + '\n' for line in lines)


def converge(provider, entries, check_mode=False, concurrency=8, default_ttl=None, on_zone=None):
    """Converge every entry; returns (list of DomainResult in input order, per-zone stats dict)."""
    results = []
    located = []
    for entry in entries:
        res = DomainResult(entry.get('domain'))
        results.append(res)
        try:
            res.domain, desired, res.warnings = entry_desired(entry, default_ttl)
        except RecordError as e:
            res.error = str(e)
            continue
        res.keys = [d.key for d in desired]
        located.append((res, desired))

    def locate(member):
        # One lookup per domain (an SOA walk on network providers): worth running in parallel too.
        try:
            member[0].zone = provider.find_zone(member[1][0].name)
        except ProviderError as e:
            member[0].error = str(e)

    zones = {}
    stats = {'zones': 0, 'zones_changed': 0, 'zones_failed': 0}
    lock = threading.Lock()

    def run_zone(zone):
        members = zones[zone]
        desired = [d for member in members for d in member[1]]
        try:
            current = provider.list_rrsets(zone, keys=[d.key for d in desired])
            plan = reconcile_zone(zone, current, desired, txt_limit=provider.info.txt_string_limit)
            if plan.changed and not check_mode:
                provider.apply(zone, plan.changes)
        except (RecordError, ProviderError) as e:
            with lock:
                stats['zones_failed'] += 1
            msg = str(e)
            if not msg.startswith('zone %s' % zone):
                msg = 'zone %s: %s' % (zone, msg)
            for res, dummy in members:
                res.error = msg
            return
        with lock:
            stats['zones_changed'] += 1 if plan.changed else 0
        records = iter(plan.records)
        for res, ds in members:
            res.records = [next(records) for dummy in ds]
            own = set(res.keys)
            mine = [c for c in plan.changes if c.key in own]
            res.changed = bool(mine)
            res.warnings.extend(w for r in res.records for w in r['warnings'])
            res.diff = {'before': _render(line for c in mine for line in render_rrset(c.before)),
                        'after': _render(line for c in mine for line in render_rrset(c.after))}
        if on_zone is not None:
            on_zone(zone, plan)

    workers = max(1, int(concurrency or 1))
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
    run_all = pool.map if pool is not None else map
    try:
        list(run_all(locate, located))
        for res, desired in located:
            if res.error is None:
                zones.setdefault(res.zone, []).append((res, desired))
        stats['zones'] = len(zones)
        list(run_all(run_zone, list(zones)))
    finally:
        if pool is not None:
            pool.shutdown()
    return results, stats


def run(params, check_mode=False, diff=False):
    """The whole mail_domains task on validated params; returns (result dict, failure message or None).

    Shared by the module (on any host) and the action plugin (in the controller's process).
    """
    if params['concurrency'] < 1:
        return {'changed': False}, 'concurrency must be at least 1, got %d' % params['concurrency']
    try:
        provider = get_provider(params['provider'])
    except ProviderError as e:
        return {'changed': False}, str(e)
    try:
        results, stats = converge(provider, params['domains'], check_mode=check_mode,
                                  concurrency=params['concurrency'], default_ttl=params['ttl'])
    finally:
        provider.close()
    failed = [r for r in results if r.error]
    summary = dict(stats, domains=len(results), changed=sum(1 for r in results if r.changed), failed=len(failed))
    result = dict(changed=summary['changed'] > 0, domains=[r.as_dict(diff) for r in results], summary=summary)
    if diff:
        result['diff'] = [dict(r.diff, before_header=r.domain, after_header=r.domain) for r in results if r.changed]
    if not failed:
        return result, None
    # Hundreds of domains behind one dead server fail alike: show a few errors in full and name the rest.
    shown = '; '.join('%s: %s' % (r.domain, r.error) for r in failed[:3])
    rest = failed[3:]
    more = ' (also failed: %s; see domains[].error)' % ', '.join(r.domain for r in rest) if rest else ''
    return result, '%d of %d domains failed: %s%s' % (len(failed), len(results), shown, more)
