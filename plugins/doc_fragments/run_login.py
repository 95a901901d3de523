# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # A module whose action plugin hands it the run's login (plugins/plugin_utils/_run_login_action.py). The hand-over travels
    # in hidden arguments that module_utils/_run_login_handover.py (RunLoginModule) takes out before validation: they are in
    # no argument spec, so they are documented nowhere (a user never sets them).
    DOCUMENTATION = r'''
options:
  cache:
    description:
      - One password login per run (not set - the lookups' setting, by default V(true); C(docs/token-cache.md)).
    type: bool
attributes:
  action:
    description: The action plugin gets the run's login on the controller.
    support: full
'''

    # The cache option of a module without the run's login: accepted so that the module_defaults of its action group
    # (which the modules with the run's login share) never fail it with "Unsupported parameters".
    NO_RUN_LOGIN = r'''
options:
  cache:
    description: No effect here (this module always logs in itself); accepted for the action group's C(module_defaults).
    type: bool
'''
