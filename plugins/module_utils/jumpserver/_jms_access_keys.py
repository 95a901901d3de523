# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""JumpServer access keys: list, create (with the user confirmation the server asks for), prove, patch, delete.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

What the server does (api-notes, and apps/authentication/api/access_key.py, confirm.py, permissions.py of
jumpserver/jumpserver): the caller sees only its own keys; the secret is returned once, by the create; the create
ignores its body (is_active and ip_group are set by PATCH afterwards); it needs a confirmation of level "password"
made in the last 300 s in the same session, else 412 {"type": "user_confirm_required", "code": "password"}; a user
has at most 10 keys (400 ["Access keys can be created at most 10"], a list without a code). The confirmation is
checked by the strongest backend that applies to the user: an MFA user confirms with an MFA code, not the password,
which GET /api/v1/authentication/confirm/?confirm_type=<code> tells before anything is sent.

``AccessKeyApi`` is the server side only; what the jms_access_key module does with it (keep, rotate in two phases,
retire) is ``AccessKeyJob`` in _jms_access_key_job.py.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import (
    AccessKeyError,
    CredentialRejected,
    KeyLimitReached,
    answer_code,
    describe_body,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import RETRY_NEVER
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_key_checks import KEYS_PATH, a_key, key_path
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver import JumpServerClient
from ansible_collections.opsauth.tokens.plugins.module_utils._time import iso_utc
from ansible_collections.opsauth.tokens.plugins.module_utils._totp import totp

CONFIRM_PATH = '/api/v1/authentication/confirm/'
MAX_KEYS = 10
# What a key looks like in results, diffs and dest, besides its secret (which only dest and the result hold).
KEY_FIELDS = ('id', 'is_active', 'ip_group', 'date_created', 'date_last_used')
# What a diff compares: the settings, not the timestamps that move with every use.
DIFF_FIELDS = ('id', 'is_active', 'ip_group')
# The options that pick an auth method: cleared to build a client that signs with one key only.
_CREDENTIALS = ('password', 'token', 'private_token', 'session_id')


def key_view(data):
    """A key without its secret: what results, diffs and messages may show; its dates in ISO 8601, UTC."""
    view = dict((name, (data or {}).get(name)) for name in KEY_FIELDS)
    for name in ('date_created', 'date_last_used'):
        view[name] = iso_utc(view[name])
    return view


def diff_view(data):
    return dict((name, data.get(name)) for name in DIFF_FIELDS) if data else {}


def _given(value):
    return value is not None and value != ''


class AccessKeyApi:
    """The caller's own access keys on one server, with any auth method of ``options`` (the shared JumpServer options).

    A confirmation uses ``confirm_password`` (else ``password``), or ``mfa_code`` / ``mfa_totp_secret`` for a user
    the server confirms by MFA. ``client_kwargs`` go to every JumpServerClient built here (tests: sleep, clock).
    """

    def __init__(self, options, confirm_password=None, **client_kwargs):
        self.options = dict(options)
        self._client_kwargs = client_kwargs
        self.client = JumpServerClient.from_options(self.options, **client_kwargs)
        self._confirm_password = confirm_password if _given(confirm_password) else options.get('password')
        self._mfa_code = options.get('mfa_code')
        self._mfa_totp_secret = options.get('mfa_totp_secret')

    def list(self):
        return [a_key(key, 'GET %s (one of its entries)' % KEYS_PATH) for key in self.client.paginate(KEYS_PATH)]

    def get(self, key_id):
        """The key (no secret), or None when the caller has no key with that id."""
        path = key_path(key_id)
        resp = self.client.request('GET', path)
        if resp.status == 404:
            return None
        return a_key(self.client.check(resp, what='credentials').json, 'GET %s' % path)

    def patch(self, key_id, changes):
        path = key_path(key_id)
        resp = self.client.request('PATCH', path, body=changes, retry=RETRY_NEVER)
        return a_key(self.client.check(resp, method='PATCH').json, 'PATCH %s' % path)

    def delete(self, key_id):
        """True when deleted, False when there was no such key (a DELETE is safe to retry)."""
        resp = self.client.request('DELETE', key_path(key_id))
        if resp.status == 404:
            return False
        self.client.check(resp, expected=(200, 204), method='DELETE')
        return True

    def create(self):
        """A new key, secret included. Confirms the user once when the server answers 412."""
        resp = self._post_create()
        body = resp.json if isinstance(resp.json, dict) else {}
        if resp.status == 412 and body.get('type') == 'user_confirm_required':
            self.confirm(body.get('code') or 'password')
            resp = self._post_create()
        if resp.status == 400 and isinstance(resp.json, list):
            # The limit answer is a bare list of messages (no code); the count tells it apart from anything else.
            count = len(self.list())
            if count >= MAX_KEYS:
                raise KeyLimitReached(
                    'the user already has %d access keys, the most JumpServer allows (%d): delete keys that are no '
                    'longer used (web UI: Profile > API keys, or this module with state=absent and id), or set '
                    'prune_inactive=true to delete the inactive ones first; this module deletes no key it did not '
                    'create' % (count, MAX_KEYS), status=400,
                    body=resp.json)
        created = self.client.check(resp, expected=(201,), method='POST').json
        if not isinstance(created, dict) or not created.get('id') or not created.get('secret'):
            raise AccessKeyError('POST %s answered 201 without an id and a secret' % KEYS_PATH, code='invalid_response',
                                 status=201)
        return created

    def _post_create(self):
        # Never retried: a POST the server answered may have made a key, and its secret is shown only once.
        return self.client.request('POST', KEYS_PATH, body={}, retry=RETRY_NEVER)

    def confirm(self, level):
        """Answer the server's user confirmation; the session cookie it sets then authorises the create."""
        resp = self.client.request('GET', CONFIRM_PATH, query={'confirm_type': level})
        backend = (self.client.check(resp).json or {}).get('confirm_type')
        if backend == 'password':
            if not _given(self._confirm_password):
                raise AccessKeyError('creating an access key needs a confirmation of the password (412 '
                                     'user_confirm_required): give confirm_password, or log in with password',
                                     code='confirmation_required')
            body = {'confirm_type': level, 'secret_key': self._confirm_password}
        elif backend == 'mfa':
            code = self._mfa_code
            if not _given(code) and _given(self._mfa_totp_secret):
                code = totp(self._mfa_totp_secret, at=self.client.clock())
            if not _given(code):
                raise AccessKeyError('creating an access key needs an MFA confirmation for this user (412 '
                                     'user_confirm_required, confirm backend mfa): give mfa_code or mfa_totp_secret',
                                     code='confirmation_required')
            body = {'confirm_type': level, 'mfa_type': 'otp', 'secret_key': code}
        else:
            raise AccessKeyError('the server asks for a %r confirmation (%s) that this module cannot give; create '
                                 'the key in the web UI' % (backend or level, describe_body(resp.json)),
                                 code='confirmation_required')
        # Not retried: a confirmation that reached the server counts like a login attempt.
        answer = self.client.request('POST', CONFIRM_PATH, body=body, retry=RETRY_NEVER)
        if answer.status != 200:
            raise AccessKeyError('the server refused the %s confirmation needed to create an access key (HTTP %d: %s)'
                                 % (backend, answer.status, describe_body(answer.json)), code='confirm_failed',
                                 server_code=answer_code(answer.json), status=answer.status, body=answer.json)

    def username(self):
        """Whose keys these are: the task's username with a password, else the profile's (one GET)."""
        if _given(self.options.get('password')) and self.options.get('username'):
            return self.options['username']
        return (self.client.check_token() or {}).get('username')

    def signs(self, key_id, secret):
        """True when a request signed with the key is accepted (GET /api/v1/users/profile/), False on 401."""
        options = dict(self.options, access_key_id=key_id, access_key_secret=secret, retries=1)
        for name in _CREDENTIALS:
            options[name] = None
        try:
            JumpServerClient.from_options(options, methods=('access_key',), **self._client_kwargs).check_token()
        except CredentialRejected:
            return False
        return True
