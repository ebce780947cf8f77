#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: null_mx
short_description: Declare that a domain accepts no mail with a null MX record
version_added: 0.1.0
description:
  - Makes the MX RRset at O(domain) exactly C(0 .) (RFC 7505), the way to say that a domain receives no mail.
  - Existing MX records that point at real hosts are not replaced unless O(force=true), because a null MX
    must be the only MX record at its name (RFC 7505 §3).
  - O(state=absent) removes a null MX, and refuses to touch an MX RRset that is not a null MX.
author: mailauth.rollout contributors (@mailauth)
extends_documentation_fragment:
  - mailauth.rollout.provider
  - mailauth.rollout.provider.attributes
options:
  domain:
    description: The domain that receives no mail.
    type: str
    required: true
  state:
    description: V(present) publishes the null MX, V(absent) removes it.
    type: str
    default: present
    choices: [present, absent]
  ttl:
    description: TTL of the MX RRset. When omitted, an existing RRset keeps its TTL and a new one gets 3600.
    type: int
  force:
    description: Replace existing MX records that point at mail hosts.
    type: bool
    default: false
seealso:
  - name: RFC 7505
    description: A "Null MX" No Service Resource Record for Domains That Accept No Mail.
    link: https://www.rfc-editor.org/rfc/rfc7505
'''

EXAMPLES = r'''
- name: The domain receives no mail
  mailauth.rollout.null_mx:
    domain: parked.example
    provider:
      type: zonefile
      directory: /srv/dns/zones
'''

RETURN = r'''
name:
  description: Absolute name of the MX RRset.
  returned: always
  type: str
  sample: parked.example.
zone:
  description: The zone that holds the record.
  returned: always
  type: str
  sample: parked.example.
values:
  description: The MX values the name has afterwards (empty after O(state=absent)).
  returned: always
  type: list
  elements: str
  sample: ['0 .']
'''

from ansible_collections.mailauth.rollout.plugins.module_utils._desired import null_mx
from ansible_collections.mailauth.rollout.plugins.module_utils._record_module import record_argspec, run_record_module


def main():
    run_record_module(record_argspec(force=dict(type='bool', default=False)), null_mx)


if __name__ == '__main__':
    main()
