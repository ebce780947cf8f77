# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error type of the pure record library.

Every parser and validator raises RecordError so that modules, filters and
the audit can report bad input the same way: which term, which value, which rule.
"""

from __future__ import annotations


class RecordError(ValueError):
    """Bad record input: names the offending term or tag, its value and the rule it breaks."""

    def __init__(self, message, term=None, value=None, rule=None):
        self.message = message
        self.term = term
        self.value = value
        self.rule = rule
        super().__init__(self._render())

    def _render(self):
        parts = []
        if self.term is not None:
            shown = self.value if self.value is None or len(str(self.value)) <= 80 else str(self.value)[:77] + '...'
            parts.append('%s%s: ' % (self.term, '' if shown is None else ' (%r)' % (shown,)))
        parts.append(self.message)
        if self.rule:
            parts.append(' [%s]' % self.rule)
        return ''.join(parts)

    def as_dict(self):
        return {'msg': str(self), 'term': self.term, 'value': self.value, 'rule': self.rule}
