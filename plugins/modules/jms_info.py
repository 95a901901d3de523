#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: jms_info
short_description: Check a JumpServer, the credentials, the clock and TLS before anything else
version_added: 0.1.0
author: opsauth.tokens developers (@opsauth)
requirements:
  - requests >= 2.25 (Python library) on the host that runs the module
  - pyhttpsig >= 1.3.0 (imported as C(httpsig)) for access keys
description:
  - The first task to run against a JumpServer. It changes nothing and answers what the other modules depend on - the
    server's major version, who the credentials authenticate, the organizations that user sees, how far the local
    clock is from the server's, and the server's TLS certificate.
  - Authenticates with any of JumpServer's methods - a password (a login first), a bearer token, a private token, an
    access key (HTTP signature) or a web session (O(session_id)). Give exactly one of them.
  - Sends only C(GET) requests, after the login a password needs - C(GET /api/v1/users/profile/) once without the
    user's credentials (to tell the version) and once with them. The organizations come from the same profile.
extends_documentation_fragment:
  - opsauth.tokens.jumpserver
  - opsauth.tokens.jumpserver.session
  - opsauth.tokens.http_layer
  - opsauth.tokens.attributes
  - opsauth.tokens.attributes.actiongroup_jumpserver
  - opsauth.tokens.run_login
attributes:
  check_mode:
    support: full
    details:
      - The module never changes anything; check mode runs it the same way, the password login included.
  diff_mode:
    support: none
notes:
  - JumpServer's API does not publish its version. The major version is told from how the server answers an unknown
    bearer token - HTTP 401 C(not_authenticated) on v4, C(authentication_failed) on v3.10 - and RV(server.detected_by)
    says which answer decided it. RV(server.version) is null, since no answer of the API holds the version string.
  - Access-key signatures carry the local time in their C(Date) header; check RV(clock_skew) when they fail.
  - With O(username) and O(password) given as task arguments or through C(module_defaults), the module uses the run's
    login - the same per-run token cache as the P(opsauth.tokens.jms_token#lookup) lookup - so a play of many hosts
    logs in once, in check mode too. C(cache=false) (E(OPSAUTH_TOKENS_CACHE)) turns this off.
  - O(org_id) is sent with every request but not checked; RV(orgs) lists the organizations the user sees.
seealso:
  - module: opsauth.tokens.jms_request
  - module: opsauth.tokens.jms_token
'''

EXAMPLES = r'''
# jms_url, jms_username and jms_password are your own variables (a vault for the password).
- name: Check the server, the credentials, the clock and TLS
  opsauth.tokens.jms_info:
    url: "{{ jms_url }}"
    username: "{{ jms_username }}"
    password: "{{ jms_password }}"
  register: jms

- name: Say what the server answered
  ansible.builtin.debug:
    msg: >-
      JumpServer {{ jms.server.major }} as {{ jms.user.username }}, organizations
      {{ jms.orgs | map(attribute='name') | join(', ') }}, clock skew {{ jms.clock_skew }} s

- name: Stop early when the clock is too far off for access-key signatures
  ansible.builtin.assert:
    that: (jms.clock_skew | default(0, true) | abs) < 300
    fail_msg: "The local clock is {{ jms.clock_skew }} s off the server's: fix NTP first"
'''

RETURN = r'''
changed:
  description: Always false; the module changes nothing.
  returned: always
  type: bool
  sample: false
msg:
  description: One line that sums up the answers.
  returned: always
  type: str
  sample: "JumpServer 4 at https://jumpserver.example.com: password as admin, 2 organisation(s), clock skew 0 s, TLS verified"
error_code:
  description: The failure's stable code, from the table of docs/errors.md; the server's own code is in C(server_error_code). Null on success.
  returned: always
  type: str
  sample: null
reused:
  description:
    - Whether no new login was needed - a token, key or session given in the options, or the run's login from the
      token cache. False when this task logged in with the password.
  returned: success
  type: bool
  sample: true
server:
  description: The server.
  returned: success
  type: dict
  contains:
    url:
      description: The base URL, as given in O(url) (without a trailing slash).
      type: str
      sample: https://jumpserver.example.com
    major:
      description: The major version, V(3) or V(4); null when the server's answers match neither.
      type: int
      sample: 4
    version:
      description: The full version string; null, since JumpServer's API does not publish it.
      type: str
      sample: null
    detected_by:
      description: Which answer of the server told the major version.
      type: str
      sample: an unknown bearer token is answered HTTP 401 not_authenticated (JumpServer v4; v3.10 answers authentication_failed)
user:
  description: Whoever the credentials authenticate (from C(GET /api/v1/users/profile/)).
  returned: success
  type: dict
  contains:
    id:
      description: The user's id.
      type: str
      sample: 5e3a8f8e-5b77-5c53-9d3c-6a4a1f3e0c11
    username:
      description: The user name.
      type: str
      sample: admin
    name:
      description: The display name.
      type: str
      sample: Administrator
auth:
  description: The auth method used - V(password), V(token), V(private_token), V(access_key) or V(session).
  returned: success
  type: str
  sample: password
orgs:
  description:
    - Every organization the user sees, in the console, audit or workbench view, each once.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The organization's id (the value for O(org_id)).
      type: str
      sample: 00000000-0000-0000-0000-000000000002
    name:
      description: Its name.
      type: str
      sample: Default
clock_skew:
  description:
    - The server's time minus the local time, in whole seconds, from the C(Date) header of the server's answer; null
      when the answer had none. Accurate to about a second.
  returned: success
  type: int
  sample: 0
tls:
  description: The TLS connection to the server.
  returned: success
  type: dict
  contains:
    https:
      description: Whether O(url) is an C(https://) URL.
      type: bool
      sample: true
    verified:
      description: Whether the certificate was verified (false with O(validate_certs=false) or on C(http://)).
      type: bool
      sample: true
    subject:
      description: The certificate's subject; null on C(http://), or when it was not verified and the Python library
        C(cryptography) is not there to read it.
      type: str
      sample: CN=jumpserver.example.com
    issuer:
      description: The certificate's issuer, null where RV(tls.subject) is.
      type: str
      sample: CN=Example private CA
    date_expired:
      description: When the certificate expires, ISO 8601 in UTC; null where RV(tls.subject) is.
      type: str
      sample: "2027-03-01T12:00:00Z"
    expires_at:
      description: The same moment in epoch seconds.
      type: int
      sample: 1804075200
'''

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.opsauth.tokens.plugins.module_utils._jms_info import server_info
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver import JumpServerClient
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver_errors import CredentialRejected
from ansible_collections.opsauth.tokens.plugins.module_utils._options import (
    CACHE_SPEC,
    JMS_COMMON_SPEC,
    JMS_SESSION_SPEC,
    generate_argspec,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._resolve import resolve_module
from ansible_collections.opsauth.tokens.plugins.module_utils._run_login import RUN_LOGIN_REJECTED, RunLoginModule, handed_over
from ansible_collections.opsauth.tokens.plugins.module_utils._tls import warn_insecure

ARGUMENT_SPEC = generate_argspec(JMS_COMMON_SPEC, CACHE_SPEC, JMS_SESSION_SPEC)


def main():
    module = resolve_module(ARGUMENT_SPEC, module_class=RunLoginModule, supports_check_mode=True)
    warn_insecure(module)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), error_code='missing_library', exception=REQUESTS_IMPORT_ERROR)
    # The run's login, handed over by the action plugin (plugins/action/jms_info.py) instead of a login per host.
    run_login = handed_over(module)
    try:
        client = JumpServerClient.from_options(module.params)
        reused = None
        if run_login:
            client.adopt_login(run_login[0])
            reused = run_login[1]
        module.exit_json(changed=False, **server_info(client, reused))
    except OpsAuthError as exc:
        details = exc.failure(changed=False)
        if run_login and isinstance(exc, CredentialRejected):
            # Only GETs: the action plugin may log in again once for the run and run the module again.
            details[RUN_LOGIN_REJECTED] = True
        module.fail_json(**details)


if __name__ == '__main__':
    main()
