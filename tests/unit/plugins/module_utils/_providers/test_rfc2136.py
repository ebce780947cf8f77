# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RFC 2136 provider: key files, options, and reads/updates against a real named.

Each server test starts its own named on free loopback ports (tests/utils/services_bind.py):
ansible-test runs every test in a fork of its own and tests in parallel, so nothing is shared.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading

import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.tsig
import dns.update
import pytest

from ansible_collections.mailauth.rollout.plugins.module_utils import _portfolio
from ansible_collections.mailauth.rollout.plugins.module_utils._providers import rfc2136
from ansible_collections.mailauth.rollout.plugins.module_utils._providers.base import Change, ProviderError, RRset

UTILS = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'utils'))
sys.path.insert(0, UTILS)
from procs import free_port  # noqa: E402 pylint: disable=import-error,wrong-import-position
sys.path.remove(UTILS)
HAVE_NAMED = bool(shutil.which('named') or os.path.exists('/usr/sbin/named')) and bool(
    shutil.which('tsig-keygen') or os.path.exists('/usr/sbin/tsig-keygen'))
needs_named = pytest.mark.skipif(not HAVE_NAMED, reason='BIND (named, tsig-keygen) is not installed')

ZONE = 'rfc2136.test.'
KEEP = (b'google-site-verification=Xq2_keep-me-byte-for-byte',)
SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I='

KEY_FILE = '''key "test-key" {
\talgorithm hmac-sha256;
\tsecret "%s";
};
''' % SECRET


# key files and options

def _write(tmp_path, text, name='k.key'):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_key_file_as_written_by_tsig_keygen(tmp_path):
    assert rfc2136.parse_key_file(_write(tmp_path, KEY_FILE)) == ('test-key', 'hmac-sha256', SECRET)


def test_key_file_with_comments_several_keys_and_unquoted_name(tmp_path):
    text = ('# managed by hand\n// two keys\n/* block\n comment */\n'
            'key other { algorithm "HMAC-SHA512"; secret "%s"; };\n' % SECRET + KEY_FILE)
    path = _write(tmp_path, text)
    assert rfc2136.parse_key_file(path, want='other') == ('other', 'hmac-sha512', SECRET)
    assert rfc2136.parse_key_file(path, want='test-key.')[0] == 'test-key'
    with pytest.raises(ProviderError, match='holds 2 keys'):
        rfc2136.parse_key_file(path)
    with pytest.raises(ProviderError, match='no key named nope'):
        rfc2136.parse_key_file(path, want='nope')


@pytest.mark.parametrize('text, message', [
    ('', 'malformed'),
    ('secret "%s";\n' % SECRET, 'malformed'),
    ('key "k" { algorithm hmac-sha256; };\n', 'needs both'),
    ('key "k" { secret "%s"; };\n' % SECRET, 'needs both'),
    ('key "k" { algorithm hmac-sha256; secret "%s" };\n' % SECRET, 'needs both'),
    ('key "k" { algorithm hmac-sha256; secret "%s"; }\n' % SECRET, 'malformed'),
])
def test_malformed_key_file_is_refused_without_the_secret(tmp_path, text, message):
    with pytest.raises(ProviderError, match=message) as info:
        rfc2136.parse_key_file(_write(tmp_path, text))
    assert SECRET not in str(info.value)


def test_missing_key_file(tmp_path):
    with pytest.raises(ProviderError, match='cannot read TSIG key file'):
        rfc2136.parse_key_file(str(tmp_path / 'absent.key'))


def test_key_file_algorithm_and_secret_are_checked(tmp_path):
    bad_alg = _write(tmp_path, 'key "k" { algorithm hmac-md5; secret "%s"; };' % SECRET, 'md5.key')
    with pytest.raises(ProviderError, match='hmac-md5 .* not supported'):
        rfc2136.RFC2136Provider(dict(server='127.0.0.1', key_file=bad_alg))
    bad_b64 = _write(tmp_path, 'key "k" { algorithm hmac-sha256; secret "not base64!"; };', 'b64.key')
    with pytest.raises(ProviderError, match='not valid base64') as info:
        rfc2136.RFC2136Provider(dict(server='127.0.0.1', key_file=bad_b64))
    assert 'not base64!' not in str(info.value)


@pytest.mark.parametrize('options, message', [
    (dict(), 'needs server'),
    (dict(server='127.0.0.1', key_name='k'), 'both key_name and key_secret'),
    (dict(server='127.0.0.1', key_secret=SECRET), 'both key_name and key_secret'),
    (dict(server='127.0.0.1', key_name='k', key_secret=SECRET, key_file='/nonexistent'), 'key_file or key_secret'),
    (dict(server='127.0.0.1', key_name='k', key_secret='%%%%'), 'not valid base64'),
    (dict(server='127.0.0.1', retries=-1), 'retries'),
    (dict(server='127.0.0.1', timeout=0), 'timeout'),
])
def test_options_are_checked(options, message):
    with pytest.raises(ProviderError, match=message) as info:
        rfc2136.RFC2136Provider(options)
    assert SECRET not in str(info.value)


def test_secret_is_kept_out_of_repr_and_options(tmp_path):
    provider = rfc2136.RFC2136Provider(dict(server='127.0.0.1', key_name='test-key', key_secret=SECRET))
    from_file = rfc2136.RFC2136Provider(dict(server='127.0.0.1', key_file=_write(tmp_path, KEY_FILE)))
    for p in (provider, from_file):
        assert SECRET not in repr(p) and SECRET not in str(p.options) and SECRET not in repr(p.__dict__)
        assert 'test-key' in repr(p)


def test_find_zone_with_zone_option_needs_no_server():
    provider = rfc2136.RFC2136Provider(dict(server='127.0.0.1', port=9, zone='Example.TEST'))
    assert provider.find_zone('_dmarc.example.test') == 'example.test.'
    assert provider.find_zone('example.test.') == 'example.test.'
    with pytest.raises(ProviderError, match='not inside the zone example.test.'):
        provider.find_zone('badexample.test')


def test_update_message_pins_what_was_read():
    provider = rfc2136.RFC2136Provider(dict(server='127.0.0.1', key_name='test-key', key_secret=SECRET))
    before = RRset(ZONE, 'TXT', 300, [KEEP])
    after = RRset(ZONE, 'TXT', 600, [KEEP, (b'v=spf1 ', b'mx -all')])
    message = provider.build_update(ZONE, [Change(before, after), Change(None, RRset(ZONE, 'MX', 300, ['0 .'])),
                                           Change(RRset('old.' + ZONE, 'TXT', 300, [(b'x',)]), None)])
    text = message.to_text()
    prereq = text.split(';PREREQ')[1].split(';UPDATE')[0]
    update = text.split(';UPDATE')[1]
    # Value-dependent prerequisite with TTL 0 (RFC 2136 §2.4.2), absence of the new RRset (§2.4.3).
    assert 'rfc2136.test. 0 IN TXT "google-site-verification=Xq2_keep-me-byte-for-byte"' in prereq
    assert '\nrfc2136.test. NONE MX' in prereq
    assert 'old.rfc2136.test. 0 IN TXT "x"' in prereq
    # The wire strings are sent as they are, never re-split.
    assert 'rfc2136.test. 600 IN TXT "v=spf1 " "mx -all"' in update
    assert 'old.rfc2136.test. ANY TXT' in update
    assert message.keyname.to_text() == 'test-key.'


# against a real named


@pytest.fixture
def bind(tmp_path):
    sys.path.insert(0, UTILS)
    try:
        import services_bind  # pylint: disable=import-error
    finally:
        sys.path.remove(UTILS)
    port = free_port(udp_too=True)
    run = tmp_path / 'run'
    variables = services_bind.start(str(run), port=port, second=False)
    try:
        yield variables
    finally:
        services_bind.stop_instance(variables['bind_pid_file'], port)


def _provider(variables, **extra):
    options = dict(server='127.0.0.1', port=variables['bind_port'], key_name=variables['bind_key_name'],
                   key_secret=variables['bind_key_secret'], timeout=5.0, retries=2)
    options.update(extra)
    return rfc2136.RFC2136Provider(options)


def _served(variables, name, rtype='TXT'):
    """What named serves, read independently of the provider."""
    response = dns.query.tcp(dns.message.make_query(name, rtype), '127.0.0.1', port=variables['bind_port'], timeout=5)
    rrset = response.get_rrset(response.answer, dns.name.from_text(name), dns.rdataclass.IN, dns.rdatatype.from_text(rtype))
    if rrset is None:
        return set()
    return set(tuple(rd.strings) if rrset.rdtype == dns.rdatatype.TXT else rd.to_text() for rd in rrset)


def _raw_update(variables, zone, name, *txt):
    keyring = dns.tsig.Key(variables['bind_key_name'], variables['bind_key_secret'], variables['bind_key_algorithm'])
    message = dns.update.UpdateMessage(zone, keyring=keyring)
    message.add(name, 300, 'TXT', *txt)
    response = dns.query.tcp(message, '127.0.0.1', port=variables['bind_port'], timeout=5)
    assert response.rcode() == dns.rcode.NOERROR


@pytest.fixture
def sleeps(monkeypatch):
    calls = []
    monkeypatch.setattr(rfc2136.time, 'sleep', calls.append)
    return calls


def _assert_no_secret(error, variables):
    text = '%s %r %r' % (error, error, error.args)
    assert variables['bind_key_secret'] not in text
    assert variables['bind_bad_key_secret'] not in text


@needs_named
def test_find_zone_by_soa_walk(bind):
    provider = _provider(bind)
    assert provider.find_zone('rfc2136.test') == ZONE
    assert provider.find_zone('s1._domainkey.sub.rfc2136.test') == ZONE
    assert provider.find_zone('_dmarc.bulk07.test') == 'bulk07.test.'
    with pytest.raises(ProviderError, match='no zone on 127.0.0.1:%d holds nothere.example.' % bind['bind_port']):
        provider.find_zone('nothere.example')


@needs_named
def test_finding_the_zone_costs_no_query_of_its_own(bind, monkeypatch):
    provider = _provider(bind)
    asked = []
    original = provider._query

    def counting(conn, name, rdtype):
        asked.append((name.to_text(), dns.rdatatype.to_text(rdtype)))
        return original(conn, name, rdtype)
    monkeypatch.setattr(provider, '_query', counting)
    zone = provider.find_zone(ZONE)
    read = provider.list_rrsets(zone, [(ZONE, 'TXT'), ('_dmarc.' + ZONE, 'TXT')])
    # The TXT answer that named the zone (NS in its authority section) is the one list_rrsets uses.
    assert zone == ZONE
    assert asked == [(ZONE, 'TXT'), ('_dmarc.' + ZONE, 'TXT')]
    assert KEEP in read[(ZONE, 'TXT')].values
    # Used once: a second read asks the server again.
    provider.list_rrsets(zone, [(ZONE, 'TXT')])
    assert asked[-1] == (ZONE, 'TXT') and len(asked) == 3
    # A name with no TXT: the SOA of the negative answer names the zone.
    assert provider.find_zone('nothing-here.' + ZONE) == ZONE
    assert asked[-1] == ('nothing-here.' + ZONE, 'TXT')


@needs_named
def test_list_by_queries_and_by_axfr(bind):
    keys = [(ZONE, 'TXT'), (ZONE, 'MX'), ('_dmarc.' + ZONE, 'TXT'), ('www.' + ZONE, 'A')]
    by_query = _provider(bind).list_rrsets(ZONE, keys)
    by_axfr = _provider(bind, axfr=True).list_rrsets(ZONE, keys)
    assert by_query == by_axfr == {
        (ZONE, 'TXT'): RRset(ZONE, 'TXT', 300, [KEEP]),
        ('www.' + ZONE, 'A'): RRset('www.' + ZONE, 'A', 300, ['192.0.2.80']),
    }
    everything = _provider(bind, key_file=bind['bind_key_file'], key_name=None, key_secret=None).list_rrsets(ZONE)
    assert (ZONE, 'SOA') in everything and (ZONE, 'NS') in everything


@needs_named
def test_apply_round_trip_keeps_strings_and_other_values(bind):
    provider = _provider(bind)
    current = provider.list_rrsets(ZONE, [(ZONE, 'TXT'), (ZONE, 'MX')])
    after = RRset(ZONE, 'TXT', 300, [KEEP, (b'v=spf1 ', b'mx -all')])
    provider.apply(ZONE, [Change(current[(ZONE, 'TXT')], after), Change(None, RRset(ZONE, 'MX', 300, ['0 .']))])
    assert _served(bind, ZONE) == {KEEP, (b'v=spf1 ', b'mx -all')}
    assert _served(bind, ZONE, 'MX') == {'0 .'}
    again = provider.list_rrsets(ZONE, [(ZONE, 'TXT'), (ZONE, 'MX')])
    provider.apply(ZONE, [Change(again[(ZONE, 'TXT')], current[(ZONE, 'TXT')]), Change(again[(ZONE, 'MX')], None)])
    assert _served(bind, ZONE) == {KEEP}
    assert _served(bind, ZONE, 'MX') == set()


@needs_named
def test_changed_between_read_and_write_fails_the_prerequisite(bind):
    provider = _provider(bind)
    before = provider.list_rrsets(ZONE, [(ZONE, 'TXT'), ('_dmarc.' + ZONE, 'TXT')])
    # Someone else adds a value at the apex and creates the DMARC record after we read.
    _raw_update(bind, ZONE, ZONE, '"v=spf1 -all"')
    _raw_update(bind, ZONE, '_dmarc.' + ZONE, '"v=DMARC1; p=none"')
    changes = [Change(before[(ZONE, 'TXT')], RRset(ZONE, 'TXT', 300, [KEEP, (b'v=spf1 mx -all',)])),
               Change(None, RRset('_dmarc.' + ZONE, 'TXT', 300, [(b'v=DMARC1; p=reject',)]))]
    with pytest.raises(ProviderError) as info:
        provider.apply(ZONE, changes)
    message = str(info.value)
    assert 'prerequisite failed' in message and 'zone %s' % ZONE in message and 'nothing was applied, run again' in message
    assert info.value.zone == ZONE and info.value.applied is False
    _assert_no_secret(info.value, bind)
    assert _served(bind, ZONE) == {KEEP, (b'v=spf1 -all',)}
    assert _served(bind, '_dmarc.' + ZONE) == {(b'v=DMARC1; p=none',)}


@needs_named
def test_wildcard_answers_are_explained_and_axfr_reads_the_real_records(bind):
    _raw_update(bind, ZONE, '*._domainkey.' + ZONE, '"v=DKIM1; p="')
    name = 's1._domainkey.' + ZONE
    desired = RRset(name, 'TXT', 300, [(b'v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',)])
    provider = _provider(bind)
    synthesized = provider.list_rrsets(ZONE, [(name, 'TXT')])
    assert synthesized == {(name, 'TXT'): RRset(name, 'TXT', 300, [(b'v=DKIM1; p=',)])}
    with pytest.raises(ProviderError, match=r'synthesized from a wildcard record \(set axfr: true'):
        provider.apply(ZONE, [Change(synthesized[(name, 'TXT')], desired)])
    exact = _provider(bind, axfr=True)
    assert exact.list_rrsets(ZONE, [(name, 'TXT')]) == {}
    exact.apply(ZONE, [Change(None, desired)])
    assert _served(bind, name) == {desired.values[0]}


@needs_named
def test_wrong_secret_is_a_tsig_error_and_changes_nothing(bind):
    provider = _provider(bind, key_secret=bind['bind_bad_key_secret'], zone=ZONE)
    with pytest.raises(ProviderError, match='rejected the TSIG key test-key') as info:
        provider.apply(ZONE, [Change(None, RRset('_dmarc.' + ZONE, 'TXT', 300, [(b'v=DMARC1; p=none',)]))])
    assert 'nothing was applied' in str(info.value)
    _assert_no_secret(info.value, bind)
    assert _served(bind, '_dmarc.' + ZONE) == set()


@needs_named
def test_key_without_grant_and_no_key_are_refused(bind):
    change = [Change(None, RRset('_dmarc.' + ZONE, 'TXT', 300, [(b'v=DMARC1; p=none',)]))]
    other = _provider(bind, key_name=bind['bind_other_key_name'], key_secret=bind['bind_other_key_secret'])
    with pytest.raises(ProviderError, match='refused the update signed with key other-key') as info:
        other.apply(ZONE, change)
    assert bind['bind_other_key_secret'] not in str(info.value)
    unsigned = _provider(bind, key_name=None, key_secret=None)
    with pytest.raises(ProviderError, match='unsigned update'):
        unsigned.apply(ZONE, change)
    assert _served(bind, '_dmarc.' + ZONE) == set()


@needs_named
def test_closed_port_is_retried_with_backoff_then_reported(bind, sleeps):
    provider = _provider(bind, port=free_port(), retries=2, timeout=0.5, zone=ZONE)
    with pytest.raises(ProviderError) as info:
        provider.apply(ZONE, [Change(None, RRset(ZONE, 'MX', 300, ['0 .']))])
    message = str(info.value)
    assert message.startswith('zone %s:' % ZONE)
    assert 'after 3 attempts' in message and 'connection refused' in message and 'nothing was applied to this zone' in message
    assert info.value.applied is False
    _assert_no_secret(info.value, bind)
    # Two waits, each base * 2**n with jitter in [50 %, 100 %].
    assert len(sleeps) == 2
    assert 0.1 <= sleeps[0] <= 0.2 and 0.2 <= sleeps[1] <= 0.4


def test_backoff_is_capped(monkeypatch, sleeps):
    monkeypatch.setattr(rfc2136.random, 'random', lambda: 1.0)
    provider = rfc2136.RFC2136Provider(dict(server='127.0.0.1'))
    for attempt in range(1, 10):
        provider._backoff(attempt)
    assert sleeps[:3] == [0.2, 0.4, 0.8]
    assert max(sleeps) == rfc2136.RETRY_CAP


class _Proxy(object):
    """TCP DNS proxy in front of named that can lose the reply to an UPDATE or close connections early."""

    def __init__(self, upstream, lose_update_replies=0, close_after=None, silent=False):
        self.upstream = upstream
        self.lose = lose_update_replies
        self.close_after = close_after
        self.silent = silent
        self.updates = 0
        self.connections = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    @staticmethod
    def _read(sock):
        head = b''
        while len(head) < 2:
            chunk = sock.recv(2 - len(head))
            if not chunk:
                return None
            head += chunk
        size, body = int.from_bytes(head, 'big'), b''
        while len(body) < size:
            chunk = sock.recv(size - len(body))
            if not chunk:
                return None
            body += chunk
        return body

    def _accept(self):
        while True:
            try:
                client, dummy = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            if self.silent:
                self.held.append(client)
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        with client, socket.create_connection(('127.0.0.1', self.upstream), timeout=5) as upstream:
            answered = 0
            while True:
                request = self._read(client)
                if request is None:
                    return
                upstream.sendall(len(request).to_bytes(2, 'big') + request)
                reply = self._read(upstream)
                if (request[2] >> 3) & 0xF == 5:
                    self.updates += 1
                    if self.updates <= self.lose:
                        return
                client.sendall(len(reply).to_bytes(2, 'big') + reply)
                answered += 1
                if self.close_after and answered >= self.close_after:
                    return

    def close(self):
        self.listener.close()
        for sock in self.held:
            sock.close()


@pytest.fixture
def proxies():
    made = []
    yield made
    for proxy in made:
        proxy.close()


@needs_named
def test_lost_reply_to_an_applied_update_counts_as_success(bind, sleeps, proxies):
    proxy = _Proxy(bind['bind_port'], lose_update_replies=1)
    proxies.append(proxy)
    provider = _provider(bind, port=proxy.port)
    before = provider.list_rrsets(ZONE, [(ZONE, 'TXT')])[(ZONE, 'TXT')]
    after = RRset(ZONE, 'TXT', 300, [KEEP, (b'v=spf1 -all',)])
    # The first UPDATE is applied but its reply lost; the retry fails its prerequisite because of our own change.
    provider.apply(ZONE, [Change(before, after)])
    assert proxy.updates == 2 and len(sleeps) == 1
    assert _served(bind, ZONE) == {KEEP, (b'v=spf1 -all',)}


@needs_named
def test_lost_reply_and_a_different_change_is_a_prerequisite_failure(bind, sleeps, proxies):
    proxy = _Proxy(bind['bind_port'], lose_update_replies=1)
    proxies.append(proxy)
    provider = _provider(bind, port=proxy.port)
    before = provider.list_rrsets(ZONE, [(ZONE, 'TXT')])[(ZONE, 'TXT')]
    after = RRset(ZONE, 'TXT', 300, [KEEP, (b'v=spf1 -all',)])
    original = rfc2136.RFC2136Provider._server_has

    def meddle(self, zone, changes, side):
        # Between the lost reply and the re-read someone else changes the RRset again.
        _raw_update(bind, ZONE, ZONE, '"other"')
        return original(self, zone, changes, side)

    rfc2136.RFC2136Provider._server_has = meddle
    try:
        with pytest.raises(ProviderError, match='prerequisite failed'):
            provider.apply(ZONE, [Change(before, after)])
    finally:
        rfc2136.RFC2136Provider._server_has = original


@needs_named
def test_server_closing_a_used_connection_is_reconnected_once(bind, proxies):
    proxy = _Proxy(bind['bind_port'], close_after=1)
    proxies.append(proxy)
    provider = _provider(bind, port=proxy.port, retries=0)
    keys = [(ZONE, 'TXT'), (ZONE, 'MX'), ('www.' + ZONE, 'A')]
    assert provider.list_rrsets(ZONE, keys) == _provider(bind).list_rrsets(ZONE, keys)
    assert proxy.connections == 3


@needs_named
def test_silent_server_times_out(bind, sleeps, proxies):
    proxy = _Proxy(bind['bind_port'], silent=True)
    proxies.append(proxy)
    provider = _provider(bind, port=proxy.port, retries=1, timeout=0.2)
    with pytest.raises(ProviderError, match='reading records on server 127.0.0.1:%d failed after 2 attempts \\(last error: timed out\\)' % proxy.port):
        provider.list_rrsets(ZONE, [(ZONE, 'TXT')])
    assert len(sleeps) == 1


@needs_named
def test_many_zones_from_threads(bind):
    provider = _provider(bind)
    entries = [dict(domain=zone, spf=dict(value='v=spf1 mx -all'), dmarc=dict(p='reject', rua=['mailto:a@example.org', 'mailto:b@example.org']))
               for zone in bind['bind_bulk_zones']]
    results, stats = _portfolio.converge(provider, entries, concurrency=8)
    assert [r.error for r in results if r.error] == []
    assert stats['zones'] == 50 and stats['zones_changed'] == 50
    results, stats = _portfolio.converge(provider, entries, concurrency=8)
    assert stats['zones_changed'] == 0 and not any(r.changed for r in results)
    provider.close()
    assert _served(bind, 'bulk50.test.') == {(b'v=spf1 mx -all',)}
    assert _served(bind, '_dmarc.bulk01.test.') == {(b'v=DMARC1; p=reject; rua=mailto:a@example.org,mailto:b@example.org',)}


@needs_named
def test_primary_stopping_mid_run_fails_the_rest_and_a_rerun_converges(bind, sleeps):
    sys.path.insert(0, UTILS)
    try:
        import services_bind  # pylint: disable=import-error
    finally:
        sys.path.remove(UTILS)
    provider = _provider(bind, retries=1, timeout=1.0)
    entries = [dict(domain=zone, spf=dict(value='v=spf1 a -all')) for zone in bind['bind_bulk_zones']]
    done = []

    def stop_after_ten(zone, plan):
        done.append(zone)
        if len(done) == 10:
            services_bind.stop_instance(bind['bind_pid_file'], bind['bind_port'])

    results, stats = _portfolio.converge(provider, entries, concurrency=1, on_zone=stop_after_ten)
    failed = [r for r in results if r.error]
    assert stats['zones_changed'] == 10 and stats['zones_failed'] == 40 and len(failed) == 40
    for result in failed:
        assert result.error.startswith('zone %s: ' % result.zone) and not result.error.startswith('zone %s: zone ' % result.zone)
        assert 'connection refused' in result.error and 'nothing was applied to this zone' in result.error
    services_bind.launch(bind['bind_named_conf'], bind['bind_pid_file'], bind['bind_log'], bind['bind_port'], 'rfc2136.test')
    results, stats = _portfolio.converge(provider, entries, concurrency=8)
    assert stats['zones_changed'] == 40 and not any(r.error for r in results)
    results, stats = _portfolio.converge(provider, entries, concurrency=8)
    assert stats['zones_changed'] == 0
    assert _served(bind, 'bulk01.test.') == _served(bind, 'bulk50.test.') == {(b'v=spf1 a -all',)}


class _RecordingConnection(object):
    """Answers like a server with allow-query { key ...; }: REFUSED unless the query is signed."""

    def __init__(self):
        self.signed = []

    def send(self, message):
        self.signed.append(message.had_tsig or message.keyring is not None)
        response = dns.message.make_response(message)
        if not self.signed[-1]:
            response.set_rcode(dns.rcode.REFUSED)
        return response


def test_reads_are_unsigned_until_the_server_refuses_them():
    provider = rfc2136.RFC2136Provider(dict(server='127.0.0.1', key_name='test-key', key_secret=SECRET))
    conn = _RecordingConnection()
    name = dns.name.from_text('example.test.')
    first = provider._query(conn, name, dns.rdatatype.TXT)
    second = provider._query(conn, name, dns.rdatatype.TXT)
    # unsigned, refused -> signed; then signed straight away
    assert conn.signed == [False, True, True]
    assert first.rcode() == dns.rcode.NOERROR and second.rcode() == dns.rcode.NOERROR


def test_sign_queries_signs_every_read():
    provider = rfc2136.RFC2136Provider(dict(server='127.0.0.1', key_name='test-key', key_secret=SECRET, sign_queries=True))
    conn = _RecordingConnection()
    provider._query(conn, dns.name.from_text('example.test.'), dns.rdatatype.TXT)
    assert conn.signed == [True]


def test_without_a_key_a_refused_read_is_not_retried():
    provider = rfc2136.RFC2136Provider(dict(server='127.0.0.1'))
    conn = _RecordingConnection()
    response = provider._query(conn, dns.name.from_text('example.test.'), dns.rdatatype.TXT)
    assert conn.signed == [False]
    assert response.rcode() == dns.rcode.REFUSED
