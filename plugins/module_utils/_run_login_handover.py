# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The module side of the run's login: what the action plugin handed over in the hidden arguments.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

The controller side, and why, is plugins/plugin_utils/_run_login_action.py.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils._resolve import ValidatedModule

# The hidden arguments by which the action plugin hands the run's login over (plugins/plugin_utils/_run_login_action.py):
#   _run_login       the secrets of the login answer only (the token; DeepFlow: access and refresh token).
#   _run_login_info  the rest: {"data": the answer's other fields, "reused": bool}, or {"wanted": true}: do not log in,
#                    only answer whether a login is needed (RUN_LOGIN_WANTED).
RUN_LOGIN = '_run_login'
RUN_LOGIN_INFO = '_run_login_info'
# What a module answers the action plugin beside its result: the server refused the run's token (HTTP 401), or it
# needs a login (with {"wanted": true}). The action plugin removes them from the result.
RUN_LOGIN_REJECTED = '_run_login_rejected'
RUN_LOGIN_WANTED = '_run_login_wanted'


class RunLoginModule(ValidatedModule):
    """A ValidatedModule (_resolve.py) that takes the hidden arguments out of its parameters before it validates them.

    They are not in the argument spec, so not in the documentation either (validate-modules wants the two equal, and
    ansible-core has no way to mark an option private: ansible/ansible#79695); a user never sees or sets them (the
    action plugin replaces whatever a task gives). AnsibleModule.__init__ loads the parameters with _load_params().
    """

    def _load_params(self):
        super(RunLoginModule, self)._load_params()
        self.run_login = self.params.pop(RUN_LOGIN, None)
        self.run_login_info = self.params.pop(RUN_LOGIN_INFO, None)


def handed_over(module, returned=False):
    """(login answer, reused) that the action plugin handed over instead of a login, or None: log in yourself.

    Call it where the module would log in, and only there: with ``{"wanted": true}`` the action plugin asks whether a
    login is needed at all, so this ends the module with RUN_LOGIN_WANTED (nothing sent, nothing written).
    ``returned``: the module returns the token (jms_token, deepflow_login), as it returns the token of its own login.
    """
    info = module.run_login_info or {}
    if info.get('wanted'):
        module.exit_json(changed=False, **{RUN_LOGIN_WANTED: True})
    secrets = module.run_login
    if not secrets:
        return None
    if not returned:
        # Not a no_log option (not an option at all): its values are masked wherever they appear in the result, as
        # AnsibleModule masks a no_log option's. A module that returns the token (the task's no_log hides it, as the
        # module's notes ask) leaves them unmasked, as it returns the token of its own login.
        module.no_log_values.update(value for value in secrets.values() if isinstance(value, str) and value)
    return dict(info.get('data') or {}, **secrets), bool(info.get('reused'))
