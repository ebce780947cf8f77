# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _desired: module options -> Desired records."""

from __future__ import annotations

import pytest

from ansible_collections.mailauth.rollout.plugins.module_utils import _desired
from ansible_collections.mailauth.rollout.plugins.module_utils._providers.base import RRset
from ansible_collections.mailauth.rollout.plugins.module_utils._records import names
from ansible_collections.mailauth.rollout.plugins.module_utils._records.errors import RecordError


# ------------------------------------------------------------------ SPF

def test_spf_structured():
    opts = {'mx': True, 'include': ['_spf.example.net'], 'ip4': ['192.0.2.0/24'], 'all': 'fail', 'ttl': 600}
    desired, warnings = _desired.spf_record('Example.COM.', opts)
    assert len(desired) == 1
    d = desired[0]
    assert (d.name, d.rtype, d.state, d.ttl, d.label) == ('example.com.', 'TXT', 'present', 600, 'SPF')
    assert d.value == 'v=spf1 mx ip4:192.0.2.0/24 include:_spf.example.net -all'
    assert d.owns('v=spf1 a -all') is True
    assert d.owns('google-site-verification=x') is False
    assert warnings == []


def test_spf_value_is_canonicalised():
    desired, warnings = _desired.spf_record('example.com', {'value': '  v=spf1  +MX ~all '})
    assert desired[0].value == 'v=spf1 mx ~all'
    assert warnings == []


def test_spf_value_and_structured_are_mutually_exclusive():
    with pytest.raises(RecordError) as exc:
        _desired.spf_record('example.com', {'value': 'v=spf1 -all', 'mx': True, 'include': ['x.example.net']})
    assert exc.value.term == 'value'
    assert exc.value.message == 'give either value or the structured terms (include, mx), not both'


def test_spf_present_needs_something():
    with pytest.raises(RecordError) as exc:
        _desired.spf_record('example.com', {'state': 'present', 'a': False, 'include': []})
    assert exc.value.term == 'spf'
    assert exc.value.message == 'state=present needs value or at least one of include, ip4, ip6, a, mx, exists, ptr, redirect, exp, all'


def test_spf_absent():
    desired, warnings = _desired.spf_record('example.com', {'state': 'absent', 'value': 'ignored'})
    assert (desired[0].state, desired[0].value) == ('absent', None)
    assert warnings == []


def test_spf_warnings_passed_on():
    desired, warnings = _desired.spf_record('example.com', {'value': 'v=spf1 mx'})
    assert desired[0].value == 'v=spf1 mx'
    assert warnings == ['no "all" mechanism and no "redirect" modifier: hosts that match no term get "neutral" (RFC 7208 §4.7)']


@pytest.mark.parametrize('raw, expected', [
    (True, 'v=spf1 a -all'),
    ('yes', 'v=spf1 a -all'),
    ('True', 'v=spf1 a -all'),
    ('on', 'v=spf1 a -all'),
    ('1', 'v=spf1 a -all'),
    (['', 'mail.example.com', '/24'], 'v=spf1 a a:mail.example.com a/24 -all'),
    (['', None], 'v=spf1 a -all'),
    ('mail.example.com', 'v=spf1 a:mail.example.com -all'),
    ('', 'v=spf1 -all'),
    ([], 'v=spf1 -all'),
    (False, 'v=spf1 -all'),
    (None, 'v=spf1 -all'),
])
def test_spf_a_raw_normalisation(raw, expected):
    desired, dummy = _desired.spf_record('example.com', {'a': raw, 'all': 'fail'})
    assert desired[0].value == expected


@pytest.mark.parametrize('raw, expected', [
    (True, 'v=spf1 mx -all'),
    ('yes', 'v=spf1 mx -all'),
    (['', '/28//64', 'backup.example.net'], 'v=spf1 mx mx/28//64 mx:backup.example.net -all'),
    ('', 'v=spf1 -all'),
])
def test_spf_mx_raw_normalisation(raw, expected):
    desired, dummy = _desired.spf_record('example.com', {'mx': raw, 'all': 'fail'})
    assert desired[0].value == expected


def test_spf_raw_term_of_wrong_type():
    with pytest.raises(RecordError) as exc:
        _desired.spf_record('example.com', {'a': 5})
    assert exc.value.term == 'a'
    assert exc.value.message == 'must be true or a list of domain specs'


@pytest.mark.parametrize('raw', ['no', 'False', 'off', '0'])
def test_spf_a_false_strings(raw):
    desired, dummy = _desired.spf_record('example.com', {'a': raw, 'all': 'fail'})
    assert desired[0].value == 'v=spf1 -all'


# ------------------------------------------------------------------ DMARC

def test_dmarc_tags():
    desired, warnings = _desired.dmarc_record('example.com', {'p': 'quarantine', 'rua': ['mailto:dmarc@example.com'], 'adkim': 's'})
    d = desired[0]
    assert (d.name, d.rtype, d.label) == ('_dmarc.example.com.', 'TXT', 'DMARC')
    assert d.value == 'v=DMARC1; p=quarantine; adkim=s; rua=mailto:dmarc@example.com'
    assert d.owns('v=DMARC1; p=none') is True
    assert warnings == []


def test_dmarc_external_destination_warning():
    desired, warnings = _desired.dmarc_record('Example.com', {
        'p': 'reject',
        'rua': ['mailto:agg@reports.example.net', 'mailto:d@example.com', 'mailto:x@sub.example.com'],
        'ruf': ['mailto:f@reports.example.net', 'mailto:f@other.example.org'],
    })
    assert desired[0].value == ('v=DMARC1; p=reject; rua=mailto:agg@reports.example.net,mailto:d@example.com,mailto:x@sub.example.com; '
                                'ruf=mailto:f@reports.example.net,mailto:f@other.example.org')
    assert warnings == [
        '_dmarc.example.com: reports go to reports.example.net, which must publish a TXT "v=DMARC1" at '
        'example.com._report._dmarc.reports.example.net to accept them',
        '_dmarc.example.com: reports go to other.example.org, which must publish a TXT "v=DMARC1" at '
        'example.com._report._dmarc.other.example.org to accept them',
    ]


def test_dmarc_value_and_tags_exclusive():
    with pytest.raises(RecordError) as exc:
        _desired.dmarc_record('example.com', {'value': 'v=DMARC1; p=none', 'p': 'reject'})
    assert exc.value.term == 'value'
    assert exc.value.message == 'give either value or the tags (p), not both'


def test_dmarc_absent():
    desired, warnings = _desired.dmarc_record('example.com', {'state': 'absent'})
    assert (desired[0].name, desired[0].state, desired[0].value) == ('_dmarc.example.com.', 'absent', None)
    assert warnings == []


# ------------------------------------------------------------------ DKIM

def test_dkim_revoked():
    desired, warnings = _desired.dkim_record('example.com', {'selector': 's2024', 'state': 'revoked'})
    d = desired[0]
    assert (d.name, d.state, d.value, d.label) == ('s2024._domainkey.example.com.', 'present', 'v=DKIM1; k=rsa; p=', 'DKIM')
    assert d.owns('v=DKIM1; k=rsa; p=') is True
    assert warnings == []


def test_dkim_selector_star_allowed():
    desired, dummy = _desired.dkim_record('example.com', {'selector': '*', 'state': 'revoked'})
    assert desired[0].name == '*._domainkey.example.com.'
    assert desired[0].value == 'v=DKIM1; k=rsa; p='


@pytest.mark.parametrize('selector, message', [
    (None, 'must be a non-empty domain name'),
    ('', 'must be a non-empty domain name'),
    ('bad selector', "label 'bad selector' may hold only letters, digits, hyphen and underscore, not starting or ending with a hyphen"),
    ('-s', "label '-s' may hold only letters, digits, hyphen and underscore, not starting or ending with a hyphen"),
])
def test_dkim_bad_selector(selector, message):
    with pytest.raises(RecordError) as exc:
        _desired.dkim_record('example.com', {'selector': selector, 'state': 'revoked'})
    assert exc.value.term == 'selector'
    assert exc.value.message == message


def test_dkim_value():
    desired, dummy = _desired.dkim_record('example.com', {'selector': 'sel', 'value': 'v=DKIM1; p='})
    assert desired[0].value == 'v=DKIM1; k=rsa; p='


# ------------------------------------------------------------------ null MX

def test_null_mx_guard():
    desired, warnings = _desired.null_mx('example.com', {})
    d = desired[0]
    assert (d.name, d.rtype, d.values, d.label, d.owns) == ('example.com.', 'MX', ('0 .',), 'null MX', None)
    assert warnings == []
    assert d.guard(None) == []
    with pytest.raises(RecordError):
        d.guard(RRset('example.com.', 'MX', 60, ['10 mx.example.com.']))
    forced = _desired.null_mx('example.com', {'force': True})[0][0]
    assert forced.guard(RRset('example.com.', 'MX', 60, ['10 mx.example.com.'])) == [
        'replacing existing MX records with a null MX (force): 10 mx.example.com.']


def test_null_mx_absent_only_removes_null_mx():
    d = _desired.null_mx('example.com', {'state': 'absent'})[0][0]
    assert d.values == ()
    assert d.guard(RRset('example.com.', 'MX', 60, ['0 .'])) == []
    with pytest.raises(RecordError) as exc:
        d.guard(RRset('example.com.', 'MX', 60, ['10 mx.example.com.']))
    assert exc.value.rule == 'RFC 7505 §3'
    assert exc.value.term == 'state'


# ------------------------------------------------------------------ names

@pytest.mark.parametrize('domain, message, rule', [
    ('', 'must be a non-empty domain name', None),
    ('.', 'must be a non-empty domain name', None),
    ('a..example.com', 'empty label', 'RFC 1035 §2.3.1'),
    ('.example.com', 'empty label', 'RFC 1035 §2.3.1'),
    ('x' * 64 + '.com', "label '%s' is 64 octets long, the limit is 63" % ('x' * 64), 'RFC 1035 §2.3.4'),
    (('a' * 63 + '.') * 3 + 'a' * 62, 'name is 254 octets long, the limit is 253', 'RFC 1035 §2.3.4'),
    ('exa mple.com', "label 'exa mple' may hold only letters, digits, hyphen and underscore, not starting or ending with a hyphen",
     'RFC 1035 §2.3.1'),
])
def test_bad_domain_names(domain, message, rule):
    for builder, opts in ((_desired.spf_record, {'value': 'v=spf1 -all'}), (_desired.dmarc_record, {'p': 'none'}),
                          (_desired.dkim_record, {'selector': 's', 'state': 'revoked'}), (_desired.null_mx, {})):
        with pytest.raises(RecordError) as exc:
            builder(domain, opts)
        assert exc.value.term == 'domain'
        assert exc.value.message == message
        assert exc.value.rule == rule


def test_longest_name_accepted():
    name = ('a' * 63 + '.') * 3 + 'a' * 61
    assert len(name) == 253
    assert names.check_name(name + '.') == name
    assert names.check_name('A' * 63 + '.Example') == 'a' * 63 + '.example'


def test_check_txt_size_70000():
    with pytest.raises(RecordError) as exc:
        names.check_txt_size('x._domainkey.example.com', 'a' * 70000)
    assert exc.value.term == 'x._domainkey.example.com'
    assert exc.value.rule == 'RFC 1035 §3.2.1 (RDLENGTH)'
    assert exc.value.message == 'the TXT value needs 70275 octets on the wire, the limit is 65535'
    assert exc.value.value == 'a' * 40 + '...'


def test_check_txt_size_boundary():
    # 255 full strings of 255 octets (65280 on the wire) + one string of 254 octets (255 on the wire) = 65535
    names.check_txt_size('x', 'a' * 65279)
    with pytest.raises(RecordError):
        names.check_txt_size('x', 'a' * 65280)
    names.check_txt_size('x', '')


def test_check_txt_size_counts_utf8_octets():
    with pytest.raises(RecordError) as exc:
        names.check_txt_size('x', '\u00e9' * 33000)
    assert exc.value.message == 'the TXT value needs 66259 octets on the wire, the limit is 65535'


def test_builders_check_txt_size():
    with pytest.raises(RecordError) as exc:
        _desired.dkim_record('example.com', {'selector': 'sel', 'value': 'v=DKIM1; n=' + 'a' * 70000 + '; p='})
    assert exc.value.rule == 'RFC 1035 §3.2.1 (RDLENGTH)'
    assert exc.value.term == 'sel._domainkey.example.com'
