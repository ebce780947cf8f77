# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the RFC 6376 section 3.2 tag-list codec."""

from __future__ import annotations

import pytest

from ansible_collections.mailauth.rollout.plugins.module_utils._records import taglist
from ansible_collections.mailauth.rollout.plugins.module_utils._records.errors import RecordError

try:
    from hypothesis import given, settings, strategies as st
except ImportError:
    HAS_HYPOTHESIS = False
else:
    HAS_HYPOTHESIS = True


@pytest.mark.parametrize('text, expected', [
    ('a=1', [('a', '1')]),
    ('a=1;', [('a', '1')]),
    ('a=1; ', [('a', '1')]),
    ('a=1;b=2', [('a', '1'), ('b', '2')]),
    ('  a = 1 ;\tb\t=\t2 ; ', [('a', '1'), ('b', '2')]),
    ('v=DKIM1;\r\n p=MIGf MA0G', [('v', 'DKIM1'), ('p', 'MIGf MA0G')]),
    ('a=', [('a', '')]),
    ('a= ; b=x', [('a', ''), ('b', 'x')]),
    ('x_1=a=b==', [('x_1', 'a=b==')]),
    ('A=1; a=2', [('A', '1'), ('a', '2')]),
    ('n=a b\tc', [('n', 'a b\tc')]),
    ('t=y:s; h=sha256', [('t', 'y:s'), ('h', 'sha256')]),
])
def test_parse_ok(text, expected):
    assert taglist.parse(text) == expected


@pytest.mark.parametrize('text, message', [
    ('', 'empty tag-list'),
    ('   ', 'empty tag-list'),
    (';', 'empty tag-spec'),
    ('a=1;;b=2', 'empty tag-spec'),
    (';a=1', 'empty tag-spec'),
    ('a=1;;', 'empty tag-spec'),
    ('a', 'has no "="'),
    ('a=1; b', 'has no "="'),
    ('=1', 'invalid tag name'),
    ('1a=1', 'invalid tag name'),
    ('a-b=1', 'invalid tag name'),
    ('a b=1', 'invalid tag name'),
    ('a=1; a=2', 'duplicate tag'),
    ('a=x\x00y', 'control character NUL'),
    ('a=x\x7fy', 'control character U+007F'),
    ('a=caf\u00e9', 'non-ASCII character U+00E9'),
])
def test_parse_errors(text, message):
    with pytest.raises(RecordError) as exc:
        taglist.parse(text)
    assert message in str(exc.value)
    assert exc.value.rule == 'RFC 6376 \u00a73.2'


def test_duplicate_names_the_tag():
    with pytest.raises(RecordError) as exc:
        taglist.parse('p=a; k=rsa; p=b')
    assert exc.value.term == 'p'
    assert exc.value.value == 'b'


def test_not_a_string():
    with pytest.raises(RecordError) as exc:
        taglist.parse(None)
    assert 'must be a string, got NoneType' in str(exc.value)


def test_long_value():
    value = 'A' * 10000
    assert taglist.parse('p=' + value) == [('p', value)]


def test_render():
    assert taglist.render([('v', 'DKIM1'), ('p', '')]) == 'v=DKIM1; p='
    assert taglist.render([('a', '1'), ('b', '2')], separator=';') == 'a=1;b=2'
    assert taglist.render([]) == ''


def test_round_trip():
    tags = [('v', 'DMARC1'), ('p', 'none'), ('rua', 'mailto:a@example.com')]
    assert taglist.parse(taglist.render(tags)) == tags


if HAS_HYPOTHESIS:
    _TAG = st.from_regex(r'[A-Za-z][A-Za-z0-9_]{0,5}', fullmatch=True)
    _VALUE = st.from_regex(r'([!-:<-~]+( [!-:<-~]+)*)?', fullmatch=True)

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=200))
    def test_fuzz_only_record_error(text):
        try:
            result = taglist.parse(text)
        except RecordError:
            return
        assert all(isinstance(tag, str) and isinstance(value, str) for tag, value in result)

    @settings(max_examples=300, deadline=None)
    @given(st.dictionaries(_TAG, _VALUE, min_size=1, max_size=6))
    def test_fuzz_round_trip(tags):
        pairs = list(tags.items())
        assert taglist.parse(taglist.render(pairs)) == pairs
