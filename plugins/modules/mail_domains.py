#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: mail_domains
short_description: Declare the mail authentication records of many domains in one task
version_added: 0.1.0
description:
  - Takes the desired SPF, DMARC, DKIM and null MX state of many domains, groups the records by zone,
    reconciles each zone and applies it in one batch (one UPDATE, one PATCH, one file write), zones
    running concurrently.
  - The same validation and the same tag-ownership rules as the single-record modules apply; other TXT
    values at a name are kept.
  - One domain's error does not stop the others; the task fails at the end, listing the failed domains.
  - On a local connection (C(connection=local), C(delegate_to=localhost)) the action plugin of the same name runs
    it inside the controller's process, which for hundreds of domains saves as much time as the DNS work takes.
    Elsewhere (for example O(provider.type=zonefile) editing zone files on a remote DNS primary, or under C(async))
    it runs as a module on the target.
  - O(domains[].parked=true) makes a domain that sends and receives no mail - null MX, C(v=spf1 -all),
    DMARC C(p=reject) (also C(sp) and C(np)) and a revoked wildcard DKIM key C(*._domainkey) with an empty C(p=).
author: mailauth.rollout contributors (@mailauth)
extends_documentation_fragment:
  - mailauth.rollout.provider
  - mailauth.rollout.provider.attributes
options:
  domains:
    description: The domains and their desired records.
    type: list
    elements: dict
    required: true
    suboptions:
      domain:
        description: The domain.
        type: str
        required: true
      parked:
        description: The domain sends and receives no mail; its records are fixed (see the description).
        type: bool
        default: false
      force:
        description: Let a null MX replace MX records that point at mail hosts.
        type: bool
        default: false
      ttl:
        description: TTL for this domain's records unless a record sets its own.
        type: int
      null_mx:
        description: Publish a null MX (RFC 7505).
        type: bool
        default: false
      spf:
        description: The SPF record, with the options of M(mailauth.rollout.spf_record).
        type: dict
        suboptions:
          state:
            description: V(present) or V(absent).
            type: str
            default: present
            choices: [present, absent]
          ttl:
            description: TTL of the TXT RRset.
            type: int
          value:
            description: The whole record as text.
            type: str
          include:
            description: Domains for C(include:) terms.
            type: list
            elements: str
          ip4:
            description: Networks for C(ip4:) terms.
            type: list
            elements: str
          ip6:
            description: Networks for C(ip6:) terms.
            type: list
            elements: str
          a:
            description: C(a) terms; V(true) or a list of domain specs.
            type: raw
          mx:
            description: C(mx) terms; V(true) or a list of domain specs.
            type: raw
          exists:
            description: Domain specs for C(exists:) terms.
            type: list
            elements: str
          ptr:
            description: C(ptr) terms (discouraged by RFC 7208).
            type: raw
          redirect:
            description: The C(redirect=) modifier.
            type: str
          exp:
            description: The C(exp=) modifier.
            type: str
          all:
            description: The final C(all) term.
            type: str
            choices: [fail, softfail, neutral, pass]
      dmarc:
        description:
          - The DMARC record, with the options of M(mailauth.rollout.dmarc_record).
          - With O(domains[].parked=true) only O(domains[].dmarc.rua) and O(domains[].dmarc.ruf) may be given.
        type: dict
        suboptions:
          state:
            description: V(present) or V(absent).
            type: str
            default: present
            choices: [present, absent]
          ttl:
            description: TTL of the TXT RRset.
            type: int
          value:
            description: The whole record as text.
            type: str
          p:
            description: Policy for the domain.
            type: str
            choices: [none, quarantine, reject]
          sp:
            description: Policy for existing subdomains.
            type: str
            choices: [none, quarantine, reject]
          np:
            description: Policy for non-existent subdomains.
            type: str
            choices: [none, quarantine, reject]
          psd:
            description: Public suffix domain flag.
            type: str
            choices: ['y', 'n', 'u']
          t:
            description: Testing mode.
            type: bool
          adkim:
            description: DKIM alignment.
            type: str
            choices: [r, s]
          aspf:
            description: SPF alignment.
            type: str
            choices: [r, s]
          fo:
            description: Failure reporting options.
            type: list
            elements: str
          rua:
            description: Aggregate report URIs, one per element.
            type: list
            elements: str
          ruf:
            description: Failure report URIs, one per element.
            type: list
            elements: str
      dkim:
        description: DKIM key records, with the options of M(mailauth.rollout.dkim_record).
        type: list
        elements: dict
        suboptions:
          selector:
            description: The selector.
            type: str
            required: true
          state:
            description: V(present), V(absent) or V(revoked).
            type: str
            default: present
            choices: [present, absent, revoked]
          ttl:
            description: TTL of the TXT RRset.
            type: int
          public_key:
            description: PEM public or private key, bare base64 or a DKIM record.
            type: str
          key_type:
            description: C(k=); derived from the key when omitted.
            type: str
            choices: [rsa, ed25519]
          testing:
            description: Publish C(t=y).
            type: bool
            default: false
          strict:
            description: Publish C(t=s).
            type: bool
            default: false
          hash_algorithms:
            description: C(h=).
            type: list
            elements: str
          service_types:
            description: C(s=).
            type: list
            elements: str
          notes:
            description: C(n=).
            type: str
          value:
            description: The whole record as text.
            type: str
  concurrency:
    description: How many zones are read and written at the same time.
    type: int
    default: 8
  ttl:
    description: Default TTL for every record that sets none; when omitted an existing RRset keeps its TTL and a new one gets 3600.
    type: int
'''

EXAMPLES = r'''
- name: Roll out a portfolio
  mailauth.rollout.mail_domains:
    provider:
      type: zonefile
      directory: /srv/dns/zones
    domains:
      - domain: example.com
        spf: {include: [_spf.google.com], ip4: [192.0.2.0/24], all: fail}
        dmarc: {p: none, rua: ["mailto:dmarc@example.com"]}
        dkim: [{selector: s1, public_key: "{{ lookup('ansible.builtin.file', 's1.pub') }}"}]
      - domain: parked.example
        parked: true
  register: rollout

- name: Show the domains that changed
  ansible.builtin.debug:
    msg: "{{ rollout.domains | selectattr('changed') | map(attribute='domain') | list }}"
'''

RETURN = r'''
domains:
  description: One entry per input domain, in input order.
  returned: always
  type: list
  elements: dict
  contains:
    domain:
      description: The domain.
      type: str
    zone:
      description: The zone that holds its records (null when the zone could not be found).
      type: str
    changed:
      description: Whether any of its records changed.
      type: bool
    records:
      description: Per record, the name, type, state, decoded value (C(record)), wire strings (C(wire)) or MX values, and C(changed).
      type: list
      elements: dict
    warnings:
      description: Warnings about this domain's records.
      type: list
      elements: str
    error:
      description: Why this domain failed; null when it did not.
      type: str
    diff:
      description: The domain's changed RRsets before and after (diff mode only).
      type: dict
summary:
  description: Counts over the whole run.
  returned: always
  type: dict
  sample: {domains: 3, changed: 2, failed: 0, zones: 3, zones_changed: 2, zones_failed: 0}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailauth.rollout.plugins.module_utils._options import MAIL_DOMAINS_ARGSPEC
from ansible_collections.mailauth.rollout.plugins.module_utils._portfolio import run


def main():
    # On the controller the action plugin of the same name runs this in-process; the module runs
    # wherever the task does not use a local connection (zone files on a remote DNS primary).
    module = AnsibleModule(argument_spec=MAIL_DOMAINS_ARGSPEC, supports_check_mode=True)
    result, failure = run(module.params, check_mode=module.check_mode, diff=module._diff)
    if failure:
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
