# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The module side of the run's login: what the action plugin handed over in ``_options.RUN_LOGIN_SPEC``.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

The controller side, and why, is plugins/plugin_utils/_run_login.py.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# What a module answers the action plugin beside its result: the server refused the run's token (HTTP 401), or it
# needs a login (with {"wanted": true}). The action plugin removes them from the result.
RUN_LOGIN_REJECTED = '_run_login_rejected'
RUN_LOGIN_WANTED = '_run_login_wanted'
# What AnsibleModule puts in place of a no_log value.
MASK = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def handed_over(module, returned=False):
    """(login answer, reused) that the action plugin handed over instead of a login, or None: log in yourself.

    Call it where the module would log in, and only there: with ``{"wanted": true}`` the action plugin asks whether a
    login is needed at all, so this ends the module with RUN_LOGIN_WANTED (nothing sent, nothing written).
    ``returned``: the module returns the token (jms_token, deepflow_login), as it returns the token of its own login.
    """
    info = module.params.get('_run_login_info') or {}
    if info.get('wanted'):
        module.exit_json(changed=False, **{RUN_LOGIN_WANTED: True})
    secrets = module.params.get('_run_login')
    if not secrets:
        return None
    if returned:
        # AnsibleModule masks every value of a no_log option wherever it appears in the result, and so would mask the
        # token the module is there to return (the task's no_log hides it, as the module's notes ask). So the secrets
        # leave the masked values, and the option itself is masked by hand in the invocation the result carries.
        for value in secrets.values():
            module.no_log_values.discard(value)
        module.params['_run_login'] = dict.fromkeys(secrets, MASK)
    return dict(info.get('data') or {}, **secrets), bool(info.get('reused'))
