# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""provider.type -> provider class, and the one argument spec of the `provider` option.

This is the only place that knows every provider; modules and the bulk runner ask it for a ZoneAPI.
"""

from __future__ import annotations

from ansible.module_utils.common.parameters import env_fallback

from .base import ProviderError

PROVIDER_TYPES = ('zonefile', 'rfc2136', 'powerdns')

# Documented once, in plugins/doc_fragments/provider.py; keep the two in step.
PROVIDER_SUBOPTIONS = dict(
    type=dict(type='str', default='zonefile', choices=list(PROVIDER_TYPES)),
    # zonefile
    path=dict(type='path'),
    directory=dict(type='path'),
    origin=dict(type='str'),
    # rfc2136
    server=dict(type='str', fallback=(env_fallback, ['MAILAUTH_DNS_SERVER'])),
    port=dict(type='int', default=53),
    zone=dict(type='str'),
    key_name=dict(type='str', fallback=(env_fallback, ['MAILAUTH_TSIG_KEY_NAME'])),
    key_secret=dict(type='str', no_log=True, fallback=(env_fallback, ['MAILAUTH_TSIG_KEY_SECRET'])),
    key_algorithm=dict(type='str', default='hmac-sha256', choices=['hmac-sha256', 'hmac-sha384', 'hmac-sha512'],
                       fallback=(env_fallback, ['MAILAUTH_TSIG_KEY_ALGORITHM'])),
    key_file=dict(type='path', fallback=(env_fallback, ['MAILAUTH_TSIG_KEY_FILE'])),
    axfr=dict(type='bool', default=False),
    sign_queries=dict(type='bool', default=False),
    # powerdns
    api_url=dict(type='str', fallback=(env_fallback, ['MAILAUTH_PDNS_API_URL'])),
    api_key=dict(type='str', no_log=True, fallback=(env_fallback, ['MAILAUTH_PDNS_API_KEY'])),
    server_id=dict(type='str', default='localhost'),
    validate_certs=dict(type='bool', default=True),
    # network providers
    timeout=dict(type='float', default=10.0),
    retries=dict(type='int', default=3),
)

PROVIDER_ARGSPEC = dict(type='dict', required=True, options=PROVIDER_SUBOPTIONS)


def get_provider(options):
    """Instantiate the provider named by options['type']; ProviderError when unknown or misconfigured."""
    options = options or {}
    ptype = options.get('type') or 'zonefile'
    if ptype == 'zonefile':
        from .zonefile import ZoneFileProvider
        return ZoneFileProvider(options)
    if ptype == 'rfc2136':
        from .rfc2136 import RFC2136Provider
        return RFC2136Provider(options)
    if ptype == 'powerdns':
        from .powerdns import PowerDNSProvider
        return PowerDNSProvider(options)
    raise ProviderError('unknown provider type %r (known: %s)' % (ptype, ', '.join(PROVIDER_TYPES)))
