# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the TXT codec (module_utils/_records/txt.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.mailauth.rollout.plugins.module_utils._records import txt
from ansible_collections.mailauth.rollout.plugins.module_utils._records.errors import RecordError

# Text with a bias towards the characters that need escaping, multi-byte UTF-8 and long values.
TRICKY = st.text(alphabet=st.one_of(st.sampled_from('"\\ \x00\x01\x1f\x7f\t\n;()é€😀\u0800\U0010ffff'), st.characters(exclude_categories=('Cs',))),
                 max_size=700)


# ---------------------------------------------------------------------------------------------
# split_octets / join_strings

@pytest.mark.parametrize('text, expected', [
    ('', [b'']),
    ('v=spf1 -all', [b'v=spf1 -all']),
    ('a' * 255, [b'a' * 255]),
    ('a' * 256, [b'a' * 255, b'a']),
    ('a' * 510, [b'a' * 255, b'a' * 255]),
    # a 2-octet character straddling the 255-octet boundary moves whole into the next chunk
    ('a' * 254 + 'é', [b'a' * 254, 'é'.encode('utf-8')]),
    ('a' * 253 + 'é', [b'a' * 253 + 'é'.encode('utf-8')]),
    ('a' * 253 + '😀', [b'a' * 253, '😀'.encode('utf-8')]),
])
def test_split_octets_table(text, expected):
    assert txt.split_octets(text) == expected


def test_split_octets_custom_limit():
    assert txt.split_octets('abcdefghij', limit=4) == [b'abcd', b'efgh', b'ij']
    assert txt.split_octets('éééé', limit=5) == ['éé'.encode('utf-8'), 'éé'.encode('utf-8')]


@pytest.mark.parametrize('limit', [0, 3, -1, None, True])
def test_split_octets_rejects_unusable_limit(limit):
    with pytest.raises(ValueError):
        txt.split_octets('abc', limit=limit)


def test_split_octets_lone_surrogate_is_record_error():
    with pytest.raises(RecordError) as exc:
        txt.split_octets('a\ud800b')
    assert exc.value.term == 'TXT'
    assert exc.value.rule == 'RFC 3629: UTF-8'


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TRICKY, st.integers(min_value=4, max_value=300))
def test_split_octets_properties(text, limit):
    chunks = txt.split_octets(text, limit)
    assert chunks
    assert b''.join(chunks) == text.encode('utf-8')
    for chunk in chunks:
        assert len(chunk) <= limit
        chunk.decode('utf-8')  # each chunk is valid UTF-8 on its own
    if text:
        assert all(chunks)  # no empty chunk unless the text is empty


@pytest.mark.parametrize('strings, expected', [
    ([b'v=spf1 ', b'-all'], 'v=spf1 -all'),
    ([b''], ''),
    ([], ''),
    (['v=spf1 ', b'mx ', '-all'], 'v=spf1 mx -all'),
    # a multi-byte character split across two wire strings (other software may split anywhere)
    ([b'caf\xc3', b'\xa9'], 'café'),
    (b'single', 'single'),
])
def test_join_strings(strings, expected):
    assert txt.join_strings(strings) == expected


def test_join_strings_invalid_utf8():
    with pytest.raises(RecordError) as exc:
        txt.join_strings([b'v=spf1 ', b'\xff-all'])
    err = exc.value
    assert err.term == 'TXT'
    assert err.value == 'v=spf1 \\255-all'
    assert err.rule == 'RFC 3629: UTF-8'
    assert 'must be UTF-8' in err.message
    assert 'RFC 6376 / RFC 7208 records are ASCII' in err.message
    assert 'octet 7' in err.message


def test_join_strings_rejects_other_types():
    with pytest.raises(RecordError):
        txt.join_strings([b'a', 5])


# ---------------------------------------------------------------------------------------------
# quote

@pytest.mark.parametrize('text, expected', [
    ('', '""'),
    ('v=spf1 -all', '"v=spf1 -all"'),
    ('say "hi"', '"say \\"hi\\""'),
    ('back\\slash', '"back\\\\slash"'),
    ('nul\x00', '"nul\\000"'),
    ('tab\there', '"tab\\009here"'),
    ('del\x7f', '"del\\127"'),
    ('café', '"caf\\195\\169"'),
    ('~ok;()', '"~ok;()"'),
])
def test_quote_table(text, expected):
    assert txt.quote(text) == expected


def test_quote_splits_at_255_octets():
    assert txt.quote('a' * 256) == '"%s" "a"' % ('a' * 255)


def test_quote_10000_chars_gives_40_strings():
    value = 'x' * 10000
    presentation = txt.quote(value)
    strings = txt.unquote_strings(presentation)
    assert len(strings) == 40  # 39 * 255 + 55
    assert [len(s) for s in strings] == [255] * 39 + [55]
    assert presentation.count('" "') == 39
    assert txt.unquote(presentation) == value


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TRICKY)
def test_quote_roundtrip(text):
    presentation = txt.quote(text)
    assert all(0x20 <= ord(c) <= 0x7e for c in presentation)  # plain printable ASCII
    assert txt.unquote(presentation) == text
    assert txt.unquote_strings(presentation) == txt.split_octets(text)
    assert txt.is_quoted(presentation)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TRICKY, st.integers(min_value=4, max_value=40))
def test_quote_roundtrip_small_limit(text, limit):
    presentation = txt.quote(text, limit=limit)
    assert txt.unquote_strings(presentation, limit=limit) == txt.split_octets(text, limit)
    assert txt.unquote(presentation) == text


# ---------------------------------------------------------------------------------------------
# unquote_strings / unquote

@pytest.mark.parametrize('presentation, strings', [
    ('"v=spf1 " "-all"', [b'v=spf1 ', b'-all']),
    ('"v=spf1 -all"', [b'v=spf1 -all']),
    ('""', [b'']),
    ('"" ""', [b'', b'']),
    ('  "a"\t"b"  ', [b'a', b'b']),
    # Unquoted, nsupdate (and every zone-file reader) sees three strings: the spaces are separators,
    # so the decoded value loses them ("v=spf1mx-all"). The codec reports exactly that.
    ('v=spf1 mx -all', [b'v=spf1', b'mx', b'-all']),
    ('unquoted\\ space', [b'unquoted space']),
    ('"a""b"', [b'a', b'b']),
    ('x"y"', [b'x', b'y']),
    ('"\\"quoted\\" \\\\"', [b'"quoted" \\']),
    ('"\\000\\255\\065"', [b'\x00\xff\x41']),
    ('"\\a\\;"', [b'a;']),
    ('"é"', ['é'.encode('utf-8')]),
    ('"\\é"', ['é'.encode('utf-8')]),
    ('"caf\\195\\169"', [b'caf\xc3\xa9']),
])
def test_unquote_strings_table(presentation, strings):
    assert txt.unquote_strings(presentation) == strings


@pytest.mark.parametrize('presentation, text', [
    ('"v=spf1 " "-all"', 'v=spf1 -all'),
    ('v=spf1 mx -all', 'v=spf1mx-all'),  # see the nsupdate note above
    ('"caf\\195\\169"', 'café'),
    ('"nul\\000byte"', 'nul\x00byte'),
    ('""', ''),
])
def test_unquote_table(presentation, text):
    assert txt.unquote(presentation) == text


@pytest.mark.parametrize('presentation, message, rule', [
    ('', 'TXT presentation is empty: expected at least one (possibly empty, "") string', None),
    ('   \t ', 'TXT presentation is empty: expected at least one (possibly empty, "") string', None),
    ('"abc', 'unbalanced quote: string opened here is never closed at position 0', None),
    ('"a" "b', 'unbalanced quote: string opened here is never closed at position 4', None),
    ('"a\\"', 'unbalanced quote: string opened here is never closed at position 0', None),
    ('"a\\', 'dangling backslash at position 2', None),
    ('abc\\', 'dangling backslash at position 3', None),
    ('"\\256"', "\\DDD escape '\\\\256' is larger than 255 at position 1", 'RFC 1035 §5.1'),
    ('"\\999"', "\\DDD escape '\\\\999' is larger than 255 at position 1", 'RFC 1035 §5.1'),
    ('"\\12"', "\\DDD escape needs exactly three decimal digits, got '\\\\12\"' at position 1", None),
    ('"\\1a2"', "\\DDD escape needs exactly three decimal digits, got '\\\\1a2' at position 1", None),
    ('"%s"' % ('a' * 256), 'character-string is 256 octets long (limit 255) at position 0',
     'RFC 1035 §3.3: <character-string> is at most 255 octets'),
    ('"ok" %s' % ('\\065' * 256), 'character-string is 256 octets long (limit 255) at position 5',
     'RFC 1035 §3.3: <character-string> is at most 255 octets'),
])
def test_unquote_strings_errors(presentation, message, rule):
    with pytest.raises(RecordError) as exc:
        txt.unquote_strings(presentation)
    assert exc.value.message == message
    assert exc.value.rule == rule
    assert exc.value.term == 'TXT'
    assert exc.value.value == presentation


def test_unquote_strings_limit_parameter():
    long = '"%s"' % ('a' * 300)
    assert txt.unquote_strings(long, limit=None) == [b'a' * 300]
    with pytest.raises(RecordError):
        txt.unquote_strings(long)
    with pytest.raises(RecordError) as exc:
        txt.unquote_strings('"abcdef"', limit=5)
    assert exc.value.rule == 'RFC 1035 §3.3: <character-string> is at most 5 octets'
    assert txt.unquote(long, limit=None) == 'a' * 300


def test_unquote_invalid_utf8():
    with pytest.raises(RecordError) as exc:
        txt.unquote('"\\255"')
    assert exc.value.value == '\\255'
    assert exc.value.rule == 'RFC 3629: UTF-8'
    assert 'must be UTF-8' in str(exc.value)


def test_unquote_nul_bytes_are_kept():
    assert txt.unquote('"\\000\\000"') == '\x00\x00'
    assert txt.quote('\x00\x00') == '"\\000\\000"'


@pytest.mark.parametrize('presentation, expected', [
    ('"a"', True),
    ('"a" "b"', True),
    ('""', True),
    ('a', False),
    ('"a" b', False),
    ('"a', False),
    ('', False),
    (None, False),
])
def test_is_quoted(presentation, expected):
    assert txt.is_quoted(presentation) is expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_unquote_strings_never_crashes(presentation):
    # arbitrary input either parses or raises RecordError, nothing else
    try:
        strings = txt.unquote_strings(presentation, limit=None)
    except RecordError:
        return
    assert strings and all(isinstance(s, bytes) for s in strings)
