# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""opsauth.tokens.jms_info with a password: the run's login from the token cache (plugin_utils/_run_login_action.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.plugin_utils._run_login_action import RunLoginAction


class ActionModule(RunLoginAction):

    SOURCE = 'jumpserver'
    MODULE_FIELDS = ('token', 'keyword')
    # jms_info logs in in check mode too (it changes nothing): better the run's one login than one per host.
    LOGIN_IN_CHECK_MODE = True
