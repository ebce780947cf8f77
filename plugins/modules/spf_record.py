#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: spf_record
short_description: Set or remove the SPF record of a domain
version_added: 0.1.0
description:
  - Owns the one TXT value starting with C(v=spf1) at O(domain) (RFC 7208). Every other TXT value at that
    name, such as a site verification token, is kept byte for byte.
  - Two SPF values at one name are a C(permerror) for receivers; they are collapsed into the desired one with a warning.
  - The record is built from structured terms or given raw in O(value); either way it is validated
    (syntax, CIDR lengths, macros, at most 10 DNS-querying terms) before anything is written.
author: mailauth.rollout contributors (@mailauth)
extends_documentation_fragment:
  - mailauth.rollout.provider
  - mailauth.rollout.provider.attributes
options:
  domain:
    description: The domain whose SPF record is managed.
    type: str
    required: true
  state:
    description: V(present) sets the SPF value, V(absent) removes it (other TXT values stay).
    type: str
    default: present
    choices: [present, absent]
  ttl:
    description: TTL of the TXT RRset. When omitted, an existing RRset keeps its TTL and a new one gets 3600.
    type: int
  value:
    description:
      - The whole record as text, for example V(v=spf1 mx include:_spf.example.net -all).
      - Mutually exclusive with the structured options.
    type: str
  include:
    description: Domains for C(include:) terms, in order.
    type: list
    elements: str
  ip4:
    description: IPv4 addresses or networks for C(ip4:) terms (V(192.0.2.0/24)).
    type: list
    elements: str
  ip6:
    description: IPv6 addresses or networks for C(ip6:) terms.
    type: list
    elements: str
  a:
    description:
      - C(a) terms. V(true) adds a bare C(a); a list adds C(a:<entry>) per entry, where an empty entry is a bare C(a)
        and an entry starting with C(/) is a bare C(a) with a CIDR length (V(/24)).
    type: raw
  mx:
    description: C(mx) terms, given like O(a).
    type: raw
  exists:
    description: Domain specs (macros allowed) for C(exists:) terms.
    type: list
    elements: str
  ptr:
    description: C(ptr) terms, given like O(a). RFC 7208 §5.5 says not to use them; a warning is given.
    type: raw
  redirect:
    description: The C(redirect=) modifier.
    type: str
  exp:
    description: The C(exp=) modifier.
    type: str
  all:
    description:
      - The final C(all) term. V(fail) is C(-all), V(softfail) C(~all), V(neutral) C(?all), V(pass) C(+all) (warned).
      - Without O(all) or O(redirect) the record ends without a default; a warning is given.
    type: str
    choices: [fail, softfail, neutral, pass]
notes:
  - The count of DNS-querying terms covers the record itself; terms inside included records are not counted here.
seealso:
  - name: RFC 7208
    description: Sender Policy Framework (SPF) for Authorizing Use of Domains in Email.
    link: https://www.rfc-editor.org/rfc/rfc7208
'''

EXAMPLES = r'''
- name: Mail from our own MX hosts and from a SaaS provider, hard fail for the rest
  mailauth.rollout.spf_record:
    domain: example.com
    mx: true
    include: [_spf.mailer.example.net]
    ip4: [192.0.2.0/24]
    all: fail
    provider:
      type: zonefile
      directory: /srv/dns/zones

- name: A domain that sends no mail
  mailauth.rollout.spf_record:
    domain: parked.example
    value: v=spf1 -all
    provider:
      type: zonefile
      path: /srv/dns/zones/parked.example.zone
'''

RETURN = r'''
name:
  description: Absolute name of the TXT record.
  returned: always
  type: str
  sample: example.com.
zone:
  description: The zone that holds the record.
  returned: always
  type: str
  sample: example.com.
record:
  description: The SPF value as decoded text; null when O(state=absent).
  returned: always
  type: str
  sample: v=spf1 mx ip4:192.0.2.0/24 include:_spf.mailer.example.net -all
wire:
  description: The character-strings of the value as published (each at most 255 octets).
  returned: always
  type: list
  elements: str
  sample: [v=spf1 mx ip4:192.0.2.0/24 include:_spf.mailer.example.net -all]
'''

from ansible_collections.mailauth.rollout.plugins.module_utils._desired import SPF_TERMS, spf_record
from ansible_collections.mailauth.rollout.plugins.module_utils._options import SPF_OPTIONS
from ansible_collections.mailauth.rollout.plugins.module_utils._record_module import record_argspec, run_record_module


def main():
    spec = record_argspec(**SPF_OPTIONS)
    run_record_module(spec, spf_record,
                      mutually_exclusive=[('value', name) for name in SPF_TERMS])


if __name__ == '__main__':
    main()
