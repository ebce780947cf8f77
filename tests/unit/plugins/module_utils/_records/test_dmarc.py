# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the DMARC record parser/builder (RFC 9989, RFC 9990)."""

from __future__ import annotations

import pytest

from ansible_collections.mailauth.rollout.plugins.module_utils._records import dmarc
from ansible_collections.mailauth.rollout.plugins.module_utils._records.errors import RecordError

try:
    from hypothesis import given, settings, strategies as st
except ImportError:
    HAS_HYPOTHESIS = False
else:
    HAS_HYPOTHESIS = True

R_FORMAT = '[RFC 9989 \u00a74.7]'
R_REMOVED = '[RFC 9989 (tag removed; was RFC 7489 \u00a76.3)]'
R_SIZE = '[RFC 9989 (URI size limit removed; was RFC 7489 \u00a76.2)]'
R_NO_POLICY = '[RFC 9989 (policy discovery: record without a valid p tag)]'

W_PCT = 'pct=: removed by RFC 9989; its receivers ignore it ' + R_REMOVED
W_RF = 'rf=: removed by RFC 9989; its receivers ignore it ' + R_REMOVED
W_RI = 'ri=: removed by RFC 9989; its receivers ignore it ' + R_REMOVED
W_FO = 'fo=: has no effect without ruf= (failure reports) ' + R_FORMAT


# --------------------------------------------------------------------------- is_dmarc

@pytest.mark.parametrize('text, expected', [
    ('v=DMARC1; p=none', True),
    ('v=DMARC1;p=none', True),
    ('v=DMARC1 ; p=none', True),
    ('v = DMARC1; p=none', True),
    ('v=DMARC1', True),
    ('v=DMARC1 ', True),
    (' v=DMARC1; p=none', True),
    ('v=DMARC10; p=none', False),
    ('v=DMARC1x', False),
    ('v=dmarc1; p=none', False),
    ('p=none; v=DMARC1', False),
    ('v=spf1 -all', False),
    ('v=DKIM1; p=', False),
    ('', False),
    (None, False),
])
def test_is_dmarc(text, expected):
    assert dmarc.is_dmarc(text) is expected


# --------------------------------------------------------------------------- parse / check

def test_parse_full_record():
    text = ('v=DMARC1; p=reject; sp=quarantine; np=reject; psd=n; t=y; adkim=s; aspf=r; fo=1:d; '
            'rua=mailto:agg@example.com; ruf=mailto:fail@example.com')
    rec = dmarc.parse(text)
    assert rec == dmarc.DmarcRecord(
        tags=[('v', 'DMARC1'), ('p', 'reject'), ('sp', 'quarantine'), ('np', 'reject'), ('psd', 'n'), ('t', 'y'), ('adkim', 's'),
              ('aspf', 'r'), ('fo', '1:d'), ('rua', 'mailto:agg@example.com'), ('ruf', 'mailto:fail@example.com')],
        policy='reject', subdomain_policy='quarantine', np='reject', psd='n', testing=True, adkim='s', aspf='r', fo=['1', 'd'],
        rua=['mailto:agg@example.com'], ruf=['mailto:fail@example.com'], legacy={}, unknown={}, warnings=[])
    assert dmarc.check(text) == (text, [])


def test_minimal_record():
    assert dmarc.check('v=DMARC1; p=none') == ('v=DMARC1; p=none', [])
    assert dmarc.check('v=DMARC1;p=none;') == ('v=DMARC1; p=none', [])


def test_canonical_order_and_case():
    text = 'v=DMARC1; p=Reject; RUA=mailto:a@example.com ; ADKIM=S; t=N; fo = 0 : S ; ruf=MAILTO:f@example.com'
    assert dmarc.check(text) == ('v=DMARC1; p=reject; t=n; adkim=s; fo=0:s; rua=mailto:a@example.com; ruf=mailto:f@example.com', [])


def test_two_rua_uris():
    rec = dmarc.parse('v=DMARC1; p=none; rua=mailto:a@x.example,mailto:b@y.example')
    assert rec.rua == ['mailto:a@x.example', 'mailto:b@y.example']
    rec = dmarc.parse('v=DMARC1; p=none; rua=mailto:a@x.example , \tmailto:b@y.example')
    assert rec.rua == ['mailto:a@x.example', 'mailto:b@y.example']
    assert dmarc.check('v=DMARC1; p=none; rua=mailto:a@x.example , mailto:b@y.example')[0] == (
        'v=DMARC1; p=none; rua=mailto:a@x.example,mailto:b@y.example')


def test_mailto_with_hfields_and_percent_encoding():
    rec = dmarc.parse('v=DMARC1; p=none; rua=mailto:dmarc%2Breports@example.com?subject=dmarc')
    assert rec.rua == ['mailto:dmarc%2Breports@example.com?subject=dmarc']
    assert dmarc.uri_domain(rec.rua[0]) == 'example.com'


def test_size_suffix_warns():
    text = 'v=DMARC1; p=none; rua=mailto:a@x.example!10m,mailto:b@y.example!500'
    rec = dmarc.parse(text)
    assert rec.rua == ['mailto:a@x.example!10m', 'mailto:b@y.example!500']
    assert rec.warnings == [
        'rua=mailto:a@x.example!10m: the "!10m" size limit was removed by RFC 9989 and is ignored by its receivers ' + R_SIZE,
        'rua=mailto:b@y.example!500: the "!500" size limit was removed by RFC 9989 and is ignored by its receivers ' + R_SIZE,
    ]
    assert dmarc.check(text)[0] == 'v=DMARC1; p=none; rua=mailto:a@x.example!10m,mailto:b@y.example!500'
    assert dmarc.external_destinations(rec, 'example.org') == ['x.example', 'y.example']


def test_legacy_tags():
    text = 'v=DMARC1; p=quarantine; pct=25; rf=afrf; ri=3600'
    rec = dmarc.parse(text)
    assert rec.legacy == {'pct': 25, 'rf': 'afrf', 'ri': 3600}
    assert rec.warnings == [
        W_PCT,
        'pct=25: partial enforcement no longer exists; use t=y to ask receivers to apply one policy level less '
        '(RFC 9989 test mode) ' + R_REMOVED,
        W_RF, W_RI,
    ]
    assert dmarc.check(text)[0] == text


def test_legacy_tags_canonical_position():
    text = 'v=DMARC1; ri=86400; pct=100; p=none; rua=mailto:a@example.com'
    canonical, warnings = dmarc.check(text)
    assert canonical == 'v=DMARC1; p=none; rua=mailto:a@example.com; pct=100; ri=86400'
    assert warnings == [
        'p= is not the second tag; RFC 7489 receivers require "v=DMARC1; p=..." in that order (check() writes it there) ' + R_FORMAT,
        W_PCT, W_RI,
    ]


def test_unknown_tags_kept_at_end():
    text = 'v=DMARC1; foo=bar; p=none; Xyz=1'
    canonical, warnings = dmarc.check(text)
    assert canonical == 'v=DMARC1; p=none; foo=bar; Xyz=1'
    assert warnings == [
        'p= is not the second tag; RFC 7489 receivers require "v=DMARC1; p=..." in that order (check() writes it there) ' + R_FORMAT,
        'foo=: unknown tag, ignored by receivers ' + R_FORMAT,
        'Xyz=: unknown tag, ignored by receivers ' + R_FORMAT,
    ]
    assert dmarc.parse(text).unknown == {'foo': 'bar', 'Xyz': '1'}


def test_missing_p_with_rua_is_monitoring():
    text = 'v=DMARC1; rua=mailto:a@example.com'
    rec = dmarc.parse(text)
    assert rec.policy is None
    assert rec.warnings == ['p= is missing: RFC 9989 receivers treat the record as p=none, RFC 7489 receivers discard it; '
                            'publish p= explicitly ' + R_NO_POLICY]
    assert dmarc.check(text)[0] == text
    assert dmarc.to_dict(rec)['effective']['p'] == 'none'


def test_fo_without_ruf_warns():
    assert dmarc.check('v=DMARC1; p=none; fo=1') == ('v=DMARC1; p=none; fo=1', [W_FO])


def test_duplicate_uri_warns():
    assert dmarc.parse('v=DMARC1; p=none; rua=mailto:a@example.com,MAILTO:A@example.com').warnings == [
        'rua=: mailto:A@example.com is listed twice']


def test_leading_whitespace_warns():
    assert dmarc.check('  v=DMARC1; p=none') == (
        'v=DMARC1; p=none',
        ['the record starts with white space; receivers may discard a record that does not start with "v=" ' + R_FORMAT])


@pytest.mark.parametrize('text, term, fragment', [
    ('p=none; v=DMARC1', 'v', 'v=DMARC1 must be the first tag'),
    ('p=none', 'v', 'record must start with v=DMARC1'),
    ('v=DMARC2; p=none', 'v', 'version must be "DMARC1"'),
    ('v=dmarc1; p=none', 'v', 'version must be "DMARC1"'),
    ('v=DMARC1', 'p', 'record has neither p= nor rua='),
    ('v=DMARC1; p=none; p=reject', 'p', 'duplicate tag'),
    ('v=DMARC1; p=none; P=reject', 'p', 'duplicate tag'),
    ('v=DMARC1; p=block', 'p', 'invalid value; expected one of none, quarantine, reject'),
    ('v=DMARC1; p=', 'p', 'invalid value'),
    ('v=DMARC1; p=none; sp=quarantin', 'sp', 'invalid value'),
    ('v=DMARC1; p=none; np=all', 'np', 'invalid value'),
    ('v=DMARC1; p=none; psd=yes', 'psd', 'invalid value; expected one of y, n, u'),
    ('v=DMARC1; p=none; t=1', 't', 'invalid value; expected one of y, n'),
    ('v=DMARC1; p=none; adkim=x', 'adkim', 'invalid value; expected one of r, s'),
    ('v=DMARC1; p=none; aspf=relaxed', 'aspf', 'invalid value'),
    ('v=DMARC1; p=none; fo=2', 'fo', "invalid element '2'"),
    ('v=DMARC1; p=none; fo=1:', 'fo', "invalid element ''"),
    ('v=DMARC1; p=none; rua=https://x', 'rua', 'only mailto: report URIs are supported'),
    ('v=DMARC1; p=none; rua=mailto:a@x.example,https://x.example/r', 'rua', 'only mailto: report URIs are supported'),
    ('v=DMARC1; p=none; rua=a@example.com', 'rua', 'only mailto: report URIs are supported'),
    ('v=DMARC1; p=none; ruf=mailto:a@localhost', 'ruf', 'fully qualified domain'),
    ('v=DMARC1; p=none; ruf=mailto:@example.com', 'ruf', 'local@domain'),
    ('v=DMARC1; p=none; rua=mailto:a@-bad.example', 'rua', 'fully qualified domain'),
    ('v=DMARC1; p=none; rua=mailto:a@x.example,,mailto:b@y.example', 'rua', 'empty URI in comma-separated list'),
    ('v=DMARC1; p=none; rua=', 'rua', 'empty URI'),
    ('v=DMARC1; p=none; rua=mailto:a b@x.example', 'rua', 'white space'),
    ('v=DMARC1; p=none; rua=mailto:a@x.example!10x', 'rua', 'invalid size limit suffix "!10x"'),
    ('v=DMARC1; p=none; pct=101', 'pct', 'pct must be an integer from 0 to 100'),
    ('v=DMARC1; p=none; pct=-1', 'pct', 'pct must be an integer'),
    ('v=DMARC1; p=none; pct=50.5', 'pct', 'pct must be an integer'),
    ('v=DMARC1; p=none; rf=iodef', 'rf', "invalid element 'iodef'"),
    ('v=DMARC1; p=none; ri=1d', 'ri', 'ri must be an integer number of seconds'),
    ('v=DMARC1; p=none; ri=99999999999', 'ri', 'ri must be an integer'),
    ('v=DMARC1; p=none\x00', 'p', 'control character NUL'),
    ('v=DMARC1;; p=none', 'tag-list', 'empty tag-spec'),
])
def test_parse_errors(text, term, fragment):
    with pytest.raises(RecordError) as exc:
        dmarc.parse(text)
    assert exc.value.term == term
    assert fragment in str(exc.value)


def test_hostile_long_values():
    long_local = 'a' * 10000
    rec = dmarc.parse('v=DMARC1; p=none; rua=mailto:%s@example.com' % long_local)
    assert rec.rua == ['mailto:%s@example.com' % long_local]
    with pytest.raises(RecordError) as exc:
        dmarc.parse('v=DMARC1; p=' + 'x' * 10000)
    assert len(str(exc.value)) < 300
    with pytest.raises(RecordError):
        dmarc.parse('v=DMARC1; p=none; rua=' + ',' * 10000)


# --------------------------------------------------------------------------- build

def test_build_minimal():
    assert dmarc.build(p='none') == ('v=DMARC1; p=none', [])


def test_build_full():
    text, warnings = dmarc.build(p='reject', sp='quarantine', np='reject', psd=False, t=True, adkim='strict', aspf='r',
                                 fo=['1', 'd'], rua=['mailto:agg@example.com'], ruf='forensic@example.com')
    assert text == ('v=DMARC1; p=reject; sp=quarantine; np=reject; psd=n; t=y; adkim=s; aspf=r; fo=1:d; '
                    'rua=mailto:agg@example.com; ruf=mailto:forensic@example.com')
    assert warnings == []


@pytest.mark.parametrize('rua, expected', [
    ('mailto:a@x.example,mailto:b@y.example', 'mailto:a@x.example,mailto:b@y.example'),
    ('mailto:a@x.example, mailto:b@y.example', 'mailto:a@x.example,mailto:b@y.example'),
    (['mailto:a@x.example,mailto:b@y.example'], 'mailto:a@x.example,mailto:b@y.example'),
    (['a@x.example', 'b@y.example'], 'mailto:a@x.example,mailto:b@y.example'),
    ('a@x.example,b@y.example', 'mailto:a@x.example,mailto:b@y.example'),
    (['mailto:a@x.example', 'MAILTO:A@x.example'], 'mailto:a@x.example'),
    ('MAILTO:a@x.example', 'mailto:a@x.example'),
])
def test_build_rua_lists(rua, expected):
    assert dmarc.build(p='none', rua=rua) == ('v=DMARC1; p=none; rua=' + expected, [])


@pytest.mark.parametrize('value, expected', [(True, 'y'), (False, 'n'), ('y', 'y'), ('N', 'n')])
def test_build_testing_flag(value, expected):
    assert dmarc.build(p='quarantine', t=value)[0] == 'v=DMARC1; p=quarantine; t=' + expected


@pytest.mark.parametrize('value, expected', [(True, 'y'), (False, 'n'), ('u', 'u')])
def test_build_psd(value, expected):
    assert dmarc.build(p='reject', psd=value)[0] == 'v=DMARC1; p=reject; psd=' + expected


def test_build_fo_forms():
    assert dmarc.build(p='none', fo='0:1', ruf='f@example.com')[0] == 'v=DMARC1; p=none; fo=0:1; ruf=mailto:f@example.com'
    assert dmarc.build(p='none', fo=1) == ('v=DMARC1; p=none; fo=1', [W_FO])
    assert dmarc.build(p='none', fo=[]) == ('v=DMARC1; p=none', [])


def test_build_size_suffix_warns():
    assert dmarc.build(p='none', rua='a@example.com!10m') == (
        'v=DMARC1; p=none; rua=mailto:a@example.com!10m',
        ['rua=mailto:a@example.com!10m: the "!10m" size limit was removed by RFC 9989 and is ignored by its receivers ' + R_SIZE])


@pytest.mark.parametrize('kwargs, term, fragment', [
    ({}, 'p', 'p (the policy) is required'),
    ({'p': ''}, 'p', 'p (the policy) is required'),
    ({'p': 'block'}, 'p', 'invalid value'),
    ({'p': True}, 'p', 'invalid value'),
    ({'p': 'none', 'sp': 'none; rua=mailto:x@evil.example'}, 'sp', 'invalid value'),
    ({'p': 'none', 'adkim': 'loose'}, 'adkim', 'invalid value'),
    ({'p': 'none', 'psd': 'maybe'}, 'psd', 'invalid value'),
    ({'p': 'none', 't': 'yes'}, 't', 'invalid value'),
    ({'p': 'none', 'fo': 'x'}, 'fo', "invalid element 'x'"),
    ({'p': 'none', 'rua': 'https://x'}, 'rua', 'only mailto: report URIs are supported'),
    ({'p': 'none', 'rua': 'reports'}, 'rua', 'only mailto: report URIs are supported'),
    ({'p': 'none', 'rua': 'mailto:a@example.com;p=reject'}, 'rua', 'one of ;,<>'),
    ({'p': 'none', 'rua': 'mailto:a@example.com p=reject'}, 'rua', 'white space'),
    ({'p': 'none', 'ruf': {'a': 1}}, 'ruf', 'must be a list'),
    ({'p': 'none', 'ruf': [1]}, 'ruf', 'each URI must be a string'),
])
def test_build_errors(kwargs, term, fragment):
    with pytest.raises(RecordError) as exc:
        dmarc.build(**kwargs)
    assert exc.value.term == term
    assert fragment in str(exc.value)


def test_build_output_round_trips():
    text, _warnings = dmarc.build(p='reject', rua=['a@example.com', 'b@reports.example.net'], t=True)
    assert dmarc.is_dmarc(text)
    assert dmarc.check(text) == (text, [])


# --------------------------------------------------------------------------- external destinations / to_dict

def test_external_destinations():
    text = ('v=DMARC1; p=none; rua=mailto:a@example.com,mailto:b@reports.example.com,mailto:c@vendor.example,'
            'mailto:d@VENDOR.example.; ruf=mailto:e@other.example')
    assert dmarc.external_destinations(text, 'example.com') == ['vendor.example', 'other.example']
    assert dmarc.external_destinations(dmarc.parse(text), 'Example.COM.') == ['vendor.example', 'other.example']
    assert dmarc.external_verification_names(text, 'example.com') == [
        'example.com._report._dmarc.vendor.example', 'example.com._report._dmarc.other.example']
    # a parent domain is not "internal" for a subdomain policy (exact or subdomain only)
    assert dmarc.external_destinations('v=DMARC1; p=none; rua=mailto:a@example.com', 'sub.example.com') == ['example.com']
    # a look-alike suffix is external
    assert dmarc.external_destinations('v=DMARC1; p=none; rua=mailto:a@badexample.com', 'example.com') == ['badexample.com']


def test_to_dict():
    rec = dmarc.parse('v=DMARC1; p=quarantine; pct=50; rua=mailto:a@example.com')
    assert dmarc.to_dict(rec) == {
        'tags': [['v', 'DMARC1'], ['p', 'quarantine'], ['pct', '50'], ['rua', 'mailto:a@example.com']],
        'policy': 'quarantine', 'subdomain_policy': None, 'np': None, 'psd': None, 'testing': None, 'adkim': None,
        'aspf': None, 'fo': [], 'rua': ['mailto:a@example.com'], 'ruf': [], 'legacy': {'pct': 50}, 'unknown': {},
        'effective': {'p': 'quarantine', 'sp': 'quarantine', 'np': 'quarantine', 'psd': 'u', 't': False, 'adkim': 'r',
                      'aspf': 'r', 'fo': ['0']},
        'warnings': [W_PCT, 'pct=50: partial enforcement no longer exists; use t=y to ask receivers to apply one policy level '
                     'less (RFC 9989 test mode) ' + R_REMOVED],
        'record': 'v=DMARC1; p=quarantine; rua=mailto:a@example.com; pct=50',
    }


if HAS_HYPOTHESIS:
    _PIECES = st.sampled_from(['v=DMARC1', 'p=none', 'p=reject', 'sp=quarantine', 'np=reject', 'psd=y', 't=y', 'adkim=s',
                               'aspf=r', 'fo=1:d', 'rua=mailto:a@x.example', 'ruf=mailto:b@y.example!10m', 'pct=50',
                               'rf=afrf', 'ri=3600', 'foo=bar', ';', ' ', ',', '=', 'mailto:', '!'])

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=300))
    def test_fuzz_parse_only_record_error(text):
        try:
            canonical, _warnings = dmarc.check(text)
        except RecordError:
            return
        assert dmarc.check(canonical)[0] == canonical

    @settings(max_examples=500, deadline=None)
    @given(st.lists(_PIECES, max_size=12))
    def test_fuzz_structured_fixed_point(pieces):
        text = '; '.join(pieces)
        try:
            canonical, _warnings = dmarc.check(text)
        except RecordError:
            return
        assert dmarc.check(canonical)[0] == canonical
        assert dmarc.is_dmarc(canonical)
