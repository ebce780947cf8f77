#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: dkim_record
short_description: Publish, revoke or remove a DKIM public key record
version_added: 0.1.0
description:
  - Owns the DKIM key value at C(<selector>._domainkey.<domain>) (RFC 6376 §3.6.1; Ed25519 per RFC 8463).
  - The key is taken from a PEM public key, a PEM private key (only its public half is used and nothing of
    the private key is returned or logged), a bare base64 value or an existing DKIM record.
  - RSA keys below 1024 bits are refused (RFC 8301 §3.2), below 2048 bits warned; Ed25519 keys must be 32 octets.
  - O(state=revoked) publishes the record with an empty C(p=), which tells verifiers the key is revoked.
author: mailauth.rollout contributors (@mailauth)
extends_documentation_fragment:
  - mailauth.rollout.provider
  - mailauth.rollout.provider.attributes
options:
  domain:
    description: The signing domain (C(d=)).
    type: str
    required: true
  selector:
    description: The selector (C(s=)); V(*) addresses the wildcard record C(*._domainkey), useful to revoke every selector of a parked domain.
    type: str
    required: true
  state:
    description: V(present) publishes the key, V(revoked) publishes an empty C(p=), V(absent) removes the value.
    type: str
    default: present
    choices: [present, absent, revoked]
  ttl:
    description: TTL of the TXT RRset. When omitted, an existing RRset keeps its TTL and a new one gets 3600.
    type: int
  public_key:
    description:
      - The key, as a PEM public key, a PEM private key (public half used), a bare base64 value or a DKIM record.
      - Required with O(state=present) unless O(value) is given.
    type: str
  key_type:
    description: C(k=). Derived from the key when omitted; an explicit value must match the key.
    type: str
    choices: [rsa, ed25519]
  testing:
    description: Publish C(t=y) (the domain is testing DKIM).
    type: bool
    default: false
  strict:
    description: Publish C(t=s) (the C(i=) domain must equal C(d=), no subdomains).
    type: bool
    default: false
  hash_algorithms:
    description: C(h=), the acceptable hash algorithms.
    type: list
    elements: str
  service_types:
    description: C(s=) of the key record, V(email) or V(*).
    type: list
    elements: str
  notes:
    description: C(n=), notes for humans.
    type: str
  value:
    description: The whole record as text, validated as is. Mutually exclusive with O(public_key).
    type: str
seealso:
  - name: RFC 6376
    description: DomainKeys Identified Mail (DKIM) Signatures.
    link: https://www.rfc-editor.org/rfc/rfc6376
  - name: RFC 8463
    description: A New Cryptographic Signature Method for DKIM (Ed25519).
    link: https://www.rfc-editor.org/rfc/rfc8463
'''

EXAMPLES = r'''
- name: Publish the key generated on the mail server
  mailauth.rollout.dkim_record:
    domain: example.com
    selector: s2026a
    public_key: "{{ lookup('ansible.builtin.file', 'keys/s2026a.pub') }}"
    provider:
      type: zonefile
      directory: /srv/dns/zones

- name: Revoke an old selector after the grace period
  mailauth.rollout.dkim_record:
    domain: example.com
    selector: s2025b
    state: revoked
    provider:
      type: zonefile
      directory: /srv/dns/zones
'''

RETURN = r'''
name:
  description: Absolute name of the TXT record.
  returned: always
  type: str
  sample: s2026a._domainkey.example.com.
zone:
  description: The zone that holds the record.
  returned: always
  type: str
  sample: example.com.
record:
  description: The DKIM key record as decoded text; null when O(state=absent).
  returned: always
  type: str
  sample: v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
wire:
  description: The character-strings of the value as published (each at most 255 octets); a 2048-bit key needs two.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.mailauth.rollout.plugins.module_utils._desired import dkim_record
from ansible_collections.mailauth.rollout.plugins.module_utils._options import DKIM_OPTIONS
from ansible_collections.mailauth.rollout.plugins.module_utils._record_module import record_argspec, run_record_module


def main():
    spec = record_argspec(state_choices=('present', 'absent', 'revoked'), **DKIM_OPTIONS)
    run_record_module(spec, dkim_record, mutually_exclusive=[('value', 'public_key')],
                      required_if=[('state', 'present', ('public_key', 'value'), True)])


if __name__ == '__main__':
    main()
