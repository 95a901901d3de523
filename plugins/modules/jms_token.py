#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: jms_token
short_description: Log in to JumpServer and get, store and reuse a bearer token
version_added: 0.1.0
author: opsauth.tokens developers (@opsauth)
requirements:
  - requests >= 2.25 (Python library) on the target
description:
  - Logs in to JumpServer (with MFA and login confirmation) and returns a bearer token and its headers; with
    O(dest), keeps it for later runs.
extends_documentation_fragment:
  - opsauth.tokens.jumpserver
  - opsauth.tokens.token_file
  - opsauth.tokens.token_file.identity
  - opsauth.tokens.http_layer
  - opsauth.tokens.attributes
  - opsauth.tokens.attributes.actiongroup_jumpserver
  - opsauth.tokens.run_login
attributes:
  check_mode:
    support: full
    details: No login is sent and O(dest) is not changed (docs/results.md).
  diff_mode:
    support: full
    details: The diff shows the token file without the token.
options:
  state:
    description: V(present) returns a token; V(absent) removes O(dest) (JumpServer cannot revoke a token).
    type: str
    choices: [present, absent]
    default: present
  min_ttl:
    description: Seconds a stored token must have left to be reused.
    type: int
    default: 300
notes:
  - 'RV(token) and RV(headers) are secret; use C(no_log: true).'
seealso:
  - module: opsauth.tokens.jms_request
'''

EXAMPLES = r'''
- name: Log in and keep the token for later runs
  opsauth.tokens.jms_token:
    url: "{{ jms_url }}"
    username: "{{ jms_username }}"
    password: "{{ jms_password }}"
    dest: "{{ token_dir }}/jms-token.json"
  register: jms
  no_log: true

- name: Log in as a user with MFA, computing the one-time code from the device's secret
  opsauth.tokens.jms_token:
    url: "{{ jms_url }}"
    username: "{{ jms_username }}"
    password: "{{ jms_password }}"
    mfa_totp_secret: "{{ jms_totp_secret }}"
  register: jms
  no_log: true

- name: Forget the stored token
  opsauth.tokens.jms_token:
    url: "{{ jms_url }}"
    dest: "{{ token_dir }}/jms-token.json"
    state: absent
'''

RETURN = r'''
token:
  description: The bearer token.
  returned: O(state=present)
  type: str
  sample: 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d
keyword:
  description: The C(Authorization) scheme.
  returned: O(state=present)
  type: str
  sample: Bearer
date_expired:
  description: When the token expires, ISO 8601 in UTC.
  returned: O(state=present)
  type: str
  sample: '2026-08-22T02:00:00+00:00'
expires_at:
  description: When the token expires, in epoch seconds.
  returned: O(state=present)
  type: int
  sample: 1787364000
expires_in:
  description: Seconds the token has left.
  returned: O(state=present)
  type: int
  sample: 86399
user:
  description: The C(id), C(username) and C(name) of the token's user.
  returned: O(state=present)
  type: dict
headers:
  description: The C(Authorization) and C(X-JMS-ORG) headers.
  returned: O(state=present)
  type: dict
  sample: {"Authorization": "Bearer 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"}
reused:
  description: Whether the token came from O(dest) rather than a new login.
  returned: always
  type: bool
  sample: false
dest:
  description: The token file.
  returned: O(dest) is set
  type: str
  sample: /var/lib/automation/jms-token.json
created_dirs:
  description: The folders created for O(dest), outermost first.
  returned: O(dest) is set and O(state=present)
  type: list
  elements: str
  sample: [/var/lib/automation]
msg:
  description: What the module did or, in check mode, would do.
  returned: always
  type: str
  sample: logged in as automation and wrote /var/lib/automation/jms-token.json
error_code:
  description: Stable code (docs/errors.md); null on success.
  returned: always
  type: str
  sample: password_failed
status:
  description: The HTTP status that failed the task.
  returned: failure
  type: int
  sample: 400
json:
  description: JumpServer's answer to the failed login.
  returned: failure
  type: raw
  sample: {"error": "password_failed"}
'''

from ansible_collections.opsauth.tokens.plugins.module_utils._options import (
    CACHE_SPEC,
    JMS_COMMON_SPEC,
    TOKEN_FILE_SPEC,
    TOKEN_OWNER_SPEC,
    generate_argspec,
)

ARGUMENT_SPEC = generate_argspec(
    JMS_COMMON_SPEC, CACHE_SPEC, TOKEN_FILE_SPEC, TOKEN_OWNER_SPEC,
    state=dict(type='str', default='present', choices=['present', 'absent']),
    min_ttl=dict(type='int', default=300),
)
# The checks beside the spec; the action plugin validates with them too (plugin_utils/_run_login_action.py).
ARGUMENT_RULES = dict(required_if=[('state', 'absent', ('dest',))])


def main():
    # Here, not at the top: docs/architecture.md, "A module is thin".
    from ansible_collections.opsauth.tokens.plugins.module_utils._module import OpsAuthModule
    from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_token_job import TokenRun

    OpsAuthModule(ARGUMENT_SPEC, ARGUMENT_RULES, run_login=True).run(TokenRun)


if __name__ == '__main__':
    main()
