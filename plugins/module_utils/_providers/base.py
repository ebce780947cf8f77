# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider contract: every DNS provider reads RRsets of a zone and applies a batch of RRset changes.

Providers are deliberately dumb. All decisions (what to change, what to keep) are made by
_reconcile.py; a provider only translates RRsets to and from its API, in as few calls as the API allows.

Value forms inside RRset.values (the only forms _reconcile ever sees):
  TXT  -> tuple of character-strings (bytes), exactly as on the wire; decoding happens in _reconcile
  else -> presentation text with absolute names, as dnspython's to_text() writes it ('0 .', '10 mx.example.com.')
"""

from __future__ import annotations


class ProviderError(Exception):
    """An I/O failure or refusal at a provider; says which zone and whether anything was applied."""

    def __init__(self, message, zone=None, applied=False):
        self.zone = zone
        self.applied = applied
        super().__init__(message)


class ProviderInfo(object):
    """Static facts about a provider that the shared code needs to know."""

    def __init__(self, name, txt_string_limit=255, batch_per_zone=True):
        self.name = name
        # Octets per TXT character-string the API accepts; None when it takes a single long string.
        self.txt_string_limit = txt_string_limit
        self.batch_per_zone = batch_per_zone


def fqdn(name):
    """Normalise a DNS name to lower-case absolute form with one trailing dot."""
    name = (name or '').strip()
    if not name or name == '.':
        return '.'
    return name.rstrip('.').lower() + '.'


class RRset(object):
    """One RRset: absolute lower-case name, upper-case type, TTL and a tuple of values (see module doc)."""

    __slots__ = ('name', 'rtype', 'ttl', 'values')

    def __init__(self, name, rtype, ttl, values):
        self.name = fqdn(name)
        self.rtype = rtype.upper()
        self.ttl = ttl
        self.values = tuple(values)

    @property
    def key(self):
        return (self.name, self.rtype)

    def __eq__(self, other):
        return isinstance(other, RRset) and (self.name, self.rtype, self.ttl, self.values) == (other.name, other.rtype, other.ttl, other.values)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self.name, self.rtype, self.ttl, self.values))

    def __repr__(self):
        return 'RRset(%r, %r, %r, %r)' % (self.name, self.rtype, self.ttl, self.values)


class Change(object):
    """Replace the RRset `before` (None when it does not exist) by `after` (None to delete it)."""

    __slots__ = ('before', 'after')

    def __init__(self, before, after):
        if before is None and after is None:
            raise ValueError('a change needs a before or an after RRset')
        self.before = before
        self.after = after

    @property
    def key(self):
        return (self.after or self.before).key

    @property
    def action(self):
        if self.after is None:
            return 'delete'
        return 'create' if self.before is None else 'replace'

    def __repr__(self):
        return 'Change(%r -> %r)' % (self.before, self.after)


def select(rrsets, keys):
    """The RRsets of `rrsets` ({key: RRset}) named by `keys` ((name, type) pairs); all of them when keys is None."""
    if keys is None:
        return rrsets
    wanted = set((fqdn(n), t.upper()) for n, t in keys)
    return dict((k, v) for k, v in rrsets.items() if k in wanted)


def ensure_unchanged(zone, changes, current, describe=repr):
    """Refuse to apply when any RRset a change was computed from differs from `current` now.

    For providers without server-side prerequisites: re-read, then call this right before writing.
    """
    for change in changes:
        now = current.get(change.key)
        if now != change.before:
            raise ProviderError('zone %s: %s %s changed since it was read (was %s, now %s); nothing was applied, run again' % (
                zone, change.key[0], change.key[1], describe(change.before), describe(now)), zone=zone)


class ZoneAPI(object):
    """Base class of every provider. Subclasses implement the three methods below."""

    info = ProviderInfo('base')

    def __init__(self, options):
        self.options = options

    def find_zone(self, name):
        """Return the absolute name of the zone this provider holds that contains `name`."""
        raise NotImplementedError

    def list_rrsets(self, zone, keys=None):
        """Return {(name, type): RRset} for the zone; limited to `keys` ((name, type) pairs) when given.

        Keys that do not exist are simply absent from the result.
        """
        raise NotImplementedError

    def apply(self, zone, changes):
        """Apply all `changes` to `zone` at once; refuse (ProviderError) if a `before` no longer matches."""
        raise NotImplementedError

    def close(self):
        """Release connections; the default provider holds none."""
