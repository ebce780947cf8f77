# -*- coding: utf-8 -*-
# Copyright (c) mailauth.rollout contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run mail_domains inside the controller's process when the task runs on the controller anyway.

A whole portfolio is one task; packing it as a module, starting a Python for it, re-reading the
arguments and sending the result back costs as much as the DNS work for hundreds of zones. When the
connection is local and dnspython is importable here, the same code (_portfolio.run) runs in-process.
Otherwise (zone files on a remote DNS primary, or a local Python without dnspython) the module runs
as usual.
"""

from __future__ import annotations

from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

try:
    import dns.message  # noqa: F401 pylint: disable=unused-import
    from ansible_collections.mailauth.rollout.plugins.module_utils._options import MAIL_DOMAINS_ARGSPEC
    from ansible_collections.mailauth.rollout.plugins.module_utils._portfolio import run
    IN_PROCESS = True
except ImportError:
    IN_PROCESS = False


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_async = True

    def in_process(self):
        """Run here only on a local connection, not under async, and with dnspython in this Python."""
        return IN_PROCESS and not self._task.async_val and getattr(self._connection, 'transport', None) == 'local'

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        if not self.in_process():
            wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
            result.update(self._execute_module(module_name='mailauth.rollout.mail_domains', module_args=self._task.args,
                                               task_vars=task_vars, wrap_async=wrap_async))
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
            return result
        validation, params = self.validate_argument_spec(argument_spec=MAIL_DOMAINS_ARGSPEC)
        outcome, failure = run(params, check_mode=bool(self._task.check_mode), diff=bool(self._task.diff))
        result.update(outcome)
        if failure:
            result.update(failed=True, msg=failure)
        # What AnsibleModule does for a module: no secret (no_log option) leaves in the result.
        return remove_values(result, validation._no_log_values)
