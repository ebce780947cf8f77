# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DMARC policy record (the TXT value at ``_dmarc.<domain>``): parse, validate, build.

Follows RFC 9989 (DMARC, obsoletes RFC 7489) with its companion RFC 9990 (aggregate reporting):

- tags v (first, ``DMARC1``), p, sp, np, psd, t, adkim, aspf, fo, rua, ruf; tag-list syntax and
  duplicate handling from RFC 6376 section 3.2; unknown tags are ignored by receivers (warning here,
  and kept by check() so that re-publishing a record never drops what the user wrote);
- pct, rf and ri were removed by RFC 9989: still accepted and validated as RFC 7489 defined them,
  reported as obsolete;
- the ``!size`` suffix of report URIs was removed by RFC 9989: accepted with a warning;
- only ``mailto:`` report URIs are accepted.

Tag names and keyword values are matched case-insensitively (ABNF literals); the canonical form
written by check() and build() is lower case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from . import taglist
from .errors import RecordError

RULE_FORMAT = 'RFC 9989 \u00a74.7'
RULE_TAGLIST = taglist.RULE
RULE_NO_POLICY = 'RFC 9989 (policy discovery: record without a valid p tag)'
RULE_REMOVED = 'RFC 9989 (tag removed; was RFC 7489 \u00a76.3)'
RULE_SIZE_REMOVED = 'RFC 9989 (URI size limit removed; was RFC 7489 \u00a76.2)'
RULE_EXTERNAL = 'RFC 9990 (verifying external destinations)'

POLICIES = ('none', 'quarantine', 'reject')
PSD_VALUES = ('y', 'n', 'u')
YES_NO = ('y', 'n')
ALIGNMENT = ('r', 's')
FO_VALUES = ('0', '1', 'd', 's')
REPORT_FORMATS = ('afrf',)
TAG_ORDER = ('v', 'p', 'sp', 'np', 'psd', 't', 'adkim', 'aspf', 'fo', 'rua', 'ruf')
LEGACY_ORDER = ('pct', 'rf', 'ri')
_ALIGNMENT_WORDS = {'relaxed': 'r', 'strict': 's'}

_V_DMARC1 = re.compile(r'[ \t\r\n]*v[ \t\r\n]*=[ \t\r\n]*DMARC1[ \t\r\n]*(?:;|\Z)')
_SIZE = re.compile(r'[0-9]+[kmgtKMGT]?\Z')
_LABEL = re.compile(r'[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\Z')
_BAD_URI_CHARS = re.compile(r'[\s;,<>"\x00-\x1f\x7f]')


@dataclass
class DmarcRecord:
    """A parsed DMARC record. Tag fields hold the published value (None when absent, no defaults)."""

    tags: list
    policy: str | None
    subdomain_policy: str | None
    np: str | None
    psd: str | None
    testing: bool | None
    adkim: str | None
    aspf: str | None
    fo: list
    rua: list
    ruf: list
    legacy: dict
    unknown: dict
    warnings: list = field(default_factory=list)


def _keyword(value, tag, allowed):
    word = value.strip(taglist.WHITESPACE).lower()
    if word not in allowed:
        raise RecordError('invalid value; expected one of %s' % ', '.join(allowed), term=tag, value=value, rule=RULE_FORMAT)
    return word


def _colon_keywords(value, tag, allowed, rule=RULE_FORMAT):
    items = [item.strip(taglist.WHITESPACE).lower() for item in value.split(':')]
    for item in items:
        if item not in allowed:
            raise RecordError('invalid element %r; expected a colon-separated list of %s' % (item, ', '.join(allowed)),
                              term=tag, value=value, rule=rule)
    return items


def _split_address(uri):
    """Return (address, size) of a mailto: URI (size is the legacy '!size' suffix or None)."""
    body = uri[len('mailto:'):]
    size = None
    if '!' in body:
        body, _sep, size = body.partition('!')
    address = unquote(body.split('?', 1)[0])
    return address, size


def _domain_ok(domain):
    labels = domain.rstrip('.').split('.')
    return len(labels) >= 2 and all(_LABEL.match(label) for label in labels)


def _check_uri(uri, tag, warnings):
    """Validate one report URI; return it with the scheme in lower case."""
    if not uri[:7].lower() == 'mailto:':
        raise RecordError('only mailto: report URIs are supported', term=tag, value=uri, rule=RULE_FORMAT)
    uri = 'mailto:' + uri[7:]
    if _BAD_URI_CHARS.search(uri):
        raise RecordError('URI contains white space, a control character or one of ;,<>" (commas inside a URI must be encoded as %2C)',
                          term=tag, value=uri, rule=RULE_FORMAT)
    address, size = _split_address(uri)
    if size is not None:
        if not _SIZE.match(size):
            raise RecordError('invalid size limit suffix "!%s"; expected digits with an optional k, m, g or t unit' % size,
                              term=tag, value=uri, rule=RULE_SIZE_REMOVED)
        warnings.append('%s=%s: the "!%s" size limit was removed by RFC 9989 and is ignored by its receivers [%s]'
                        % (tag, uri, size, RULE_SIZE_REMOVED))
    local, _at, domain = address.rpartition('@')
    if not local or not _domain_ok(domain):
        raise RecordError('mailto: URI must hold an address local@domain with a fully qualified domain', term=tag, value=uri, rule=RULE_FORMAT)
    return uri


def _uri_list(value, tag, warnings):
    uris = []
    seen = set()
    for part in value.split(','):
        uri = part.strip(taglist.WHITESPACE)
        if not uri:
            raise RecordError('empty URI in comma-separated list', term=tag, value=value, rule=RULE_FORMAT)
        uri = _check_uri(uri, tag, warnings)
        if uri.lower() in seen:
            warnings.append('%s=: %s is listed twice' % (tag, uri))
        seen.add(uri.lower())
        uris.append(uri)
    return uris


def uri_domain(uri) -> str:
    """The (lower-case, no trailing dot) domain of a mailto: report URI."""
    address, _size = _split_address(uri)
    return address.rpartition('@')[2].rstrip('.').lower()


def is_dmarc(text) -> bool:
    """True if the TXT value is a DMARC record: starts with v=DMARC1, then optional white space and ';' or the end."""
    return isinstance(text, str) and bool(_V_DMARC1.match(text))


def parse(text) -> DmarcRecord:
    """Parse and validate a DMARC record; warnings are collected in ``DmarcRecord.warnings``."""
    tags = taglist.parse(text)
    warnings = []
    values = {}
    names = {}
    for name, value in tags:
        low = name.lower()
        if low in values:
            raise RecordError('duplicate tag: a tag-list with a repeated tag is invalid as a whole', term=low, value=value, rule=RULE_TAGLIST)
        values[low] = value
        names[low] = name

    first = tags[0][0].lower()
    if first != 'v':
        if 'v' in values:
            raise RecordError('v=DMARC1 must be the first tag', term='v', value=values['v'], rule=RULE_FORMAT)
        raise RecordError('record must start with v=DMARC1', term='v', rule=RULE_FORMAT)
    if values['v'] != 'DMARC1':
        raise RecordError('version must be "DMARC1"', term='v', value=values['v'], rule=RULE_FORMAT)
    if text[:1] in taglist.WHITESPACE:
        warnings.append('the record starts with white space; receivers may discard a record that does not start with "v=" [%s]'
                        % RULE_FORMAT)

    policy = _keyword(values['p'], 'p', POLICIES) if 'p' in values else None
    subdomain_policy = _keyword(values['sp'], 'sp', POLICIES) if 'sp' in values else None
    np_policy = _keyword(values['np'], 'np', POLICIES) if 'np' in values else None
    psd = _keyword(values['psd'], 'psd', PSD_VALUES) if 'psd' in values else None
    testing = _keyword(values['t'], 't', YES_NO) == 'y' if 't' in values else None
    adkim = _keyword(values['adkim'], 'adkim', ALIGNMENT) if 'adkim' in values else None
    aspf = _keyword(values['aspf'], 'aspf', ALIGNMENT) if 'aspf' in values else None
    fo = _colon_keywords(values['fo'], 'fo', FO_VALUES) if 'fo' in values else []
    rua = _uri_list(values['rua'], 'rua', warnings) if 'rua' in values else []
    ruf = _uri_list(values['ruf'], 'ruf', warnings) if 'ruf' in values else []

    # RFC 9989 makes p= RECOMMENDED instead of required: a record without a valid p tag is
    # treated as p=none when rua= holds at least one valid URI, and otherwise the receiver
    # applies no DMARC processing at all. We accept the first case with a warning (RFC 7489
    # receivers still discard such a record) and refuse the second, which has no effect.
    if policy is None:
        if not rua:
            raise RecordError('record has neither p= nor rua=; receivers apply no DMARC processing for it',
                              term='p', rule=RULE_NO_POLICY)
        warnings.append('p= is missing: RFC 9989 receivers treat the record as p=none, RFC 7489 receivers discard it; '
                        'publish p= explicitly [%s]' % RULE_NO_POLICY)
    elif tags[1][0].lower() != 'p':
        warnings.append('p= is not the second tag; RFC 7489 receivers require "v=DMARC1; p=..." in that order '
                        '(check() writes it there) [%s]' % RULE_FORMAT)

    if fo and not ruf:
        warnings.append('fo=: has no effect without ruf= (failure reports) [%s]' % RULE_FORMAT)

    legacy = {}
    if 'pct' in values:
        raw = values['pct']
        if not re.match(r'[0-9]{1,3}\Z', raw) or int(raw) > 100:
            raise RecordError('pct must be an integer from 0 to 100', term='pct', value=raw, rule=RULE_REMOVED)
        legacy['pct'] = int(raw)
        warnings.append('pct=: removed by RFC 9989; its receivers ignore it [%s]' % RULE_REMOVED)
        if legacy['pct'] < 100:
            warnings.append('pct=%d: partial enforcement no longer exists; use t=y to ask receivers to apply one policy level less '
                            '(RFC 9989 test mode) [%s]' % (legacy['pct'], RULE_REMOVED))
    if 'rf' in values:
        legacy['rf'] = ':'.join(_colon_keywords(values['rf'], 'rf', REPORT_FORMATS, RULE_REMOVED))
        warnings.append('rf=: removed by RFC 9989; its receivers ignore it [%s]' % RULE_REMOVED)
    if 'ri' in values:
        raw = values['ri']
        if not re.match(r'[0-9]{1,10}\Z', raw) or int(raw) > 0xffffffff:
            raise RecordError('ri must be an integer number of seconds', term='ri', value=raw, rule=RULE_REMOVED)
        legacy['ri'] = int(raw)
        warnings.append('ri=: removed by RFC 9989; its receivers ignore it [%s]' % RULE_REMOVED)

    unknown = {}
    for low, value in values.items():
        if low not in TAG_ORDER and low not in LEGACY_ORDER:
            unknown[names[low]] = value
            warnings.append('%s=: unknown tag, ignored by receivers [%s]' % (names[low], RULE_FORMAT))

    return DmarcRecord(tags=list(tags), policy=policy, subdomain_policy=subdomain_policy, np=np_policy, psd=psd, testing=testing,
                       adkim=adkim, aspf=aspf, fo=fo, rua=rua, ruf=ruf, legacy=legacy, unknown=unknown, warnings=warnings)


def render(rec: DmarcRecord) -> str:
    """Canonical text: v, p, sp, np, psd, t, adkim, aspf, fo, rua, ruf, then pct, rf, ri, then unknown tags."""
    out = [('v', 'DMARC1')]
    for tag, value in (('p', rec.policy), ('sp', rec.subdomain_policy), ('np', rec.np), ('psd', rec.psd),
                       ('t', None if rec.testing is None else ('y' if rec.testing else 'n')),
                       ('adkim', rec.adkim), ('aspf', rec.aspf), ('fo', ':'.join(rec.fo) or None),
                       ('rua', ','.join(rec.rua) or None), ('ruf', ','.join(rec.ruf) or None)):
        if value is not None:
            out.append((tag, value))
    for tag in LEGACY_ORDER:
        if tag in rec.legacy:
            out.append((tag, str(rec.legacy[tag])))
    out.extend(rec.unknown.items())
    return taglist.render(out)


def check(text) -> tuple[str, list[str]]:
    """Parse and validate; return (canonical text, warnings)."""
    rec = parse(text)
    return render(rec), list(rec.warnings)


def _build_keyword(value, name, allowed, aliases=None):
    if value is None:
        return None
    if isinstance(value, bool):
        if 'y' not in allowed:
            raise RecordError('invalid value; expected one of %s' % ', '.join(allowed), term=name, value=value, rule=RULE_FORMAT)
        return 'y' if value else 'n'
    word = str(value).strip().lower()
    word = (aliases or {}).get(word, word)
    if word not in allowed:
        raise RecordError('invalid value; expected one of %s' % ', '.join(allowed), term=name, value=value, rule=RULE_FORMAT)
    return word


def _build_uris(value, name):
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    elif not isinstance(value, (list, tuple)):
        raise RecordError('must be a list of URIs or a comma-separated string', term=name, value=value, rule=RULE_FORMAT)
    uris = []
    seen = set()
    for item in value:
        if not isinstance(item, str):
            raise RecordError('each URI must be a string', term=name, value=item, rule=RULE_FORMAT)
        # commas are not allowed inside a DMARC URI (they must be encoded as %2C), so splitting on them is safe
        for part in item.split(','):
            part = part.strip()
            if not part:
                continue
            if ':' not in part and '@' in part:
                part = 'mailto:' + part
            uri = _check_uri(part, name, [])
            if uri.lower() not in seen:
                seen.add(uri.lower())
                uris.append(uri)
    return uris


def build(p=None, sp=None, np=None, psd=None, t=None, adkim=None, aspf=None, fo=None, rua=None, ruf=None) -> tuple[str, list[str]]:
    """Build a canonical DMARC record from tag values; returns (text, warnings).

    t and psd may be booleans; fo a list or colon-separated string; rua/ruf a list of URIs or a
    comma-separated string (bare addresses get ``mailto:``).
    """
    if p is None or (isinstance(p, str) and not p.strip()):
        raise RecordError('p (the policy) is required', term='p', rule=RULE_FORMAT)
    tags = [('v', 'DMARC1'), ('p', _build_keyword(p, 'p', POLICIES))]
    for tag, value in (('sp', _build_keyword(sp, 'sp', POLICIES)),
                       ('np', _build_keyword(np, 'np', POLICIES)),
                       ('psd', _build_keyword(psd, 'psd', PSD_VALUES)),
                       ('t', _build_keyword(t, 't', YES_NO)),
                       ('adkim', _build_keyword(adkim, 'adkim', ALIGNMENT, _ALIGNMENT_WORDS)),
                       ('aspf', _build_keyword(aspf, 'aspf', ALIGNMENT, _ALIGNMENT_WORDS))):
        if value is not None:
            tags.append((tag, value))
    if fo is not None and fo != '' and fo != []:
        items = [str(item) for item in fo] if isinstance(fo, (list, tuple)) else str(fo).split(':')
        tags.append(('fo', ':'.join(_colon_keywords(':'.join(items), 'fo', FO_VALUES))))
    for tag, value in (('rua', rua), ('ruf', ruf)):
        uris = _build_uris(value, tag)
        if uris:
            tags.append((tag, ','.join(uris)))
    return check(taglist.render(tags))


def external_destinations(record, domain) -> list[str]:
    """Report destination domains (rua and ruf) that are neither ``domain`` nor one of its subdomains.

    Each needs ``<domain>._report._dmarc.<destination>`` published (see external_verification_names).
    ``record`` is a DmarcRecord or record text.
    """
    if not isinstance(record, DmarcRecord):
        record = parse(record)
    domain = domain.strip().rstrip('.').lower()
    result = []
    for uri in record.rua + record.ruf:
        host = uri_domain(uri)
        if host == domain or host.endswith('.' + domain):
            continue
        if host not in result:
            result.append(host)
    return result


def external_verification_names(record, domain) -> list[str]:
    """DNS names that must hold ``v=DMARC1`` for each external report destination [RFC 9990]."""
    domain = domain.strip().rstrip('.').lower()
    return ['%s._report._dmarc.%s' % (domain, host) for host in external_destinations(record, domain)]


def to_dict(rec: DmarcRecord) -> dict:
    """JSON-able view of a parsed record (for the dmarc_parse filter), with RFC 9989 defaults under 'effective'."""
    policy = rec.policy or 'none'
    subdomain = rec.subdomain_policy or policy
    return {
        'tags': [[tag, value] for tag, value in rec.tags],
        'policy': rec.policy,
        'subdomain_policy': rec.subdomain_policy,
        'np': rec.np,
        'psd': rec.psd,
        'testing': rec.testing,
        'adkim': rec.adkim,
        'aspf': rec.aspf,
        'fo': list(rec.fo),
        'rua': list(rec.rua),
        'ruf': list(rec.ruf),
        'legacy': dict(rec.legacy),
        'unknown': dict(rec.unknown),
        'effective': {
            'p': policy,
            'sp': subdomain,
            'np': rec.np or subdomain,
            'psd': rec.psd or 'u',
            't': bool(rec.testing),
            'adkim': rec.adkim or 'r',
            'aspf': rec.aspf or 'r',
            'fo': list(rec.fo) or ['0'],
        },
        'warnings': list(rec.warnings),
        'record': render(rec),
    }
