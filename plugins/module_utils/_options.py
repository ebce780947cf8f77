# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs shared by the modules and the mail_domains action plugin."""

from __future__ import annotations

from ._providers.registry import PROVIDER_ARGSPEC

POLICIES = ['none', 'quarantine', 'reject']

# Record options shared by the single-record modules and the nested entries of mail_domains.
SPF_OPTIONS = dict(
    value=dict(type='str'),
    include=dict(type='list', elements='str'),
    ip4=dict(type='list', elements='str'),
    ip6=dict(type='list', elements='str'),
    a=dict(type='raw'),
    mx=dict(type='raw'),
    exists=dict(type='list', elements='str'),
    ptr=dict(type='raw'),
    redirect=dict(type='str'),
    exp=dict(type='str'),
    all=dict(type='str', choices=['fail', 'softfail', 'neutral', 'pass']),
)

DMARC_OPTIONS = dict(
    value=dict(type='str'),
    p=dict(type='str', choices=POLICIES),
    sp=dict(type='str', choices=POLICIES),
    np=dict(type='str', choices=POLICIES),
    psd=dict(type='str', choices=['y', 'n', 'u']),
    t=dict(type='bool'),
    adkim=dict(type='str', choices=['r', 's']),
    aspf=dict(type='str', choices=['r', 's']),
    fo=dict(type='list', elements='str'),
    rua=dict(type='list', elements='str'),
    ruf=dict(type='list', elements='str'),
)

DKIM_OPTIONS = dict(
    selector=dict(type='str', required=True),
    public_key=dict(type='str'),
    key_type=dict(type='str', choices=['rsa', 'ed25519']),
    testing=dict(type='bool', default=False),
    strict=dict(type='bool', default=False),
    hash_algorithms=dict(type='list', elements='str'),
    service_types=dict(type='list', elements='str'),
    notes=dict(type='str'),
    value=dict(type='str'),
)


def _nested(options, states=('present', 'absent')):
    spec = dict(options)
    spec['state'] = dict(type='str', default='present', choices=list(states))
    spec['ttl'] = dict(type='int')
    return spec


MAIL_DOMAINS_ARGSPEC = dict(
    domains=dict(type='list', elements='dict', required=True, options=dict(
        domain=dict(type='str', required=True),
        parked=dict(type='bool', default=False),
        force=dict(type='bool', default=False),
        ttl=dict(type='int'),
        null_mx=dict(type='bool', default=False),
        spf=dict(type='dict', options=_nested(SPF_OPTIONS)),
        dmarc=dict(type='dict', options=_nested(DMARC_OPTIONS)),
        dkim=dict(type='list', elements='dict', options=_nested(DKIM_OPTIONS, ('present', 'absent', 'revoked'))),
    )),
    concurrency=dict(type='int', default=8),
    ttl=dict(type='int'),
    provider=PROVIDER_ARGSPEC,
)
