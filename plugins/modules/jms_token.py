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
  - requests >= 2.25 (Python library) on the host that runs the module
description:
  - Logs in to JumpServer with O(username) and O(password) (answering MFA and waiting for a login confirmation when
    needed) and returns the bearer token, its expiry and the headers to call the API with.
  - With O(dest), keeps the token in a JSON file (mode 0600, replaced atomically) and reuses it on later runs while it
    lives longer than O(min_ttl) and the server still accepts it, so a playbook does not log in on every run.
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
    details:
      - In check mode no login request is sent (a failed login counts toward the server's lockout) and O(dest) is
        neither written nor removed. A token that can be reused from O(dest) is checked and returned as in a normal run.
      - When a login would be needed, check mode returns the keys of a real run with placeholder values (the token
        V(check-mode-placeholder), the expiry of JumpServer's default lifetime), so that the tasks after it can be
        templated; see C(docs/results.md) of the collection.
  diff_mode:
    support: full
    details:
      - The diff shows the token file without the token.
options:
  state:
    description:
      - V(present) returns a usable token, from O(dest) when it can be reused, else from a new login.
      - V(absent) removes O(dest). No request is sent; see the notes.
    type: str
    choices: [present, absent]
    default: present
  min_ttl:
    description:
      - Reuse the token stored in O(dest) only while it has more than this many seconds left.
    type: int
    default: 300
notes:
  - O(dest) keeps the bearer token; it is reused only for the same O(url) and O(username), while it has more than
    O(min_ttl) seconds left and C(GET /api/v1/users/profile/) accepts it. A file that holds another user's or
    server's token is not replaced unless O(force=true).
  - 'This module returns a secret, the bearer token (also inside RV(headers)). Use C(no_log: true) on the task and do
    not print the result.'
  - JumpServer has no endpoint to revoke a bearer token; O(state=absent) only removes O(dest). The token stays valid
    until it expires (C(TOKEN_EXPIRATION), 24 hours by default).
  - A login from the same address returns the same token as the previous login, with a fresh lifetime.
seealso:
  - module: opsauth.tokens.jms_request
  - module: ansible.builtin.uri
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

- name: Call the API with the token
  ansible.builtin.uri:
    url: "{{ jms_url }}/api/v1/users/users/?limit=10"
    headers: "{{ jms.headers }}"
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
  description:
    - The bearer token.
    - In check mode, when a login would be needed, the placeholder V(check-mode-placeholder) (docs/results.md).
  returned: O(state=present)
  type: str
  sample: 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d
keyword:
  description: The C(Authorization) scheme of the token.
  returned: O(state=present)
  type: str
  sample: Bearer
date_expired:
  description:
    - When the token expires, ISO 8601 in UTC (converted from the server's time zone).
    - In check mode, when a login would be needed, the expiry of a token issued now with JumpServer's default lifetime
      (24 hours).
  returned: O(state=present)
  type: str
  sample: '2026-08-22T02:00:00+00:00'
expires_at:
  description: When the token expires, in seconds since the epoch (the same time as RV(date_expired)).
  returned: O(state=present)
  type: int
  sample: 1787364000
expires_in:
  description: Seconds the token has left.
  returned: O(state=present)
  type: int
  sample: 86399
user:
  description: The user the token belongs to (in check mode before a login, only C(username) is known).
  returned: O(state=present)
  type: dict
  contains:
    id:
      description: The user's id.
      type: str
      sample: 8a3e0d6c-0000-4000-8000-000000000001
    username:
      description: The user's login name.
      type: str
      sample: automation
    name:
      description: The user's display name.
      type: str
      sample: Automation
headers:
  description:
    - The C(Authorization) and C(X-JMS-ORG) headers, ready for the O(ansible.builtin.uri#module:headers) option.
    - In check mode before a login, with the placeholder token.
  returned: O(state=present)
  type: dict
  sample: {"Authorization": "Bearer 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "X-JMS-ORG": "00000000-0000-0000-0000-000000000002"}
reused:
  description: Whether the token came from O(dest) rather than from a new login.
  returned: always
  type: bool
  sample: false
dest:
  description: The token file.
  returned: O(dest) is set
  type: str
  sample: /var/lib/automation/jms-token.json
created_dirs:
  description: The folders created for O(dest) (mode 0700), outermost first; in check mode, the ones that would be.
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
  description: JumpServer's error code (C(error) of its answer); null on success and when the failure has none.
  returned: always
  type: str
  sample: password_failed
status:
  description: The HTTP status of the answer that failed the task; null when no answer came.
  returned: failure
  type: int
  sample: 400
json:
  description: JumpServer's answer to the failed login; null when there is none.
  returned: failure
  type: raw
  sample: {"error": "password_failed", "msg": "The username or password you entered is incorrect"}
'''

from ansible_collections.opsauth.tokens.plugins.module_utils._jms_token_job import TokenRun
from ansible_collections.opsauth.tokens.plugins.module_utils._module import OpsAuthModule
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
# The checks beside the spec; the action plugin validates with them too (plugin_utils/_run_login.py).
ARGUMENT_RULES = dict(required_if=[('state', 'absent', ('dest',))])


def main():
    OpsAuthModule(ARGUMENT_SPEC, ARGUMENT_RULES, run_login=True).run(TokenRun)


if __name__ == '__main__':
    main()
