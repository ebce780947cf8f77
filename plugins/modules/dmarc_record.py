#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: dmarc_record
short_description: Set or remove the DMARC policy record of a domain
version_added: 0.1.0
description:
  - Owns the TXT value starting with C(v=DMARC1) at C(_dmarc.<domain>) (RFC 9989, which obsoleted RFC 7489).
    Other TXT values at that name are kept.
  - Options use the RFC tag names. Every value is validated before anything is written; the record is
    rendered in canonical tag order.
  - A raw O(value) written for RFC 7489 is accepted; its C(pct), C(rf) and C(ri) tags are kept and reported as obsolete.
author: mailauth.rollout contributors (@mailauth)
extends_documentation_fragment:
  - mailauth.rollout.provider
  - mailauth.rollout.provider.attributes
options:
  domain:
    description: The domain whose policy is managed (the record goes to C(_dmarc.<domain>)).
    type: str
    required: true
  state:
    description: V(present) sets the DMARC value, V(absent) removes it.
    type: str
    default: present
    choices: [present, absent]
  ttl:
    description: TTL of the TXT RRset. When omitted, an existing RRset keeps its TTL and a new one gets 3600.
    type: int
  value:
    description: The whole record as text. Mutually exclusive with the tag options.
    type: str
  p:
    description: Policy for the domain (C(p=)). Required unless O(value) is given.
    type: str
    choices: [none, quarantine, reject]
  sp:
    description: Policy for existing subdomains (C(sp=)).
    type: str
    choices: [none, quarantine, reject]
  np:
    description: Policy for non-existent subdomains (C(np=), new in RFC 9989).
    type: str
    choices: [none, quarantine, reject]
  psd:
    description: Public suffix domain flag (C(psd=)); V(y) only for public suffix operators.
    type: str
    choices: ['y', 'n', 'u']
  t:
    description: Testing mode (C(t=y)); replaces RFC 7489's C(pct).
    type: bool
  adkim:
    description: DKIM alignment, V(r) relaxed or V(s) strict.
    type: str
    choices: [r, s]
  aspf:
    description: SPF alignment, V(r) relaxed or V(s) strict.
    type: str
    choices: [r, s]
  fo:
    description: Failure reporting options (C(0), C(1), C(d), C(s)).
    type: list
    elements: str
  rua:
    description:
      - Aggregate report addresses, C(mailto:) URIs. A bare address gets C(mailto:) prepended.
      - Each list element is one URI; a single string with commas is split between URIs, never inside one.
    type: list
    elements: str
  ruf:
    description: Failure report addresses, given like O(rua).
    type: list
    elements: str
notes:
  - When a report address is at another domain, a warning says which C(_report._dmarc) record that domain must publish.
seealso:
  - name: RFC 9989
    description: Domain-based Message Authentication, Reporting, and Conformance (DMARC).
    link: https://www.rfc-editor.org/rfc/rfc9989
'''

EXAMPLES = r'''
- name: Monitor first, reports to two addresses
  mailauth.rollout.dmarc_record:
    domain: example.com
    p: none
    rua:
      - mailto:dmarc@example.com
      - mailto:reports@dmarc.example.net
    provider:
      type: zonefile
      directory: /srv/dns/zones

- name: Enforce, and reject mail from names that do not exist
  mailauth.rollout.dmarc_record:
    domain: example.com
    p: reject
    np: reject
    adkim: s
    rua: [mailto:dmarc@example.com]
    provider:
      type: zonefile
      directory: /srv/dns/zones
'''

RETURN = r'''
name:
  description: Absolute name of the TXT record.
  returned: always
  type: str
  sample: _dmarc.example.com.
zone:
  description: The zone that holds the record.
  returned: always
  type: str
  sample: example.com.
record:
  description: The DMARC value as decoded text; null when O(state=absent).
  returned: always
  type: str
  sample: v=DMARC1; p=none; rua=mailto:dmarc@example.com,mailto:reports@dmarc.example.net
wire:
  description: The character-strings of the value as published (each at most 255 octets).
  returned: always
  type: list
  elements: str
'''

from ansible_collections.mailauth.rollout.plugins.module_utils._desired import DMARC_TAGS, dmarc_record
from ansible_collections.mailauth.rollout.plugins.module_utils._options import DMARC_OPTIONS
from ansible_collections.mailauth.rollout.plugins.module_utils._record_module import record_argspec, run_record_module


def main():
    spec = record_argspec(**DMARC_OPTIONS)
    run_record_module(spec, dmarc_record, mutually_exclusive=[('value', tag) for tag in DMARC_TAGS])


if __name__ == '__main__':
    main()
