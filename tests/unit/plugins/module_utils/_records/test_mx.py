# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the null MX helpers (RFC 7505)."""

from __future__ import annotations

import pytest

from ansible_collections.mailauth.rollout.plugins.module_utils._records import mx
from ansible_collections.mailauth.rollout.plugins.module_utils._records.errors import RecordError


def test_constant():
    assert mx.NULL_MX == '0 .'


@pytest.mark.parametrize('values, expected', [
    (['0 .'], True),
    (['0   .'], True),
    ([' 0 . '], True),
    (('0 .',), True),
    (['00 .'], True),
    ([], False),
    (['0 .', '0 .'], False),
    (['0 .', '10 mail.example.com.'], False),
    (['10 .'], False),
    (['0 mail.example.com.'], False),
    (['0'], False),
    (['.'], False),
    (['0 . extra'], False),
    (['-0 .'], False),
    (['\u0660 .'], False),
    (['0 \x00'], False),
    ([None], False),
    ([0], False),
    ('0 .', False),
    (None, False),
])
def test_is_null_mx(values, expected):
    assert mx.is_null_mx(values) is expected


@pytest.mark.parametrize('value, expected', [
    ('10 mail.example.com.', (10, 'mail.example.com.')),
    ('10 Mail.Example.COM', (10, 'mail.example.com.')),
    ('0 .', (0, '.')),
    ('65535 mx.example.', (65535, 'mx.example.')),
])
def test_parse_mx(value, expected):
    assert mx.parse_mx(value) == expected


@pytest.mark.parametrize('value', ['', '10', 'mail.example.com.', '65536 mx.example.', 'x mx.example.', '10 a b', 10])
def test_parse_mx_errors(value):
    with pytest.raises(RecordError):
        mx.parse_mx(value)


@pytest.mark.parametrize('current', [[], None, ['0 .'], ('0 .',)])
def test_replace_nothing_to_lose(current):
    assert mx.check_null_mx_replace(current, force=False) == []


def test_replace_refused_without_force():
    with pytest.raises(RecordError) as exc:
        mx.check_null_mx_replace(['10 mail.example.com.', '20 backup.example.net.'], force=False)
    err = exc.value
    assert err.rule == 'RFC 7505 \u00a73: a domain that advertises a null MX MUST NOT advertise any other MX RR'
    assert err.term == 'MX'
    assert err.value == '10 mail.example.com., 20 backup.example.net.'
    assert 'the domain has other MX records (10 mail.example.com., 20 backup.example.net.)' in err.message


def test_replace_mixed_set_lists_only_the_others():
    with pytest.raises(RecordError) as exc:
        mx.check_null_mx_replace(['0 .', '10 mail.example.com.'], force=False)
    assert exc.value.value == '10 mail.example.com.'


def test_replace_forced():
    assert mx.check_null_mx_replace(['10 mail.example.com.'], force=True) == [
        'replacing existing MX records with a null MX (force): 10 mail.example.com.']


def test_replace_duplicate_null():
    assert mx.check_null_mx_replace(['0 .', '0 .'], force=False) == [
        'MX RRset holds 2 copies of the null MX; it is replaced by one']
