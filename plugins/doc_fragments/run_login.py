# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The hidden options by which a module's action plugin hands over the run's login (module_utils/_options.py
    # RUN_LOGIN_SPEC; plugins/plugin_utils/_run_login.py). Documented because they are part of the argument spec.
    DOCUMENTATION = r'''
options:
  cache:
    description:
      - Whether a password login of this task is the run's login, shared through the per-run token cache of the
        lookups (one login per run and identity, however many hosts). V(false) - the module logs in itself.
      - Not set - the lookups' setting decides (C(opsauth_tokens_cache), E(OPSAUTH_TOKENS_CACHE), C(ansible.cfg)),
        by default V(true). See C(docs/token-cache.md) of the collection.
    type: bool
  _run_login:
    description:
      - Internal, set only by the module's action plugin; never set it in a task (the action plugin replaces it).
      - The secrets of the run's password login (the token), from the per-run token cache the lookups share, so that
        the module does not log in itself. See C(docs/token-cache.md) of the collection.
    type: dict
  _run_login_info:
    description:
      - Internal, set only by the module's action plugin; never set it in a task (the action plugin replaces it).
      - What goes with O(_run_login) and is not secret - the rest of the login answer and whether it was reused - or a
        request to answer whether a login is needed at all.
    type: dict
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
'''

    # The cache option of a module without the run's login: accepted so that the module_defaults of its action group
    # (which the modules with the run's login share) never fail it with "Unsupported parameters".
    NO_RUN_LOGIN = r'''
options:
  cache:
    description:
      - Has no effect on this module, which always logs in itself; accepted so that C(module_defaults) of its action
        group can carry O(cache) for the modules that share the run's login.
    type: bool
'''
