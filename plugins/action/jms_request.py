# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""opsauth.tokens.jms_request with a password: the run's login from the token cache (plugin_utils/_run_login_action.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.plugin_utils._run_login_action import RunLoginAction


class ActionModule(RunLoginAction):

    SOURCE = 'jumpserver'
    MODULE_FIELDS = ('token', 'keyword')
