# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The module attributes, described once (as community.general.attributes does). A module extends
    # opsauth.tokens.attributes and one ACTIONGROUP_* variant, and states only its own support and details:
    #   attributes:
    #     check_mode:
    #       support: full
    #     diff_mode:
    #       support: none
    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check mode and say what it would change.
  diff_mode:
    description: Returns what changed (or would change) in diff mode.
'''

    # The action groups of meta/runtime.yml (docs/security.md, "Action groups"): the jms_* modules that log in are in
    # jumpserver (jms_private_token is in none), every deepflow_* module in deepflow.
    ACTIONGROUP_JUMPSERVER = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/opsauth.tokens.jumpserver) in C(module_defaults).
    support: full
    membership:
      - opsauth.tokens.jumpserver
'''

    ACTIONGROUP_DEEPFLOW = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/opsauth.tokens.deepflow) in C(module_defaults).
    support: full
    membership:
      - opsauth.tokens.deepflow
'''
