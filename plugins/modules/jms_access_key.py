#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: jms_access_key
short_description: Create, check, rotate or delete the caller's JumpServer access key
version_added: 0.1.0
author: opsauth.tokens developers (@opsauth)
description:
  - An access key (an id and a secret) signs each API request (HTTP Signatures) instead of sending a secret, does not
    expire like a bearer token, and can be limited to source addresses. This module manages the keys of the user it
    authenticates as, and keeps the one it made in a token file (O(dest)).
  - O(state=present) keeps the key held in O(dest) when the server still has it, active, and a request signed with it
    is accepted; otherwise it creates a new key and writes it to O(dest).
  - O(state=rotated) creates a new key, proves that it signs a request, writes it to O(dest), then deletes the old
    one. When anything fails before the old key is deleted, the old key stays valid and O(dest) is unchanged.
  - O(state=absent) deletes the key named by O(id) or held in O(dest), then removes O(dest).
  - Creating a key needs a fresh confirmation of the user (JumpServer answers C(412 user_confirm_required)
    otherwise); the module confirms with the password (O(password) or O(confirm_password)) or, for a user the server
    confirms by MFA, with O(mfa_code) or O(mfa_totp_secret), and creates the key in the same session.
extends_documentation_fragment:
  - opsauth.tokens.jumpserver
  - opsauth.tokens.token_file
  - opsauth.tokens.attributes
  - opsauth.tokens.attributes.actiongroup_jumpserver
attributes:
  check_mode:
    support: full
    details:
      - Check mode sends only GET requests (and the password login when O(password) is given).
  diff_mode:
    support: full
    details:
      - The diff shows the key's id, O(is_active) and O(ip_group) before and after, never its secret.
options:
  state:
    description:
      - V(present) makes sure a working key is in O(dest); V(rotated) replaces it with a new one on every run;
        V(absent) deletes it.
    type: str
    choices: [present, rotated, absent]
    default: present
  id:
    description:
      - With O(state=absent), the id of the key to delete, instead of the one in O(dest).
    type: str
  ip_group:
    description:
      - Addresses or networks the key may be used from, for example V(["10.0.0.0/8", "192.0.2.7"]); V(["*"]) for
        any. When not set, a new key keeps the server's default V(["*"]) (or, when rotating, the old key's list).
      - Only a value that differs from the server's is changed (one PATCH).
    type: list
    elements: str
  is_active:
    description:
      - Whether the key may be used. When not set, a new key is active and an existing one is left as it is.
    type: bool
  prune_inactive:
    description:
      - Before creating a key, delete every inactive access key of the user, to make room under JumpServer's limit of
        10 keys per user. Without it, keys this module did not create are never deleted.
    type: bool
    default: false
  confirm_password:
    description:
      - The user's password, for the confirmation JumpServer asks before it creates a key, when the module
        authenticates with O(token), O(private_token) or an access key. With O(password), that one is used.
      - If not set, the value of the E(JMS_CONFIRM_PASSWORD) environment variable is used.
    type: str
notes:
  - O(dest) holds the key (id, secret, is_active, ip_group, url) and is required with O(state=present) and
    O(state=rotated). If writing it fails after a key was created, the new key is deleted again, so no key is left
    that nobody can use.
  - This module returns a secret, the access key's secret, in RV(secret) and writes it to O(dest). Set C(no_log) to
    V(true) on the task and do not print the result. JumpServer shows a secret only once, when the key is made.
  - A user has at most 10 access keys. The module says so when the limit is reached; O(prune_inactive=true) deletes
    the inactive ones first.
  - A key whose O(ip_group) excludes the host running the module cannot be tested with a signed request from it; such
    a key is kept (RV(verified=false)) rather than replaced on every run.
  - The M(opsauth.tokens.jms_token) lookup does not return access keys, on purpose. It caches a per-run login and
    holds nothing across runs, while an access key is a permanent credential that the server shows only once; a
    lookup that created one would leave a new key (toward the limit of 10) on every run and keep its secret only in
    memory. Keep the key in O(dest) with this module and read it with M(ansible.builtin.slurp) or a vault.
seealso:
  - module: opsauth.tokens.jms_request
  - module: opsauth.tokens.jms_token
  - name: JumpServer API authentication
    description: JumpServer's guide to API tokens, private tokens and access keys.
    link: https://docs.jumpserver.org/zh/v4/dev/rest_api/
'''

EXAMPLES = r'''
- name: Make sure the automation user has an access key, kept in a 0600 file
  opsauth.tokens.jms_access_key:
    url: https://jumpserver.example.com
    username: automation
    password: "{{ vault_jms_password }}"
    dest: /etc/automation/jms-access-key.json
    ip_group: [10.20.0.0/16]
  register: jms_key
  no_log: true

- name: Call the API with it (every request is signed)
  opsauth.tokens.jms_request:
    url: https://jumpserver.example.com
    access_key_id: "{{ jms_key.id }}"
    access_key_secret: "{{ jms_key.secret }}"
    path: /api/v1/users/users/
  no_log: true

- name: Rotate it once a quarter, confirming with the password while authenticated by a bearer token
  opsauth.tokens.jms_access_key:
    url: https://jumpserver.example.com
    token: "{{ jms_bearer_token }}"
    confirm_password: "{{ vault_jms_password }}"
    dest: /etc/automation/jms-access-key.json
    state: rotated
  no_log: true

- name: Delete it
  opsauth.tokens.jms_access_key:
    url: https://jumpserver.example.com
    username: automation
    password: "{{ vault_jms_password }}"
    dest: /etc/automation/jms-access-key.json
    state: absent
'''

RETURN = r'''
id:
  description: The key's id, a UUID; send it as O(access_key_id).
  returned: O(state=present) and O(state=rotated), except in check mode when a key would be created
  type: str
  sample: 8f1a1c2e-0000-4000-8000-000000000001
secret:
  description: The key's secret. Keep it like a password.
  returned: O(state=present) and O(state=rotated), except in check mode when a key would be created
  type: str
  sample: 0b1f9a7e-5c1d-4e0f-9a2b-3c4d5e6f7a8b
is_active:
  description: Whether the key may be used.
  returned: O(state=present) and O(state=rotated)
  type: bool
  sample: true
ip_group:
  description: The addresses and networks the key may be used from.
  returned: O(state=present) and O(state=rotated)
  type: list
  elements: str
  sample: ['*']
date_created:
  description: When the key was created, in the server's format.
  returned: O(state=present) and O(state=rotated)
  type: str
  sample: '2026/08/21 10:00:00 +0800'
created:
  description: Whether this run made a new key.
  returned: O(state=present) and O(state=rotated)
  type: bool
  sample: false
verified:
  description: Whether a request signed with the key was accepted in this run.
  returned: O(state=present) and O(state=rotated)
  type: bool
  sample: true
replaced:
  description: With O(state=rotated), the id of the old key that was deleted.
  returned: O(state=rotated) when O(dest) held a key the server still had
  type: str
  sample: 3c0c2b0e-7d57-4d43-9a43-0b6f1b2f9d10
pruned:
  description: The ids of the inactive keys deleted by O(prune_inactive).
  returned: always
  type: list
  elements: str
  sample: []
deleted:
  description: With O(state=absent), whether a key was deleted on the server.
  returned: O(state=absent)
  type: bool
  sample: true
dest:
  description: The token file.
  returned: when O(dest) is given
  type: str
  sample: /etc/automation/jms-access-key.json
msg:
  description: What the module did or, in check mode, would do.
  returned: always
  type: str
  sample: kept access key 8f1a1c2e-0000-4000-8000-000000000001
error_code:
  description: JumpServer's error code (C(error) or C(code) of its answer); null when the failure has none.
  returned: failure
  type: str
  sample: password_failed
status:
  description: The HTTP status of the answer that failed the task; null when no answer came.
  returned: failure
  type: int
  sample: 400
json:
  description: JumpServer's answer to the request that failed; null when there is none.
  returned: failure
  type: raw
  sample: {"error": "password_failed", "msg": "The username or password you entered is incorrect"}
'''

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._http import HAS_REQUESTS
from ansible_collections.opsauth.tokens.plugins.module_utils._jms_access_keys import AccessKeyApi, AccessKeyJob
from ansible_collections.opsauth.tokens.plugins.module_utils._options import JMS_COMMON_SPEC, TOKEN_FILE_SPEC, generate_argspec
from ansible_collections.opsauth.tokens.plugins.module_utils._tls import warn_insecure

ARGUMENT_SPEC = generate_argspec(
    JMS_COMMON_SPEC, TOKEN_FILE_SPEC,
    state=dict(type='str', default='present', choices=['present', 'rotated', 'absent']),
    id=dict(type='str'),
    ip_group=dict(type='list', elements='str'),
    is_active=dict(type='bool'),
    prune_inactive=dict(type='bool', default=False),
    confirm_password=dict(type='str', no_log=True, fallback=(env_fallback, ['JMS_CONFIRM_PASSWORD'])),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                           required_if=[('state', 'present', ('dest',)), ('state', 'rotated', ('dest',)),
                                        ('state', 'absent', ('dest', 'id'), True)])
    warn_insecure(module)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'))
    params = module.params
    try:
        api = AccessKeyApi(params, confirm_password=params['confirm_password'])
        job = AccessKeyJob(api, dest=params['dest'], key_id=params['id'], ip_group=params['ip_group'],
                           is_active=params['is_active'], prune_inactive=params['prune_inactive'], check=module.check_mode)
        result = job.run(params['state'])
        for message in job.warnings:
            module.warn(message)
        result['changed'] = result['changed'] or bool(job.warnings)  # dest's mode was narrowed to 0600
    except OpsAuthError as exc:
        # OldKeyLeft: the new key is in dest, and in the failure (this result is as no_log'd as a success).
        result = exc.failure()
        result.pop('diff', None)
        module.fail_json(**result)
    if not module._diff:
        result.pop('diff', None)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
