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
  - requests >= 2.25 (Python library) on the host that runs the module
  - pyhttpsig >= 1.3.0 (imported as C(httpsig)) to sign with an access key
description:
  - An access key (an id and a secret) signs each API request (HTTP Signatures) instead of sending a secret, does not
    expire like a bearer token, and can be limited to source addresses. This module manages the keys of the user it
    authenticates as, and keeps the one it made in a token file (O(dest)).
  - O(state=present) keeps the key held in O(dest) when the server still has it, active, and a request signed with it
    is accepted; otherwise it creates a new key and writes it to O(dest).
  - O(state=rotated) replaces the key with a new one, on every run, or with O(max_age) only when the key is older
    than that (a scheduled job is then idempotent). The new key is created, proven by a signed request and written to
    O(dest) before the old one is retired; the old key is deleted, or with O(grace_period) deactivated and deleted by
    a later run once the grace period has passed.
  - For a key kept in a store outside this module (a vault, an AWX credential, a Kubernetes Secret), rotate in two
    phases. O(state=pending) creates the new key and proves it, and O(dest) records it as pending while the current
    key stays current; write it to the store and check the store; then O(state=promoted) makes it current and retires
    the old one. O(state=reverted) deletes the pending key instead (when the store could not be written) and says
    whether the current key still works. The role C(opsauth.tokens.credential_rotation) runs these steps.
  - A run that finds a pending key in O(dest) (an earlier run stopped after creating it) resumes it first; it is
    promoted when it still signs a request and deleted when it does not (O(state=pending) keeps it pending). There is
    at most one pending key.
  - O(state=absent) deletes the key named by O(id), or the keys held in O(dest) (current, pending and previous), then
    removes O(dest).
  - Creating a key needs a fresh confirmation of the user (JumpServer answers C(412 user_confirm_required)
    otherwise); the module confirms with the password (O(password) or O(confirm_password)) or, for a user the server
    confirms by MFA, with O(mfa_code) or O(mfa_totp_secret), and creates the key in the same session.
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
    details:
      - Check mode sends only GET requests (and the password login when O(password) is given) and writes nothing. It
        reports RV(rotated) and RV(reason) for the rotation it would do, RV(previous) for the key it would deactivate
        and RV(deleted_ids) for the keys it would delete; the new key's RV(id) and RV(secret) are null.
  diff_mode:
    support: full
    details:
      - The diff shows the key's id, O(is_active) and O(ip_group) before and after, never its secret.
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
      - With O(state=rotated) and O(state=pending), rotate only a key older than this (from the server's
        C(date_created)), as a number and a unit, V(s), V(m), V(h), V(d) or V(w), for example V(90d), V(12h), V(30m);
        V(0s) rotates every run. Without it, every run rotates.
      - A key that is gone, inactive or refused is replaced whatever its age.
    type: str
  grace_period:
    description:
      - How long the old key stays, deactivated, after a rotation, for example V(7d); it is returned in RV(previous)
        and deleted by the first run after the period (any state but V(absent) deletes it). Without it (or V(0s)), the
        old key is deleted as soon as the new one is current.
      - A deactivated key signs nothing; during the grace period it can be activated again (web UI, or this module
        with O(is_active)) to go back.
    type: str
  id:
    description:
      - With O(state=absent), the id of the key to delete, instead of the ones in O(dest).
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
      - Environment variable E(JMS_CONFIRM_PASSWORD).
    type: str
notes:
  - O(dest) holds the current key (id, secret, is_active, ip_group, dates, url), and while a rotation is under way the
    C(pending) key and the C(previous) one. It is required with every state but V(absent). It is written before
    every step on the server, so a run stopped at any point leaves what the next run needs to finish or undo it; if
    writing it fails after a key was created, the new key is deleted again, so no key is left that nobody can use.
  - This module returns a secret, the access key's secret, in RV(secret) and writes it to O(dest). Set C(no_log) to
    V(true) on the task and do not print the result. JumpServer shows a secret only once, when the key is made.
  - A user has at most 10 access keys. At the limit the module deletes only a key it made itself (its previous key,
    already inactive) and otherwise says so; O(prune_inactive=true) deletes the user's inactive keys first.
  - A key whose O(ip_group) excludes the host running the module cannot be tested with a signed request from it; such
    a key is kept (RV(verified=false)) rather than replaced on every run.
  - The M(opsauth.tokens.jms_token) lookup does not return access keys, on purpose. It caches a per-run login and
    holds nothing across runs, while an access key is a permanent credential that the server shows only once; a
    lookup that created one would leave a new key (toward the limit of 10) on every run and keep its secret only in
    memory. Keep the key in O(dest) with this module and read it with M(ansible.builtin.slurp) or a vault.
seealso:
  - module: opsauth.tokens.jms_request
  - module: opsauth.tokens.jms_token
  - name: Credential rotation
    description: The role C(opsauth.tokens.credential_rotation) and the stores it writes (docs/rotation.md).
    link: https://github.com/opsauth/opsauth.tokens/blob/main/docs/rotation.md
  - name: JumpServer API authentication
    description: JumpServer's guide to API tokens, private tokens and access keys.
    link: https://docs.jumpserver.org/zh/v4/dev/rest_api/
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

- name: Call the API with it (every request is signed)
  opsauth.tokens.jms_request:
    url: "{{ jms_url }}"
    access_key_id: "{{ jms_key.id }}"
    access_key_secret: "{{ jms_key.secret }}"
    path: /api/v1/users/profile/
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

- name: Say what happened (nothing secret)
  ansible.builtin.debug:
    msg: "rotated={{ rotation.rotated }} reason={{ rotation.reason }} previous={{ rotation.previous }}"

- name: Two phases for a key kept elsewhere - create and prove a pending key
  opsauth.tokens.jms_access_key:
    url: "{{ jms_url }}"
    username: "{{ jms_username }}"
    password: "{{ jms_password }}"
    dest: "{{ token_dir }}/jms-access-key.json"
    state: pending
  register: pending_key
  no_log: true

# ... write pending_key.id and pending_key.secret to the store here, and read them back ...

- name: Make the pending key current, and retire the old one
  opsauth.tokens.jms_access_key:
    url: "{{ jms_url }}"
    username: "{{ jms_username }}"
    password: "{{ jms_password }}"
    dest: "{{ token_dir }}/jms-access-key.json"
    state: promoted
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
  description:
    - The key's id, a UUID; send it as O(access_key_id). With O(state=pending), the pending key's.
    - Null in check mode when a key would be created, and with O(state=absent).
  returned: always
  type: str
  sample: 8f1a1c2e-0000-4000-8000-000000000001
secret:
  description:
    - The key's secret (with O(state=pending), the pending key's). Keep it like a password.
    - Null in check mode when a key would be created, and with O(state=absent).
  returned: always
  type: str
  sample: 0b1f9a7e-5c1d-4e0f-9a2b-3c4d5e6f7a8b
is_active:
  description: Whether the key may be used.
  returned: always
  type: bool
  sample: true
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
  sample: '2026-08-21T02:05:00+00:00'
rotated:
  description:
    - Whether this run made a new key current (with O(state=pending), whether a pending key was made or resumed and
      is returned); in check mode, whether it would.
  returned: always
  type: bool
  sample: true
reason:
  description:
    - Why the key was rotated, null when it was not. V(age) older than O(max_age), V(missing) no key in O(dest) or
      the server no longer has it, V(inactive) the key is deactivated, V(rejected) a request signed with it was
      refused, V(forced) O(state=rotated) or O(state=pending) without O(max_age).
  returned: always
  type: str
  sample: age
reused:
  description: Whether the key returned is the one that was already current (nothing new was made).
  returned: always
  type: bool
  sample: false
verified:
  description: Whether a request signed with the returned key was accepted in this run.
  returned: always
  type: bool
  sample: true
previous:
  description:
    - The key the rotation retired (or, with O(state=pending), will retire), or the one still in its grace period;
      null when there is none. Never its secret.
  returned: always
  type: dict
  contains:
    id:
      description: The old key's id.
      type: str
    is_active:
      description: Whether it is still active (false once retired).
      type: bool
    delete_after:
      description: When a later run deletes it (ISO 8601, UTC); null while it is current (O(state=pending)).
      type: str
  sample: {id: 3c0c2b0e-7d57-4d43-9a43-0b6f1b2f9d10, is_active: false, delete_after: '2026-08-28T02:00:00+00:00'}
deleted_ids:
  description:
    - The ids of the keys this run deleted (in check mode, would delete) on the server - an old key whose grace
      period has passed, a pending key that no longer worked, the keys pruned by O(prune_inactive), those of
      O(state=absent).
  returned: always
  type: list
  elements: str
  sample: [3c0c2b0e-7d57-4d43-9a43-0b6f1b2f9d10]
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
  description: The failure's stable code, from the table of docs/errors.md; the server's own code is in C(server_error_code). Null on success.
  returned: always
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

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._http import HAS_REQUESTS
from ansible_collections.opsauth.tokens.plugins.module_utils._jms_access_key_job import AccessKeyJob
from ansible_collections.opsauth.tokens.plugins.module_utils._jms_access_keys import AccessKeyApi
from ansible_collections.opsauth.tokens.plugins.module_utils._options import (
    CACHE_SPEC, JMS_COMMON_SPEC, TOKEN_FILE_SPEC, TOKEN_OWNER_SPEC, generate_argspec,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._resolve import resolve_module
from ansible_collections.opsauth.tokens.plugins.module_utils._results import succeeded
from ansible_collections.opsauth.tokens.plugins.module_utils._time import parse_duration
from ansible_collections.opsauth.tokens.plugins.module_utils._tls import warn_insecure

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


def durations(module):
    """max_age and grace_period in seconds (None when not set); a value that is no duration fails before any request."""
    try:
        return [None if module.params[name] is None else parse_duration(module.params[name])
                for name in ('max_age', 'grace_period')]
    except ValueError as exc:
        module.fail_json(msg='%s' % exc, error_code='invalid_option')


def main():
    module = resolve_module(ARGUMENT_SPEC, supports_check_mode=True,
                            required_if=[('state', state, ('dest',)) for state in DEST_STATES]
                            + [('state', 'absent', ('dest', 'id'), True)])
    warn_insecure(module)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), error_code='missing_library')
    params = module.params
    max_age, grace_period = durations(module)
    job = None
    try:
        api = AccessKeyApi(params, confirm_password=params['confirm_password'])
        job = AccessKeyJob(api, dest=params['dest'], key_id=params['id'], ip_group=params['ip_group'],
                           is_active=params['is_active'], prune_inactive=params['prune_inactive'], max_age=max_age,
                           grace_period=grace_period, force=params['force'], check=module.check_mode)
        result = job.run(params['state'])
        for message in job.warnings:
            module.warn(message)
        result['changed'] = result['changed'] or bool(job.warnings)  # dest's mode was narrowed to 0600
    except OpsAuthError as exc:
        # OldKeyLeft: the new key is current, in dest and in the failure (this result is as no_log'd as a success).
        result = exc.failure(changed=bool(job and job.changed), deleted_ids=job.deleted_ids if job else [])
        result.pop('diff', None)
        module.fail_json(**result)
    if not module._diff:
        result.pop('diff', None)
    module.exit_json(**succeeded(result))


if __name__ == '__main__':
    main()
