# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SPF records (RFC 7208): parse, validate, build and render.

:func:`parse` checks the syntax of RFC 7208 section 12 strictly and returns an :class:`SpfRecord`;
:func:`validate` adds the checks a publisher cares about (the 10 DNS-lookup limit is a hard error,
everything else is a warning); :func:`check` does both and returns the canonical text;
:func:`build` renders a record from structured input.

All checks are static: nothing here performs DNS queries, so the lookup count is the count of
DNS-causing terms in this record only, not in the records it includes.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from .errors import RecordError

VERSION = 'v=spf1'
MAX_DNS_LOOKUPS = 10
WARN_OCTETS = 450

MECHANISMS = ('all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists')
DNS_TERMS = ('include', 'a', 'mx', 'ptr', 'exists', 'redirect')
QUALIFIERS = '+-~?'
QUALIFIER_WORDS = {'+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral'}
ALL_WORDS = {'pass': '+', 'fail': '-', 'softfail': '~', 'neutral': '?'}

RULE_VERSION = 'RFC 7208 §4.5: the record starts with exactly "v=spf1" followed by a space or its end'
RULE_CHARS = 'RFC 7208 §12: terms are visible US-ASCII characters separated by spaces'
RULE_MECHANISM = 'RFC 7208 §12: mechanism is all / include / a / mx / ptr / ip4 / ip6 / exists'
RULE_MODIFIER = 'RFC 7208 §12: modifier = redirect / explanation / unknown-modifier'
RULE_MODIFIER_NAME = 'RFC 7208 §12: modifier name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )'
RULE_ONCE = 'RFC 7208 §6: redirect and exp MUST NOT appear more than once'
RULE_IP4 = 'RFC 7208 §5.6: ip4-network is a dotted quad'
RULE_IP6 = 'RFC 7208 §5.6: ip6-network is an IPv6 address (RFC 4291 §2.2)'
RULE_CIDR4 = 'RFC 7208 §5.6: ip4-cidr-length is 0..32'
RULE_CIDR6 = 'RFC 7208 §5.6: ip6-cidr-length is 0..128'
RULE_CIDR_SYNTAX = 'RFC 7208 §12: cidr-length is "/" followed by a decimal number without leading zeros'
RULE_DOMAIN_SPEC = 'RFC 7208 §7.1: domain-spec = macro-string domain-end'
RULE_DOMAIN_END = 'RFC 7208 §7.1: domain-end = ( "." toplabel [ "." ] ) / macro-expand'
RULE_MACRO = 'RFC 7208 §7.1: macro-expand = "%{" macro-letter transformers *delimiter "}" / "%%" / "%_" / "%-"'
RULE_MACRO_LETTER = 'RFC 7208 §7.2: macro letters are s l o d i p h v (c r t only in explanation text)'
RULE_MACRO_DIGIT = 'RFC 7208 §7.3: a DIGIT transformer MUST be nonzero'
RULE_DNS_NAME = 'RFC 1035 §2.3.4: labels are 1..63 octets, names at most 253'
RULE_LIMIT = 'RFC 7208 §4.6.4: at most 10 terms that cause DNS lookups (include, a, mx, ptr, exists, redirect)'

_MODIFIER_RE = re.compile(r'([A-Za-z][A-Za-z0-9._-]*)=(.*)\Z', re.S)
_MECH_NAME_RE = re.compile(r'[A-Za-z][A-Za-z0-9]*')
_TOPLABEL_RE = re.compile(r'(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])\Z')
_DUAL_CIDR_RE = re.compile(r'(?:/([0-9]+))?(?://([0-9]+))?\Z')
_IP4_RE = re.compile(r'(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}\Z')
_MACRO_BODY_RE = re.compile(r'([A-Za-z])([0-9]*)([rR]?)([.+,/_=-]*)\Z')
_MACRO_LETTERS = 'slodiphv'
_EXP_ONLY_LETTERS = 'crt'


@dataclass
class Term:
    """One SPF term: a mechanism (with qualifier) or a modifier (qualifier '')."""

    qualifier: str
    name: str
    value: str | None = None
    cidr4: int | None = None
    cidr6: int | None = None
    kind: str = 'mechanism'
    raw: str = ''

    @property
    def is_mechanism(self) -> bool:
        return self.kind == 'mechanism'

    @property
    def causes_dns_lookup(self) -> bool:
        return self.name in DNS_TERMS and (self.kind == 'mechanism' or self.name == 'redirect')

    @property
    def canonical(self) -> str:
        """The term as :func:`check` renders it: lowercase name, no '+' qualifier."""
        if self.kind == 'modifier':
            return '%s=%s' % (self.name, self.value or '')
        parts = ['' if self.qualifier == '+' else self.qualifier, self.name]
        if self.value is not None:
            parts.append(':' + self.value)
        if self.cidr4 is not None and self.name != 'ip6':
            parts.append('/%d' % self.cidr4)
        if self.cidr6 is not None:
            parts.append(('/%d' if self.name == 'ip6' else '//%d') % self.cidr6)
        return ''.join(parts)

    def to_dict(self) -> dict:
        return {
            'qualifier': self.qualifier,
            'name': self.name,
            'value': self.value,
            'cidr4': self.cidr4,
            'cidr6': self.cidr6,
            'kind': self.kind,
        }


@dataclass
class SpfRecord:
    """A parsed SPF record. ``text`` is the text that was parsed; ``terms`` excludes the version."""

    terms: list[Term] = field(default_factory=list)
    text: str = VERSION

    @property
    def mechanisms(self) -> list[Term]:
        return [t for t in self.terms if t.kind == 'mechanism']

    @property
    def modifiers(self) -> list[Term]:
        return [t for t in self.terms if t.kind == 'modifier']

    def _modifier_value(self, name):
        for term in self.terms:
            if term.kind == 'modifier' and term.name == name:
                return term.value
        return None

    @property
    def redirect(self) -> str | None:
        """The domain-spec of the redirect modifier, or None."""
        return self._modifier_value('redirect')

    @property
    def exp(self) -> str | None:
        """The domain-spec of the exp modifier, or None."""
        return self._modifier_value('exp')

    @property
    def all_term(self) -> Term | None:
        """The first ``all`` mechanism (the one that decides), or None."""
        for term in self.terms:
            if term.kind == 'mechanism' and term.name == 'all':
                return term
        return None

    @property
    def canonical(self) -> str:
        return ' '.join([VERSION] + [t.canonical for t in self.terms])


def is_spf(text: str) -> bool:
    """True when ``text`` is an SPF version 1 record: "v=spf1" (any case) then a space or the end."""
    if not isinstance(text, str):
        return False
    head = text[:len(VERSION)]
    return head.lower() == VERSION and (len(text) == len(VERSION) or text[len(VERSION)] == ' ')


# ---------------------------------------------------------------------------------------------
# parsing

def _check_macro_string(spec, raw, allow_exp_letters=False):
    """Validate a macro-string; return the list of tokens: ('lit', char) or ('macro', text)."""
    tokens = []
    pos = 0
    size = len(spec)
    while pos < size:
        char = spec[pos]
        if char != '%':
            tokens.append(('lit', char))
            pos += 1
            continue
        nxt = spec[pos + 1] if pos + 1 < size else ''
        if nxt in ('%', '_', '-'):
            tokens.append(('macro', spec[pos:pos + 2]))
            pos += 2
            continue
        if nxt != '{':
            raise RecordError(
                "'%%' at offset %d must be followed by '{', '%%', '_' or '-' (write '%%%%' for a literal '%%')" % pos,
                term=raw, value=spec, rule=RULE_MACRO)
        close = spec.find('}', pos + 2)
        if close < 0:
            raise RecordError("macro '%%{' at offset %d is never closed with '}'" % pos, term=raw, value=spec, rule=RULE_MACRO)
        body = spec[pos + 2:close]
        match = _MACRO_BODY_RE.match(body)
        if not match:
            raise RecordError('malformed macro %r' % spec[pos:close + 1], term=raw, value=spec, rule=RULE_MACRO)
        letter, digits = match.group(1).lower(), match.group(2)
        if letter in _EXP_ONLY_LETTERS and not allow_exp_letters:
            raise RecordError('macro letter %r is allowed only in explanation text' % match.group(1), term=raw, value=spec, rule=RULE_MACRO_LETTER)
        if letter not in _MACRO_LETTERS + _EXP_ONLY_LETTERS:
            raise RecordError('unknown macro letter %r' % match.group(1), term=raw, value=spec, rule=RULE_MACRO_LETTER)
        if digits and int(digits) == 0:
            raise RecordError('macro %r has a zero DIGIT transformer' % spec[pos:close + 1], term=raw, value=spec, rule=RULE_MACRO_DIGIT)
        tokens.append(('macro', spec[pos:close + 1]))
        pos = close + 1
    return tokens


def _check_domain_spec(spec, raw):
    if spec is None or spec == '':
        raise RecordError('a domain-spec is required', term=raw, value=spec, rule=RULE_DOMAIN_SPEC)
    tokens = _check_macro_string(spec, raw)
    if tokens[-1][0] == 'macro':
        return
    tail = []
    for kind, text in reversed(tokens):
        if kind != 'lit':
            break
        tail.append(text)
    tail = ''.join(reversed(tail))
    if tail.endswith('.'):
        tail = tail[:-1]
    dot = tail.rfind('.')
    toplabel = tail[dot + 1:]
    if dot < 0 or not _TOPLABEL_RE.match(toplabel):
        raise RecordError('domain-spec must end in "." and a top label (not all-numeric), or in a macro; got %r' % (toplabel or spec),
                          term=raw, value=spec, rule=RULE_DOMAIN_END)
    if all(kind == 'lit' for kind, _text in tokens):
        # No macros: the domain-spec is used verbatim as a DNS name, so it must be one.
        name = spec[:-1] if spec.endswith('.') else spec
        if len(name) > 253:
            raise RecordError('domain name is %d octets long' % len(name), term=raw, value=spec, rule=RULE_DNS_NAME)
        for label in name.split('.'):
            if not 1 <= len(label) <= 63:
                raise RecordError('domain name has a label of %d octets' % len(label), term=raw, value=spec, rule=RULE_DNS_NAME)


def _parse_cidr(digits, bits, raw, value, rule):
    if digits is None:
        return None
    if len(digits) > 1 and digits[0] == '0':
        raise RecordError('cidr-length /%s has a leading zero' % digits, term=raw, value=value, rule=RULE_CIDR_SYNTAX)
    number = int(digits)
    if number > bits:
        raise RecordError('cidr-length /%d is out of range 0..%d' % (number, bits), term=raw, value=value, rule=rule)
    return number


def _parse_ip4(arg, raw):
    addr, sep, cidr = arg.partition('/')
    if not _IP4_RE.match(addr):
        raise RecordError('%r is not a dotted-quad IPv4 address' % addr, term=raw, value=addr, rule=RULE_IP4)
    try:
        ipaddress.IPv4Address(addr)
    except ValueError:
        raise RecordError('%r is not a valid IPv4 address' % addr, term=raw, value=addr, rule=RULE_IP4)
    if sep and not re.match(r'[0-9]+\Z', cidr):
        raise RecordError('malformed cidr-length %r' % ('/' + cidr), term=raw, value=arg, rule=RULE_CIDR4)
    return addr, _parse_cidr(cidr if sep else None, 32, raw, arg, RULE_CIDR4)


def _parse_ip6(arg, raw):
    addr, sep, cidr = arg.partition('/')
    valid = bool(addr) and '%' not in addr and re.match(r'[0-9A-Fa-f:.]+\Z', addr)
    if valid:
        try:
            ipaddress.IPv6Address(addr)
        except ValueError:
            valid = False
    if not valid:
        raise RecordError('%r is not a valid IPv6 address' % addr, term=raw, value=addr, rule=RULE_IP6)
    if sep and not re.match(r'[0-9]+\Z', cidr):
        raise RecordError('malformed cidr-length %r' % ('/' + cidr), term=raw, value=arg, rule=RULE_CIDR6)
    return addr, _parse_cidr(cidr if sep else None, 128, raw, arg, RULE_CIDR6)


def _parse_term(raw):
    """Parse one term (no spaces inside) into a Term."""
    modifier = _MODIFIER_RE.match(raw)
    if modifier:
        name, value = modifier.group(1).lower(), modifier.group(2)
        if name in ('redirect', 'exp'):
            _check_domain_spec(value, raw)
        else:
            if name == 'v' and value.lower() == 'spf1':
                raise RecordError('"v=spf1" may appear only once, as the first term (two SPF records run together?)',
                                  term=raw, value=raw, rule=RULE_VERSION)
            _check_macro_string(value, raw)
        return Term(qualifier='', name=name, value=value, kind='modifier', raw=raw)

    qualifier = '+'
    rest = raw
    if rest and rest[0] in QUALIFIERS:
        qualifier, rest = rest[0], rest[1:]
    match = _MECH_NAME_RE.match(rest)
    name = match.group(0).lower() if match else ''
    if name not in MECHANISMS:
        if rest != raw and _MODIFIER_RE.match(rest):
            raise RecordError('a modifier takes no qualifier', term=raw, value=raw[0], rule=RULE_MODIFIER)
        if '=' in raw:
            head = raw.split('=', 1)[0]
            raise RecordError('malformed modifier name %r' % head, term=raw, value=head, rule=RULE_MODIFIER_NAME)
        raise RecordError('unknown mechanism %r' % (rest or raw), term=raw, value=rest or raw, rule=RULE_MECHANISM)
    arg = rest[len(name):]
    term = Term(qualifier=qualifier, name=name, kind='mechanism', raw=raw)

    if name == 'all':
        if arg:
            raise RecordError('"all" takes no argument', term=raw, value=arg, rule='RFC 7208 §5.1: all = "all"')
        return term
    if name in ('include', 'exists'):
        if not arg.startswith(':') or len(arg) == 1:
            raise RecordError('"%s" requires ":domain-spec"' % name, term=raw, value=arg or None,
                              rule='RFC 7208 §12: %s = "%s" ":" domain-spec' % (name, name))
        term.value = arg[1:]
        _check_domain_spec(term.value, raw)
        return term
    if name == 'ptr':
        if arg:
            if not arg.startswith(':'):
                raise RecordError('"ptr" takes only an optional ":domain-spec"', term=raw, value=arg, rule='RFC 7208 §12: ptr = "ptr" [ ":" domain-spec ]')
            term.value = arg[1:]
            _check_domain_spec(term.value, raw)
        return term
    if name in ('ip4', 'ip6'):
        if not arg.startswith(':') or len(arg) == 1:
            rule = RULE_IP4 if name == 'ip4' else RULE_IP6
            raise RecordError('"%s" requires ":<address>[/<cidr>]"' % name, term=raw, value=arg or None, rule=rule)
        if name == 'ip4':
            term.value, term.cidr4 = _parse_ip4(arg[1:], raw)
        else:
            term.value, term.cidr6 = _parse_ip6(arg[1:], raw)
        return term

    # a / mx: [ ":" domain-spec ] [ dual-cidr-length ]
    if arg and arg[0] not in ':/':
        raise RecordError('unknown mechanism %r' % rest, term=raw, value=rest, rule=RULE_MECHANISM)
    cidr = _DUAL_CIDR_RE.search(arg)
    spec = arg[:cidr.start()]
    term.cidr4 = _parse_cidr(cidr.group(1), 32, raw, arg, RULE_CIDR4)
    term.cidr6 = _parse_cidr(cidr.group(2), 128, raw, arg, RULE_CIDR6)
    if spec:
        if not spec.startswith(':'):
            raise RecordError('malformed dual-cidr-length %r' % arg, term=raw, value=arg,
                              rule='RFC 7208 §5.6: dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]')
        term.value = spec[1:]
        _check_domain_spec(term.value, raw)
    return term


def _check_chars(text):
    for pos, char in enumerate(text):
        if not (char == ' ' or '\x21' <= char <= '\x7e'):
            start = text.rfind(' ', 0, pos) + 1
            end = text.find(' ', pos)
            raw = text[start:] if end < 0 else text[start:end]
            what = 'NUL' if char == '\x00' else 'control character' if ord(char) < 0x20 or ord(char) == 0x7f else 'non-ASCII character'
            raise RecordError('%s %r at position %d; SPF records are US-ASCII' % (what, char, pos), term=raw, value=text, rule=RULE_CHARS)


def parse(text: str) -> SpfRecord:
    """Parse an SPF record strictly (RFC 7208 §12). Raises RecordError on any syntax error."""
    if not isinstance(text, str):
        raise RecordError('SPF record must be text (str), got %s' % type(text).__name__, term='v=spf1', value=repr(text), rule=RULE_VERSION)
    if not is_spf(text):
        first = text.split(' ', 1)[0]
        raise RecordError('record does not start with "v=spf1" followed by a space', term=first or '(empty)', value=text, rule=RULE_VERSION)
    _check_chars(text)
    terms = []
    seen = {}
    for raw in text[len(VERSION):].split(' '):
        if not raw:
            continue
        term = _parse_term(raw)
        if term.kind == 'modifier' and term.name in ('redirect', 'exp'):
            if term.name in seen:
                raise RecordError('"%s" appears more than once (first: %r)' % (term.name, seen[term.name]), term=raw, value=term.value, rule=RULE_ONCE)
            seen[term.name] = raw
        terms.append(term)
    return SpfRecord(terms=terms, text=text)


# ---------------------------------------------------------------------------------------------
# validation

def dns_lookup_count(record: SpfRecord) -> int:
    """Number of terms in this record that cause DNS lookups (RFC 7208 §4.6.4); includes are not followed."""
    return sum(1 for term in record.terms if term.causes_dns_lookup)


def _findings(record):
    errors = []
    warnings = []
    lookups = [t for t in record.terms if t.causes_dns_lookup]
    if len(lookups) > MAX_DNS_LOOKUPS:
        errors.append(RecordError(
            'record has %d terms that cause DNS lookups, more than %d: %s' % (len(lookups), MAX_DNS_LOOKUPS, ', '.join(t.raw for t in lookups)),
            # The term named is the first one past the limit: where the record has to be cut.
            term=lookups[MAX_DNS_LOOKUPS].raw, value=str(len(lookups)), rule=RULE_LIMIT))
    all_index = None
    for index, term in enumerate(record.terms):
        if term.kind == 'mechanism' and term.name == 'all':
            all_index = index
            break
    if all_index is not None:
        after = [t.raw for t in record.terms[all_index + 1:] if t.kind == 'mechanism']
        if after:
            warnings.append('terms after "%s" are never evaluated and are ignored: %s (RFC 7208 §5.1)' % (record.terms[all_index].raw, ' '.join(after)))
        if record.redirect is not None:
            warnings.append('"redirect=%s" is ignored because the record has an "all" mechanism (RFC 7208 §6.1)' % record.redirect)
        if record.terms[all_index].qualifier == '+':
            warnings.append('"%s" passes mail from any host on the Internet (RFC 7208 §5.1)' % record.terms[all_index].raw)
    elif record.redirect is None:
        warnings.append('no "all" mechanism and no "redirect" modifier: hosts that match no term get "neutral" (RFC 7208 §4.7)')
    for term in record.terms:
        if term.kind == 'mechanism' and term.name == 'ptr':
            warnings.append('"%s": the ptr mechanism SHOULD NOT be used (RFC 7208 §5.5)' % term.raw)
    octets = len(record.text.encode('utf-8'))
    if octets > WARN_OCTETS:
        warnings.append('record is %d octets long, more than %d: it may not fit a 512-octet DNS answer over UDP (RFC 7208 §3.4)'
                        % (octets, WARN_OCTETS))
    return errors, warnings


def validate(record: SpfRecord) -> list[str]:
    """Return warnings for ``record``; raise RecordError for hard failures (more than 10 DNS lookups)."""
    errors, warnings = _findings(record)
    if errors:
        raise errors[0]
    return warnings


def check(text: str) -> tuple[str, list[str]]:
    """Parse and validate ``text``; return (canonical text, warnings)."""
    canonical = parse(text).canonical
    # Validate what will be published, so warnings quote the canonical terms.
    return canonical, validate(parse(canonical))


def to_dict(record: SpfRecord) -> dict:
    """JSON-able view of a record (used by the spf_parse filter). Never raises: hard failures go to 'errors'."""
    errors, warnings = _findings(record)
    all_term = record.all_term
    return {
        'version': 'spf1',
        'terms': [t.to_dict() for t in record.terms],
        'dns_lookups': dns_lookup_count(record),
        'all': QUALIFIER_WORDS[all_term.qualifier] if all_term else None,
        'redirect': record.redirect,
        'exp': record.exp,
        'warnings': warnings,
        'errors': [str(e) for e in errors],
    }


# ---------------------------------------------------------------------------------------------
# building

def _as_list(value, option):
    if value is None or value is False:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        for item in value:
            if not isinstance(item, str):
                raise RecordError('every entry must be a string, got %s' % type(item).__name__, term=option, value=repr(item))
        return list(value)
    raise RecordError('must be a list of strings, got %s' % type(value).__name__, term=option, value=repr(value))


def _host_terms(name, value):
    """Render a / mx / ptr input: True -> bare; list entries '' bare, '/24' bare with cidr, else name:spec."""
    if value is True:
        return [name]
    out = []
    for entry in _as_list(value, name):
        if entry == '' or (entry.startswith('/') and name != 'ptr'):
            out.append(name + entry)
        else:
            out.append('%s:%s' % (name, entry))
    return out


def _ip_terms(name, value):
    host_bits = 32 if name == 'ip4' else 128
    out = []
    for entry in _as_list(value, name):
        addr, sep, cidr = entry.partition('/')
        if sep and cidr == str(host_bits):
            entry = addr
        if name == 'ip6' and addr and '%' not in addr:
            try:
                entry = ipaddress.IPv6Address(addr).compressed + (sep + cidr if entry != addr else '')
            except ValueError:
                pass  # left as given; _parse_term reports it with the SPF rule
        out.append('%s:%s' % (name, entry))
    return out


def build(include=None, ip4=None, ip6=None, a=None, mx=None, exists=None, ptr=None,  # pylint: disable=redefined-builtin
          redirect=None, exp=None, all=None) -> tuple[str, list[str]]:
    """Render an SPF record from structured input and :func:`check` it; return (text, warnings).

    Order: v=spf1, a, mx, ip4, ip6, include, exists, ptr, all, redirect, exp. Identical entries are
    rendered once (first occurrence wins; names compare case-insensitively).
    """
    # 'all' shadows the builtin on purpose: it is the user-facing option name.
    rendered = []
    rendered += _host_terms('a', a)
    rendered += _host_terms('mx', mx)
    rendered += _ip_terms('ip4', ip4)
    rendered += _ip_terms('ip6', ip6)
    rendered += ['include:' + e for e in _as_list(include, 'include')]
    rendered += ['exists:' + e for e in _as_list(exists, 'exists')]
    rendered += _host_terms('ptr', ptr)
    if all is not None:
        if all not in ALL_WORDS:
            raise RecordError('must be one of %s' % ', '.join(sorted(ALL_WORDS)), term='all', value=str(all))
        rendered.append(('' if all == 'pass' else ALL_WORDS[all]) + 'all')
    for name, value in (('redirect', redirect), ('exp', exp)):
        if value is not None:
            if not isinstance(value, str):
                raise RecordError('must be a string', term=name, value=repr(value))
            rendered.append('%s=%s' % (name, value))

    terms = []
    seen = set()
    for raw in rendered:
        if raw.lower() in seen:
            continue
        seen.add(raw.lower())
        _check_chars(raw)
        if ' ' in raw:
            raise RecordError('an entry must not contain spaces', term=raw, value=raw, rule=RULE_CHARS)
        terms.append(_parse_term(raw))
    return check(' '.join([VERSION] + [t.canonical for t in terms]))
