#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: dns_wait
short_description: Wait until every authoritative nameserver serves the expected records
version_added: 0.1.0
description:
  - Asks each authoritative nameserver of the zone directly (no recursion, no cache) for each record and
    returns only when all of them serve what is expected, in the same round.
  - The nameservers are the zone's NS hosts (found with the system resolver, or O(resolvers)) unless
    O(nameservers) names them.
  - TXT values are compared as decoded text with their strings joined, so a 2048-bit DKIM key split over
    two strings matches the single value the DKIM modules return.
  - Use it between publishing a DKIM key and switching signing to it, so no verifier ever sees a signature
    for a key it cannot find.
author: mailauth.rollout contributors (@mailauth)
attributes:
  check_mode:
    support: full
    description: Only reads; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to show.
options:
  records:
    description: What to wait for.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The record name (absolute).
        type: str
        required: true
      type:
        description: The record type.
        type: str
        default: TXT
      values:
        description:
          - Expected values; TXT as decoded text, other types in presentation form with absolute names (V(0 .)).
          - With O(records[].mode=absent) and no values, the name must have no record of the type at all.
        type: list
        elements: str
        default: []
      mode:
        description:
          - V(present) - every expected value is served (others may be too).
          - V(equals) - exactly the expected values are served.
          - V(absent) - none of the expected values is served.
        type: str
        default: present
        choices: [present, equals, absent]
  nameservers:
    description:
      - Servers to ask instead of the zone's NS hosts, as V(host), V(host:port) or V([ipv6]:port).
    type: list
    elements: str
  port:
    description: Port of the nameservers when none is given.
    type: int
    default: 53
  resolvers:
    description: Recursive resolvers used to find the zone and its NS hosts; the system's when omitted.
    type: list
    elements: str
  timeout:
    description: Seconds to wait in all before failing.
    type: float
    default: 600
  query_timeout:
    description: Seconds to wait for one answer.
    type: float
    default: 3
  interval:
    description: Seconds between the first rounds; doubles each round (with jitter) up to O(max_interval).
    type: float
    default: 1
  max_interval:
    description: Longest pause between rounds.
    type: float
    default: 10
requirements:
  - dnspython
'''

EXAMPLES = r'''
- name: Publish the new DKIM key
  mailauth.rollout.dkim_record:
    domain: example.com
    selector: s2026b
    public_key: "{{ new_key }}"
  register: dkim

- name: Wait until every nameserver of example.com serves it
  mailauth.rollout.dns_wait:
    records:
      - name: s2026b._domainkey.example.com
        values: ["{{ dkim.record }}"]
    timeout: 900

- name: Wait until the old SPF is gone from two given servers
  mailauth.rollout.dns_wait:
    nameservers: [192.0.2.53, "[2001:db8::53]:53"]
    records:
      - name: example.com
        values: [v=spf1 a -all]
        mode: absent
'''

RETURN = r'''
records:
  description: Per record, whether it is done and what each server answered in the last round.
  returned: always
  type: list
  elements: dict
  sample:
    - name: s2026b._domainkey.example.com.
      type: TXT
      mode: present
      done: true
      expected: ["v=DKIM1; k=ed25519; p=..."]
      servers:
        - server: ns1.example.com. (192.0.2.53)
          status: ok
          ok: true
          reason: present
          values: ["v=DKIM1; k=ed25519; p=..."]
rounds:
  description: How many rounds of questions were asked.
  returned: always
  type: int
elapsed:
  description: Seconds spent waiting.
  returned: always
  type: float
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.mailauth.rollout.plugins.module_utils import _resolve
from ansible_collections.mailauth.rollout.plugins.module_utils._propagation import Check, wait_for


def _servers(module, name, resolver, cache):
    params = module.params
    if params['nameservers']:
        if 'explicit' not in cache:
            cache['explicit'] = _resolve.explicit_nameservers(params['nameservers'], params['port'])
        return cache['explicit']
    zone = _resolve.zone_of(name, resolver)
    if zone not in cache:
        cache[zone] = _resolve.authoritative_nameservers(zone, resolver, params['port'])
    return cache[zone]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            records=dict(type='list', elements='dict', required=True, options=dict(
                name=dict(type='str', required=True),
                type=dict(type='str', default='TXT'),
                values=dict(type='list', elements='str', default=[]),
                mode=dict(type='str', default='present', choices=['present', 'equals', 'absent']),
            )),
            nameservers=dict(type='list', elements='str'),
            port=dict(type='int', default=53),
            resolvers=dict(type='list', elements='str'),
            timeout=dict(type='float', default=600),
            query_timeout=dict(type='float', default=3),
            interval=dict(type='float', default=1),
            max_interval=dict(type='float', default=10),
        ),
        supports_check_mode=True,
    )
    if not _resolve.HAS_DNSPYTHON:
        module.fail_json(msg=missing_required_lib('dnspython'))
    params = module.params
    for record in params['records']:
        if record['mode'] != 'absent' and not record['values']:
            module.fail_json(msg='record %s: mode %s needs values' % (record['name'], record['mode']))
    resolver = None
    if not params['nameservers']:
        import dns.resolver
        resolver = dns.resolver.Resolver(configure=not params['resolvers'])
        if params['resolvers']:
            resolver.nameservers = [a for r in params['resolvers'] for a in _resolve.addresses_of(r)]
    cache = {}
    checks = []
    try:
        for record in params['records']:
            servers = _servers(module, record['name'], resolver, cache)
            checks.append(Check(record['name'], record['type'], record['mode'], record['values'], servers))
    except Exception as e:  # LookupError, ValueError and several unrelated dnspython types for a failed lookup
        module.fail_json(msg='cannot find the nameservers to ask: %s' % e)
    ok, rounds, elapsed = wait_for(checks, _resolve.query_values, params['timeout'], query_timeout=params['query_timeout'],
                                   interval=params['interval'], max_interval=params['max_interval'])
    result = dict(changed=False, records=[c.as_dict() for c in checks], rounds=rounds, elapsed=round(elapsed, 3))
    if not ok:
        pending = ['%s %s on %s: %s' % (c.name, c.rtype, r['server'], r['reason']) for c in checks for r in c.report if not r['ok']]
        module.fail_json(msg='timed out after %.0f s (%d rounds); not yet served: %s' % (elapsed, rounds, '; '.join(pending[:20])), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
