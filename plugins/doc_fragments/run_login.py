# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # A module whose action plugin hands it the run's login (plugins/plugin_utils/_run_login.py). The hand-over travels
    # in hidden arguments that module_utils/_run_login.py (RunLoginModule) takes out before validation: they are in
    # no argument spec, so they are documented nowhere (a user never sets them).
    DOCUMENTATION = r'''
options: {}
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
'''
