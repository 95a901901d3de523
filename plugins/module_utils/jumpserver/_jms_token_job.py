# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""What the jms_token module does: a bearer token reused from dest or from a new login (present), dest removed (absent).

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

TokenRun is run by the module frame (_module.py), which hands it the task's options and the run's login.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver import (
    JumpServerClient,
    bearer_headers,
    bearer_token_result,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import CredentialRejected
from ansible_collections.opsauth.tokens.plugins.module_utils._results import PLACEHOLDER, placeholder_expiry
from ansible_collections.opsauth.tokens.plugins.module_utils._time import seconds_left
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import (
    check_token_dest,
    read_token_file,
    remove_token_file,
    write_issued_token,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_identity import (
    check_owner,
    replaced_warning,
    token_identity,
)

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


def placeholder(username, org_id):
    """What check mode returns where a first run would log in: the keys of a real run (docs/results.md)."""
    return dict(token=PLACEHOLDER, keyword='Bearer', user=dict(id=None, username=username, name=None),
                headers=bearer_headers(PLACEHOLDER, 'Bearer', org_id), **placeholder_expiry(DEFAULT_TOKEN_LIFETIME))


class TokenRun:
    """One run of jms_token in the module frame (``module``: _module.OpsAuthModule)."""

    def __init__(self, module):
        self.module = module
        self.params = module.params

    def run(self):
        if self.params['state'] == 'absent':
            return self.absent(self.params['dest'])
        self.module.require_requests()
        return self.present(JumpServerClient.from_options(self.params, methods=('password',)))

    def absent(self, dest):
        check_mode = self.module.check_mode
        exists = os.path.lexists(dest)
        try:
            before = without_token(read_token_file(dest))
        except OpsAuthError:
            before = {'path': dest}  # unreadable or not JSON: it is removed all the same
        changed = exists if check_mode else remove_token_file(dest)
        if changed:
            msg = '%s %s' % ('would remove' if check_mode else 'removed', dest)
        else:
            msg = '%s does not exist' % dest
        result = dict(changed=changed, dest=dest, msg=msg)
        if self.module.diff and changed:
            result['diff'] = dict(before=before, after={}, before_header=dest, after_header=dest)
        return result

    def present(self, client):
        module, params = self.module, self.params
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
                return dict(changed=bool(fixed), reused=True, dest=dest, created_dirs=[],
                            msg='reused the token in %s' % dest, **bearer_token_result(stored, org_id))
            except CredentialRejected:
                why_not = 'the server refused the stored token'

        what = 'log in as %s' % username + (' and write %s' % dest if dest else '')
        identity = token_identity(url, username, 'jms_token')
        created_dirs = []
        if dest:
            # Before the login: a token the module cannot keep would cost a login (JumpServer throttles them) for
            # nothing, and another identity's file is not replaced without force=true.
            replaced = check_owner(dest, stored, identity, params['force'], LEGACY_IDENTITY)
            if replaced:
                module.warn(replaced_warning(dest, replaced))
            created_dirs = check_token_dest(dest, probe=not module.check_mode)
        if module.check_mode:
            result = dict(changed=True, reused=False, msg='would %s (%s)' % (what, why_not),
                          **placeholder(username, org_id))
        else:
            # The run's login when the action plugin hands it over (one login per run for all hosts), else our own.
            handed = module.handed_over(returned=True)
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
            result = dict(changed=bool(dest) or not reused, reused=False,
                          msg=done + (' and wrote %s' % dest if dest else ''), **bearer_token_result(data, org_id))
            if not reused:
                result['expires_in'] = login['expires_in']
            if dest:
                created_dirs = write_issued_token(dest, data, done, dict(result, reused=False))
        if dest:
            result.update(dest=dest, created_dirs=created_dirs)
            if created_dirs:
                result['msg'] += ' (%s %s)' % ('would create' if module.check_mode else 'created', ', '.join(created_dirs))
            if module.diff:
                after = dict(url=url, username=username) if module.check_mode else without_token(data)
                result['diff'] = dict(before=without_token(stored), after=after, before_header=dest, after_header=dest)
        return result
