# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the embedded zone-file provider (files under tmp_path only)."""

from __future__ import annotations

import datetime
import os
import subprocess

import pytest

from ansible_collections.mailauth.rollout.plugins.module_utils._providers import zonefile
from ansible_collections.mailauth.rollout.plugins.module_utils._providers.base import Change, ProviderError, RRset

NAMED_CHECKZONE = '/usr/bin/named-checkzone'

HEADER = (
    '; Zone file for example.com\n'
    '; maintained by hand -- keep this header\n'
    '$TTL 3600\n'
)

ZONE_TEXT = HEADER + (
    '$ORIGIN example.com.\n'
    '@       IN SOA ns1.example.com. hostmaster.example.com. (\n'
    '                {serial} ; serial\n'
    '                7200 3600 1209600 300 )\n'
    '        IN NS  ns1.example.com.\n'
    '        IN NS  ns2.example.net.\n'
    '        IN A   192.0.2.10\n'
    '        IN TXT "google-site-verification=abc123"\n'
    'www     IN A   192.0.2.20\n'
    'ns1     IN A   192.0.2.53\n'
    'mail 300 IN MX 10 mx.example.net.\n'
)

SPF_VALUE = (b'v=spf1 -all',)
VERIFY = (b'google-site-verification=abc123',)


def write_zone(directory, filename='example.com.zone', serial=2026010101, text=None):
    path = directory / filename
    path.write_text(text if text is not None else ZONE_TEXT.format(serial=serial), encoding='utf-8')
    return path


def soa_serial(rrsets, zone='example.com.'):
    return int(rrsets[(zone, 'SOA')].values[0].split()[2])


def owner_order(path):
    names = []
    for line in path.read_text(encoding='utf-8').splitlines():
        if not line or line.startswith((';', '$', ' ', '\t')):
            continue
        owner = line.split()[0]
        if owner not in names:
            names.append(owner)
    return names


def files_except_locks(directory):
    return sorted(n for n in os.listdir(str(directory)) if not n.endswith('.lock'))


def add_spf(provider, zone='example.com.'):
    current = provider.list_rrsets(zone)
    before = current[('example.com.', 'TXT')]
    after = RRset('example.com.', 'TXT', before.ttl, list(before.values) + [SPF_VALUE])
    provider.apply(zone, [Change(before, after)])
    return current


def expected_date_serial(old):
    return max(int(datetime.date.today().strftime('%Y%m%d')) * 100, old + 1)


# ------------------------------------------------------------------ bump_serial

TODAY = datetime.date(2026, 3, 5)


@pytest.mark.parametrize('serial, expected', [
    (2026010101, 2026030500),     # older date serial -> today's 00
    (1997123199, 2026030500),
    (2026030400, 2026030500),
    (2026030500, 2026030501),     # already today -> +1
    (2026030598, 2026030599),
    (2026030599, 2026030600),     # runs into tomorrow's date, still increasing
    (2030010100, 2030010101),     # date in the future -> +1
    (7, 8),                       # not a date serial
    (0, 1),
    (12345, 12346),
    (1999999999, 2000000000),     # 10 digits starting 19 but no valid date
    (2026022901, 2026022902),     # 2026-02-29 does not exist
    (2026130101, 2026130102),     # month 13
    (4294967294, 4294967295),
    (4294967295, 0),              # RFC 1982 wrap
])
def test_bump_serial_table(serial, expected):
    assert zonefile.bump_serial(serial, today=TODAY) == expected


def test_bump_serial_default_today():
    assert zonefile.bump_serial(2000010100) == int(datetime.date.today().strftime('%Y%m%d')) * 100


# ------------------------------------------------------------------ reading

def test_list_rrsets_value_forms(tmp_path):
    write_zone(tmp_path)
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    rrsets = provider.list_rrsets('example.com.')
    assert rrsets == {
        ('example.com.', 'SOA'): RRset('example.com.', 'SOA', 3600, ['ns1.example.com. hostmaster.example.com. 2026010101 7200 3600 1209600 300']),
        ('example.com.', 'NS'): RRset('example.com.', 'NS', 3600, ['ns1.example.com.', 'ns2.example.net.']),
        ('example.com.', 'A'): RRset('example.com.', 'A', 3600, ['192.0.2.10']),
        ('example.com.', 'TXT'): RRset('example.com.', 'TXT', 3600, [VERIFY]),
        ('www.example.com.', 'A'): RRset('www.example.com.', 'A', 3600, ['192.0.2.20']),
        ('ns1.example.com.', 'A'): RRset('ns1.example.com.', 'A', 3600, ['192.0.2.53']),
        ('mail.example.com.', 'MX'): RRset('mail.example.com.', 'MX', 300, ['10 mx.example.net.']),
    }
    # TXT values are tuples of bytes (wire strings), the rest presentation text
    assert isinstance(rrsets[('example.com.', 'TXT')].values[0][0], bytes)


def test_list_rrsets_keys_filter(tmp_path):
    write_zone(tmp_path)
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    got = provider.list_rrsets('example.com.', keys=[('Example.COM', 'txt'), ('nothere.example.com.', 'TXT'), ('www.example.com.', 'A')])
    assert sorted(got) == [('example.com.', 'TXT'), ('www.example.com.', 'A')]


def test_list_rrsets_multi_string_txt(tmp_path):
    text = ZONE_TEXT.format(serial=1) + 'split IN TXT "v=spf1 " "-all"\n'
    write_zone(tmp_path, text=text)
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    got = provider.list_rrsets('example.com.', keys=[('split.example.com.', 'TXT')])
    assert got == {('split.example.com.', 'TXT'): RRset('split.example.com.', 'TXT', 3600, [(b'v=spf1 ', b'-all')])}


# ------------------------------------------------------------------ applying

def test_apply_change_rewrites_file(tmp_path):
    path = write_zone(tmp_path)
    os.chmod(str(path), 0o640)
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    order_before = owner_order(path)
    before = add_spf(provider)
    after = zonefile.ZoneFileProvider({'directory': str(tmp_path)}).list_rrsets('example.com.')

    assert after[('example.com.', 'TXT')] == RRset('example.com.', 'TXT', 3600, [VERIFY, SPF_VALUE])
    for key in before:
        if key not in (('example.com.', 'TXT'), ('example.com.', 'SOA')):
            assert after[key] == before[key]
    assert sorted(after) == sorted(before)
    soa_before = before[('example.com.', 'SOA')].values[0].split()
    soa_after = after[('example.com.', 'SOA')].values[0].split()
    assert soa_after[:2] == soa_before[:2] and soa_after[3:] == soa_before[3:]
    assert soa_serial(after) == expected_date_serial(2026010101)

    text = path.read_text(encoding='utf-8')
    assert text.startswith(HEADER)
    assert owner_order(path) == order_before
    assert os.stat(str(path)).st_mode & 0o7777 == 0o640
    assert files_except_locks(tmp_path) == ['example.com.zone']


@pytest.mark.skipif(not os.path.exists(NAMED_CHECKZONE), reason='named-checkzone is not installed')
def test_named_checkzone_accepts_result(tmp_path):
    path = write_zone(tmp_path)
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    add_spf(provider)
    current = provider.list_rrsets('example.com.')
    long_value = tuple(bytes([0x61 + i % 26]) * 255 for i in range(3)) + (b'tail "quoted" \\ back',)
    provider.apply('example.com.', [
        Change(None, RRset('_dmarc.example.com.', 'TXT', 300, [(b'v=DMARC1; p=reject',)])),
        Change(None, RRset('long.example.com.', 'TXT', 300, [long_value])),
        Change(current[('mail.example.com.', 'MX')], RRset('mail.example.com.', 'MX', 300, ['0 .'])),
        Change(current[('www.example.com.', 'A')], None),
    ])
    proc = subprocess.run([NAMED_CHECKZONE, 'example.com', str(path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    assert proc.returncode == 0, proc.stdout
    assert 'loaded serial %d' % (expected_date_serial(2026010101) + 1) in proc.stdout
    after = provider.list_rrsets('example.com.')
    assert after[('long.example.com.', 'TXT')].values == (long_value,)
    assert after[('mail.example.com.', 'MX')].values == ('0 .',)
    assert ('www.example.com.', 'A') not in after
    # new names go after the existing ones, which keep their order
    assert owner_order(path) == ['@', 'ns1', 'mail', '_dmarc', 'long']


def test_apply_new_rrset_at_new_name_appended(tmp_path):
    path = write_zone(tmp_path)
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    provider.apply('example.com.', [Change(None, RRset('_dmarc.example.com.', 'TXT', 300, [(b'v=DMARC1; p=none',)]))])
    assert owner_order(path) == ['@', 'www', 'ns1', 'mail', '_dmarc']
    got = provider.list_rrsets('example.com.', keys=[('_dmarc.example.com.', 'TXT')])
    assert got[('_dmarc.example.com.', 'TXT')] == RRset('_dmarc.example.com.', 'TXT', 300, [(b'v=DMARC1; p=none',)])


@pytest.mark.parametrize('serial, expected', [
    (7, 8),
    (4294967295, 0),
])
def test_apply_bumps_non_date_serial(tmp_path, serial, expected):
    write_zone(tmp_path, serial=serial)
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    add_spf(provider)
    assert soa_serial(provider.list_rrsets('example.com.')) == expected


def test_apply_date_serial_already_today_or_later(tmp_path):
    today = int(datetime.date.today().strftime('%Y%m%d')) * 100
    write_zone(tmp_path, serial=today + 5)
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    add_spf(provider)
    assert soa_serial(provider.list_rrsets('example.com.')) == today + 6


def test_apply_without_changes_does_not_touch_file(tmp_path):
    path = write_zone(tmp_path)
    original = path.read_bytes()
    zonefile.ZoneFileProvider({'directory': str(tmp_path)}).apply('example.com.', [])
    assert path.read_bytes() == original


@pytest.mark.skipif(not hasattr(os, 'geteuid') or os.geteuid() != 0, reason='changing file owners needs root')
def test_apply_keeps_owner_and_group(tmp_path):
    path = write_zone(tmp_path)
    os.chown(str(path), 4321, 4322)
    os.chmod(str(path), 0o640)
    add_spf(zonefile.ZoneFileProvider({'directory': str(tmp_path)}))
    st = os.stat(str(path))
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (4321, 4322, 0o640)


def test_concurrent_change_detected(tmp_path):
    path = write_zone(tmp_path)
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    current = provider.list_rrsets('example.com.')
    before = current[('example.com.', 'TXT')]
    # someone else edits the same RRset between the read and the apply
    behind = ZONE_TEXT.format(serial=2026010102).replace('abc123', 'xyz789')
    path.write_text(behind, encoding='utf-8')
    with pytest.raises(ProviderError) as exc:
        provider.apply('example.com.', [Change(before, RRset('example.com.', 'TXT', 3600, [VERIFY, SPF_VALUE]))])
    assert 'changed since it was read' in str(exc.value)
    assert exc.value.zone == 'example.com.'
    assert exc.value.applied is False
    assert path.read_text(encoding='utf-8') == behind
    assert files_except_locks(tmp_path) == ['example.com.zone']


def test_concurrent_change_of_other_rrset_is_kept(tmp_path):
    path = write_zone(tmp_path)
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    current = provider.list_rrsets('example.com.')
    path.write_text(ZONE_TEXT.format(serial=2026010101).replace('192.0.2.20', '192.0.2.21'), encoding='utf-8')
    before = current[('example.com.', 'TXT')]
    provider.apply('example.com.', [Change(before, RRset('example.com.', 'TXT', 3600, [VERIFY, SPF_VALUE]))])
    after = provider.list_rrsets('example.com.')
    assert after[('www.example.com.', 'A')].values == ('192.0.2.21',)
    assert after[('example.com.', 'TXT')].values == (VERIFY, SPF_VALUE)


# ------------------------------------------------------------------ errors

BAD_TYPE = (
    '$TTL 3600\n'
    '$ORIGIN example.com.\n'
    '@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n'
    '  IN NS ns1\n'
    'www IN BOGUS 192.0.2.1\n'
    'ns1 IN A 192.0.2.53\n'
)


def test_malformed_zone_file_error_names_file_and_line(tmp_path):
    path = write_zone(tmp_path, text=BAD_TYPE)
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    with pytest.raises(ProviderError) as exc:
        provider.list_rrsets('example.com.')
    assert str(exc.value) == "malformed zone file: %s:5: unknown rdatatype 'BOGUS'" % path
    with pytest.raises(ProviderError) as exc:
        provider.apply('example.com.', [Change(None, RRset('x.example.com.', 'TXT', 60, [(b'x',)]))])
    assert '%s:5:' % path in str(exc.value)
    assert path.read_text(encoding='utf-8') == BAD_TYPE
    assert files_except_locks(tmp_path) == ['example.com.zone']


@pytest.mark.xfail(reason='BUG: for a bad rdata value the ProviderError names the line after the bad one (dnspython has '
                          'already read the end of line when the rdata parser fails; zonefile.py passes the number on '
                          'unchanged), so "www IN A 999.0.2.1" on line 5 is reported as line 6', strict=True)
def test_malformed_rdata_reports_its_own_line(tmp_path):
    path = write_zone(tmp_path, text=BAD_TYPE.replace('BOGUS 192.0.2.1', 'A 999.0.2.1'))
    with pytest.raises(ProviderError) as exc:
        zonefile.ZoneFileProvider({'directory': str(tmp_path)}).list_rrsets('example.com.')
    assert '%s:5:' % path in str(exc.value)


def test_zone_file_without_soa(tmp_path):
    path = write_zone(tmp_path, text='$ORIGIN example.com.\n@ 60 IN NS ns1\nns1 60 IN A 192.0.2.1\n')
    with pytest.raises(ProviderError) as exc:
        zonefile.ZoneFileProvider({'directory': str(tmp_path)}).list_rrsets('example.com.')
    assert str(exc.value) == 'zone file %s has no SOA record at its origin' % path


def test_missing_directory(tmp_path):
    missing = str(tmp_path / 'nope')
    with pytest.raises(ProviderError) as exc:
        zonefile.ZoneFileProvider({'directory': missing})
    assert str(exc.value) == 'zone directory %s does not exist or is not a directory' % missing


@pytest.mark.parametrize('options', [{}, {'path': '/x', 'directory': '/y'}])
def test_path_or_directory_required(options):
    with pytest.raises(ProviderError) as exc:
        zonefile.ZoneFileProvider(options)
    assert str(exc.value) == 'provider type zonefile needs exactly one of path or directory'


@pytest.mark.skipif(hasattr(os, 'geteuid') and os.geteuid() == 0, reason='root can write to a 0555 directory')
def test_unwritable_directory(tmp_path):
    zones = tmp_path / 'zones'
    zones.mkdir()
    path = write_zone(zones)
    original = path.read_bytes()
    provider = zonefile.ZoneFileProvider({'directory': str(zones)})
    current = provider.list_rrsets('example.com.')
    os.chmod(str(zones), 0o555)
    try:
        with pytest.raises(ProviderError) as exc:
            provider.apply('example.com.', [Change(current[('example.com.', 'TXT')], None)])
    finally:
        os.chmod(str(zones), 0o755)
    assert str(exc.value) == 'cannot write zone example.com.: directory %s is not writable (nothing was changed)' % zones
    assert path.read_bytes() == original


# ------------------------------------------------------------------ finding zones

@pytest.mark.parametrize('filename, zone', [
    ('example.org', 'example.org.'),
    ('example.org.zone', 'example.org.'),
    ('db.example.org', 'example.org.'),
])
def test_directory_file_patterns(tmp_path, filename, zone):
    text = ZONE_TEXT.format(serial=1).replace('$ORIGIN example.com.\n', '')
    write_zone(tmp_path, filename=filename, text=text)
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    assert provider.find_zone('www.Example.ORG.') == zone
    assert provider.find_zone('example.org') == zone
    rrsets = provider.list_rrsets(zone)
    assert rrsets[('www.example.org.', 'A')].values == ('192.0.2.20',)
    # $ORIGIN comes from the zone name in directory mode
    assert ('example.org.', 'SOA') in rrsets


def test_directory_longest_parent_wins(tmp_path):
    write_zone(tmp_path, filename='example.com.zone')
    write_zone(tmp_path, filename='db.sub.example.com', text=ZONE_TEXT.format(serial=1).replace('example.com.\n', 'sub.example.com.\n', 1))
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    assert provider.find_zone('a.b.sub.example.com') == 'sub.example.com.'
    assert provider.find_zone('sub.example.com') == 'sub.example.com.'
    assert provider.find_zone('_dmarc.other.example.com') == 'example.com.'
    assert provider.find_zone('example.com.') == 'example.com.'


def test_directory_no_zone_for_name(tmp_path):
    write_zone(tmp_path)
    provider = zonefile.ZoneFileProvider({'directory': str(tmp_path)})
    with pytest.raises(ProviderError) as exc:
        provider.find_zone('www.example.net')
    assert str(exc.value) == ('no zone file in %s holds www.example.net. (looked for files named after each parent of the name: '
                              'www.example.net, www.example.net.zone, db.www.example.net)' % tmp_path)
    with pytest.raises(ProviderError) as exc:
        provider.list_rrsets('example.net.')
    assert exc.value.zone == 'example.net.'
    assert 'no zone file for example.net.' in str(exc.value)


def test_path_mode(tmp_path):
    path = write_zone(tmp_path, filename='anything.txt')
    provider = zonefile.ZoneFileProvider({'path': str(path)})
    assert provider.find_zone('mail.example.com') == 'example.com.'
    with pytest.raises(ProviderError) as exc:
        provider.find_zone('example.net')
    assert str(exc.value) == 'example.net. is not inside the zone example.com. held in %s' % path
    add_spf(provider)
    assert provider.list_rrsets('example.com.')[('example.com.', 'TXT')].values == (VERIFY, SPF_VALUE)
    assert path.read_text(encoding='utf-8').startswith(HEADER)


def test_path_mode_missing_file(tmp_path):
    missing = tmp_path / 'missing.zone'
    provider = zonefile.ZoneFileProvider({'path': str(missing)})
    with pytest.raises(ProviderError) as exc:
        provider.list_rrsets('example.com.')
    assert str(exc.value) == 'cannot read zone file %s: No such file or directory' % missing
