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
requirements:
  - requests >= 2.25 (Python library) on the target
  - pyhttpsig >= 1.3.0 for access keys
description:
  - Manages the access keys (an id and a secret that sign each request) of the user it authenticates as, and keeps the
    one it made in O(dest). A new key is proven by a signed request and written to O(dest) before an old one is
    retired; a run stopped half-way is resumed by the next. See C(docs/rotation.md).
  - Creating a key needs the user's confirmation, given with the password (O(password) or O(confirm_password)) or,
    for an MFA user, with O(mfa_code) or O(mfa_totp_secret).
extends_documentation_fragment:
  - opsauth.tokens.run_login.no_run_login
  - opsauth.tokens.jumpserver
  - opsauth.tokens.token_file
  - opsauth.tokens.token_file.identity
  - opsauth.tokens.http_layer
  - opsauth.tokens.attributes
  - opsauth.tokens.attributes.actiongroup_jumpserver
attributes:
  check_mode:
    support: full
    details: Only C(GET) requests (and a password login); reports what would change, with a null RV(id) and RV(secret).
  diff_mode:
    support: full
    details: The diff shows the key's id, O(is_active) and O(ip_group), never its secret.
options:
  state:
    description:
      - V(present) makes sure a working key is in O(dest); V(rotated) replaces it (see O(max_age)); V(pending) creates
        and proves a new key without making it current; V(promoted) makes the pending key current; V(reverted) deletes
        the pending key; V(absent) deletes the keys.
    type: str
    choices: [present, rotated, pending, promoted, reverted, absent]
    default: present
  max_age:
    description:
      - With V(rotated) and V(pending), rotate only a key older than this, for example V(90d), V(12h) (units V(s),
        V(m), V(h), V(d), V(w)); a key that is gone, inactive or refused is replaced whatever its age.
    type: str
  grace_period:
    description: How long each old key stays, deactivated, after a rotation (V(7d)); a later run deletes it, not sooner.
    type: str
  id:
    description: With O(state=absent), the id of the key to delete instead of the ones in O(dest).
    type: str
  ip_group:
    description: Addresses or networks the key may be used from (V(["*"]) for any); a new key keeps the old one's.
    type: list
    elements: str
  is_active:
    description: Whether the key may be used; not set leaves an existing key as it is.
    type: bool
  prune_inactive:
    description: Delete the user's inactive keys before creating one (JumpServer allows 10 keys per user).
    type: bool
    default: false
  confirm_password:
    description:
      - The user's password, to confirm a creation without O(password). Environment variable E(JMS_CONFIRM_PASSWORD).
    type: str
notes:
  - 'RV(secret) is secret and JumpServer shows it only once; use C(no_log: true). O(dest) is required but with
    V(absent).'
seealso:
  - module: opsauth.tokens.jms_request
  - name: Credential rotation
    description: The role C(opsauth.tokens.credential_rotation) and the stores it writes (docs/rotation.md).
    link: https://github.com/opsauth/opsauth.tokens/blob/main/docs/rotation.md
'''

EXAMPLES = r'''
- name: Make sure the automation user has an access key, kept in a 0600 file
  opsauth.tokens.jms_access_key:
    url: "{{ jms_url }}"
    username: "{{ jms_username }}"
    password: "{{ jms_password }}"
    dest: "{{ token_dir }}/jms-access-key.json"
    ip_group: [127.0.0.0/8]  # the addresses the key may be used from
  register: jms_key
  no_log: true

- name: Rotate it when it is older than 90 days (run it daily), keeping the old key inactive for 7 days
  opsauth.tokens.jms_access_key:
    url: "{{ jms_url }}"
    username: "{{ jms_username }}"
    password: "{{ jms_password }}"
    dest: "{{ token_dir }}/jms-access-key.json"
    state: rotated
    max_age: 90d
    grace_period: 7d
  register: rotation
  no_log: true

- name: Delete it
  opsauth.tokens.jms_access_key:
    url: "{{ jms_url }}"
    username: "{{ jms_username }}"
    password: "{{ jms_password }}"
    dest: "{{ token_dir }}/jms-access-key.json"
    state: absent
'''

RETURN = r'''
id:
  description: The key's id (with O(state=pending), the pending key's); null when none is made yet or deleted.
  returned: always
  type: str
  sample: 8f1a1c2e-0000-4000-8000-000000000001
secret:
  description: The key's secret, null where RV(id) is.
  returned: always
  type: str
  sample: 0b1f9a7e-5c1d-4e0f-9a2b-3c4d5e6f7a8b
is_active:
  description: Whether the key may be used.
  returned: always
  type: bool
ip_group:
  description: The addresses and networks the key may be used from.
  returned: always
  type: list
  elements: str
  sample: ['*']
date_created:
  description: When the key was created, ISO 8601 in UTC.
  returned: always
  type: str
  sample: '2026-08-21T02:00:00+00:00'
date_last_used:
  description: When the key last signed a request, ISO 8601 in UTC; null when never.
  returned: always
  type: str
rotated:
  description: Whether this run made a new key current (with O(state=pending), made or resumed one).
  returned: always
  type: bool
reason:
  description:
    - Why the key was rotated - V(age), V(missing), V(inactive), V(rejected) or V(forced); null when it was not.
  returned: always
  type: str
  sample: age
reused:
  description: Whether the key returned was already current.
  returned: always
  type: bool
verified:
  description: Whether a request signed with the key was accepted in this run.
  returned: always
  type: bool
previous:
  description: The C(id), C(is_active), C(delete_after) of the newest retired key (older ones in O(dest)), or null.
  returned: always
  type: dict
deleted_ids:
  description: The ids of keys deleted (in check mode, to be).
  returned: always
  type: list
  elements: str
dest:
  description: The token file.
  returned: when O(dest) is given
  type: str
created_dirs:
  description: The folders created (in check mode, to be created) for O(dest), outermost first.
  returned: when O(dest) is given
  type: list
  elements: str
msg:
  description: What the module did or, in check mode, would do.
  returned: always
  type: str
  sample: kept access key 8f1a1c2e-0000-4000-8000-000000000001
error_code:
  description: Stable code (docs/errors.md); null on success.
  returned: always
  type: str
  sample: password_failed
status:
  description: The HTTP status that failed the task.
  returned: failure
  type: int
json:
  description: JumpServer's answer to the request that failed.
  returned: failure
  type: raw
'''

from ansible.module_utils.basic import env_fallback

from ansible_collections.opsauth.tokens.plugins.module_utils._options import (
    CACHE_SPEC, JMS_COMMON_SPEC, TOKEN_FILE_SPEC, TOKEN_OWNER_SPEC, generate_argspec,
)

ARGUMENT_SPEC = generate_argspec(
    JMS_COMMON_SPEC, CACHE_SPEC, TOKEN_FILE_SPEC, TOKEN_OWNER_SPEC,
    state=dict(type='str', default='present', choices=['present', 'rotated', 'pending', 'promoted', 'reverted', 'absent']),
    max_age=dict(type='str'),
    grace_period=dict(type='str'),
    id=dict(type='str'),
    ip_group=dict(type='list', elements='str'),
    is_active=dict(type='bool'),
    prune_inactive=dict(type='bool', default=False),
    confirm_password=dict(type='str', no_log=True, fallback=(env_fallback, ['JMS_CONFIRM_PASSWORD'])),
)
# Every state but absent keeps its key (and a pending and a previous one) in dest.
DEST_STATES = ('present', 'rotated', 'pending', 'promoted', 'reverted')
ARGUMENT_RULES = dict(required_if=[('state', state, ('dest',)) for state in DEST_STATES]
                      + [('state', 'absent', ('dest', 'id'), True)])


def main():
    # Here, not at the top: docs/architecture.md, "A module is thin".
    from ansible_collections.opsauth.tokens.plugins.module_utils._module import OpsAuthModule
    from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_key_job import AccessKeyRun

    OpsAuthModule(ARGUMENT_SPEC, ARGUMENT_RULES).run(AccessKeyRun)


if __name__ == '__main__':
    main()
