# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Null MX (RFC 7505): a single MX RR with preference 0 and exchange "." says "this domain accepts no mail".

Values are MX rdata in presentation form, e.g. ``0 .`` or ``10 mail.example.com.``.
"""

from __future__ import annotations

from .errors import RecordError

NULL_MX = '0 .'
RULE_NULL_MX = 'RFC 7505 \u00a73: a domain that advertises a null MX MUST NOT advertise any other MX RR'


def parse_mx(value) -> tuple[int, str]:
    """Split MX rdata into (preference, exchange); exchange is lower case with its trailing dot ('.' for the root)."""
    if not isinstance(value, str):
        raise RecordError('MX value must be a string', term='MX', value=value)
    parts = value.split()
    if len(parts) != 2 or not parts[0].isdigit() or not parts[0].isascii() or int(parts[0]) > 65535:
        raise RecordError('MX value must be "<preference 0-65535> <exchange>"', term='MX', value=value, rule='RFC 1035 \u00a73.3.9')
    exchange = parts[1].lower()
    if not exchange.endswith('.'):
        exchange += '.'
    return int(parts[0]), exchange


def _is_null(value):
    try:
        return parse_mx(value) == (0, '.')
    except RecordError:
        return False


def is_null_mx(values) -> bool:
    """True only if ``values`` is exactly one MX value with preference 0 and exchange '.'."""
    if isinstance(values, str) or values is None:
        return False
    values = list(values)
    return len(values) == 1 and _is_null(values[0])


def check_null_mx_replace(current_values, force) -> list[str]:
    """Check that the MX RRset ``current_values`` may be replaced by a null MX; return warnings.

    Raises RecordError when other MX records exist and ``force`` is not set: publishing a null MX
    means removing them, which stops mail delivery to the domain.
    """
    current = list(current_values or [])
    if not current or is_null_mx(current):
        return []
    others = [value for value in current if not _is_null(value)]
    if not others:
        # several copies of "0 ." (should not happen in one RRset): just collapse them
        return ['MX RRset holds %d copies of the null MX; it is replaced by one' % len(current)]
    listing = ', '.join(str(value) for value in others)
    if not force:
        raise RecordError('the domain has other MX records (%s); publishing a null MX replaces them and stops mail delivery. '
                          'Set force to replace them' % listing, term='MX', value=listing, rule=RULE_NULL_MX)
    return ['replacing existing MX records with a null MX (force): %s' % listing]
