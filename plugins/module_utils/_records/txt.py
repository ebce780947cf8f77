# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TXT codec: decoded text <-> DNS character-strings.

The collection keeps every TXT value as decoded text (a ``str``). This module is the
only place that knows how such a value travels:

* on the wire, as one or more <character-string>s of at most 255 octets each
  (RFC 1035 section 3.3), split with :func:`split_octets` and joined with :func:`join_strings`;
* in presentation format (zone files, nsupdate, PowerDNS ``content``), as quoted strings
  with ``\\"``, ``\\\\`` and ``\\DDD`` escapes, written with :func:`quote` and read with
  :func:`unquote_strings` / :func:`unquote`.

Everything here is pure: no I/O, no Ansible imports.
"""

from __future__ import annotations

from .errors import RecordError

MAX_STRING_OCTETS = 255
RULE_STRING_LENGTH = 'RFC 1035 §3.3: <character-string> is at most %d octets'
RULE_UTF8 = 'RFC 3629: UTF-8'

_SPACE = ' \t\r\n'


def _encode(text):
    if not isinstance(text, str):
        raise RecordError('TXT value must be text (str), got %s' % type(text).__name__, term='TXT', value=repr(text))
    try:
        return text.encode('utf-8')
    except UnicodeEncodeError as exc:
        raise RecordError('TXT value cannot be encoded as UTF-8 (%s)' % exc.reason, term='TXT', value=text, rule=RULE_UTF8)


def split_octets(text: str, limit: int = MAX_STRING_OCTETS) -> list[bytes]:
    """Encode ``text`` as UTF-8 and split it into chunks of at most ``limit`` octets.

    A chunk never ends inside a UTF-8 multi-byte sequence, so every chunk decodes on its own.
    Empty text gives ``[b'']`` (a TXT record always has at least one string).
    """
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 4:
        raise ValueError('limit must be an integer >= 4 (the longest UTF-8 sequence), got %r' % (limit,))
    data = _encode(text)
    if not data:
        return [b'']
    chunks = []
    start = 0
    size = len(data)
    while start < size:
        end = min(start + limit, size)
        if end < size:
            # Back off while the first byte of the next chunk would be a continuation byte.
            while (data[end] & 0xC0) == 0x80:
                end -= 1
        chunks.append(data[start:end])
        start = end
    return chunks


def _to_bytes(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return _encode(value)
    raise RecordError('TXT character-string must be bytes or str, got %s' % type(value).__name__, term='TXT', value=repr(value))


def join_strings(strings) -> str:
    """Concatenate wire character-strings (bytes, or str) and decode them as UTF-8.

    Raises RecordError when the result is not valid UTF-8.
    """
    if isinstance(strings, (bytes, bytearray, str)):
        strings = [strings]
    data = b''.join(_to_bytes(s) for s in strings)
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError as exc:
        raise RecordError(
            'TXT value is not valid UTF-8 (octet %d: %s); TXT values handled by this collection must be UTF-8 '
            '(RFC 6376 / RFC 7208 records are ASCII)' % (exc.start, exc.reason),
            term='TXT', value=_escape(data), rule=RULE_UTF8)


def _escape(data: bytes) -> str:
    out = []
    for byte in data:
        if byte == 0x22:
            out.append('\\"')
        elif byte == 0x5C:
            out.append('\\\\')
        elif 0x20 <= byte <= 0x7E:
            out.append(chr(byte))
        else:
            out.append('\\%03d' % byte)
    return ''.join(out)


def quote(text: str, limit: int = MAX_STRING_OCTETS) -> str:
    """Render decoded text in presentation format.

    The text is split with :func:`split_octets`; each chunk is written in double quotes, chunks are
    joined by one space. Inside the quotes ``"`` becomes ``\\"``, ``\\`` becomes ``\\\\`` and every
    octet outside 0x20..0x7E becomes ``\\DDD`` (three decimal digits), so the output is plain ASCII.
    """
    return quote_strings(split_octets(text, limit))


def quote_strings(strings) -> str:
    """Presentation form of character-strings that are already split (bytes or str), kept as they are."""
    return ' '.join('"%s"' % _escape(_to_bytes(s)) for s in strings)


def _error(message, presentation, pos, rule=None):
    return RecordError('%s at position %d' % (message, pos), term='TXT', value=presentation, rule=rule)


def _tokens(presentation, limit):
    """Yield (octets, quoted, start position) for each character-string in ``presentation``."""
    if not isinstance(presentation, str):
        raise RecordError('TXT presentation must be text (str), got %s' % type(presentation).__name__, term='TXT', value=repr(presentation))
    text = presentation
    size = len(text)
    pos = 0
    found = False
    while True:
        while pos < size and text[pos] in _SPACE:
            pos += 1
        if pos >= size:
            break
        start = pos
        quoted = text[pos] == '"'
        if quoted:
            pos += 1
        buf = bytearray()
        closed = False
        while pos < size:
            char = text[pos]
            if quoted and char == '"':
                pos += 1
                closed = True
                break
            if not quoted and (char in _SPACE or char == '"'):
                break
            if char == '\\':
                if pos + 1 >= size:
                    raise _error('dangling backslash', presentation, pos)
                nxt = text[pos + 1]
                if nxt in '0123456789':
                    digits = text[pos + 1:pos + 4]
                    if len(digits) != 3 or not all(d in '0123456789' for d in digits):
                        raise _error('\\DDD escape needs exactly three decimal digits, got %r' % text[pos:pos + 4], presentation, pos)
                    number = int(digits)
                    if number > 255:
                        raise _error('\\DDD escape %r is larger than 255' % text[pos:pos + 4], presentation, pos, rule='RFC 1035 §5.1')
                    buf.append(number)
                    pos += 4
                else:
                    buf.extend(nxt.encode('utf-8', 'surrogatepass'))
                    pos += 2
                continue
            buf.extend(char.encode('utf-8', 'surrogatepass'))
            pos += 1
        if quoted and not closed:
            raise _error('unbalanced quote: string opened here is never closed', presentation, start)
        if limit is not None and len(buf) > limit:
            raise _error('character-string is %d octets long (limit %d)' % (len(buf), limit), presentation, start,
                         rule=RULE_STRING_LENGTH % limit)
        found = True
        yield bytes(buf), quoted, start
    if not found:
        raise RecordError('TXT presentation is empty: expected at least one (possibly empty, "") string', term='TXT', value=presentation)


def unquote_strings(presentation: str, limit: int | None = MAX_STRING_OCTETS) -> list[bytes]:
    """Parse presentation format into the list of wire character-strings (bytes).

    Strings are separated by whitespace; each is either quoted (``"..."``) or an unquoted run of
    non-space characters. Both may contain ``\\DDD`` and ``\\X`` escapes. Note that an unquoted
    ``v=spf1 mx -all`` is three strings, exactly as nsupdate reads it.

    ``limit`` is the maximum length of one string in octets; ``None`` disables the check (for
    APIs such as PowerDNS or Route 53 that accept and split longer strings themselves).
    """
    return [octets for octets, _quoted, _pos in _tokens(presentation, limit)]


def unquote(presentation: str, limit: int | None = MAX_STRING_OCTETS) -> str:
    """Parse presentation format into decoded text: ``join_strings(unquote_strings(...))``."""
    return join_strings(unquote_strings(presentation, limit))


def is_quoted(presentation: str) -> bool:
    """True when ``presentation`` parses and every string in it is quoted. Never raises."""
    try:
        return all(quoted for _octets, quoted, _pos in _tokens(presentation, None))
    except RecordError:
        return False
