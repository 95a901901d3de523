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
