#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: deepflow_login
short_description: Get, refresh and revoke DeepFlow access tokens
version_added: 0.1.0
author: opsauth.tokens developers (@opsauth)
requirements:
  - requests >= 2.25 (Python library) on the target
description:
  - Gets, refreshes and revokes DeepFlow access tokens (fauths), with their refresh token and login-free page URLs;
    O(dest) keeps them for later runs.
extends_documentation_fragment:
  - opsauth.tokens.deepflow
  - opsauth.tokens.token_file
  - opsauth.tokens.token_file.identity
  - opsauth.tokens.http_layer
  - opsauth.tokens.attributes
  - opsauth.tokens.attributes.actiongroup_deepflow
  - opsauth.tokens.run_login
attributes:
  check_mode:
    support: full
    details: No login, refresh or logout is sent; O(dest) is not written.
  diff_mode:
    support: none
options:
  state:
    description:
      - V(present) reuses the token in O(dest), refreshes it or logs in; V(refreshed) refreshes; V(absent) logs out
        and removes O(dest) (C(docs/deepflow-tokens.md)).
    type: str
    choices: [present, refreshed, absent]
    default: present
  min_ttl:
    description: Seconds a stored access token must have left to be reused.
    type: int
    default: 300
  access_token:
    description: With O(state=absent), the access token to log out instead of the one in O(dest).
    type: str
  refresh_token:
    description: A refresh token to use instead of the one in O(dest).
    type: str
notes:
  - 'RV(token), RV(refresh_token), RV(headers) and RV(pages) are secret; use C(no_log: true).'
seealso:
  - module: opsauth.tokens.deepflow_permanent_token
  - plugin: opsauth.tokens.deepflow_page_url
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Get a DeepFlow access token, reusing the stored one while it lives
  opsauth.tokens.deepflow_login:
    url: "{{ deepflow_url }}"
    email: "{{ deepflow_email }}"
    password: "{{ deepflow_password }}"
    dest: "{{ token_dir }}/deepflow-token.json"
  register: deepflow
  no_log: true

- name: Inside the cluster, talk to fauths directly
  opsauth.tokens.deepflow_login:
    fauths_url: "{{ deepflow_fauths_url }}"  # http://fauths:20822 inside the cluster
    email: "{{ deepflow_email }}"
    password: "{{ deepflow_password }}"
  register: deepflow
  no_log: true

- name: Renew the access token now
  opsauth.tokens.deepflow_login:
    url: "{{ deepflow_url }}"
    dest: "{{ token_dir }}/deepflow-token.json"
    state: refreshed
  no_log: true

- name: Log out and forget the tokens
  opsauth.tokens.deepflow_login:
    url: "{{ deepflow_url }}"
    dest: "{{ token_dir }}/deepflow-token.json"
    state: absent
'''

RETURN = r'''
token:
  description: The access token (a JWT).
  returned: when O(state) is V(present) or V(refreshed)
  type: str
  sample: eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjE1NzE4MjMwNzB9.c2lnbmF0dXJl
refresh_token:
  description: The refresh token (renews without the password).
  returned: when O(state) is V(present) or V(refreshed)
  type: str
  sample: eyJ0eXAiOiJKV1QiLCJhbGc...
expires_in:
  description: Seconds the access token has left.
  returned: when O(state) is V(present) or V(refreshed)
  type: int
  sample: 3600
expires_at:
  description: When the access token expires, in epoch seconds.
  returned: when O(state) is V(present) or V(refreshed)
  type: int
  sample: 1738324800
date_expired:
  description: When the access token expires, ISO 8601 in UTC.
  returned: when O(state) is V(present) or V(refreshed)
  type: str
  sample: '2025-01-31T12:00:00+00:00'
token_type:
  description: How it was issued, V(password) or V(refresh_token).
  returned: when O(state) is V(present) or V(refreshed)
  type: str
  sample: password
email:
  description: The account the token belongs to.
  returned: when O(state) is V(present) or V(refreshed)
  type: str
  sample: ops@example.com
license:
  description: The C(license) flag of the login answer.
  returned: when O(state) is V(present) or V(refreshed)
  type: bool
  sample: true
headers:
  description: The C(Authorization) header with the access token.
  returned: when O(state) is V(present) or V(refreshed)
  type: dict
  sample: {"Authorization": "Bearer eyJ0eXAiOiJKV1Qi..."}
reused:
  description: Whether the access token came from O(dest).
  returned: always
  type: bool
  sample: false
dest:
  description: The token file.
  returned: O(dest) is set and O(state) is V(present) or V(refreshed)
  type: str
  sample: /var/lib/portal/deepflow-token.json
created_dirs:
  description: The folders created for O(dest), outermost first.
  returned: O(dest) is set and O(state) is V(present) or V(refreshed)
  type: list
  elements: str
msg:
  description: What the module did or, in check mode, would do.
  returned: always
  type: str
  sample: logged in as ops@example.com and wrote /var/lib/portal/deepflow-token.json
pages:
  description:
    - Login-free URLs of the C(views), C(applications) and C(network) pages; empty when the controller URL is unknown.
  returned: when O(state) is V(present) or V(refreshed)
  type: dict
error_code:
  description: Stable code (docs/errors.md); null on success.
  returned: always
  type: str
  sample: api_error
status:
  description: The HTTP status of the answer that failed the task.
  returned: failure
  type: int
json:
  description: C(OPT_STATUS) and C(DESCRIPTION) of DeepFlow's failed answer.
  returned: failure
  type: raw
  sample: {"OPT_STATUS": "NO_PERMISSIONS"}
'''

from ansible_collections.opsauth.tokens.plugins.module_utils._options import (
    CACHE_SPEC,
    DEEPFLOW_FAUTHS_SPEC,
    TOKEN_FILE_SPEC,
    TOKEN_OWNER_SPEC,
    generate_argspec,
)

ARGUMENT_SPEC = generate_argspec(
    DEEPFLOW_FAUTHS_SPEC, CACHE_SPEC, TOKEN_FILE_SPEC, TOKEN_OWNER_SPEC,
    state=dict(type='str', default='present', choices=['present', 'refreshed', 'absent']),
    min_ttl=dict(type='int', default=300),
    access_token=dict(type='str', no_log=True),
    refresh_token=dict(type='str', no_log=True),
)
ARGUMENT_RULES = {}


def main():
    # Here, not at the top: docs/architecture.md, "A module is thin".
    from ansible_collections.opsauth.tokens.plugins.module_utils._module import OpsAuthModule
    from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_login_job import LoginRun

    OpsAuthModule(ARGUMENT_SPEC, ARGUMENT_RULES, run_login=True).run(LoginRun)


if __name__ == '__main__':
    main()
