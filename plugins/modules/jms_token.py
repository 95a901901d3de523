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
  description: JumpServer's answer to the failed login; null when there is none.
  returned: failure
  type: raw
  sample: {"error": "password_failed", "msg": "The username or password you entered is incorrect"}
'''

import os

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver import (
    JumpServerClient,
    bearer_headers,
    bearer_token_result,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver_errors import CredentialRejected
from ansible_collections.opsauth.tokens.plugins.module_utils._options import (
    CACHE_SPEC,
    JMS_COMMON_SPEC,
    TOKEN_FILE_SPEC,
    TOKEN_OWNER_SPEC,
    generate_argspec,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._resolve import resolve_module
from ansible_collections.opsauth.tokens.plugins.module_utils._results import PLACEHOLDER, placeholder_expiry, succeeded
from ansible_collections.opsauth.tokens.plugins.module_utils._run_login import RunLoginModule, handed_over
from ansible_collections.opsauth.tokens.plugins.module_utils._time import seconds_left
from ansible_collections.opsauth.tokens.plugins.module_utils._tls import warn_insecure
from ansible_collections.opsauth.tokens.plugins.module_utils._token_file import (
    check_token_dest,
    read_token_file,
    remove_token_file,
    write_issued_token,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._token_identity import (
    check_owner,
    replaced_warning,
    token_identity,
)

ARGUMENT_SPEC = generate_argspec(
    JMS_COMMON_SPEC, CACHE_SPEC, TOKEN_FILE_SPEC, TOKEN_OWNER_SPEC,
    state=dict(type='str', default='present', choices=['present', 'absent']),
    min_ttl=dict(type='int', default=300),
)
# The checks beside the spec; the action plugin validates with them too (plugin_utils/_run_login.py).
ARGUMENT_RULES = dict(required_if=[('state', 'absent', ('dest',))])

# What the token file holds; the diff shows all of it but the token.
FILE_KEYS = ('url', 'username', 'token', 'keyword', 'date_expired', 'expires_at', 'user', 'identity')
# Whose token a file written before its identity record holds: its own url and username (_token_identity).
LEGACY_IDENTITY = dict(server='url', user='username')
# JumpServer's TOKEN_EXPIRATION default: the lifetime check mode's placeholder token claims.
DEFAULT_TOKEN_LIFETIME = 86400


def without_token(data):
    return dict((key, value) for key, value in (data or {}).items() if key in FILE_KEYS and key != 'token')


def reuse_refusal(stored, url, username, min_ttl):
    """Why the stored token cannot be reused without asking the server; None when it may be."""
    if not stored:
        return 'no stored token'
    if (stored.get('url') or '').rstrip('/') != url or stored.get('username') != username:
        return 'the stored token is for another url or user'
    if not stored.get('token'):
        return 'the token file holds no token'
    left = seconds_left(stored.get('expires_at'))
    if left is None or left <= min_ttl:
        return 'the stored token expires within min_ttl (%s s)' % min_ttl
    return None


def remove(module, dest):
    exists = os.path.lexists(dest)
    try:
        before = without_token(read_token_file(dest))
    except OpsAuthError:
        before = {'path': dest}  # unreadable or not JSON: it is removed all the same
    changed = exists if module.check_mode else remove_token_file(dest)
    if changed:
        msg = '%s %s' % ('would remove' if module.check_mode else 'removed', dest)
    else:
        msg = '%s does not exist' % dest
    result = dict(changed=changed, dest=dest, msg=msg)
    if module._diff and changed:
        result['diff'] = dict(before=before, after={}, before_header=dest, after_header=dest)
    return result


def placeholder(username, org_id):
    """What check mode returns where a first run would log in: the keys of a real run (docs/results.md)."""
    return dict(token=PLACEHOLDER, keyword='Bearer', user=dict(id=None, username=username, name=None),
                headers=bearer_headers(PLACEHOLDER, 'Bearer', org_id), **placeholder_expiry(DEFAULT_TOKEN_LIFETIME))


def present(module, client):
    params = module.params
    url, username, dest, org_id = client.base_url, params['username'], params['dest'], client.org_id
    fixed = []
    stored = read_token_file(dest, report=fixed.append, check=module.check_mode) if dest else None
    for message in fixed:
        module.warn(message)
    why_not = reuse_refusal(stored, url, username, params['min_ttl'])
    if why_not is None:
        try:
            client.check_token(stored['token'], stored.get('keyword'))
            # Once per task: RV(headers) carry org_id, and with an unknown one every request would act on Default.
            client.check_org(token=stored['token'], keyword=stored.get('keyword'))
            return dict(changed=bool(fixed), reused=True, dest=dest, created_dirs=[], msg='reused the token in %s' % dest,
                        **bearer_token_result(stored, org_id))
        except CredentialRejected:
            why_not = 'the server refused the stored token'

    what = 'log in as %s' % username + (' and write %s' % dest if dest else '')
    identity = token_identity(url, username, 'jms_token')
    created_dirs = []
    if dest:
        # Before the login: a token the module cannot keep would cost a login (JumpServer throttles them) for nothing,
        # and another identity's file is not replaced without force=true.
        replaced = check_owner(dest, stored, identity, params['force'], LEGACY_IDENTITY)
        if replaced:
            module.warn(replaced_warning(dest, replaced))
        created_dirs = check_token_dest(dest, probe=not module.check_mode)
    if module.check_mode:
        result = dict(changed=True, reused=False, msg='would %s (%s)' % (what, why_not), **placeholder(username, org_id))
    else:
        # The run's login when the action plugin hands it over (one login per run for all hosts), else our own.
        handed = handed_over(module, returned=True)
        if handed:
            login, reused = handed
            client.adopt_login(login)
        else:
            login, reused = client.login(), False
        client.check_org()
        data = dict(url=url, username=username, token=login['token'], keyword=login['keyword'],
                    date_expired=login['date_expired'], expires_at=login['expires_at'], user=login['user'],
                    identity=identity)
        done = "used the run's login as %s" % username if reused else 'logged in as %s' % username
        result = dict(changed=bool(dest) or not reused, reused=False, msg=done + (' and wrote %s' % dest if dest else ''),
                      **bearer_token_result(data, org_id))
        if not reused:
            result['expires_in'] = login['expires_in']
        if dest:
            created_dirs = write_issued_token(dest, data, done, dict(result, reused=False))
    if dest:
        result.update(dest=dest, created_dirs=created_dirs)
        if created_dirs:
            result['msg'] += ' (%s %s)' % ('would create' if module.check_mode else 'created', ', '.join(created_dirs))
        if module._diff:
            after = dict(url=url, username=username) if module.check_mode else without_token(data)
            result['diff'] = dict(before=without_token(stored), after=after, before_header=dest, after_header=dest)
    return result


def main():
    module = resolve_module(ARGUMENT_SPEC, module_class=RunLoginModule, supports_check_mode=True, **ARGUMENT_RULES)
    warn_insecure(module)
    try:
        if module.params['state'] == 'absent':
            module.exit_json(**succeeded(remove(module, module.params['dest'])))
        if not HAS_REQUESTS:
            module.fail_json(msg=missing_required_lib('requests'), error_code='missing_library', exception=REQUESTS_IMPORT_ERROR)
        client = JumpServerClient.from_options(module.params, methods=('password',))
        module.exit_json(**succeeded(present(module, client)))
    except OpsAuthError as exc:
        module.fail_json(**exc.failure())


if __name__ == '__main__':
    main()
