# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.mailauth.rollout.plugins.action.mail_domains import ActionModule

ZONE = '''$TTL 300
$ORIGIN example.test.
@ IN SOA ns1 hostmaster 2026010101 3600 600 86400 300
@ IN NS ns1
ns1 IN A 192.0.2.53
'''


def _action(args, transport='local', async_val=0, check_mode=False, diff=False):
    task = SimpleNamespace(args=args, async_val=async_val, check_mode=check_mode, diff=diff, action='mailauth.rollout.mail_domains')
    shell = SimpleNamespace(tmpdir='/nonexistent-tmp')
    connection = SimpleNamespace(transport=transport, _shell=shell, has_native_async=False)
    return ActionModule(task, connection, play_context=None, loader=None, templar=None)


@pytest.fixture
def zones(tmp_path):
    (tmp_path / 'example.test.zone').write_text(ZONE)
    return str(tmp_path)


def test_local_connection_runs_in_process_and_censors_no_log_values(zones, monkeypatch):
    # The "secret" equals the SPF value the result returns, so censoring is visible in the result.
    args = {'provider': {'type': 'zonefile', 'directory': zones, 'key_secret': 'v=spf1 -all'},
            'domains': [{'domain': 'example.test', 'spf': {'value': 'v=spf1 -all'}}]}
    action = _action(args)
    monkeypatch.setattr(action, '_execute_module', lambda **kw: pytest.fail('the module must not be executed'))
    result = action.run(task_vars={})
    assert result['changed'] is True
    assert result['summary']['changed'] == 1
    assert 'v=spf1 -all' not in repr(result)
    assert result['domains'][0]['records'][0]['record'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    with open(zones + '/example.test.zone') as f:
        assert '"v=spf1 -all"' in f.read()


def test_check_mode_in_process_writes_nothing(zones):
    before = open(zones + '/example.test.zone').read()
    args = {'provider': {'type': 'zonefile', 'directory': zones}, 'domains': [{'domain': 'example.test', 'parked': True}]}
    result = _action(args, check_mode=True, diff=True).run(task_vars={})
    assert result['changed'] is True and result['summary']['changed'] == 1
    assert 'IN MX 0 .' in result['diff'][0]['after']
    assert open(zones + '/example.test.zone').read() == before


def test_failures_are_reported_like_the_module(zones):
    args = {'provider': {'type': 'zonefile', 'directory': zones},
            'domains': [{'domain': 'example.test', 'spf': {'ip4': ['300.0.0.1'], 'all': 'fail'}}]}
    result = _action(args).run(task_vars={})
    assert result['failed'] is True
    assert result['msg'].startswith('1 of 1 domains failed: example.test: ip4:300.0.0.1')


def test_bad_arguments_fail_before_anything_runs(zones):
    with pytest.raises(AnsibleActionFail, match='domains'):
        _action({'provider': {'type': 'zonefile', 'directory': zones}}).run(task_vars={})


@pytest.mark.parametrize('transport, async_val', [('ssh', 0), ('local', 30)])
def test_remote_connection_or_async_runs_the_module(zones, monkeypatch, transport, async_val):
    args = {'provider': {'type': 'zonefile', 'directory': zones}, 'domains': [{'domain': 'example.test', 'parked': True}]}
    action = _action(args, transport=transport, async_val=async_val)
    calls = []
    monkeypatch.setattr(action, '_execute_module', lambda **kw: calls.append(kw) or {'changed': False, 'from': 'module'})
    monkeypatch.setattr(action, '_remove_tmp_path', lambda path: None)
    result = action.run(task_vars={})
    assert result['from'] == 'module'
    assert calls[0]['module_name'] == 'mailauth.rollout.mail_domains'
    assert calls[0]['module_args'] is args
    assert calls[0]['wrap_async'] is bool(async_val)
