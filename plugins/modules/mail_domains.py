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

from ansible_collections.mailauth.rollout.plugins.module_utils._portfolio import converge
from ansible_collections.mailauth.rollout.plugins.module_utils._providers.base import ProviderError
from ansible_collections.mailauth.rollout.plugins.module_utils._providers.registry import PROVIDER_ARGSPEC, get_provider
from ansible_collections.mailauth.rollout.plugins.module_utils._record_module import DKIM_OPTIONS, DMARC_OPTIONS, SPF_OPTIONS


def _with(options, states=('present', 'absent')):
    spec = dict(options)
    spec['state'] = dict(type='str', default='present', choices=list(states))
    spec['ttl'] = dict(type='int')
    return spec


def main():
    module = AnsibleModule(
        argument_spec=dict(
            domains=dict(type='list', elements='dict', required=True, options=dict(
                domain=dict(type='str', required=True),
                parked=dict(type='bool', default=False),
                force=dict(type='bool', default=False),
                ttl=dict(type='int'),
                null_mx=dict(type='bool', default=False),
                spf=dict(type='dict', options=_with(SPF_OPTIONS)),
                dmarc=dict(type='dict', options=_with(DMARC_OPTIONS)),
                dkim=dict(type='list', elements='dict', options=_with(DKIM_OPTIONS, ('present', 'absent', 'revoked'))),
            )),
            concurrency=dict(type='int', default=8),
            ttl=dict(type='int'),
            provider=PROVIDER_ARGSPEC,
        ),
        supports_check_mode=True,
    )
    if module.params['concurrency'] < 1:
        module.fail_json(msg='concurrency must be at least 1, got %d' % module.params['concurrency'])
    try:
        provider = get_provider(module.params['provider'])
    except ProviderError as e:
        module.fail_json(msg=str(e))
    try:
        results, stats = converge(provider, module.params['domains'], check_mode=module.check_mode,
                                  concurrency=module.params['concurrency'], default_ttl=module.params['ttl'])
    finally:
        provider.close()
    domains = [r.as_dict(module._diff) for r in results]
    failed = [r for r in results if r.error]
    summary = dict(stats, domains=len(results), changed=sum(1 for r in results if r.changed), failed=len(failed))
    changed = summary['changed'] > 0
    if failed:
        # Hundreds of domains behind one dead server fail alike: show a few errors in full and name the rest.
        shown = '; '.join('%s: %s' % (r.domain, r.error) for r in failed[:3])
        rest = failed[3:]
        more = ' (also failed: %s; see domains[].error)' % ', '.join(r.domain for r in rest) if rest else ''
        module.fail_json(msg='%d of %d domains failed: %s%s' % (len(failed), len(results), shown, more),
                         domains=domains, summary=summary, changed=changed)
    result = dict(changed=changed, domains=domains, summary=summary)
    if module._diff:
        result['diff'] = [dict(r.diff, before_header=r.domain, after_header=r.domain) for r in results if r.changed]
    module.exit_json(**result)


if __name__ == '__main__':
    main()
