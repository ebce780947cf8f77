# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the SPF parser, validator and builder (module_utils/_records/spf.py)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.mailauth.rollout.plugins.module_utils._records import spf
from ansible_collections.mailauth.rollout.plugins.module_utils._records.errors import RecordError

W_NO_ALL = 'no "all" mechanism and no "redirect" modifier: hosts that match no term get "neutral" (RFC 7208 §4.7)'
W_PTR = '"ptr": the ptr mechanism SHOULD NOT be used (RFC 7208 §5.5)'

R_VERSION = 'RFC 7208 §4.5: the record starts with exactly "v=spf1" followed by a space or its end'
R_CHARS = 'RFC 7208 §12: terms are visible US-ASCII characters separated by spaces'
R_MECH = 'RFC 7208 §12: mechanism is all / include / a / mx / ptr / ip4 / ip6 / exists'
R_MACRO = 'RFC 7208 §7.1: macro-expand = "%{" macro-letter transformers *delimiter "}" / "%%" / "%_" / "%-"'
R_DOMAIN_END = 'RFC 7208 §7.1: domain-end = ( "." toplabel [ "." ] ) / macro-expand'
R_DNS_NAME = 'RFC 1035 §2.3.4: labels are 1..63 octets, names at most 253'
R_CIDR4 = 'RFC 7208 §5.6: ip4-cidr-length is 0..32'
R_CIDR6 = 'RFC 7208 §5.6: ip6-cidr-length is 0..128'
R_LIMIT = 'RFC 7208 §4.6.4: at most 10 terms that cause DNS lookups (include, a, mx, ptr, exists, redirect)'


def terms_of(record):
    return [(t.qualifier, t.name, t.value, t.cidr4, t.cidr6, t.kind) for t in record.terms]


# ---------------------------------------------------------------------------------------------
# is_spf

@pytest.mark.parametrize('text, expected', [
    ('v=spf1', True),
    ('v=spf1 -all', True),
    ('V=SPF1 -all', True),
    ('v=Spf1 ', True),
    ('v=spf10 -all', False),
    ('v=spf1-all', False),
    ('v=spf1\t-all', False),
    (' v=spf1 -all', False),
    ('"v=spf1 -all"', False),
    ('v=DMARC1; p=none', False),
    ('spf1', False),
    ('', False),
    (None, False),
    (b'v=spf1 -all', False),
])
def test_is_spf(text, expected):
    assert spf.is_spf(text) is expected


# ---------------------------------------------------------------------------------------------
# parse: RFC 7208 Appendix A examples and friends

@pytest.mark.parametrize('text, canonical, warnings', [
    ('v=spf1 +all', 'v=spf1 all', ['"all" passes mail from any host on the Internet (RFC 7208 §5.1)']),
    ('v=spf1 a -all', 'v=spf1 a -all', []),
    ('v=spf1 a:example.org -all', 'v=spf1 a:example.org -all', []),
    ('v=spf1 mx -all', 'v=spf1 mx -all', []),
    ('v=spf1 mx:example.org -all', 'v=spf1 mx:example.org -all', []),
    ('v=spf1 mx mx:example.org -all', 'v=spf1 mx mx:example.org -all', []),
    ('v=spf1 mx/30 mx:example.org/30 -all', 'v=spf1 mx/30 mx:example.org/30 -all', []),
    ('v=spf1 ptr -all', 'v=spf1 ptr -all', [W_PTR]),
    ('v=spf1 ip4:192.0.2.128/28 -all', 'v=spf1 ip4:192.0.2.128/28 -all', []),
    ('v=spf1 +mx a:colo.example.com/28 -all', 'v=spf1 mx a:colo.example.com/28 -all', []),
    ('v=spf1 redirect=_spf.example.com', 'v=spf1 redirect=_spf.example.com', []),
    ('v=spf1 a/24 mx:example.org//64 -all', 'v=spf1 a/24 mx:example.org//64 -all', []),
    ('v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all', 'v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all', []),
    ('v=spf1 mx -all exp=explain._spf.%{d}', 'v=spf1 mx -all exp=explain._spf.%{d}', []),
    ('v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all',
     'v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} all',
     ['"all" passes mail from any host on the Internet (RFC 7208 §5.1)']),
    ('v=spf1 -ptr +all', 'v=spf1 -ptr all',
     ['"all" passes mail from any host on the Internet (RFC 7208 §5.1)', '"-ptr": the ptr mechanism SHOULD NOT be used (RFC 7208 §5.5)']),
    ('v=spf1 ip6:2001:db8::/32 ip6:2001:DB8::CB01 ~all', 'v=spf1 ip6:2001:db8::/32 ip6:2001:DB8::CB01 ~all', []),
    ('v=spf1 ip4:192.0.2.1 ip4:0.0.0.0/0 ?all', 'v=spf1 ip4:192.0.2.1 ip4:0.0.0.0/0 ?all', []),
    ('v=spf1 ip6:::ffff:192.0.2.1/128 -all', 'v=spf1 ip6:::ffff:192.0.2.1/128 -all', []),
    ('v=spf1 a:mail.example.com. -all', 'v=spf1 a:mail.example.com. -all', []),
    ('v=spf1 a:%{d} -all', 'v=spf1 a:%{d} -all', []),
    ('v=spf1 exists:%{i}.%{S}.%{V}.%{h3}.%{o}.%{p}.%{d2r.-+,/_=}.example.com -all',
     'v=spf1 exists:%{i}.%{S}.%{V}.%{h3}.%{o}.%{p}.%{d2r.-+,/_=}.example.com -all', []),
    ('v=spf1 include:%%%_%-.example.com -all', 'v=spf1 include:%%%_%-.example.com -all', []),
    ('v=spf1 a:1-2.example.123-4 -all', 'v=spf1 a:1-2.example.123-4 -all', []),
    ('v=spf1 -all foo=bar x.y_z-1=%{d} empty=', 'v=spf1 -all foo=bar x.y_z-1=%{d} empty=', []),
    ('v=spf1', 'v=spf1', [W_NO_ALL]),
    ('v=spf1 ', 'v=spf1', [W_NO_ALL]),
    # case-insensitive names, extra spaces and the default '+' are normalised; domain case is kept
    ('V=SPF1   +MX  IP4:192.0.2.1  Include:Example.COM -ALL Redirect=X.Example.ORG  ',
     'v=spf1 mx ip4:192.0.2.1 include:Example.COM -all redirect=X.Example.ORG',
     ['"redirect=X.Example.ORG" is ignored because the record has an "all" mechanism (RFC 7208 §6.1)']),
])
def test_check_valid(text, canonical, warnings):
    assert spf.check(text) == (canonical, warnings)
    # canonical text is a fixed point
    assert spf.check(canonical) == (canonical, warnings)


def test_parse_term_fields():
    record = spf.parse('v=spf1 +mx a:colo.example.com/28 ip4:192.0.2.128/28 ip6:2001:db8::/32 a/24//64 mx:example.org//64 '
                       '~include:_spf.example.net ?exists:%{i}.x.example ptr:example.com -all redirect=r.example exp=e.example foo=bar')
    assert terms_of(record) == [
        ('+', 'mx', None, None, None, 'mechanism'),
        ('+', 'a', 'colo.example.com', 28, None, 'mechanism'),
        ('+', 'ip4', '192.0.2.128', 28, None, 'mechanism'),
        ('+', 'ip6', '2001:db8::', None, 32, 'mechanism'),
        ('+', 'a', None, 24, 64, 'mechanism'),
        ('+', 'mx', 'example.org', None, 64, 'mechanism'),
        ('~', 'include', '_spf.example.net', None, None, 'mechanism'),
        ('?', 'exists', '%{i}.x.example', None, None, 'mechanism'),
        ('+', 'ptr', 'example.com', None, None, 'mechanism'),
        ('-', 'all', None, None, None, 'mechanism'),
        ('', 'redirect', 'r.example', None, None, 'modifier'),
        ('', 'exp', 'e.example', None, None, 'modifier'),
        ('', 'foo', 'bar', None, None, 'modifier'),
    ]
    assert [t.raw for t in record.terms][:2] == ['+mx', 'a:colo.example.com/28']
    assert [t.name for t in record.mechanisms] == ['mx', 'a', 'ip4', 'ip6', 'a', 'mx', 'include', 'exists', 'ptr', 'all']
    assert [t.name for t in record.modifiers] == ['redirect', 'exp', 'foo']
    assert record.redirect == 'r.example'
    assert record.exp == 'e.example'
    assert record.all_term.raw == '-all'
    assert spf.dns_lookup_count(record) == 8  # mx a a mx include exists ptr redirect


def test_record_without_all_or_modifiers():
    record = spf.parse('v=spf1 mx')
    assert record.redirect is None
    assert record.exp is None
    assert record.all_term is None
    assert record.text == 'v=spf1 mx'


# ---------------------------------------------------------------------------------------------
# parse: errors name the term, the value and the rule

@pytest.mark.parametrize('text, term, value, rule, message', [
    ('', '(empty)', '', R_VERSION, 'record does not start with "v=spf1" followed by a space'),
    ('-all v=spf1', '-all', '-all v=spf1', R_VERSION, 'record does not start with "v=spf1" followed by a space'),
    ('mx v=spf1 -all', 'mx', 'mx v=spf1 -all', R_VERSION, 'record does not start with "v=spf1" followed by a space'),
    ('v=spf1\t-all', 'v=spf1\t-all', 'v=spf1\t-all', R_VERSION, 'record does not start with "v=spf1" followed by a space'),
    ('v=spf1 -all v=spf1 mx -all', 'v=spf1', 'v=spf1', R_VERSION,
     '"v=spf1" may appear only once, as the first term (two SPF records run together?)'),
    ('v=spf1 mx V=SPF1', 'V=SPF1', 'V=SPF1', R_VERSION,
     '"v=spf1" may appear only once, as the first term (two SPF records run together?)'),
    ('v=spf1 a\x00 -all', 'a\x00', 'v=spf1 a\x00 -all', R_CHARS, "NUL '\\x00' at position 8; SPF records are US-ASCII"),
    ('v=spf1 a\t-all', 'a\t-all', 'v=spf1 a\t-all', R_CHARS, "control character '\\t' at position 8; SPF records are US-ASCII"),
    ('v=spf1 include:ex\u00e4mple.com -all', 'include:ex\u00e4mple.com', 'v=spf1 include:ex\u00e4mple.com -all', R_CHARS,
     "non-ASCII character '\u00e4' at position 17; SPF records are US-ASCII"),
    ('v=spf1 -all\x7f', '-all\x7f', 'v=spf1 -all\x7f', R_CHARS, "control character '\\x7f' at position 11; SPF records are US-ASCII"),
    ('v=spf1 redirect=a.example redirect=b.example', 'redirect=b.example', 'b.example',
     'RFC 7208 §6: redirect and exp MUST NOT appear more than once', '"redirect" appears more than once (first: \'redirect=a.example\')'),
    ('v=spf1 -all exp=a.example EXP=b.example', 'EXP=b.example', 'b.example',
     'RFC 7208 §6: redirect and exp MUST NOT appear more than once', '"exp" appears more than once (first: \'exp=a.example\')'),
    ('v=spf1 ip4:192.0.2.0/33 -all', 'ip4:192.0.2.0/33', '192.0.2.0/33', R_CIDR4, 'cidr-length /33 is out of range 0..32'),
    ('v=spf1 ip6:2001:db8::/129 -all', 'ip6:2001:db8::/129', '2001:db8::/129', R_CIDR6, 'cidr-length /129 is out of range 0..128'),
    ('v=spf1 a/33', 'a/33', '/33', R_CIDR4, 'cidr-length /33 is out of range 0..32'),
    ('v=spf1 mx//129', 'mx//129', '//129', R_CIDR6, 'cidr-length /129 is out of range 0..128'),
    ('v=spf1 ip4:192.0.2.0/024', 'ip4:192.0.2.0/024', '192.0.2.0/024',
     'RFC 7208 §12: cidr-length is "/" followed by a decimal number without leading zeros', 'cidr-length /024 has a leading zero'),
    ('v=spf1 ip4:192.0.2.0/', 'ip4:192.0.2.0/', '192.0.2.0/', R_CIDR4, "malformed cidr-length '/'"),
    ('v=spf1 ip4:300.1.1.1', 'ip4:300.1.1.1', '300.1.1.1', 'RFC 7208 §5.6: ip4-network is a dotted quad',
     "'300.1.1.1' is not a valid IPv4 address"),
    ('v=spf1 ip4:192.0.2', 'ip4:192.0.2', '192.0.2', 'RFC 7208 §5.6: ip4-network is a dotted quad',
     "'192.0.2' is not a dotted-quad IPv4 address"),
    ('v=spf1 ip4:192.0.2.01', 'ip4:192.0.2.01', '192.0.2.01', 'RFC 7208 §5.6: ip4-network is a dotted quad',
     "'192.0.2.01' is not a dotted-quad IPv4 address"),
    ('v=spf1 ip4:2001:db8::1', 'ip4:2001:db8::1', '2001:db8::1', 'RFC 7208 §5.6: ip4-network is a dotted quad',
     "'2001:db8::1' is not a dotted-quad IPv4 address"),
    ('v=spf1 ip6:192.0.2.1', 'ip6:192.0.2.1', '192.0.2.1', 'RFC 7208 §5.6: ip6-network is an IPv6 address (RFC 4291 §2.2)',
     "'192.0.2.1' is not a valid IPv6 address"),
    ('v=spf1 ip6:fe80::1%eth0', 'ip6:fe80::1%eth0', 'fe80::1%eth0', 'RFC 7208 §5.6: ip6-network is an IPv6 address (RFC 4291 §2.2)',
     "'fe80::1%eth0' is not a valid IPv6 address"),
    ('v=spf1 ip4', 'ip4', None, 'RFC 7208 §5.6: ip4-network is a dotted quad', '"ip4" requires ":<address>[/<cidr>]"'),
    ('v=spf1 include', 'include', None, 'RFC 7208 §12: include = "include" ":" domain-spec', '"include" requires ":domain-spec"'),
    ('v=spf1 exists:', 'exists:', ':', 'RFC 7208 §12: exists = "exists" ":" domain-spec', '"exists" requires ":domain-spec"'),
    ('v=spf1 a:', 'a:', '', 'RFC 7208 §7.1: domain-spec = macro-string domain-end', 'a domain-spec is required'),
    ('v=spf1 all:example.com', 'all:example.com', ':example.com', 'RFC 7208 §5.1: all = "all"', '"all" takes no argument'),
    ('v=spf1 foo -all', 'foo', 'foo', R_MECH, "unknown mechanism 'foo'"),
    ('v=spf1 -ip5:192.0.2.1', '-ip5:192.0.2.1', 'ip5:192.0.2.1', R_MECH, "unknown mechanism 'ip5:192.0.2.1'"),
    ('v=spf1 ax', 'ax', 'ax', R_MECH, "unknown mechanism 'ax'"),
    ('v=spf1 + -all', '+', '+', R_MECH, "unknown mechanism '+'"),
    ('v=spf1 -redirect=example.com', '-redirect=example.com', '-',
     'RFC 7208 §12: modifier = redirect / explanation / unknown-modifier', 'a modifier takes no qualifier'),
    ('v=spf1 1foo=bar', '1foo=bar', '1foo', 'RFC 7208 §12: modifier name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )',
     "malformed modifier name '1foo'"),
    ('v=spf1 include:%.example.com', 'include:%.example.com', '%.example.com', R_MACRO,
     "'%' at offset 0 must be followed by '{', '%', '_' or '-' (write '%%' for a literal '%')"),
    ('v=spf1 foo=100%', 'foo=100%', '100%', R_MACRO, "'%' at offset 3 must be followed by '{', '%', '_' or '-' (write '%%' for a literal '%')"),
    ('v=spf1 exists:%{d.example.com', 'exists:%{d.example.com', '%{d.example.com', R_MACRO,
     "macro '%{' at offset 0 is never closed with '}'"),
    ('v=spf1 exists:%{}.example.com', 'exists:%{}.example.com', '%{}.example.com', R_MACRO, "malformed macro '%{}'"),
    ('v=spf1 exists:%{d1x}.example.com', 'exists:%{d1x}.example.com', '%{d1x}.example.com', R_MACRO, "malformed macro '%{d1x}'"),
    ('v=spf1 exists:%{q}.example.com', 'exists:%{q}.example.com', '%{q}.example.com',
     'RFC 7208 §7.2: macro letters are s l o d i p h v (c r t only in explanation text)', "unknown macro letter 'q'"),
    ('v=spf1 exists:%{c}.example.com', 'exists:%{c}.example.com', '%{c}.example.com',
     'RFC 7208 §7.2: macro letters are s l o d i p h v (c r t only in explanation text)', "macro letter 'c' is allowed only in explanation text"),
    ('v=spf1 exists:%{d0}.example.com', 'exists:%{d0}.example.com', '%{d0}.example.com',
     'RFC 7208 §7.3: a DIGIT transformer MUST be nonzero', "macro '%{d0}' has a zero DIGIT transformer"),
    ('v=spf1 a:localhost', 'a:localhost', 'localhost', R_DOMAIN_END,
     "domain-spec must end in \".\" and a top label (not all-numeric), or in a macro; got 'localhost'"),
    ('v=spf1 include:example.123', 'include:example.123', 'example.123', R_DOMAIN_END,
     "domain-spec must end in \".\" and a top label (not all-numeric), or in a macro; got '123'"),
    ('v=spf1 include:example.-com', 'include:example.-com', 'example.-com', R_DOMAIN_END,
     "domain-spec must end in \".\" and a top label (not all-numeric), or in a macro; got '-com'"),
    ('v=spf1 redirect=%{d}.', 'redirect=%{d}.', '%{d}.', R_DOMAIN_END,
     "domain-spec must end in \".\" and a top label (not all-numeric), or in a macro; got '%{d}.'"),
    ('v=spf1 a:example.com/24/', 'a:example.com/24/', 'example.com/24/', R_DOMAIN_END,
     "domain-spec must end in \".\" and a top label (not all-numeric), or in a macro; got 'com/24/'"),
    ('v=spf1 include:a..example.com', 'include:a..example.com', 'a..example.com', R_DNS_NAME, 'domain name has a label of 0 octets'),
    ('v=spf1 include:%s.example.com' % ('a' * 64), 'include:%s.example.com' % ('a' * 64), '%s.example.com' % ('a' * 64), R_DNS_NAME,
     'domain name has a label of 64 octets'),
    ('v=spf1 include:%s.com' % ('a' * 10000), 'include:%s.com' % ('a' * 10000), '%s.com' % ('a' * 10000), R_DNS_NAME,
     'domain name is 10004 octets long'),
])
def test_parse_errors(text, term, value, rule, message):
    with pytest.raises(RecordError) as exc:
        spf.parse(text)
    err = exc.value
    assert (err.term, err.value, err.rule, err.message) == (term, value, rule, message)


def test_error_str_names_term_value_and_rule():
    with pytest.raises(RecordError) as exc:
        spf.check('v=spf1 ip4:192.0.2.0/33 -all')
    assert str(exc.value) == "ip4:192.0.2.0/33 ('192.0.2.0/33'): cidr-length /33 is out of range 0..32 [RFC 7208 §5.6: ip4-cidr-length is 0..32]"


def test_parse_rejects_non_text():
    with pytest.raises(RecordError):
        spf.parse(b'v=spf1 -all')


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_parse_never_crashes(tail):
    try:
        record = spf.parse('v=spf1 ' + tail)
    except RecordError:
        return
    # whatever parses has a canonical form that parses to the same terms
    assert terms_of(spf.parse(record.canonical)) == terms_of(record)


# ---------------------------------------------------------------------------------------------
# validate: the lookup limit and the warnings

def test_ten_dns_lookups_ok_eleven_fail():
    ten = 'v=spf1 a mx ptr:example.com include:a.example exists:%{i}.b.example a:c.example mx:d.example include:e.example include:f.example redirect=g.example'
    record = spf.parse(ten)
    assert spf.dns_lookup_count(record) == 10
    assert spf.validate(record) == ['"ptr:example.com": the ptr mechanism SHOULD NOT be used (RFC 7208 §5.5)']

    eleven = ten.replace('redirect=', 'include:h.example redirect=')
    record = spf.parse(eleven)
    assert spf.dns_lookup_count(record) == 11
    with pytest.raises(RecordError) as exc:
        spf.validate(record)
    listed = 'a, mx, ptr:example.com, include:a.example, exists:%{i}.b.example, a:c.example, mx:d.example, include:e.example, ' \
             'include:f.example, include:h.example, redirect=g.example'
    assert exc.value.message == 'record has 11 terms that cause DNS lookups, more than 10: ' + listed
    assert exc.value.value == '11'
    assert exc.value.term == 'redirect=g.example'
    assert exc.value.rule == R_LIMIT
    with pytest.raises(RecordError):
        spf.check(eleven)


def test_lookup_count_ignores_ip_all_exp_and_unknown_modifiers():
    record = spf.parse('v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 -all exp=x.example include=y.example a=b')
    assert spf.dns_lookup_count(record) == 0


@pytest.mark.parametrize('text, warnings', [
    ('v=spf1 -all mx ip4:192.0.2.1 foo=bar',
     ['terms after "-all" are never evaluated and are ignored: mx ip4:192.0.2.1 (RFC 7208 §5.1)']),
    ('v=spf1 mx -all exp=explain.example', []),
    ('v=spf1 mx ~all redirect=_spf.example.com',
     ['"redirect=_spf.example.com" is ignored because the record has an "all" mechanism (RFC 7208 §6.1)']),
    ('v=spf1 ptr ~all', [W_PTR]),
    ('v=spf1 all', ['"all" passes mail from any host on the Internet (RFC 7208 §5.1)']),
    ('v=spf1 ?all', []),
    ('v=spf1 mx', [W_NO_ALL]),
    ('v=spf1 mx redirect=_spf.example.com', []),
    ('v=spf1 +all -all a redirect=r.example ptr',
     ['terms after "+all" are never evaluated and are ignored: -all a ptr (RFC 7208 §5.1)',
      '"redirect=r.example" is ignored because the record has an "all" mechanism (RFC 7208 §6.1)',
      '"+all" passes mail from any host on the Internet (RFC 7208 §5.1)',
      W_PTR]),
])
def test_validate_warnings(text, warnings):
    assert spf.validate(spf.parse(text)) == warnings


@pytest.mark.parametrize('padding, warned', [(436, False), (437, True)])
def test_length_warning_at_451_octets(padding, warned):
    text = 'v=spf1 -all x=' + 'a' * padding
    canonical, warnings = spf.check(text)
    assert canonical == text
    length = len(text)
    assert length == 450 + warned
    expected = ['record is 451 octets long, more than 450: it may not fit a 512-octet DNS answer over UDP (RFC 7208 §3.4)'] if warned else []
    assert warnings == expected


def test_10000_char_record_of_valid_terms_is_warned_not_rejected():
    terms = ['ip4:192.0.%d.%d' % (i // 256, i % 256) for i in range(800)]
    text = ' '.join(['v=spf1'] + terms + ['-all'])
    assert len(text) > 10000
    canonical, warnings = spf.check(text)
    assert canonical == text
    assert warnings == ['record is %d octets long, more than 450: it may not fit a 512-octet DNS answer over UDP (RFC 7208 §3.4)' % len(text)]


def test_check_length_uses_canonical_text():
    # 460 octets as given, 445 once the extra spaces are squeezed out: no warning for what will be published
    text = 'v=spf1 ' + ' ' * 15 + '-all x=' + 'a' * 431
    assert len(text) == 460
    canonical, warnings = spf.check(text)
    assert len(canonical) == 445
    assert warnings == []


# ---------------------------------------------------------------------------------------------
# to_dict

def test_to_dict():
    record = spf.parse('v=spf1 mx include:_spf.example.net ~all exp=explain.example')
    result = spf.to_dict(record)
    assert result == {
        'version': 'spf1',
        'terms': [
            {'qualifier': '+', 'name': 'mx', 'value': None, 'cidr4': None, 'cidr6': None, 'kind': 'mechanism'},
            {'qualifier': '+', 'name': 'include', 'value': '_spf.example.net', 'cidr4': None, 'cidr6': None, 'kind': 'mechanism'},
            {'qualifier': '~', 'name': 'all', 'value': None, 'cidr4': None, 'cidr6': None, 'kind': 'mechanism'},
            {'qualifier': '', 'name': 'exp', 'value': 'explain.example', 'cidr4': None, 'cidr6': None, 'kind': 'modifier'},
        ],
        'dns_lookups': 2,
        'all': 'softfail',
        'redirect': None,
        'exp': 'explain.example',
        'warnings': [],
        'errors': [],
    }
    assert json.loads(json.dumps(result)) == result


@pytest.mark.parametrize('text, word', [('v=spf1 -all', 'fail'), ('v=spf1 ~all', 'softfail'), ('v=spf1 ?all', 'neutral'),
                                        ('v=spf1 all', 'pass'), ('v=spf1 +all', 'pass'), ('v=spf1 redirect=r.example', None)])
def test_to_dict_all_word(text, word):
    assert spf.to_dict(spf.parse(text))['all'] == word


def test_to_dict_reports_lookup_limit_instead_of_raising():
    text = 'v=spf1 ' + ' '.join('include:i%d.example' % i for i in range(11)) + ' -all'
    result = spf.to_dict(spf.parse(text))
    assert result['dns_lookups'] == 11
    assert len(result['errors']) == 1
    assert result['errors'][0].endswith('[%s]' % R_LIMIT)


# ---------------------------------------------------------------------------------------------
# build

@pytest.mark.parametrize('kwargs, text, warnings', [
    ({'all': 'fail'}, 'v=spf1 -all', []),
    ({'all': 'softfail'}, 'v=spf1 ~all', []),
    ({'all': 'neutral'}, 'v=spf1 ?all', []),
    ({'all': 'pass'}, 'v=spf1 all', ['"all" passes mail from any host on the Internet (RFC 7208 §5.1)']),
    ({}, 'v=spf1', [W_NO_ALL]),
    ({'mx': True}, 'v=spf1 mx', [W_NO_ALL]),
    ({'redirect': '_spf.example.com'}, 'v=spf1 redirect=_spf.example.com', []),
    ({'a': True, 'mx': True, 'all': 'fail'}, 'v=spf1 a mx -all', []),
    ({'a': False, 'mx': None, 'ptr': False, 'all': 'fail'}, 'v=spf1 -all', []),
    ({'a': ['', '/24', '//64', 'mail.example.com', 'mail.example.com/28', 'x.example//64', '/24//64'], 'all': 'fail'},
     'v=spf1 a a/24 a//64 a:mail.example.com a:mail.example.com/28 a:x.example//64 a/24//64 -all', []),
    ({'mx': ['example.org', ''], 'all': 'fail'}, 'v=spf1 mx:example.org mx -all', []),
    ({'mx': 'example.org', 'include': '_spf.example.net', 'all': 'fail'}, 'v=spf1 mx:example.org include:_spf.example.net -all', []),
    ({'ptr': True, 'all': 'fail'}, 'v=spf1 ptr -all', [W_PTR]),
    ({'ptr': ['example.com'], 'all': 'fail'}, 'v=spf1 ptr:example.com -all',
     ['"ptr:example.com": the ptr mechanism SHOULD NOT be used (RFC 7208 §5.5)']),
    # order: a, mx, ip4, ip6, include, exists, ptr, all, exp - whatever the argument order
    ({'exp': 'explain.%{d}', 'all': 'softfail', 'exists': ['%{i}.bl.example'], 'include': ['_spf.example.net'],
      'ip6': ['2001:db8::/32'], 'ip4': ['192.0.2.0/24'], 'mx': True, 'a': True},
     'v=spf1 a mx ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.net exists:%{i}.bl.example ~all exp=explain.%{d}', []),
    # dedupe, first occurrence wins; /32 and /128 host routes are written bare; IPv6 in compressed form
    ({'include': ['_spf.example.net', 'b.example', '_spf.example.net', '_SPF.Example.NET'],
      'ip4': ['192.0.2.1', '192.0.2.1/32', '198.51.100.0/24', '192.0.2.1'],
      'ip6': ['2001:DB8:0:0::1', '2001:db8::1/128', '2001:db8::/32', '2001:0db8::/32'],
      'mx': ['', ''],
      'all': 'fail'},
     'v=spf1 mx ip4:192.0.2.1 ip4:198.51.100.0/24 ip6:2001:db8::1 ip6:2001:db8::/32 include:_spf.example.net include:b.example -all', []),
    ({'mx': True, 'redirect': '_spf.example.com', 'all': 'fail'}, 'v=spf1 mx -all redirect=_spf.example.com',
     ['"redirect=_spf.example.com" is ignored because the record has an "all" mechanism (RFC 7208 §6.1)']),
    ({'include': [], 'ip4': [], 'all': 'fail'}, 'v=spf1 -all', []),
])
def test_build(kwargs, text, warnings):
    assert spf.build(**kwargs) == (text, warnings)


def test_build_ten_includes_ok_eleven_fail():
    includes = ['i%d.example' % i for i in range(10)]
    text, warnings = spf.build(include=includes, all='fail')
    assert warnings == []
    assert spf.dns_lookup_count(spf.parse(text)) == 10
    with pytest.raises(RecordError) as exc:
        spf.build(include=includes, mx=True, all='fail')
    assert exc.value.rule == R_LIMIT
    assert exc.value.message.startswith('record has 11 terms that cause DNS lookups, more than 10: mx, include:i0.example, ')


@pytest.mark.parametrize('kwargs, term, value, rule', [
    ({'ip4': ['300.1.1.1']}, 'ip4:300.1.1.1', '300.1.1.1', 'RFC 7208 §5.6: ip4-network is a dotted quad'),
    ({'ip4': ['192.0.2.0/33']}, 'ip4:192.0.2.0/33', '192.0.2.0/33', R_CIDR4),
    ({'ip6': ['2001:db8::/129']}, 'ip6:2001:db8::/129', '2001:db8::/129', R_CIDR6),
    ({'ip6': ['not-an-address']}, 'ip6:not-an-address', 'not-an-address', 'RFC 7208 §5.6: ip6-network is an IPv6 address (RFC 4291 §2.2)'),
    ({'include': ['localhost']}, 'include:localhost', 'localhost', R_DOMAIN_END),
    ({'include': ['']}, 'include:', ':', 'RFC 7208 §12: include = "include" ":" domain-spec'),
    ({'include': ['a.example -all']}, 'include:a.example -all', 'include:a.example -all', R_CHARS),
    ({'include': ['b\u00fccher.example']}, 'include:b\u00fccher.example', 'include:b\u00fccher.example', R_CHARS),
    ({'exists': ['%.example.com']}, 'exists:%.example.com', '%.example.com', R_MACRO),
    ({'a': ['/33']}, 'a/33', '/33', R_CIDR4),
    ({'redirect': 'bad'}, 'redirect=bad', 'bad', R_DOMAIN_END),
    ({'all': 'reject'}, 'all', 'reject', None),
    ({'all': '-'}, 'all', '-', None),
    ({'include': [5]}, 'include', '5', None),
    ({'ip4': 7}, 'ip4', '7', None),
    ({'exp': 3}, 'exp', '3', None),
])
def test_build_errors(kwargs, term, value, rule):
    with pytest.raises(RecordError) as exc:
        spf.build(**kwargs)
    assert (exc.value.term, exc.value.value, exc.value.rule) == (term, value, rule)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.ip_addresses(v=4).map(str), max_size=5),
       st.lists(st.ip_addresses(v=6).map(str), max_size=5),
       st.sampled_from([None, 'fail', 'softfail', 'neutral']))
def test_build_ip_lists_roundtrip(ip4, ip6, all_word):
    text, dummy = spf.build(ip4=ip4, ip6=ip6, all=all_word)
    record = spf.parse(text)
    assert [t.value for t in record.mechanisms if t.name == 'ip4'] == list(dict.fromkeys(ip4))
    assert len([t for t in record.mechanisms if t.name == 'ip6']) == len(set(ip6))
    assert spf.check(text)[0] == text
