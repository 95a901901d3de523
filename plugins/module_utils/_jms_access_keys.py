# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""JumpServer access keys: create (with the user confirmation the server asks for), check, patch, rotate, delete.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

What the server does (api-notes, and apps/authentication/api/access_key.py, confirm.py, permissions.py of
jumpserver/jumpserver): the caller sees only its own keys; the secret is returned once, by the create; the create
ignores its body (is_active and ip_group are set by PATCH afterwards); it needs a confirmation of level "password"
made in the last 300 s in the same session, else 412 {"type": "user_confirm_required", "code": "password"}; a user
has at most 10 keys (400 ["Access keys can be created at most 10"], a list without a code). The confirmation is
checked by the strongest backend that applies to the user: an MFA user confirms with an MFA code, not the password,
which GET /api/v1/authentication/confirm/?confirm_type=<code> tells before anything is sent.

``AccessKeyJob`` is what the jms_access_key module runs; it takes a JumpServerClient and plain values, so it is
unit-tested against the simulator without Ansible.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._transport import RETRY_NEVER
from ansible_collections.opsauth.tokens.plugins.module_utils._jms_access_key_checks import (
    KEYS_PATH,
    AccessKeyError,
    a_key,
    key_id_or_fail,
    key_path,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver import JumpServerClient
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver_errors import (
    CredentialRejected,
    JumpServerError,
    describe_body,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._token_file import (
    check_token_dest,
    read_token_file,
    remove_token_file,
    write_token_file,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._totp import totp

CONFIRM_PATH = '/api/v1/authentication/confirm/'
MAX_KEYS = 10
# What a key looks like in results, diffs and dest, besides its secret (which only dest and the result hold).
KEY_FIELDS = ('id', 'is_active', 'ip_group', 'date_created', 'date_last_used')
# What a diff compares: the settings, not the timestamps that move with every use.
DIFF_FIELDS = ('id', 'is_active', 'ip_group')
# The options that pick an auth method: cleared to build a client that signs with one key only.
_CREDENTIALS = ('password', 'token', 'private_token', 'session_id')


class KeyLimitReached(AccessKeyError):
    """The user already has the 10 keys JumpServer allows."""


def key_view(data):
    """A key without its secret: what results, diffs and messages may show."""
    return dict((name, (data or {}).get(name)) for name in KEY_FIELDS)


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
                    'prune_inactive=true to delete the inactive ones first' % (count, MAX_KEYS), status=400,
                    body=resp.json)
        created = self.client.check(resp, expected=(201,), method='POST').json
        if not isinstance(created, dict) or not created.get('id') or not created.get('secret'):
            raise AccessKeyError('POST %s answered 201 without an id and a secret' % KEYS_PATH, status=201)
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
                                     'user_confirm_required): give confirm_password, or log in with password')
            body = {'confirm_type': level, 'secret_key': self._confirm_password}
        elif backend == 'mfa':
            code = self._mfa_code
            if not _given(code) and _given(self._mfa_totp_secret):
                code = totp(self._mfa_totp_secret, at=self.client.clock())
            if not _given(code):
                raise AccessKeyError('creating an access key needs an MFA confirmation for this user (412 '
                                     'user_confirm_required, confirm backend mfa): give mfa_code or mfa_totp_secret')
            body = {'confirm_type': level, 'mfa_type': 'otp', 'secret_key': code}
        else:
            raise AccessKeyError('the server asks for a %r confirmation (%s) that this module cannot give; create '
                                 'the key in the web UI' % (backend or level, describe_body(resp.json)))
        # Not retried: a confirmation that reached the server counts like a login attempt.
        answer = self.client.request('POST', CONFIRM_PATH, body=body, retry=RETRY_NEVER)
        if answer.status != 200:
            raise AccessKeyError('the server refused the %s confirmation needed to create an access key (HTTP %d: %s)'
                                 % (backend, answer.status, describe_body(answer.json)), code='confirm_failed',
                                 status=answer.status, body=answer.json)

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


class OldKeyLeft(AccessKeyError):
    """The new key is in dest and in ``result``; deleting the old one failed."""

    def __init__(self, cause, result):
        super(OldKeyLeft, self).__init__('created access key %s and wrote it to dest, but deleting the old key %s '
                                         'failed (%s): delete it with state=absent and id'
                                         % (result['id'], result['replaced'], cause),
                                         code=getattr(cause, 'code', None), status=getattr(cause, 'status', None))
        self.result = result


class AccessKeyJob:
    """One run of the jms_access_key module: returns the result dict (``secret`` only where a key is returned)."""

    def __init__(self, api, dest=None, key_id=None, ip_group=None, is_active=None, prune_inactive=False, check=False):
        self.api = api
        self.dest = dest
        self.key_id = None if key_id is None else key_id_or_fail(key_id)  # before any request, the login included
        self.want = dict((name, value) for name, value in (('ip_group', ip_group), ('is_active', is_active))
                         if value is not None)
        self.prune_inactive = prune_inactive
        self.check = check
        self.pruned = []
        self.warnings = []  # what reading dest fixed (a mode wider than 0600): the module warns and reports a change

    # --- helpers -------------------------------------------------------------------------------------------------
    def stored(self):
        data = read_token_file(self.dest, report=self.warnings.append) if self.dest else None
        if data is not None and not (data.get('id') and data.get('secret')):
            raise AccessKeyError('%s holds no access key (id and secret); point dest at another file or remove it'
                                 % self.dest)
        if data is not None:
            data['id'] = key_id_or_fail(data['id'], source=self.dest)
        return data

    def differences(self, key, want=None):
        want = self.want if want is None else want
        return dict((name, value) for name, value in want.items() if key.get(name) != value)

    def file_data(self, key, secret):
        return dict(key_view(key), secret=secret, url=self.api.client.base_url)

    def result(self, changed, key, secret=None, before=None, msg='', **extra):
        after = key_view(key) if key else {}
        result = dict(changed=changed, msg=msg, pruned=self.pruned, **extra)
        result.update(after)
        if secret:
            result['secret'] = secret
        if self.dest:
            result['dest'] = self.dest
        result['diff'] = dict(before=diff_view(before), after=diff_view(key))
        return result

    def prune(self):
        if not self.prune_inactive:
            return
        for key in self.api.list():
            if not key.get('is_active') and self.api.delete(key['id']):
                self.pruned.append(key['id'])

    def create(self, old=None):
        """A new key carrying the wanted (else the old key's) ip_group and is_active, proven to sign a request.

        The new key is deleted again when anything fails before it is written to dest, so a failed run leaves no
        orphan key behind toward the 10-key limit, and dest and the old key untouched.
        """
        if self.dest:
            check_token_dest(self.dest)  # before anything is deleted or created: a key that cannot be kept is not made
        self.prune()
        new = self.api.create()
        secret = new.pop('secret')
        try:
            if not self.api.signs(new['id'], secret):
                raise AccessKeyError('JumpServer refused a request signed with the new access key (HTTP 401)', status=401)
            want = dict(((name, old[name]) for name in ('ip_group', 'is_active')) if old else (), **self.want)
            changes = self.differences(new, want)
            if changes:
                new = self.api.patch(new['id'], changes)
            if self.dest:
                write_token_file(self.dest, self.file_data(new, secret))
        except OpsAuthError as exc:
            self._forget(new['id'])
            raise AccessKeyError('%s; the new access key %s was deleted again, dest and any old key are unchanged'
                                 % (str(exc).rstrip('.'), new['id']), code=getattr(exc, 'code', None),
                                 status=getattr(exc, 'status', None), body=getattr(exc, 'body', None))
        except Exception:
            self._forget(new['id'])
            raise
        return new, secret

    def _forget(self, key_id):
        try:
            self.api.delete(key_id)
        except JumpServerError:
            pass  # the first error is the one to report; a key left behind shows in the web UI

    # --- states --------------------------------------------------------------------------------------------------
    def present(self):
        stored = self.stored()
        key = self.api.get(stored['id']) if stored else None
        before = key_view(key) if key else {}
        usable = key is not None and (key.get('is_active') or self.want.get('is_active') is not None)
        if usable:
            # Settings first, then the signed test: it then tells whether the key works as it now is.
            changes = self.differences(key)
            if changes and not self.check:
                key = self.api.patch(key['id'], changes)
            verified = self._verify(key, stored['secret'])
            if verified is not False:
                if changes and not self.check:
                    write_token_file(self.dest, self.file_data(key, stored['secret']))
                shown = dict(key, **changes)
                what = 'updated %s of' % ' and '.join(sorted(changes)) if changes else 'kept'
                return self.result(bool(changes), shown, stored['secret'], before, verified=bool(verified),
                                   created=False, msg='%s%s access key %s' % ('would have ' if self.check and changes else '', what, key['id']))
        why = 'no key in %s' % self.dest if not stored else (
            'key %s from %s is %s' % (stored['id'], self.dest, 'gone' if key is None else 'inactive' if not key.get('is_active')
                                      else 'refused with the secret in dest'))
        if self.check:
            return self.result(True, dict(self.want, id=None), before=before, created=True, verified=False,
                               msg='would create an access key (%s)' % why)
        new, secret = self.create()
        return self.result(True, new, secret, before, created=True, verified=True,
                           msg='created access key %s (%s)' % (new['id'], why))

    def _verify(self, key, secret):
        """True/False whether the secret signs; None when it cannot be told (inactive, or limited to some IPs)."""
        if not key.get('is_active'):
            return None
        if self.api.signs(key['id'], secret):
            return True
        # Refused: a wrong secret, or this host is outside the key's ip_group; the server tells them apart only in a
        # translated message, so a limited key is kept rather than replaced on every run.
        return None if list(key.get('ip_group') or ['*']) != ['*'] else False

    def rotated(self):
        stored = self.stored()
        old = self.api.get(stored['id']) if stored else None
        before = key_view(old) if old else {}
        if self.check:
            return self.result(True, dict(before, id=None, **self.want), before=before, created=True, verified=False,
                               msg='would create a new access key and delete %s' % (old['id'] if old else 'none'))
        new, secret = self.create(old)
        result = self.result(True, new, secret, before, created=True, verified=True, replaced=old['id'] if old else None,
                             msg='created access key %s' % new['id'] + (' and deleted %s' % old['id'] if old else ''))
        if old:
            try:
                self.api.delete(old['id'])
            except JumpServerError as exc:
                raise OldKeyLeft(exc, result)
        return result

    def absent(self):
        stored = self.stored() if self.dest else None
        key_id = self.key_id or (stored or {}).get('id')
        key = self.api.get(key_id) if key_id else None
        file_there = bool(stored)
        if key and not self.check:
            self.api.delete(key['id'])
        if file_there and not self.check:
            remove_token_file(self.dest)
        changed = bool(key) or file_there
        done = 'would delete' if self.check else 'deleted'
        parts = (['%s access key %s' % (done, key['id'])] if key else []) + (['%s %s' % (
            'would remove' if self.check else 'removed', self.dest)] if file_there else [])
        msg = ' and '.join(parts) if parts else 'no such access key%s' % (' (id %s)' % key_id if key_id else '')
        return self.result(changed, None, before=key_view(key) if key else {}, msg=msg, deleted=bool(key))

    def run(self, state):
        return getattr(self, state)()
