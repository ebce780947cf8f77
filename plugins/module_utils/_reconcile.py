# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired state vs current RRsets of one zone -> the change set, the diff and per-record results.

Two kinds of desired state:
  * an owned TXT value (SPF, DMARC, DKIM, ...): the record owns the one value its predicate
    recognises; every other TXT value at the name is kept exactly as it was (same strings, same order);
  * a whole RRset (null MX): the record owns every value of that type at the name.
Comparison of TXT values is on decoded text, so a value split differently on the wire is not a change.
Pure: no I/O; providers read before and apply after.
"""

from __future__ import annotations

from ._providers.base import Change, RRset, fqdn
from ._records import txt

DEFAULT_TTL = 3600


class Desired(object):
    """What one record should look like.

    For an owned TXT value pass `owns` (text -> bool) and `value` (decoded text);
    for a whole RRset pass `values` (presentation strings) and no `owns`.
    """

    def __init__(self, name, rtype, state='present', value=None, values=None, owns=None, ttl=None, label=None):
        self.name = fqdn(name)
        self.rtype = rtype.upper()
        self.state = state
        self.value = value
        self.values = tuple(values or ())
        self.owns = owns
        self.ttl = ttl
        self.label = label or self.rtype
        # Optional check of the current RRset (current -> warnings, or RecordError to refuse the change).
        self.guard = None

    @property
    def key(self):
        return (self.name, self.rtype)


class Plan(object):
    """The outcome of reconciling one zone."""

    def __init__(self, zone):
        self.zone = zone
        self.changes = []
        self.warnings = []
        self.records = []

    @property
    def changed(self):
        return bool(self.changes)

    def diff(self):
        before, after = [], []
        for change in self.changes:
            before.extend(render_rrset(change.before))
            after.extend(render_rrset(change.after))
        return {'before': ''.join(line + '\n' for line in before), 'after': ''.join(line + '\n' for line in after),
                'before_header': self.zone, 'after_header': self.zone}


def decode_txt(strings):
    """Decoded text of one TXT value; undecodable octets are shown, never lost (the RRset keeps the bytes)."""
    return b''.join(s if isinstance(s, bytes) else s.encode('utf-8') for s in strings).decode('utf-8', errors='backslashreplace')


def render_value(rtype, value):
    if rtype == 'TXT':
        return '"%s"' % decode_txt(value).replace('\\', '\\\\').replace('"', '\\"')
    return value


def render_rrset(rrset):
    if rrset is None:
        return []
    return ['%s %s IN %s %s' % (rrset.name, rrset.ttl, rrset.rtype, render_value(rrset.rtype, v)) for v in rrset.values]


def _reconcile_owned_txt(current, d, txt_limit, warnings):
    values = list(current.values) if current else []
    texts = [decode_txt(v) for v in values]
    owned = [i for i, t in enumerate(texts) if d.owns(t)]
    if len(owned) > 1:
        warnings.append('%s: found %d %s values at one name (a verifier treats that as an error); %s' % (
            d.name, len(owned), d.label, 'collapsed them into the desired one' if d.state == 'present' else 'removed them all'))
    kept = [v for i, v in enumerate(values) if i not in owned]
    if d.state == 'present':
        same = [values[i] for i in owned if texts[i] == d.value]
        mine = same[0] if same else tuple(txt.split_octets(d.value, limit=txt_limit or 255))
        position = min(owned) if owned else len(kept)
        kept.insert(min(position, len(kept)), mine)
    else:
        mine = None
    return kept, mine


def _reconcile_whole(current, d):
    if d.state != 'present':
        return [], None
    if current and sorted(current.values) == sorted(d.values):
        return list(current.values), None
    return list(d.values), None


def reconcile_zone(zone, current, desired, txt_limit=255, default_ttl=DEFAULT_TTL):
    """Reconcile `desired` (list of Desired) against `current` ({(name, type): RRset}) within `zone`."""
    plan = Plan(zone)
    work = dict(current)
    touched = []
    for d in desired:
        cur = work.get(d.key)
        warnings = list(d.guard(cur) or []) if d.guard is not None else []
        if d.owns is not None:
            values, mine = _reconcile_owned_txt(cur, d, txt_limit, warnings)
        else:
            values, mine = _reconcile_whole(cur, d)
        ttl = d.ttl if d.ttl is not None else (cur.ttl if cur else default_ttl)
        if values:
            work[d.key] = RRset(d.name, d.rtype, ttl, values)
        else:
            work.pop(d.key, None)
        if d.key not in touched:
            touched.append(d.key)
        plan.warnings.extend(warnings)
        record = {'kind': d.label, 'name': d.name, 'type': d.rtype, 'state': d.state, 'warnings': warnings}
        if d.owns is not None:
            record['record'] = d.value if d.state == 'present' else None
            record['wire'] = [decode_txt((s,)) for s in mine] if mine else []
        else:
            record['values'] = list(d.values) if d.state == 'present' else []
        plan.records.append(record)
    for key in touched:
        before, after = current.get(key), work.get(key)
        if before != after:
            plan.changes.append(Change(before, after))
    for record in plan.records:
        record['changed'] = any(c.key == (record['name'], record['type']) for c in plan.changes)
    return plan
