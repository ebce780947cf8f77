# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Domain names and selectors as the record modules accept them (RFC 1035 §2.3.4 lengths)."""

from __future__ import annotations

import re

from .errors import RecordError

# Letters, digits, hyphen; underscore too, since _dmarc/_domainkey/_mta-sts style labels are the point here.
_LABEL = re.compile(r'^(?:\*|[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)$')
MAX_TXT_RDATA = 65535


def check_name(name, term='domain'):
    """Return the name without a trailing dot, lower-cased; RecordError when it cannot be a DNS name."""
    if not isinstance(name, str) or not name.strip().rstrip('.'):
        raise RecordError('must be a non-empty domain name', term=term, value=name)
    bare = name.strip().rstrip('.')
    if len(bare) > 253:
        raise RecordError('name is %d octets long, the limit is 253' % len(bare), term=term, value=name, rule='RFC 1035 §2.3.4')
    for label in bare.split('.'):
        if not label:
            raise RecordError('empty label', term=term, value=name, rule='RFC 1035 §2.3.1')
        if len(label) > 63:
            raise RecordError('label %r is %d octets long, the limit is 63' % (label, len(label)), term=term, value=name, rule='RFC 1035 §2.3.4')
        if not _LABEL.match(label):
            raise RecordError('label %r may hold only letters, digits, hyphen and underscore, not starting or ending with a hyphen' % label,
                              term=term, value=name, rule='RFC 1035 §2.3.1')
    return bare.lower()


def check_selector(selector):
    """A DKIM selector is one or more labels (RFC 6376 §3.1); '*' is allowed for a wildcard revocation."""
    return check_name(selector, term='selector')


def check_txt_size(name, text):
    """A TXT RDATA holds at most 65535 octets including one length octet per 255-octet string."""
    size = len(text.encode('utf-8'))
    wire = size + max(1, -(-size // 255))
    if wire > MAX_TXT_RDATA:
        raise RecordError('the TXT value needs %d octets on the wire, the limit is %d' % (wire, MAX_TXT_RDATA),
                          term=name, value=text[:40] + '...', rule='RFC 1035 §3.2.1 (RDLENGTH)')
