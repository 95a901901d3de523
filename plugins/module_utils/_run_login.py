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

from ansible_collections.opsauth.tokens.plugins.module_utils._options import RUN_LOGIN_WANTED


def handed_over(module):
    """(login answer, reused) that the action plugin handed over instead of a login, or None: log in yourself.

    Call it where the module would log in, and only there: with ``{"wanted": true}`` the action plugin asks whether a
    login is needed at all, so this ends the module with RUN_LOGIN_WANTED (nothing sent, nothing written).
    """
    info = module.params.get('_run_login_info') or {}
    if info.get('wanted'):
        module.exit_json(changed=False, **{RUN_LOGIN_WANTED: True})
    secrets = module.params.get('_run_login')
    if not secrets:
        return None
    return dict(info.get('data') or {}, **secrets), bool(info.get('reused'))
