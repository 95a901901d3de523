# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # What the HTTP layer (plugins/module_utils/http/_http.py, _transport.py) does for every plugin that talks to a server,
    # said once: the platform fragments (jumpserver, deepflow) only name their options and environment variables.
    DOCUMENTATION = r'''
options: {}
notes:
  - TLS, retries and secret handling - C(docs/security.md).
'''
