# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters over the same pure parsers the modules use: spf_parse, dmarc_parse, dkim_parse, txt_quote, txt_unquote."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.mailauth.rollout.plugins.module_utils._records import dkim, dmarc, spf, txt
from ansible_collections.mailauth.rollout.plugins.module_utils._records.errors import RecordError


def _text(value, filter_name):
    if not isinstance(value, (str, bytes)):
        raise AnsibleFilterError('%s expects a string, got %s' % (filter_name, type(value).__name__))
    return to_text(value, errors='surrogate_or_strict')


def _parsed(module, value, filter_name):
    text = _text(value, filter_name)
    try:
        return module.to_dict(module.parse(text.strip()))
    except RecordError as e:
        raise AnsibleFilterError('%s: %s' % (filter_name, e))


def spf_parse(value):
    parsed = _parsed(spf, value, 'spf_parse')
    if parsed.get('errors'):
        # to_dict keeps going for the audit; as a filter a record receivers reject is an error.
        raise AnsibleFilterError('spf_parse: %s' % '; '.join(parsed['errors']))
    return parsed


def dmarc_parse(value):
    return _parsed(dmarc, value, 'dmarc_parse')


def dkim_parse(value):
    return _parsed(dkim, value, 'dkim_parse')


def txt_quote(value, limit=255):
    try:
        return txt.quote(_text(value, 'txt_quote'), limit=int(limit))
    except (RecordError, ValueError, TypeError) as e:
        raise AnsibleFilterError('txt_quote: %s' % e)


def txt_unquote(value):
    try:
        return txt.unquote(_text(value, 'txt_unquote'))
    except RecordError as e:
        raise AnsibleFilterError('txt_unquote: %s' % e)


class FilterModule(object):

    def filters(self):
        return {
            'spf_parse': spf_parse,
            'dmarc_parse': dmarc_parse,
            'dkim_parse': dkim_parse,
            'txt_quote': txt_quote,
            'txt_unquote': txt_unquote,
        }
