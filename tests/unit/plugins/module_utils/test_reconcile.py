# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _reconcile: desired state vs current RRsets -> changes, diff, per-record results."""

from __future__ import annotations

import pytest

from ansible_collections.mailauth.rollout.plugins.module_utils import _reconcile
from ansible_collections.mailauth.rollout.plugins.module_utils._providers.base import RRset
from ansible_collections.mailauth.rollout.plugins.module_utils._records import mx, spf
from ansible_collections.mailauth.rollout.plugins.module_utils._records.errors import RecordError

ZONE = 'example.com.'
APEX_TXT = ('example.com.', 'TXT')
VERIFY = (b'google-site-verification=AbC123',)


def spf_desired(value='v=spf1 -all', state='present', ttl=None):
    return _reconcile.Desired('example.com', 'TXT', state=state, value=value if state == 'present' else None,
                              owns=spf.is_spf, ttl=ttl, label='SPF')


def other_desired(value='v=TEST1; x=1', state='present'):
    return _reconcile.Desired('example.com', 'TXT', state=state, value=value if state == 'present' else None,
                              owns=lambda text: text.startswith('v=TEST1'), label='TEST')


def txt_rrset(values, ttl=300, name='example.com.'):
    return RRset(name, 'TXT', ttl, values)


def test_owned_value_added_next_to_verification():
    current = {APEX_TXT: txt_rrset([VERIFY])}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired('v=spf1 mx -all')])
    assert plan.changed is True
    assert len(plan.changes) == 1
    change = plan.changes[0]
    assert change.action == 'replace'
    assert change.before == txt_rrset([VERIFY])
    assert change.after == txt_rrset([VERIFY, (b'v=spf1 mx -all',)])
    # the verification value keeps its exact byte strings and its position (first)
    assert change.after.values[0] == (b'google-site-verification=AbC123',)
    assert plan.warnings == []


def test_verification_with_odd_split_kept_byte_for_byte_and_in_place():
    odd = (b'MS=ms', b'12345', b'\xff\x00raw')
    current = {APEX_TXT: txt_rrset([odd, (b'v=spf1 -all',), (b'other=1',)])}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired('v=spf1 a -all')])
    assert plan.changes[0].after.values == (odd, (b'v=spf1 a -all',), (b'other=1',))


def test_owned_value_created_when_no_rrset():
    plan = _reconcile.reconcile_zone(ZONE, {}, [spf_desired()])
    assert len(plan.changes) == 1
    assert plan.changes[0].action == 'create'
    assert plan.changes[0].before is None
    assert plan.changes[0].after == RRset('example.com.', 'TXT', _reconcile.DEFAULT_TTL, [(b'v=spf1 -all',)])
    assert _reconcile.DEFAULT_TTL == 3600


def test_equal_decoded_text_split_differently_is_no_change():
    current = {APEX_TXT: txt_rrset([VERIFY, (b'v=spf1 ', b'-all')])}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired('v=spf1 -all')])
    assert plan.changed is False
    assert plan.changes == []
    assert plan.records[0]['changed'] is False
    assert plan.records[0]['wire'] == ['v=spf1 ', '-all']
    assert plan.diff()['before'] == ''
    assert plan.diff()['after'] == ''


def test_two_spf_values_collapsed_with_warning_position_of_first_kept():
    current = {APEX_TXT: txt_rrset([(b'a=1',), (b'v=spf1 a -all',), (b'b=2',), (b'v=spf1 mx -all',)])}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired('v=spf1 -all')])
    assert plan.changes[0].after.values == ((b'a=1',), (b'v=spf1 -all',), (b'b=2',))
    expected = ('example.com.: found 2 SPF values at one name (a verifier treats that as an error); '
                'collapsed them into the desired one')
    assert plan.warnings == [expected]
    assert plan.records[0]['warnings'] == [expected]


def test_two_spf_values_one_already_desired_keeps_its_wire_form():
    current = {APEX_TXT: txt_rrset([(b'v=spf1 mx -all',), (b'x=1',), (b'v=spf1 ', b'-all')])}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired('v=spf1 -all')])
    # the desired value already present (second) keeps its strings, placed where the first SPF value was
    assert plan.changes[0].after.values == ((b'v=spf1 ', b'-all'), (b'x=1',))
    assert len(plan.warnings) == 1


def test_absent_removes_only_owned_value():
    current = {APEX_TXT: txt_rrset([VERIFY, (b'v=spf1 -all',), (b'x=1',)])}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired(state='absent')])
    assert len(plan.changes) == 1
    assert plan.changes[0].action == 'replace'
    assert plan.changes[0].after == txt_rrset([VERIFY, (b'x=1',)])
    assert plan.records[0]['record'] is None
    assert plan.records[0]['wire'] == []
    assert plan.records[0]['state'] == 'absent'
    assert plan.records[0]['changed'] is True


def test_absent_deletes_rrset_when_nothing_else_remains():
    current = {APEX_TXT: txt_rrset([(b'v=spf1 -all',)])}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired(state='absent')])
    assert len(plan.changes) == 1
    assert plan.changes[0].action == 'delete'
    assert plan.changes[0].before == txt_rrset([(b'v=spf1 -all',)])
    assert plan.changes[0].after is None


def test_absent_two_owned_removes_all_with_warning():
    current = {APEX_TXT: txt_rrset([(b'v=spf1 -all',), (b'v=spf1 mx -all',)])}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired(state='absent')])
    assert plan.changes[0].after is None
    assert plan.warnings == ['example.com.: found 2 SPF values at one name (a verifier treats that as an error); removed them all']


def test_absent_when_not_there_is_no_change():
    current = {APEX_TXT: txt_rrset([VERIFY])}
    assert _reconcile.reconcile_zone(ZONE, current, [spf_desired(state='absent')]).changes == []
    assert _reconcile.reconcile_zone(ZONE, {}, [spf_desired(state='absent')]).changes == []


def test_ttl_omitted_keeps_current():
    current = {APEX_TXT: txt_rrset([VERIFY], ttl=123)}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired()])
    assert plan.changes[0].after.ttl == 123


def test_ttl_given_changes_whole_rrset():
    current = {APEX_TXT: txt_rrset([VERIFY, (b'v=spf1 -all',)], ttl=123)}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired(ttl=600)])
    assert len(plan.changes) == 1
    assert plan.changes[0].after == txt_rrset([VERIFY, (b'v=spf1 -all',)], ttl=600)
    assert plan.records[0]['changed'] is True


def test_ttl_given_equal_is_no_change():
    current = {APEX_TXT: txt_rrset([(b'v=spf1 -all',)], ttl=600)}
    assert _reconcile.reconcile_zone(ZONE, current, [spf_desired(ttl=600)]).changes == []


def test_ttl_zero_is_a_given_ttl():
    current = {APEX_TXT: txt_rrset([(b'v=spf1 -all',)], ttl=300)}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired(ttl=0)])
    assert len(plan.changes) == 1
    assert plan.changes[0].after.ttl == 0


def mx_desired(values=('0 .',), state='present', ttl=None, guard=None):
    d = _reconcile.Desired('example.com', 'MX', state=state, values=list(values), ttl=ttl, label='null MX')
    d.guard = guard
    return d


def test_whole_rrset_replaced():
    current = {('example.com.', 'MX'): RRset('example.com.', 'MX', 900, ['0 .', '10 mx.example.net.'])}
    plan = _reconcile.reconcile_zone(ZONE, current, [mx_desired()])
    assert len(plan.changes) == 1
    assert plan.changes[0].after == RRset('example.com.', 'MX', 900, ['0 .'])
    assert plan.records == [{'kind': 'null MX', 'name': 'example.com.', 'type': 'MX', 'state': 'present',
                             'warnings': [], 'values': ['0 .'], 'changed': True}]


def test_whole_rrset_equal_in_other_order_is_no_change():
    current = {('example.com.', 'MX'): RRset('example.com.', 'MX', 900, ['20 b.example.net.', '10 a.example.net.'])}
    plan = _reconcile.reconcile_zone(ZONE, current, [mx_desired(['10 a.example.net.', '20 b.example.net.'])])
    assert plan.changes == []
    assert plan.records[0]['changed'] is False


def test_whole_rrset_created_and_deleted():
    plan = _reconcile.reconcile_zone(ZONE, {}, [mx_desired(ttl=60)])
    assert plan.changes[0].action == 'create'
    assert plan.changes[0].after == RRset('example.com.', 'MX', 60, ['0 .'])
    current = {('example.com.', 'MX'): RRset('example.com.', 'MX', 900, ['0 .'])}
    plan = _reconcile.reconcile_zone(ZONE, current, [mx_desired(values=(), state='absent')])
    assert plan.changes[0].action == 'delete'
    assert plan.records[0]['values'] == []


def test_guard_warnings_collected():
    current = {('example.com.', 'MX'): RRset('example.com.', 'MX', 900, ['10 mx.example.com.'])}

    def guard(cur):
        return mx.check_null_mx_replace(list(cur.values) if cur else [], True)
    plan = _reconcile.reconcile_zone(ZONE, current, [mx_desired(guard=guard)])
    assert plan.warnings == ['replacing existing MX records with a null MX (force): 10 mx.example.com.']
    assert plan.records[0]['warnings'] == plan.warnings


def test_guard_raising_record_error_propagates():
    current = {('example.com.', 'MX'): RRset('example.com.', 'MX', 900, ['10 mx.example.com.'])}

    def guard(cur):
        return mx.check_null_mx_replace(list(cur.values) if cur else [], False)
    with pytest.raises(RecordError) as exc:
        _reconcile.reconcile_zone(ZONE, current, [mx_desired(guard=guard)])
    assert exc.value.term == 'MX'
    assert exc.value.rule == mx.RULE_NULL_MX


def test_guard_receives_current_rrset():
    seen = []
    current = {('example.com.', 'MX'): RRset('example.com.', 'MX', 900, ['0 .'])}

    def guard(cur):
        seen.append(cur)
        return []
    _reconcile.reconcile_zone(ZONE, current, [mx_desired(guard=guard)])
    _reconcile.reconcile_zone(ZONE, {}, [mx_desired(guard=guard)])
    assert seen == [RRset('example.com.', 'MX', 900, ['0 .']), None]


def test_multiple_desired_at_same_name_both_applied():
    current = {APEX_TXT: txt_rrset([VERIFY, (b'v=TEST1; x=0',)])}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired('v=spf1 -all'), other_desired('v=TEST1; x=1')])
    assert len(plan.changes) == 1
    assert plan.changes[0].before == txt_rrset([VERIFY, (b'v=TEST1; x=0',)])
    assert plan.changes[0].after == txt_rrset([VERIFY, (b'v=TEST1; x=1',), (b'v=spf1 -all',)])
    assert [r['kind'] for r in plan.records] == ['SPF', 'TEST']
    assert [r['changed'] for r in plan.records] == [True, True]


def test_multiple_desired_same_name_second_removes():
    current = {APEX_TXT: txt_rrset([(b'v=TEST1; x=0',)])}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired('v=spf1 -all'), other_desired(state='absent')])
    assert len(plan.changes) == 1
    assert plan.changes[0].after == txt_rrset([(b'v=spf1 -all',)])


def test_600_octet_value_split_into_255_octet_strings():
    value = 'v=spf1 ' + ' '.join('ip4:192.0.2.%d' % (i % 256) for i in range(60))
    value = value[:600]
    assert len(value) == 600
    plan = _reconcile.reconcile_zone(ZONE, {}, [spf_desired(value)])
    strings = plan.changes[0].after.values[0]
    assert [len(s) for s in strings] == [255, 255, 90]
    assert b''.join(strings) == value.encode('ascii')
    assert plan.records[0]['wire'] == [value[:255], value[255:510], value[510:]]
    assert plan.records[0]['record'] == value


def test_txt_limit_none_uses_255():
    value = 'v=spf1 ' + 'a' * 593
    plan = _reconcile.reconcile_zone(ZONE, {}, [spf_desired(value)], txt_limit=None)
    assert [len(s) for s in plan.changes[0].after.values[0]] == [255, 255, 90]


def test_txt_limit_from_provider():
    value = 'v=spf1 ' + 'a' * 93
    plan = _reconcile.reconcile_zone(ZONE, {}, [spf_desired(value)], txt_limit=50)
    assert [len(s) for s in plan.changes[0].after.values[0]] == [50, 50]


def test_diff_contains_before_and_after_lines():
    current = {APEX_TXT: txt_rrset([VERIFY, (b'v=spf1 ', b'a -all')])}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired('v=spf1 mx -all')])
    diff = plan.diff()
    assert diff == {
        'before': 'example.com. 300 IN TXT "google-site-verification=AbC123"\nexample.com. 300 IN TXT "v=spf1 a -all"\n',
        'after': 'example.com. 300 IN TXT "google-site-verification=AbC123"\nexample.com. 300 IN TXT "v=spf1 mx -all"\n',
        'before_header': 'example.com.',
        'after_header': 'example.com.',
    }


def test_diff_of_create_and_delete():
    plan = _reconcile.reconcile_zone(ZONE, {}, [mx_desired()])
    assert plan.diff()['before'] == ''
    assert plan.diff()['after'] == 'example.com. 3600 IN MX 0 .\n'
    current = {APEX_TXT: txt_rrset([(b'v=spf1 "q" \\b',)])}
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired(state='absent')])
    assert plan.diff()['before'] == 'example.com. 300 IN TXT "v=spf1 \\"q\\" \\\\b"\n'
    assert plan.diff()['after'] == ''


def test_records_changed_flags_per_name():
    current = {
        APEX_TXT: txt_rrset([(b'v=spf1 -all',)]),
        ('_dmarc.example.com.', 'TXT'): txt_rrset([(b'v=DMARC1; p=none',)], name='_dmarc.example.com.'),
    }
    dmarc = _reconcile.Desired('_dmarc.example.com', 'TXT', value='v=DMARC1; p=reject', owns=lambda t: t.startswith('v=DMARC1'), label='DMARC')
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired('v=spf1 -all'), dmarc, mx_desired()])
    assert [(r['kind'], r['changed']) for r in plan.records] == [('SPF', False), ('DMARC', True), ('null MX', True)]
    assert [c.key for c in plan.changes] == [('_dmarc.example.com.', 'TXT'), ('example.com.', 'MX')]
    assert plan.records[1] == {'kind': 'DMARC', 'name': '_dmarc.example.com.', 'type': 'TXT', 'state': 'present', 'warnings': [],
                               'record': 'v=DMARC1; p=reject', 'wire': ['v=DMARC1; p=reject'], 'changed': True}


def test_current_untouched_and_unrelated_rrsets_not_in_changes():
    cur_txt = txt_rrset([VERIFY])
    current = {APEX_TXT: cur_txt, ('www.example.com.', 'A'): RRset('www.example.com.', 'A', 60, ['192.0.2.1'])}
    snapshot = dict(current)
    plan = _reconcile.reconcile_zone(ZONE, current, [spf_desired()])
    assert current == snapshot
    assert [c.key for c in plan.changes] == [APEX_TXT]


def test_desired_normalises_name_and_type():
    d = _reconcile.Desired('Example.COM', 'txt', value='v=spf1 -all', owns=spf.is_spf)
    assert d.key == ('example.com.', 'TXT')
    assert d.label == 'TXT'
    assert d.guard is None


def test_decode_txt_keeps_undecodable_octets_visible():
    assert _reconcile.decode_txt((b'v=spf1 ', b'-all')) == 'v=spf1 -all'
    assert _reconcile.decode_txt((b'a\xff',)) == 'a\\xff'
    assert _reconcile.decode_txt(('caf\u00e9',)) == 'caf\u00e9'
