# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module options -> Desired records, one builder per record kind.

Shared by the single-record modules and by the bulk `mail_domains` module so that both
validate and render exactly the same way. Pure: raises RecordError, does no I/O.
"""

from __future__ import annotations

from ._reconcile import Desired
from ._records import dkim, dmarc, mx, spf
from ._records.errors import RecordError
from ._records.names import check_name, check_selector, check_txt_size

SPF_TERMS = ('include', 'ip4', 'ip6', 'a', 'mx', 'exists', 'ptr', 'redirect', 'exp', 'all')
DMARC_TAGS = ('p', 'sp', 'np', 'psd', 't', 'adkim', 'aspf', 'fo', 'rua', 'ruf')


def _given(opts, keys):
    given = dict((k, _term_list(k, opts[k]) if k in RAW_TERMS else opts[k]) for k in keys if opts.get(k) not in (None, [], '', False))
    return dict((k, v) for k, v in given.items() if v is not False)


RAW_TERMS = ('a', 'mx', 'ptr')
_TRUE = ('true', 'yes', 'on', '1')
_FALSE = ('false', 'no', 'off', '0')


def _term_list(term, value):
    """a/mx/ptr come as a bool, a string or a list (type raw): normalise to True or a list of strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE or word in _FALSE:
            # A templated boolean arrives as a string unless native types are on.
            return word in _TRUE
        return [value]
    if isinstance(value, (list, tuple)):
        return [('' if v is None else str(v)) for v in value]
    raise RecordError('must be true or a list of domain specs', term=term, value=value)


def _owned_txt(name, state, text, owns, label, ttl):
    if state == 'present':
        check_txt_size(name, text)
    return Desired(name, 'TXT', state=state, value=text if state == 'present' else None, owns=owns, ttl=ttl, label=label)


def _raw_or_built(opts, parts, parser, what):
    """The record from the raw `value` (checked as is) or built from its parts; never both."""
    given = _given(opts, parts)
    if opts.get('value'):
        if given:
            raise RecordError('give either value or the %s (%s), not both' % (what, ', '.join(sorted(given))), term='value')
        return parser.check(opts['value'].strip())
    return parser.build(**given)


def spf_record(domain, opts):
    """SPF at the domain itself: `value` (raw) or the structured terms."""
    name = check_name(domain)
    state = opts.get('state') or 'present'
    warnings = []
    text = None
    if state == 'present':
        if not opts.get('value') and not _given(opts, SPF_TERMS):
            raise RecordError('state=present needs value or at least one of %s' % ', '.join(SPF_TERMS), term='spf')
        text, warnings = _raw_or_built(opts, SPF_TERMS, spf, 'structured terms')
    return [_owned_txt(name, state, text, spf.is_spf, 'SPF', opts.get('ttl'))], warnings


def dmarc_record(domain, opts):
    """DMARC policy at _dmarc.<domain>: `value` (raw) or the tags."""
    name = '_dmarc.' + check_name(domain)
    state = opts.get('state') or 'present'
    warnings = []
    text = None
    if state == 'present':
        text, warnings = _raw_or_built(opts, DMARC_TAGS, dmarc, 'tags')
        record = dmarc.parse(text)
        for host in dmarc.external_destinations(record, domain):
            warnings.append('%s: reports go to %s, which must publish a TXT "v=DMARC1" at %s._report._dmarc.%s to accept them' % (
                name, host, check_name(domain), host))
    return [_owned_txt(name, state, text, dmarc.is_dmarc, 'DMARC', opts.get('ttl'))], warnings


def dkim_record(domain, opts):
    """DKIM key record at <selector>._domainkey.<domain>; state revoked publishes an empty p=."""
    name = '%s._domainkey.%s' % (check_selector(opts.get('selector')), check_name(domain))
    state = opts.get('state') or 'present'
    warnings = []
    text = None
    if state == 'revoked':
        text, warnings = dkim.build(public_key=opts.get('public_key') or None, key_type=opts.get('key_type'), revoked=True)
        state = 'present'
    elif state == 'present':
        if opts.get('value'):
            text, warnings = dkim.check(opts['value'].strip())
        else:
            text, warnings = dkim.build(public_key=opts.get('public_key'), key_type=opts.get('key_type'),
                                        testing=bool(opts.get('testing')), strict=bool(opts.get('strict')),
                                        hash_algs=opts.get('hash_algorithms') or None, service=opts.get('service_types') or None,
                                        notes=opts.get('notes') or None)
    return [_owned_txt(name, state, text, dkim.is_dkim, 'DKIM', opts.get('ttl'))], warnings


def null_mx(domain, opts):
    """RFC 7505 null MX: the MX RRset at the domain becomes exactly `0 .`."""
    name = check_name(domain)
    state = opts.get('state') or 'present'
    desired = Desired(name, 'MX', state=state, values=[mx.NULL_MX] if state == 'present' else [], ttl=opts.get('ttl'), label='null MX')
    force = bool(opts.get('force'))
    if state == 'present':
        desired.guard = lambda current: mx.check_null_mx_replace(list(current.values) if current else [], force)
    else:
        # Removing a null MX must never delete real MX records that happen to be there.
        desired.guard = _only_null_mx
    return [desired], []


def _only_null_mx(current):
    if current is not None and not mx.is_null_mx(list(current.values)):
        raise RecordError('the MX RRset is not a null MX (%s); state=absent removes only a null MX' % ', '.join(current.values),
                          term='state', value='absent', rule='RFC 7505 §3')
    return []
