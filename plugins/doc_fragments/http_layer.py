# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # What the HTTP layer (plugins/module_utils/_http.py, _transport.py) does for every plugin that talks to a server,
    # said once: the platform fragments (jumpserver, deepflow) only name their options and environment variables.
    DOCUMENTATION = r'''
options: {}
notes:
  - 'TLS trust, first match wins: C(validate_certs=false) (no check) > C(ca_path) > E(REQUESTS_CA_BUNDLE) or
    E(CURL_CA_BUNDLE) > the default CA store. Proxies and C(.netrc) never change the credentials sent.'
  - Only requests that are safe to repeat are retried (connection errors, HTTP 429, 502, 503, 504, with backoff and
    C(Retry-After)); a login, refresh or creation only when it never reached the server.
  - A credential given as an option loses surrounding white space (a vaulted string's newline); one with a control
    character inside is refused with a message that names the option, never the value.
'''
