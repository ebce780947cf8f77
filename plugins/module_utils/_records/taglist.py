# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tag=value list codec shared by the DKIM key record and the DMARC record.

Grammar (RFC 6376 section 3.2)::

    tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
    tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
    tag-name  =  ALPHA *ALNUMPUNC            ; ALNUMPUNC = ALPHA / DIGIT / "_"
    tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
    tval      =  1*VALCHAR                   ; VALCHAR = %x21-3A / %x3C-7E

Folding white space is accepted loosely: any run of SP, HTAB, CR and LF.
Tag names are case-sensitive here; callers that want case-insensitive names
(DMARC) fold them themselves. A tag that occurs twice makes the whole list
invalid. Empty tag-specs (``a=1;;b=2``) are not in the grammar and are refused;
only one trailing ``;`` is allowed.
"""

from __future__ import annotations

import re

from .errors import RecordError

RULE = 'RFC 6376 \u00a73.2'

WHITESPACE = ' \t\r\n'

_TAG_NAME = re.compile(r'[A-Za-z][A-Za-z0-9_]*\Z')


def _check_value(tag, value):
    for char in value:
        code = ord(char)
        if char in WHITESPACE or (0x21 <= code <= 0x7e and char != ';'):
            continue
        if code < 0x20 or code == 0x7f:
            what = 'control character %s' % ('NUL' if code == 0 else 'U+%04X' % code)
        else:
            what = 'non-ASCII character U+%04X' % code
        raise RecordError('tag value contains a %s; only printable ASCII and folding white space are allowed' % what,
                          term=tag, value=value, rule=RULE)


def parse(text) -> list[tuple[str, str]]:
    """Parse a tag-list into an ordered list of ``(tag, value)`` pairs.

    Values have the surrounding folding white space removed; white space inside
    a value is kept as is (callers decide what it means, e.g. DKIM ``p=`` drops it).
    Raises RecordError on any syntax error or duplicate tag.
    """
    if not isinstance(text, str):
        raise RecordError('tag-list must be a string, got %s' % type(text).__name__, term='tag-list', rule=RULE)
    if not text.strip(WHITESPACE):
        raise RecordError('empty tag-list', term='tag-list', value=text, rule=RULE)
    specs = text.split(';')
    if len(specs) > 1 and not specs[-1].strip(WHITESPACE):
        # one trailing ";" (with optional white space after it) is allowed
        specs.pop()
    result = []
    seen = set()
    for index, spec in enumerate(specs):
        if not spec.strip(WHITESPACE):
            raise RecordError('empty tag-spec (two ";" in a row, or a leading ";") at position %d' % (index + 1),
                              term='tag-list', value=text, rule=RULE)
        name, sep, value = spec.partition('=')
        name = name.strip(WHITESPACE)
        if not sep:
            raise RecordError('tag-spec has no "="', term=name or 'tag-list', value=spec.strip(WHITESPACE), rule=RULE)
        if not _TAG_NAME.match(name):
            raise RecordError('invalid tag name: must be a letter followed by letters, digits or "_"',
                              term='tag-list', value=name, rule=RULE)
        value = value.strip(WHITESPACE)
        _check_value(name, value)
        if name in seen:
            raise RecordError('duplicate tag: a tag-list with a repeated tag is invalid as a whole',
                              term=name, value=value, rule=RULE)
        seen.add(name)
        result.append((name, value))
    return result


def render(tags, separator='; ') -> str:
    """Join ``(tag, value)`` pairs into tag-list text, without a trailing separator."""
    return separator.join('%s=%s' % (tag, value) for tag, value in tags)
