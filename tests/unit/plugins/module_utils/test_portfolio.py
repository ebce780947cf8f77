# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _portfolio: many domains converged per zone, concurrently, with the zone-file provider."""

from __future__ import annotations

import collections
import threading

import pytest

from ansible_collections.mailauth.rollout.plugins.module_utils import _portfolio
from ansible_collections.mailauth.rollout.plugins.module_utils._providers import zonefile
from ansible_collections.mailauth.rollout.plugins.module_utils._records.errors import RecordError

ZONE_TEMPLATE = (
    '; test zone {zone}\n'
    '$TTL 3600\n'
    '@ IN SOA ns1.{zone}. hostmaster.{zone}. 2026010101 7200 3600 1209600 300\n'
    '  IN NS ns1.{zone}.\n'
    '  IN TXT "site-verification={zone}"\n'
    'ns1 IN A 192.0.2.53\n'
)


class CountingProvider(zonefile.ZoneFileProvider):
    """The zone-file provider, counting apply calls per zone (thread-safe)."""

    def __init__(self, options):
        super().__init__(options)
        self.applied = collections.Counter()
        self.threads = set()
        self._count_lock = threading.Lock()

    def apply(self, zone, changes):
        with self._count_lock:
            self.applied[zone] += 1
            self.threads.add(threading.current_thread().name)
        return super().apply(zone, changes)


def make_zones(directory, zones, extra=''):
    for zone in zones:
        (directory / ('%s.zone' % zone)).write_text(ZONE_TEMPLATE.format(zone=zone) + extra, encoding='utf-8')


def snapshot(directory):
    return dict((p.name, p.read_bytes()) for p in sorted(directory.iterdir()) if not p.name.endswith('.lock'))


ZONES = ['d%02d.example' % i for i in range(20)]


def entries_for(zones):
    return [{'domain': zone, 'spf': {'value': 'v=spf1 mx -all'}, 'dmarc': {'p': 'none', 'rua': ['mailto:dmarc@%s' % zone]}}
            for zone in zones]


def test_twenty_zones_concurrency_4_then_idempotent(tmp_path):
    make_zones(tmp_path, ZONES)
    provider = CountingProvider({'directory': str(tmp_path)})
    results, stats = _portfolio.converge(provider, entries_for(ZONES), concurrency=4)
    assert stats == {'zones': 20, 'zones_changed': 20, 'zones_failed': 0}
    assert dict(provider.applied) == dict(('%s.' % z, 1) for z in ZONES)
    assert [r.domain for r in results] == ZONES
    for res in results:
        assert res.error is None
        assert res.changed is True
        assert res.zone == res.domain + '.'
        assert [(r['kind'], r['changed']) for r in res.records] == [('SPF', True), ('DMARC', True)]
    got = provider.list_rrsets('d07.example.')
    assert got[('d07.example.', 'TXT')].values == ((b'site-verification=d07.example',), (b'v=spf1 mx -all',))
    assert got[('_dmarc.d07.example.', 'TXT')].values == ((b'v=DMARC1; p=none; rua=mailto:dmarc@d07.example',),)
    assert results[7].diff == {
        'before': 'd07.example. 3600 IN TXT "site-verification=d07.example"\n',
        'after': ('d07.example. 3600 IN TXT "site-verification=d07.example"\nd07.example. 3600 IN TXT "v=spf1 mx -all"\n'
                  '_dmarc.d07.example. 3600 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@d07.example"\n'),
    }

    files = snapshot(tmp_path)
    again = CountingProvider({'directory': str(tmp_path)})
    results, stats = _portfolio.converge(again, entries_for(ZONES), concurrency=4)
    assert stats == {'zones': 20, 'zones_changed': 0, 'zones_failed': 0}
    assert sum(again.applied.values()) == 0
    assert all(r.changed is False and r.error is None for r in results)
    assert all(r.diff == {'before': '', 'after': ''} for r in results)
    assert snapshot(tmp_path) == files


def test_concurrency_uses_worker_threads(tmp_path):
    make_zones(tmp_path, ZONES[:8])
    provider = CountingProvider({'directory': str(tmp_path)})
    _portfolio.converge(provider, entries_for(ZONES[:8]), concurrency=4)
    assert sum(provider.applied.values()) == 8
    assert threading.current_thread().name not in provider.threads
    assert 1 <= len(provider.threads) <= 4


def test_check_mode_applies_nothing(tmp_path):
    make_zones(tmp_path, ZONES)
    files = snapshot(tmp_path)
    provider = CountingProvider({'directory': str(tmp_path)})
    results, stats = _portfolio.converge(provider, entries_for(ZONES), check_mode=True, concurrency=4)
    assert sum(provider.applied.values()) == 0
    assert snapshot(tmp_path) == files
    assert stats == {'zones': 20, 'zones_changed': 20, 'zones_failed': 0}
    assert all(r.changed is True for r in results)
    assert results[0].diff['after'].endswith('_dmarc.d00.example. 3600 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@d00.example"\n')


def test_invalid_entry_and_missing_zone_do_not_stop_the_others(tmp_path):
    make_zones(tmp_path, ZONES[:5])
    entries = entries_for(ZONES[:2]) + [
        {'domain': 'bad..example', 'spf': {'value': 'v=spf1 -all'}},
        {'domain': 'nozone.test', 'spf': {'value': 'v=spf1 -all'}},
    ] + entries_for(ZONES[2:5])
    provider = CountingProvider({'directory': str(tmp_path)})
    results, stats = _portfolio.converge(provider, entries, concurrency=4)
    assert [r.domain for r in results] == ['d00.example', 'd01.example', 'bad..example', 'nozone.test', 'd02.example', 'd03.example',
                                           'd04.example']
    assert results[2].error == "domain ('bad..example'): empty label [RFC 1035 §2.3.1]"
    assert results[3].error == ('no zone file in %s holds nozone.test. (looked for files named after each parent of the name: '
                                'nozone.test, nozone.test.zone, db.nozone.test)' % tmp_path)
    for res in (results[2], results[3]):
        assert res.changed is False
        assert res.records == []
    others = [r for i, r in enumerate(results) if i not in (2, 3)]
    assert all(r.error is None and r.changed is True for r in others)
    assert stats == {'zones': 5, 'zones_changed': 5, 'zones_failed': 0}
    assert dict(provider.applied) == dict(('%s.' % z, 1) for z in ZONES[:5])


def test_entry_with_nothing_to_manage():
    with pytest.raises(RecordError) as exc:
        _portfolio.entry_desired({'domain': 'example.com'})
    assert str(exc.value) == 'example.com: nothing to manage: give spf, dmarc, dkim, null_mx or parked'


def test_zone_failure_is_reported_for_its_domains_only(tmp_path):
    make_zones(tmp_path, ZONES[:2])
    (tmp_path / 'd01.example.zone').write_text('$TTL 60\n@ IN SOA ns1 hm 1 2 3 4 5\n@ IN NS ns1\nns1 IN BOGUS 1\n', encoding='utf-8')
    provider = CountingProvider({'directory': str(tmp_path)})
    results, stats = _portfolio.converge(provider, entries_for(ZONES[:2]), concurrency=2)
    assert results[0].error is None
    assert results[1].error == "zone d01.example.: malformed zone file: %s:4: unknown rdatatype 'BOGUS'" % (tmp_path / 'd01.example.zone')
    assert stats == {'zones': 2, 'zones_changed': 1, 'zones_failed': 1}


def test_two_domains_in_one_zone_share_one_apply(tmp_path):
    make_zones(tmp_path, ['example.com'])
    provider = CountingProvider({'directory': str(tmp_path)})
    entries = [{'domain': 'example.com', 'spf': {'value': 'v=spf1 -all'}},
               {'domain': 'shop.example.com', 'spf': {'value': 'v=spf1 include:_spf.shop.example.net -all'}}]
    results, stats = _portfolio.converge(provider, entries, concurrency=4)
    assert dict(provider.applied) == {'example.com.': 1}
    assert [r.zone for r in results] == ['example.com.', 'example.com.']
    assert stats == {'zones': 1, 'zones_changed': 1, 'zones_failed': 0}
    assert results[1].diff == {'before': '', 'after': 'shop.example.com. 3600 IN TXT "v=spf1 include:_spf.shop.example.net -all"\n'}


def test_parked_entry_records(tmp_path):
    make_zones(tmp_path, ['parked.example'])
    provider = CountingProvider({'directory': str(tmp_path)})
    results, dummy = _portfolio.converge(provider, [{'domain': 'parked.example', 'parked': True}], concurrency=4)
    assert results[0].error is None
    assert [(r['kind'], r['name'], r['type']) for r in results[0].records] == [
        ('SPF', 'parked.example.', 'TXT'),
        ('DMARC', '_dmarc.parked.example.', 'TXT'),
        ('DKIM', '*._domainkey.parked.example.', 'TXT'),
        ('null MX', 'parked.example.', 'MX'),
    ]
    got = provider.list_rrsets('parked.example.')
    assert got[('parked.example.', 'MX')].values == ('0 .',)
    assert got[('parked.example.', 'TXT')].values == ((b'site-verification=parked.example',), (b'v=spf1 -all',))
    assert got[('_dmarc.parked.example.', 'TXT')].values == ((b'v=DMARC1; p=reject; sp=reject; np=reject',),)
    assert got[('*._domainkey.parked.example.', 'TXT')].values == ((b'v=DKIM1; k=rsa; p=',),)
    again = CountingProvider({'directory': str(tmp_path)})
    results, dummy = _portfolio.converge(again, [{'domain': 'parked.example', 'parked': True}])
    assert results[0].changed is False
    assert sum(again.applied.values()) == 0


def test_parked_entry_desired_values():
    domain, desired, warnings = _portfolio.entry_desired({'domain': 'parked.example', 'parked': True})
    assert domain == 'parked.example'
    assert warnings == []
    assert [(d.name, d.rtype, d.value, d.values) for d in desired] == [
        ('parked.example.', 'TXT', 'v=spf1 -all', ()),
        ('_dmarc.parked.example.', 'TXT', 'v=DMARC1; p=reject; sp=reject; np=reject', ()),
        ('*._domainkey.parked.example.', 'TXT', 'v=DKIM1; k=rsa; p=', ()),
        ('parked.example.', 'MX', None, ('0 .',)),
    ]


def test_parked_with_rua():
    dummy, desired, dummy2 = _portfolio.entry_desired({'domain': 'parked.example', 'parked': True,
                                                      'dmarc': {'state': 'present', 'rua': ['mailto:d@parked.example']}})
    assert desired[1].value == 'v=DMARC1; p=reject; sp=reject; np=reject; rua=mailto:d@parked.example'


@pytest.mark.parametrize('key, value', [
    ('spf', {'value': 'v=spf1 mx -all'}),
    ('dkim', [{'selector': 's1', 'state': 'revoked'}]),
    ('null_mx', True),
])
def test_parked_with_other_records_is_an_error(key, value):
    with pytest.raises(RecordError) as exc:
        _portfolio.entry_desired({'domain': 'parked.example', 'parked': True, key: value})
    assert exc.value.term == 'parked.example.%s' % key
    assert exc.value.message == 'a parked domain gets fixed records; remove %s or parked' % key


def test_parked_with_dmarc_policy_is_an_error():
    with pytest.raises(RecordError) as exc:
        _portfolio.entry_desired({'domain': 'parked.example', 'parked': True, 'dmarc': {'p': 'none'}})
    assert exc.value.term == 'parked.example.dmarc'


def test_parked_with_spf_in_converge(tmp_path):
    make_zones(tmp_path, ['parked.example', 'ok.example'])
    provider = CountingProvider({'directory': str(tmp_path)})
    results, stats = _portfolio.converge(provider, [
        {'domain': 'parked.example', 'parked': True, 'spf': {'value': 'v=spf1 -all'}},
        {'domain': 'ok.example', 'parked': True},
    ])
    assert results[0].error == "parked.example.spf: a parked domain gets fixed records; remove spf or parked"
    assert results[1].error is None
    assert dict(provider.applied) == {'ok.example.': 1}
    assert stats['zones'] == 1


def test_parked_refuses_real_mx_without_force(tmp_path):
    make_zones(tmp_path, ['parked.example'], extra='@ IN MX 10 mx.parked.example.\n')
    files = snapshot(tmp_path)
    provider = CountingProvider({'directory': str(tmp_path)})
    results, stats = _portfolio.converge(provider, [{'domain': 'parked.example', 'parked': True}])
    assert results[0].error.startswith('zone parked.example.: MX (\'10 mx.parked.example.\'): the domain has other MX records')
    assert stats['zones_failed'] == 1
    assert snapshot(tmp_path) == files
    results, stats = _portfolio.converge(provider, [{'domain': 'parked.example', 'parked': True, 'force': True}])
    assert results[0].error is None
    assert results[0].warnings == ['replacing existing MX records with a null MX (force): 10 mx.parked.example.']
    assert provider.list_rrsets('parked.example.')[('parked.example.', 'MX')].values == ('0 .',)
