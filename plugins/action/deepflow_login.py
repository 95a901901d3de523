# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""opsauth.tokens.deepflow_login with a password: the run's login from the token cache (plugin_utils/_run_login.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.plugin_utils._run_login import RunLoginAction


class ActionModule(RunLoginAction):

    LOOKUP = 'opsauth.tokens.deepflow_token'
    OPTION_SPEC = 'DEEPFLOW_FAUTHS_SPEC'
    SOURCE = 'deepflow'
    SECRET_FIELDS = ('access_token', 'refresh_token')

    def uses_password(self, args):
        # Only state=present logs in; refreshed and absent use the refresh or access token.
        return bool(args.get('password')) and args.get('state', 'present') == 'present'

    def hand_over(self, args):
        # With dest or a refresh token, the module may reuse or refresh a token and need no login: ask it first.
        return 'wanted' if args.get('dest') or args.get('refresh_token') else 'token'
