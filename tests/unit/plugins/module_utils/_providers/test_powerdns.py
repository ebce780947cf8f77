# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PowerDNS provider: TXT content codec, retry policy, and list/apply against a real pdns_server.

Each server test starts its own pdns_server and fault proxy on free loopback ports: ansible-test
runs every test in a fork of its own and tests in parallel, so nothing may be shared between tests.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import threading
import urllib.request

import pytest

from ansible_collections.mailauth.rollout.plugins.module_utils import _portfolio
from ansible_collections.mailauth.rollout.plugins.module_utils._providers import powerdns
from ansible_collections.mailauth.rollout.plugins.module_utils._providers.base import Change, ProviderError, RRset
from ansible_collections.mailauth.rollout.plugins.module_utils._reconcile import Desired, decode_txt, reconcile_zone
from ansible_collections.mailauth.rollout.plugins.module_utils._records import spf, txt

UTILS = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'utils'))
sys.path.insert(0, UTILS)
from procs import free_port  # noqa: E402 pylint: disable=import-error,wrong-import-position
sys.path.remove(UTILS)
HAVE_PDNS = os.path.exists('/usr/sbin/pdns_server') and os.path.exists('/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql')
needs_pdns = pytest.mark.skipif(not HAVE_PDNS, reason='pdns_server with the sqlite3 backend is not installed')

ZONE = 'powerdns.test.'
KEEP = (b'google-site-verification=pdns-keep-me',)


# TXT content codec

def test_long_single_string_equals_same_text_split():
    text = 'v=DKIM1; k=rsa; p=' + 'A' * 380
    one = powerdns.txt_value('"%s"' % text)
    two = powerdns.txt_value('"%s" "%s"' % (text[:200], text[200:]))
    assert len(one) == 2 and all(len(s) <= 255 for s in one)
    assert one == tuple(txt.split_octets(text))
    assert decode_txt(one) == decode_txt(two) == text


def test_long_string_from_pdns_reconciles_without_change():
    text = 'v=spf1 ' + ' '.join('ip4:192.0.2.%d' % i for i in range(30)) + ' -all'
    assert len(text) > 255
    current = {(ZONE, 'TXT'): RRset(ZONE, 'TXT', 300, [KEEP, powerdns.txt_value('"%s"' % text)])}
    desired = Desired(ZONE, 'TXT', value=text, owns=spf.is_spf, ttl=300, label='SPF')
    assert not reconcile_zone(ZONE, current, [desired]).changed


@pytest.mark.parametrize('strings', [
    (b'v=spf1 -all',),
    (b'v=spf1 ', b'mx -all'),
    (b'',),
    (b'say "hi" \\ there', b';semicolon'),
    ('h\u00e9llo \u2603'.encode('utf-8'),),
    (b'\x00\x01\x7f\xff tab\there',),
    (b'A' * 255, b'B'),
])
def test_quote_strings_round_trip_keeps_strings(strings):
    content = txt.quote_strings(strings)
    assert content.isascii()
    assert tuple(txt.unquote_strings(content)) == strings
    assert powerdns.txt_value(content) == strings


def test_quote_strings_does_not_resplit():
    assert txt.quote_strings((b'v=spf1 mx', b' -all')) == '"v=spf1 mx" " -all"'
    assert txt.quote_strings((b'a"b\\c',)) == '"a\\"b\\\\c"'


# Retry policy

def test_backoff_is_bounded_and_honours_retry_after():
    for attempt in range(12):
        delay = powerdns.backoff_delay(attempt)
        ceiling = min(powerdns.BACKOFF_CAP, powerdns.BACKOFF_BASE * 2 ** attempt)
        assert ceiling / 2 <= delay <= ceiling
    assert powerdns.backoff_delay(0, retry_after=3) == 3
    assert powerdns.backoff_delay(0, retry_after=600) == powerdns.BACKOFF_CAP
    assert powerdns.retry_after_seconds('7') == 7
    assert powerdns.retry_after_seconds(None) is None
    assert powerdns.retry_after_seconds('soon') is None
    assert powerdns.retry_after_seconds('Wed, 21 Oct 2015 07:28:00 GMT') == 0


def test_options_are_checked_and_repr_hides_key():
    with pytest.raises(ProviderError, match='api_url'):
        powerdns.PowerDNSProvider({'api_key': 'k'})
    with pytest.raises(ProviderError, match='api_key'):
        powerdns.PowerDNSProvider({'api_url': 'http://127.0.0.1:1'})
    with pytest.raises(ProviderError, match='http'):
        powerdns.PowerDNSProvider({'api_url': 'ftp://x', 'api_key': 'k'})
    provider = powerdns.PowerDNSProvider({'api_url': 'http://127.0.0.1:1/', 'api_key': 'sekrit-key-123'})
    assert 'sekrit' not in repr(provider)
    assert provider.info.name == 'powerdns' and provider.info.txt_string_limit == 255


# Real server


@pytest.fixture
def pdns(tmp_path):
    sys.path.insert(0, UTILS)
    try:
        import services_pdns
    finally:
        sys.path.remove(UTILS)
    run = str(tmp_path / 'pdns')
    try:
        # Free ports can be taken between the probe and the bind when tests run in parallel: try again.
        for attempt in range(3):
            try:
                variables = services_pdns.start(run, api_port=free_port(), dns_port=free_port(udp_too=True),
                                                proxy_port=free_port(), bulk_zones=False)
                break
            except services_pdns.ServiceError:
                services_pdns.stop(run)
                if attempt == 2:
                    raise
        yield variables
    finally:
        services_pdns.stop(run)
        shutil.rmtree(run, ignore_errors=True)


def _provider(variables, via_proxy=False, **extra):
    options = {'api_url': variables['pdns_proxy_url' if via_proxy else 'pdns_api_url'], 'api_key': variables['pdns_api_key'],
               'server_id': 'localhost', 'timeout': 5.0, 'retries': 3}
    options.update(extra)
    return powerdns.PowerDNSProvider(options)


def _http(method, url, key, body=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={'X-API-Key': key, 'Content-Type': 'application/json'})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=5) as resp:
        data = resp.read()
        return json.loads(data) if data else None


def _fault(variables, **spec):
    return _http('POST' if spec else 'GET', variables['pdns_proxy_url'] + '/_fault', 'unused', spec or None)


def _spf_change(provider, text='v=spf1 mx -all'):
    current = provider.list_rrsets(ZONE, keys=[(ZONE, 'TXT')])
    desired = Desired(ZONE, 'TXT', value=text, owns=spf.is_spf, ttl=300, label='SPF')
    return reconcile_zone(ZONE, current, [desired]).changes


@pytest.fixture
def sleeps(monkeypatch):
    recorded = []
    monkeypatch.setattr(powerdns.time, 'sleep', recorded.append)
    return recorded


@needs_pdns
def test_find_zone_and_list(pdns):
    provider = _provider(pdns)
    assert provider.find_zone('_dmarc.PowerDNS.test') == ZONE
    assert provider.find_zone('powerdns.test') == ZONE
    with pytest.raises(ProviderError, match=r'no zone in PowerDNS server localhost holds mail\.example\.org\. \(zones: powerdns\.test\.\)'):
        provider.find_zone('mail.example.org')
    rrsets = provider.list_rrsets(ZONE)
    assert rrsets[(ZONE, 'TXT')] == RRset(ZONE, 'TXT', 300, [KEEP])
    assert (ZONE, 'SOA') in rrsets and (ZONE, 'NS') in rrsets
    assert list(provider.list_rrsets(ZONE, keys=[('POWERDNS.test', 'txt')])) == [(ZONE, 'TXT')]
    with pytest.raises(ProviderError, match=r'zone nope\.test\. does not exist in PowerDNS \(server localhost\)'):
        provider.list_rrsets('nope.test.')


@needs_pdns
def test_find_zone_prefers_longest(pdns):
    _http('POST', pdns['pdns_api_url'] + '/api/v1/servers/localhost/zones', pdns['pdns_api_key'],
          {'name': 'sub.powerdns.test.', 'kind': 'Native', 'nameservers': ['ns1.powerdns.test.']})
    provider = _provider(pdns)
    assert provider.find_zone('_dmarc.sub.powerdns.test') == 'sub.powerdns.test.'
    assert provider.find_zone('_dmarc.other.powerdns.test') == ZONE


@needs_pdns
def test_apply_round_trip_keeps_other_values(pdns):
    provider = _provider(pdns)
    long_dkim = 'v=DKIM1; k=rsa; p=' + 'M' * 390
    changes = _spf_change(provider)
    changes.append(Change(None, RRset('s1._domainkey.' + ZONE, 'TXT', 300, [tuple(txt.split_octets(long_dkim))])))
    changes.append(Change(None, RRset(ZONE, 'MX', 300, ['0 .'])))
    provider.apply(ZONE, changes)
    after = provider.list_rrsets(ZONE)
    assert after[(ZONE, 'TXT')].values == (KEEP, (b'v=spf1 mx -all',))
    assert decode_txt(after[('s1._domainkey.' + ZONE, 'TXT')].values[0]) == long_dkim
    assert after[(ZONE, 'MX')].values == ('0 .',)
    assert not _spf_change(provider)
    provider.apply(ZONE, [Change(after[(ZONE, 'MX')], None)])
    assert (ZONE, 'MX') not in provider.list_rrsets(ZONE)


@needs_pdns
def test_long_string_stored_by_hand_is_not_a_change(pdns):
    text = 'v=spf1 ' + ' '.join('ip4:198.51.100.%d' % i for i in range(25)) + ' -all'
    _http('PATCH', pdns['pdns_api_url'] + '/api/v1/servers/localhost/zones/' + ZONE, pdns['pdns_api_key'], {'rrsets': [
        {'name': ZONE, 'type': 'TXT', 'ttl': 300, 'changetype': 'REPLACE',
         'records': [{'content': '"google-site-verification=pdns-keep-me"', 'disabled': False},
                     {'content': '"%s"' % text, 'disabled': False}]}]})
    provider = _provider(pdns)
    assert decode_txt(provider.list_rrsets(ZONE)[(ZONE, 'TXT')].values[1]) == text
    assert not _spf_change(provider, text)


@needs_pdns
def test_changed_since_read_is_refused(pdns):
    provider = _provider(pdns)
    changes = _spf_change(provider)
    other = _provider(pdns)
    other.apply(ZONE, _spf_change(other, 'v=spf1 a -all'))
    with pytest.raises(ProviderError, match='changed since it was read.*nothing was applied') as err:
        provider.apply(ZONE, changes)
    assert err.value.zone == ZONE and not err.value.applied
    assert provider.list_rrsets(ZONE)[(ZONE, 'TXT')].values == (KEEP, (b'v=spf1 a -all',))


@needs_pdns
def test_rejected_content_reports_pdns_error(pdns):
    provider = _provider(pdns)
    with pytest.raises(ProviderError, match=r'HTTP 422: .*bogus'):
        provider.apply(ZONE, [Change(None, RRset('x.' + ZONE, 'MX', 300, ['bogus']))])


@needs_pdns
def test_wrong_key_is_rejected_without_echo(pdns):
    provider = _provider(pdns, api_key='wrong-key-0123456789abcdef')
    with pytest.raises(ProviderError, match='API key rejected') as err:
        provider.find_zone('powerdns.test')
    assert 'wrong-key' not in str(err.value) and pdns['pdns_api_key'] not in str(err.value)


@needs_pdns
def test_429_retry_after_is_honoured(pdns, sleeps):
    provider = _provider(pdns, via_proxy=True)
    changes = _spf_change(provider)
    _fault(pdns, status=429, count=2, retry_after=3)
    provider.apply(ZONE, changes)
    assert sleeps == [3, 3]
    state = _fault(pdns)
    assert state['served_faults'] == 2 and state['remaining'] == 0
    assert provider.list_rrsets(ZONE)[(ZONE, 'TXT')].values == (KEEP, (b'v=spf1 mx -all',))


@needs_pdns
def test_retry_after_is_capped_and_503_backs_off(pdns, sleeps):
    provider = _provider(pdns, via_proxy=True)
    _fault(pdns, status=429, count=1, retry_after=3600)
    provider.find_zone(ZONE)
    assert sleeps == [powerdns.BACKOFF_CAP]
    del sleeps[:]
    _fault(pdns, status=503, count=3, retry_after=None)
    provider.list_rrsets(ZONE)
    assert len(sleeps) == 3
    assert 0.1 <= sleeps[0] <= 0.2 and 0.2 <= sleeps[1] <= 0.4 and 0.4 <= sleeps[2] <= 0.8


def _arm_on_first_patch(provider, variables, **spec):
    """Inject the fault just before the PATCH, so the read that precedes it goes through; returns the methods called."""
    original = provider._once
    calls = []

    def once(method, path, body, mutating):
        if method == 'PATCH' and 'PATCH' not in calls:
            _fault(variables, **spec)
        calls.append(method)
        return original(method, path, body, mutating)

    provider._once = once
    return calls


@needs_pdns
def test_exhausted_retries_name_zone_not_key(pdns, sleeps):
    provider = _provider(pdns, via_proxy=True, retries=2)
    changes = _spf_change(provider)
    calls = _arm_on_first_patch(provider, pdns, status=503, count=10, retry_after=None)
    with pytest.raises(ProviderError) as err:
        provider.apply(ZONE, changes)
    message = str(err.value)
    assert calls == ['GET', 'PATCH', 'PATCH', 'PATCH']
    assert 'zone %s' % ZONE in message and 'PATCH /api/v1/servers/localhost/zones/powerdns.test. failed 3 times' in message
    assert 'HTTP 503' in message and 'nothing was applied' in message and not err.value.applied
    assert pdns['pdns_api_key'] not in message and pdns['pdns_api_key'] not in repr(err.value)
    assert len(sleeps) == 2
    _fault(pdns, status=503, count=0)
    assert provider.list_rrsets(ZONE)[(ZONE, 'TXT')].values == (KEEP,)
    provider.apply(ZONE, changes)
    assert provider.list_rrsets(ZONE)[(ZONE, 'TXT')].values == (KEEP, (b'v=spf1 mx -all',))


@needs_pdns
def test_patch_refused_429_then_exhausted_says_not_applied(pdns, sleeps):
    provider = _provider(pdns, via_proxy=True, retries=1)
    changes = _spf_change(provider)
    calls = _arm_on_first_patch(provider, pdns, status=429, count=5, retry_after=0)
    with pytest.raises(ProviderError, match='nothing was applied') as err:
        provider.apply(ZONE, changes)
    assert calls == ['GET', 'PATCH', 'PATCH'] and sleeps == [0]
    assert not err.value.applied and 'HTTP 429' in str(err.value)


def _silent_server():
    """A TCP server that accepts connections and never answers: every request times out."""
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(16)
    held = []
    stop = threading.Event()

    def serve():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except socket.timeout:
                continue
            except OSError:
                break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def close():
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()
    return listener.getsockname()[1], close


def test_unanswered_patch_may_have_been_applied(sleeps):
    port, close = _silent_server()
    try:
        provider = powerdns.PowerDNSProvider({'api_url': 'http://127.0.0.1:%d' % port, 'api_key': 'k-secret-value',
                                              'timeout': 0.3, 'retries': 1})
        with pytest.raises(ProviderError) as err:
            provider._call('PATCH', provider._zone_path(ZONE), zone=ZONE, body={'rrsets': []})
        assert 'timed out' in str(err.value) and 'may have been applied; a rerun converges' in str(err.value)
        assert err.value.applied and len(sleeps) == 1
        with pytest.raises(ProviderError, match='nothing was applied'):
            provider.list_rrsets(ZONE)
    finally:
        close()


def test_connection_refused_is_retried_then_reported(sleeps):
    port = free_port()
    provider = powerdns.PowerDNSProvider({'api_url': 'http://127.0.0.1:%d' % port, 'api_key': 'k-secret-value', 'retries': 2})
    with pytest.raises(ProviderError) as err:
        provider._call('PATCH', provider._zone_path(ZONE), zone=ZONE, body={'rrsets': []})
    assert 'Connection refused' in str(err.value) and 'nothing was applied' in str(err.value)
    assert not err.value.applied and len(sleeps) == 2 and 'k-secret-value' not in str(err.value)


@needs_pdns
def test_many_zones_from_threads(pdns):
    zones = ['t%02d.test' % i for i in range(12)]
    for zone in zones:
        _http('POST', pdns['pdns_api_url'] + '/api/v1/servers/localhost/zones', pdns['pdns_api_key'],
              {'name': zone + '.', 'kind': 'Native', 'nameservers': ['ns1.%s.' % zone]})
    provider = _provider(pdns)
    entries = [{'domain': zone, 'spf': {'value': 'v=spf1 -all'}, 'null_mx': True} for zone in zones]
    results, stats = _portfolio.converge(provider, entries, concurrency=8)
    assert [r.error for r in results] == [None] * len(zones)
    assert stats['zones_changed'] == len(zones)
    results, stats = _portfolio.converge(_provider(pdns), entries, concurrency=8)
    assert stats['zones_changed'] == 0 and not any(r.changed for r in results)
