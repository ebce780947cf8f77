# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the record filters (spf_parse, dmarc_parse, dkim_parse, txt_quote, txt_unquote)."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.mailauth.rollout.plugins.filter import records

# RFC 6376 Appendix C example key (1024-bit RSA) and RFC 8463 Appendix A Ed25519 key
RFC6376_KEY = ('MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631u'
               'BItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB')
RFC8463_KEY = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo='


def term(qualifier, name, value=None, cidr4=None, cidr6=None, kind='mechanism'):
    return {'qualifier': qualifier, 'name': name, 'value': value, 'cidr4': cidr4, 'cidr6': cidr6, 'kind': kind}


def test_filter_map():
    assert records.FilterModule().filters() == {
        'spf_parse': records.spf_parse,
        'dmarc_parse': records.dmarc_parse,
        'dkim_parse': records.dkim_parse,
        'txt_quote': records.txt_quote,
        'txt_unquote': records.txt_unquote,
    }


def test_spf_parse_rfc7208_example():
    # RFC 7208 Appendix A.1
    assert records.spf_parse('v=spf1 +mx a:colo.example.com/28 -all') == {
        'version': 'spf1',
        'terms': [term('+', 'mx'), term('+', 'a', 'colo.example.com', cidr4=28), term('-', 'all')],
        'dns_lookups': 2,
        'all': 'fail',
        'redirect': None,
        'exp': None,
        'warnings': [],
        'errors': [],
    }


def test_spf_parse_bytes_and_redirect_warning():
    got = records.spf_parse(b'  v=spf1 include:_spf.example.net ?all redirect=_spf.example.com ')
    assert got['terms'] == [term('+', 'include', '_spf.example.net'), term('?', 'all'),
                            term('', 'redirect', '_spf.example.com', kind='modifier')]
    assert got['all'] == 'neutral'
    assert got['redirect'] == '_spf.example.com'
    assert got['dns_lookups'] == 2
    assert got['warnings'] == ['"redirect=_spf.example.com" is ignored because the record has an "all" mechanism (RFC 7208 §6.1)']


def test_spf_parse_error_names_term():
    with pytest.raises(AnsibleFilterError) as exc:
        records.spf_parse('v=spf1 foo -all')
    assert str(exc.value) == ("spf_parse: foo ('foo'): unknown mechanism 'foo' "
                              "[RFC 7208 §12: mechanism is all / include / a / mx / ptr / ip4 / ip6 / exists]")


def test_spf_parse_more_than_ten_lookups_fails():
    text = 'v=spf1 ' + ' '.join('include:i%d.example.net' % i for i in range(11)) + ' -all'
    with pytest.raises(AnsibleFilterError) as exc:
        records.spf_parse(text)
    assert 'RFC 7208 §4.6.4' in str(exc.value)


def test_spf_parse_not_spf():
    with pytest.raises(AnsibleFilterError) as exc:
        records.spf_parse('v=spf2 -all')
    assert str(exc.value).startswith("spf_parse: v=spf2 ('v=spf2 -all'): record does not start with \"v=spf1\" followed by a space")


def test_dmarc_parse_rfc_example():
    # RFC 7489 Appendix B.2.1 / RFC 9989 example
    got = records.dmarc_parse('v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com')
    assert got == {
        'tags': [['v', 'DMARC1'], ['p', 'quarantine'], ['rua', 'mailto:dmarc-feedback@example.com']],
        'policy': 'quarantine',
        'subdomain_policy': None,
        'np': None,
        'psd': None,
        'testing': None,
        'adkim': None,
        'aspf': None,
        'fo': [],
        'rua': ['mailto:dmarc-feedback@example.com'],
        'ruf': [],
        'legacy': {},
        'unknown': {},
        'effective': {'p': 'quarantine', 'sp': 'quarantine', 'np': 'quarantine', 'psd': 'u', 't': False, 'adkim': 'r',
                      'aspf': 'r', 'fo': ['0']},
        'warnings': [],
        'record': 'v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com',
    }


def test_dmarc_parse_error_names_term():
    with pytest.raises(AnsibleFilterError) as exc:
        records.dmarc_parse('v=DMARC1; p=bogus')
    assert str(exc.value) == "dmarc_parse: p ('bogus'): invalid value; expected one of none, quarantine, reject [RFC 9989 §4.7]"


def test_dkim_parse_rfc8463_ed25519():
    got = records.dkim_parse('v=DKIM1; k=ed25519; p=' + RFC8463_KEY)
    assert got == {
        'version': 'DKIM1',
        'key_type': 'ed25519',
        'hash_algs': None,
        'service': None,
        'flags': [],
        'testing': False,
        'strict': False,
        'notes': None,
        'public_key_b64': RFC8463_KEY,
        'fingerprint_sha256': '21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9',
        'key_bits': 256,
        'revoked': False,
        'tags': [['v', 'DKIM1'], ['k', 'ed25519'], ['p', RFC8463_KEY]],
        'warnings': [],
        'record': 'v=DKIM1; k=ed25519; p=' + RFC8463_KEY,
    }


def test_dkim_parse_rfc6376_rsa():
    got = records.dkim_parse('v=DKIM1; p=' + RFC6376_KEY)
    assert got['key_type'] == 'rsa'
    assert got['key_bits'] == 1024
    assert got['record'] == 'v=DKIM1; k=rsa; p=' + RFC6376_KEY
    assert got['warnings'] == ['p=: RSA key is 1024 bits; RFC 8301 accepts it but 2048 bits is the recommended minimum [RFC 8301 §3.2]']


def test_dkim_parse_revoked():
    got = records.dkim_parse('v=DKIM1; k=rsa; p=')
    assert (got['revoked'], got['public_key_b64'], got['fingerprint_sha256'], got['key_bits']) == (True, '', '', None)


def test_dkim_parse_error_names_term():
    with pytest.raises(AnsibleFilterError) as exc:
        records.dkim_parse('v=DKIM1; k=dsa; p=')
    assert str(exc.value) == "dkim_parse: k ('dsa'): unknown key type; expected one of rsa, ed25519 [RFC 6376 §3.6.1]"


@pytest.mark.parametrize('value, expected', [
    ('v=spf1 mx -all', '"v=spf1 mx -all"'),
    ('a"b\\c', '"a\\"b\\\\c"'),
    ('caf\u00e9', '"caf\\195\\169"'),
    ('', '""'),
    ('x' * 300, '"%s" "%s"' % ('x' * 255, 'x' * 45)),
])
def test_txt_quote(value, expected):
    assert records.txt_quote(value) == expected


def test_txt_quote_limit():
    assert records.txt_quote('abcdefghij', limit=4) == '"abcd" "efgh" "ij"'


@pytest.mark.parametrize('value, expected', [
    ('"v=spf1 " "-all"', 'v=spf1 -all'),
    ('"v=spf1 mx -all"', 'v=spf1 mx -all'),
    ('v=spf1 mx -all', 'v=spf1mx-all'),   # unquoted: three strings, as nsupdate reads it
    ('"caf\\195\\169"', 'caf\u00e9'),
    ('"a\\"b\\\\c"', 'a"b\\c'),
    (b'"bytes"', 'bytes'),
])
def test_txt_unquote(value, expected):
    assert records.txt_unquote(value) == expected


def test_txt_round_trip():
    text = 'v=DKIM1; k=rsa; p=' + RFC6376_KEY + ' "\\ \u00e9' * 20
    assert records.txt_unquote(records.txt_quote(text)) == text


@pytest.mark.parametrize('value, message', [
    ('"abc', 'txt_unquote: TXT (\'"abc\'): unbalanced quote: string opened here is never closed at position 0'),
    ('', "txt_unquote: TXT (''): TXT presentation is empty: expected at least one (possibly empty, \"\") string"),
    ('"\\300"', 'txt_unquote: TXT (\'"\\\\300"\'): \\DDD escape \'\\\\300\' is larger than 255 at position 1 [RFC 1035 §5.1]'),
    ('"\\255"', "txt_unquote: TXT ('\\\\255'): TXT value is not valid UTF-8 (octet 0: invalid start byte); TXT values handled "
                'by this collection must be UTF-8 (RFC 6376 / RFC 7208 records are ASCII) [RFC 3629: UTF-8]'),
])
def test_txt_unquote_errors(value, message):
    with pytest.raises(AnsibleFilterError) as exc:
        records.txt_unquote(value)
    assert str(exc.value) == message


@pytest.mark.parametrize('name', ['spf_parse', 'dmarc_parse', 'dkim_parse', 'txt_quote', 'txt_unquote'])
def test_non_string_input(name):
    with pytest.raises(AnsibleFilterError) as exc:
        getattr(records, name)(42)
    assert str(exc.value) == '%s expects a string, got int' % name


@pytest.mark.parametrize('limit', [2, 'abc'])
def test_txt_quote_bad_limit(limit):
    with pytest.raises(AnsibleFilterError):
        records.txt_quote('abc', limit=limit)
