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
options:
  cache:
    description:
      - Whether a password login of this task is the run's login, shared through the per-run token cache of the
        lookups (one login per run and identity, however many hosts). V(false) - the module logs in itself.
      - Not set - the lookups' setting decides (C(opsauth_tokens_cache), E(OPSAUTH_TOKENS_CACHE), C(ansible.cfg)),
        by default V(true). See C(docs/token-cache.md) of the collection.
    type: bool
attributes:
  action:
    description: The action plugin gets the run's login on the controller.
    support: full
notes:
  - With a password given as task arguments or through C(module_defaults), the module's login is the run's login (the
    lookups' per-run token cache), so a play of many hosts logs in once, and a password login is sent once per run and
    never retried once the server answered it (accounts lock after repeated failures). Without C(dest), only the task
    that logged in reports C(changed=true). C(cache=false) (E(OPSAUTH_TOKENS_CACHE)) turns this off; see
    C(docs/token-cache.md) of the collection.
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
