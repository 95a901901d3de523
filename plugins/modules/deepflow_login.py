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

import os

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.opsauth.tokens.plugins.module_utils._options import (
    CACHE_SPEC,
    DEEPFLOW_FAUTHS_SPEC,
    TOKEN_FILE_SPEC,
    TOKEN_OWNER_SPEC,
    generate_argspec,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._resolve import resolve_module
from ansible_collections.opsauth.tokens.plugins.module_utils._results import PLACEHOLDER, placeholder_expiry, succeeded
from ansible_collections.opsauth.tokens.plugins.module_utils._run_login import RunLoginModule, handed_over
from ansible_collections.opsauth.tokens.plugins.module_utils._tls import warn_insecure
from ansible_collections.opsauth.tokens.plugins.module_utils._token_file import (
    TokenFileError,
    check_token_dest,
    read_token_file,
    remove_token_file,
    write_issued_token,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._token_identity import (
    check_owner,
    other_identity,
    replaced_warning,
    token_identity,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._deepflow import (
    DeepFlowClient,
    check_stored_origin,
    controller_url,
    fauths_base_url,
    token_set_result,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._deepflow_tokens import (
    LOGIN,
    REFRESH,
    REUSE,
    is_refusal,
    plan_present,
    with_dates,
)

ARGUMENT_SPEC = generate_argspec(
    DEEPFLOW_FAUTHS_SPEC, CACHE_SPEC, TOKEN_FILE_SPEC, TOKEN_OWNER_SPEC,
    state=dict(type='str', default='present', choices=['present', 'refreshed', 'absent']),
    min_ttl=dict(type='int', default=300),
    access_token=dict(type='str', no_log=True),
    refresh_token=dict(type='str', no_log=True),
)


# Whose tokens a file written before its identity record holds: its own fauths_url and email (_token_identity).
LEGACY_IDENTITY = dict(server='fauths_url', user='email')
# fauths' expires_in of a login: the lifetime check mode's placeholder token claims.
DEFAULT_TOKEN_LIFETIME = 3600


class LoginRun:
    """One run of the module: what is stored, what to do about it, what to return."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.dest = self.params['dest']
        self._client = None
        self.mode_fixed = False  # dest was readable by others and was narrowed to 0600: a change on disk
        self.created_dirs = []
        self.identity = token_identity(fauths_base_url(self.params), self.params['email'], 'deepflow_login',
                                       self.params.get('account_type'))

    def report(self, message):
        self.module.warn(message)
        self.mode_fixed = True

    def check_dest(self, stored_file):
        """Before a login or a refresh: a refresh token is used up by its refresh, so a token we cannot keep is lost;
        and another identity's file is not replaced without force=true."""
        if self.dest:
            replaced = check_owner(self.dest, stored_file, self.identity, self.params['force'], LEGACY_IDENTITY)
            if replaced:
                self.module.warn(replaced_warning(self.dest, replaced))
            self.created_dirs = check_token_dest(self.dest, probe=not self.module.check_mode)

    @property
    def client(self):
        # Built on first use: reusing a stored token sends nothing and needs no requests library.
        if self._client is None:
            if not HAS_REQUESTS:
                self.module.fail_json(msg=missing_required_lib('requests'), error_code='missing_library', exception=REQUESTS_IMPORT_ERROR)
            self._client = DeepFlowClient.from_options(self.params)
        return self._client

    def read(self):
        """What dest holds, under today's names (a file written before docs/results.md included); {} without it."""
        stored = read_token_file(self.dest, report=self.report, check=self.module.check_mode) if self.dest else None
        return with_dates(stored) or {}

    def stored(self, stored_file):
        """The tokens in dest, unless they belong to another account or another fauths."""
        if not stored_file:
            return None
        email = self.params['email']
        if email and stored_file.get('email') and stored_file['email'] != email:
            return None
        # Tokens from another fauths, or from a file that does not say where they come from, are not ours to send.
        if stored_file.get('fauths_url') != fauths_base_url(self.params):
            return None
        if other_identity(stored_file, self.identity, LEGACY_IDENTITY):
            return None
        return stored_file

    def with_file(self, result, msg):
        """The keys every answer has (docs/results.md), and what was done about dest."""
        if self.dest:
            result.update(dest=self.dest, created_dirs=self.created_dirs)
            if self.created_dirs:
                msg += ' (%s %s)' % ('would create' if self.module.check_mode else 'created', ', '.join(self.created_dirs))
        result['msg'] = msg
        return result

    def issued(self, tokens, reused=False, what='logged in'):
        """A new token: store it and return it. Changed, unless it is the run's token, obtained by another task or
        host (the server issued nothing for this task), and there is no dest to write."""
        tokens = with_dates(dict(tokens, fauths_url=fauths_base_url(self.params), identity=self.identity))
        result = dict(token_set_result(tokens, controller_url(self.params), just_issued=not reused),
                      changed=bool(self.dest) or not reused, reused=False)
        if reused:
            what = "used the run's login"
        if self.dest:
            self.created_dirs = write_issued_token(self.dest, tokens, 'fauths issued new tokens', result)
            what += ' and wrote %s' % self.dest
        return self.with_file(result, what)

    def login(self):
        """A password login, or the run's login that the action plugin (plugins/action/deepflow_login.py) hands over."""
        run_login = handed_over(self.module, returned=True)
        if run_login:
            return self.issued(*run_login)
        return self.issued(self.client.login(), what='logged in as %s' % self.params['email'])

    def placeholder(self, what):
        """Check mode where a token would be issued: the keys of a real run, placeholder values (docs/results.md)."""
        tokens = dict(token=PLACEHOLDER, refresh_token=PLACEHOLDER, token_type=None, email=self.params['email'],
                      license=None, **placeholder_expiry(DEFAULT_TOKEN_LIFETIME))
        result = dict(token_set_result(tokens, controller_url(self.params), just_issued=True), changed=True, reused=False)
        return self.with_file(result, 'would %s' % what)

    def present(self):
        stored_file = self.read()
        stored = self.stored(stored_file)
        if not stored and self.params['refresh_token']:
            stored = dict(refresh_token=self.params['refresh_token'])
        plan = plan_present(stored, self.params['min_ttl'])
        if plan == REUSE:
            result = dict(token_set_result(stored, controller_url(self.params)), changed=self.mode_fixed, reused=True)
            return self.with_file(result, 'reused the token in %s' % self.dest)
        if plan == LOGIN:
            self.client.validate_login()
        self.check_dest(stored_file)
        if self.module.check_mode:
            return self.placeholder('refresh the token' if plan == REFRESH else 'log in as %s' % self.params['email'])
        # A run's login handed over means this module said it needs a login (its refresh was refused): not again.
        if plan == REFRESH and not self.module.run_login:
            try:
                return self.issued(self.client.refresh(stored['refresh_token'], previous=stored), what='refreshed the token')
            except OpsAuthError as exc:
                # A refresh token the server rejects (revoked by a logout, say) is not worth failing the run for when
                # the password is at hand; anything else (server down) is reported as it is.
                if not (is_refusal(exc) and self.params['email'] and self.params['password']):
                    raise
                self.module.warn('DeepFlow rejected the stored refresh token (%s); logged in with the password instead'
                                 % (exc.server_code or exc.code))
        return self.login()

    def refreshed(self):
        stored_file = self.read()
        stored = self.stored(stored_file) or {}
        refresh_token = self.params['refresh_token'] or stored.get('refresh_token')
        if not refresh_token:
            self.module.fail_json(msg='state=refreshed needs refresh_token, or a dest file that holds one '
                                      '(run state=present with dest first)', error_code='invalid_option')
        self.check_dest(stored_file)
        if self.module.check_mode:
            return self.placeholder('refresh the token')
        return self.issued(self.client.refresh(refresh_token, previous=stored), what='refreshed the token')

    def absent(self):
        try:
            stored = with_dates(read_token_file(self.dest) if self.dest else None) or {}
        except TokenFileError:
            stored = {}  # a broken file holds nothing we could revoke, and it is about to go anyway
        access_token = self.params['access_token'] or stored.get('token')
        refresh_token = self.params['refresh_token'] or stored.get('refresh_token')
        if (access_token and not self.params['access_token']) or (refresh_token and not self.params['refresh_token']):
            # A token from dest goes only back to the fauths that issued it, recorded in the file.
            check_stored_origin(stored, fauths_base_url(self.params), self.dest)
        has_file = bool(self.dest) and os.path.lexists(self.dest)
        if self.module.check_mode:
            changed = bool(access_token or refresh_token) or has_file
            return dict(changed=changed, msg='would log out and remove %s' % self.dest if changed else 'nothing to revoke')
        revoked = self.client.revoke(access_token, refresh_token)
        removed = remove_token_file(self.dest) if has_file else False
        done = [what for what, done in (('logged out', revoked), ('removed %s' % self.dest, removed)) if done]
        return dict(changed=revoked or removed, msg=' and '.join(done) or 'nothing to revoke')


def main():
    module = resolve_module(ARGUMENT_SPEC, module_class=RunLoginModule, supports_check_mode=True)
    warn_insecure(module)
    try:
        run = LoginRun(module)  # a missing url and fauths_url is an OpsAuthError too
        result = getattr(run, module.params['state'])()
    except OpsAuthError as exc:
        module.fail_json(**exc.failure())
    module.exit_json(**succeeded(result))


if __name__ == '__main__':
    main()
