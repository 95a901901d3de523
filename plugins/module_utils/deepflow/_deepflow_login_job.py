# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""What the deepflow_login module does: tokens reused from dest, refreshed or from a login (present), refreshed, revoked.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

LoginRun is run by the module frame (_module.py), which hands it the task's options and the run's login.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow import (
    DeepFlowClient,
    check_stored_origin,
    controller_url,
    fauths_base_url,
    token_set_result,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_tokens import (
    LOGIN,
    REFRESH,
    REUSE,
    is_refusal,
    plan_present,
    with_dates,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._results import PLACEHOLDER, placeholder_expiry
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import (
    TokenFileError,
    check_token_dest,
    read_token_file,
    remove_token_file,
    write_issued_token,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_identity import (
    check_owner,
    other_identity,
    replaced_warning,
    token_identity,
)

# Whose tokens a file written before its identity record holds: its own fauths_url and email (_token_identity).
LEGACY_IDENTITY = dict(server='fauths_url', user='email')
# fauths' expires_in of a login: the lifetime check mode's placeholder token claims.
DEFAULT_TOKEN_LIFETIME = 3600


class LoginRun:
    """One run of deepflow_login in the module frame (``module``: _module.OpsAuthModule): what is stored, what to do
    about it, what to return."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.dest = self.params['dest']
        self._client = None
        self.mode_fixed = False  # dest was readable by others and was narrowed to 0600: a change on disk
        self.created_dirs = []
        self.identity = token_identity(fauths_base_url(self.params), self.params['email'], 'deepflow_login',
                                       self.params.get('account_type'))

    def run(self):
        return getattr(self, self.params['state'])()

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
            self.module.require_requests()
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
        run_login = self.module.handed_over(returned=True)
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
        if plan == REFRESH and not self.module.login_handed_over:
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
            raise OpsAuthError('state=refreshed needs refresh_token, or a dest file that holds one '
                               '(run state=present with dest first)')
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
