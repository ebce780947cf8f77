# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one runner every single-record module shares.

desired records -> provider read -> reconcile -> apply (unless check mode) -> exit_json with
changed, diff, the record as decoded text and as wire strings, and warnings.
Modules only declare options and pick the builder from _desired.py.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ._providers.base import ProviderError
from ._providers.registry import PROVIDER_ARGSPEC, get_provider
from ._reconcile import reconcile_zone
from ._records.errors import RecordError

COMMON_ARGSPEC = dict(
    domain=dict(type='str', required=True),
    ttl=dict(type='int'),
    provider=PROVIDER_ARGSPEC,
)


def record_argspec(state_choices=('present', 'absent'), **options):
    spec = dict(COMMON_ARGSPEC)
    spec['state'] = dict(type='str', default='present', choices=list(state_choices))
    spec.update(options)
    return spec


def apply_plan(provider, zone, desired, check_mode):
    """Read, reconcile and (unless check_mode) apply one zone; returns the Plan."""
    current = provider.list_rrsets(zone, keys=[d.key for d in desired])
    plan = reconcile_zone(zone, current, desired, txt_limit=provider.info.txt_string_limit)
    if plan.changed and not check_mode:
        provider.apply(zone, plan.changes)
    return plan


def run_record_module(argument_spec, builder, **module_kwargs):
    """Build the module, turn its params into Desired records with `builder(domain, params)`, converge."""
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **module_kwargs)
    params = module.params
    if params.get('ttl') is not None and not 0 <= params['ttl'] <= 2147483647:
        module.fail_json(msg='ttl must be between 0 and 2147483647 (RFC 2181 §8), got %d' % params['ttl'])
    provider = None
    try:
        desired, warnings = builder(params['domain'], params)
        provider = get_provider(params['provider'])
        zone = provider.find_zone(desired[0].name)
        plan = apply_plan(provider, zone, desired, module.check_mode)
    except RecordError as e:
        module.fail_json(msg=str(e), error=e.as_dict(), changed=False)
    except ProviderError as e:
        module.fail_json(msg=str(e), zone=e.zone, changed=False)
    finally:
        if provider is not None:
            provider.close()
    for warning in warnings + plan.warnings:
        module.warn(warning)
    result = dict(plan.records[0])
    result.pop('warnings')
    result.update(changed=plan.changed, zone=zone)
    if module._diff:
        result['diff'] = plan.diff()
    module.exit_json(**result)
