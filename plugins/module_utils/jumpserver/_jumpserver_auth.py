# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""JumpServer's auth methods, one small class each, and the password login with MFA and login confirmation.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

select_auth() picks the one method the options name; the client (_jumpserver.py) asks it to authenticate (a network
login only for a password) and to add its credential to each request. This file never imports the client: what a
method needs of it (``http``, ``clock``, ``sleep``) comes as the ``client`` argument. Server behaviour this relies on
is written down in the project's api-notes (JumpServer v2.28 to v4.10).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import uuid
from email.utils import formatdate

from ansible_collections.opsauth.tokens.plugins.module_utils.http._http import bearer_auth, cookie_auth
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import (
    LOGIN_ERROR_HINTS, JumpServerError, LoginFailed, describe_body, login_answer, login_code, login_error)
from ansible_collections.opsauth.tokens.plugins.module_utils._time import expiry_fields
from ansible_collections.opsauth.tokens.plugins.module_utils._totp import TotpSecretError, decode_secret, totp
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import RETRY_CONNECT, clean_credential, origin

AUTH_PATH = '/api/v1/authentication/auth/'
MFA_CHALLENGE_PATH = '/api/v1/authentication/mfa/challenge/'
# Methods that change nothing: Django asks no CSRF token for them (SessionAuth), jms_request reports no change.
SAFE_METHODS = frozenset(['GET', 'HEAD', 'OPTIONS'])
# How often to ask again while a login waits for an administrator's approval. Every poll is an anonymous request,
# and JumpServer allows 60 of those a minute per address: polling every 2 s leaves half of them to other clients.
LOGIN_CONFIRM_POLL_INTERVAL = 2.0
SIGNED_HEADERS = ['(request-target)', 'accept', 'date']


def _httpsig_auth_class():
    """httpsig's requests auth class; invalid_option when it cannot be imported.

    Imported on first use, not with this module: only access-key auth needs it.
    """
    try:
        from httpsig.requests_auth import HTTPSignatureAuth
    except ImportError as exc:
        raise JumpServerError('access keys need the Python library httpsig, which cannot be imported here (%s): '
                              'pip install pyhttpsig' % exc, code='invalid_option')
    return HTTPSignatureAuth


def _given(value):
    return value is not None and value != ''


class _AuthMethod:
    """Base of the auth methods. ``SELECTED_BY`` are the options whose presence picks the method."""

    NAME = ''
    SELECTED_BY = ()
    DESCRIPTION = 'credentials'

    def __init__(self, options):
        self._options = options

    def option(self, name):
        return self._options.get(name)

    def validate(self):
        """Check the options without any network; raise invalid_option."""

    def authenticate(self, client):
        """Obtain what ``apply`` needs (network only for a password login)."""

    def apply(self, method, headers, client):
        """Add this method's headers for one request; return a requests auth callable or None."""
        return None

    def _require(self, *names):
        missing = [name for name in names if not _given(self.option(name))]
        if missing:
            raise JumpServerError('%s login needs %s too' % (self.NAME, ' and '.join(missing)), code='invalid_option')


class PasswordAuth(_AuthMethod):
    """username + password -> bearer token, answering MFA and waiting for a login confirmation when asked."""

    NAME = 'password'
    SELECTED_BY = ('password',)
    DESCRIPTION = 'bearer token from the password login'

    def __init__(self, options):
        super(PasswordAuth, self).__init__(options)
        self.result = None

    def validate(self):
        self._require('username', 'password')
        if _given(self.option('mfa_code')) and _given(self.option('mfa_totp_secret')):
            raise JumpServerError('give either mfa_code or mfa_totp_secret, not both', code='invalid_option')
        if _given(self.option('mfa_totp_secret')):
            try:
                decode_secret(self.option('mfa_totp_secret'))
            except TotpSecretError as exc:
                raise JumpServerError(str(exc), code='invalid_option')
        if (self.option('login_confirm_timeout') or 0) < 0:
            raise JumpServerError('login_confirm_timeout must be 0 or more seconds', code='invalid_option')

    def authenticate(self, client):
        username = self.option('username')
        payload = {'username': username, 'password': self.option('password')}
        mfa_answered = False
        confirm_deadline = None
        while True:
            # RETRY_CONNECT: resend only when the request never reached the server. A login the server answered
            # counts toward its lockout, whatever the answer was.
            resp = client.http.request('POST', AUTH_PATH, json_body=payload, retry=RETRY_CONNECT, expect_json=False)
            body = login_answer(resp, username)
            error = body.get('error')
            if not error and resp.status in (200, 201) and body.get('token'):
                self.result = _login_result(body, username, client.clock())
                return self.result
            # After the first answer the session cookie carries the checked password: later POSTs send an empty
            # body, so the password crosses the wire once per run.
            if error == 'mfa_required' and not mfa_answered:
                self._answer_mfa(client, body, username)
                mfa_answered = True
                payload = {}
                continue
            if error == 'login_confirm_wait':
                ticket = (body.get('data') or {}).get('ticket_id') or body.get('ticket_id') or 'unknown'
                if confirm_deadline is None:
                    confirm_deadline = client.clock() + (self.option('login_confirm_timeout') or 0)
                remaining = confirm_deadline - client.clock()
                if remaining > 0:
                    client.sleep(min(LOGIN_CONFIRM_POLL_INTERVAL, remaining))
                    payload = {}
                    continue
                raise LoginFailed(
                    'login as %r waits for an administrator to approve login-confirm ticket %s; approve it in '
                    'JumpServer and run again, or set login_confirm_timeout to wait for it (login_confirm_wait)'
                    % (username, ticket), code='login_confirm_wait', server_code=error, status=resp.status, body=body)
            raise login_error(resp, body, username)

    def _answer_mfa(self, client, body, username):
        data = body.get('data') or {}
        choices = data.get('choices') or []
        code = self.option('mfa_code')
        if not _given(code) and _given(self.option('mfa_totp_secret')):
            code = totp(self.option('mfa_totp_secret'), at=client.clock())
        if not choices:
            raise LoginFailed('login as %r needs MFA (mfa_required) but the server offers no MFA type (choices []): MFA '
                              'is forced for this user and none is set up; bind an OTP device in the JumpServer web UI'
                              % username, code='mfa_required', server_code='mfa_required', status=200, body=body)
        if 'otp' not in choices:
            raise LoginFailed('login as %r needs MFA (mfa_required); the server offers %s, and this collection answers '
                              'only otp: bind an OTP device for this user' % (username, ', '.join(choices)),
                              code='mfa_required', server_code='mfa_required', status=200, body=body)
        if not _given(code):
            raise LoginFailed('login as %r needs MFA (mfa_required); the server offers %s: give mfa_code or '
                              'mfa_totp_secret' % (username, ', '.join(choices)), code='mfa_required',
                              server_code='mfa_required', status=200, body=body)
        # The server names the challenge URL; the HTTP layer sends it only to the configured server's origin (anything
        # else is refused before the code or the session cookie leave), like every other URL.
        challenge = client.http.url_for(data.get('url') or MFA_CHALLENGE_PATH, what='the MFA challenge URL the server gave')
        resp = client.http.request('POST', challenge, json_body={'type': 'otp', 'code': code}, retry=RETRY_CONNECT,
                                   expect_json=False)
        answer = login_answer(resp, username)
        if resp.status != 200 or answer.get('error'):
            error = answer.get('error') or 'mfa_failed'
            hint = LOGIN_ERROR_HINTS.get(error, describe_body(answer))
            raise LoginFailed('MFA for %r failed (%s, HTTP %d): %s' % (username, error, resp.status, hint),
                              code=login_code(error), server_code=answer.get('error'), status=resp.status,
                              body=answer)

    def apply(self, method, headers, client):
        return bearer_auth(self.result['token'], self.result['keyword'], name='the token of the password login')


class _GivenTokenAuth(_AuthMethod):
    """A token the user gives, sent as ``Authorization: <KEYWORD> <token>``; the option is the method's NAME."""

    KEYWORD = 'Bearer'

    def apply(self, method, headers, client):
        return bearer_auth(self.option(self.NAME), self.KEYWORD, name=self.NAME)


class BearerAuth(_GivenTokenAuth):
    """A bearer token from an earlier login (jms_token, or the token file it wrote)."""

    NAME = 'token'
    SELECTED_BY = ('token',)
    DESCRIPTION = 'bearer token'


class PrivateTokenAuth(_GivenTokenAuth):
    """A permanent private token (created inside the server; see the api-notes)."""

    NAME = 'private_token'
    SELECTED_BY = ('private_token',)
    DESCRIPTION = 'private token'
    KEYWORD = 'Token'


class _DatedSignature:
    """requests auth: a fresh RFC 7231 Date on every try, then the httpsig signature over it."""

    def __init__(self, key_id, secret):
        self._signer = _httpsig_auth_class()(key_id=key_id, secret=secret, algorithm='hmac-sha256', headers=SIGNED_HEADERS)

    def __call__(self, prepared):
        prepared.headers['Date'] = formatdate(usegmt=True)
        if 'Accept' not in prepared.headers:
            prepared.headers['Accept'] = 'application/json'
        # httpsig signs prepared.path_url, so the (request-target) covers the query string, as the server checks it.
        return self._signer(prepared)


class AccessKeyAuth(_AuthMethod):
    """An access key: draft-cavage HTTP signature, hmac-sha256 over (request-target), accept and date."""

    NAME = 'access_key'
    SELECTED_BY = ('access_key_id', 'access_key_secret')
    DESCRIPTION = 'access key signature'

    def validate(self):
        _httpsig_auth_class()
        self._require('access_key_id', 'access_key_secret')
        try:
            uuid.UUID(str(self.option('access_key_id')))
        except ValueError:
            # The server answers a non-UUID keyId with a 500 page, not a 401: say it before sending anything.
            raise JumpServerError('access_key_id must be the access key id, a UUID such as '
                                  '8f1a1c2e-0000-4000-8000-000000000001', code='invalid_option')

    def apply(self, method, headers, client):
        return _DatedSignature(self.option('access_key_id'), self.option('access_key_secret'))


class SessionAuth(_AuthMethod):
    """A web-login session: the jms_sessionid cookie, plus the CSRF token and Referer for unsafe methods."""

    NAME = 'session'
    SELECTED_BY = ('session_id',)
    DESCRIPTION = 'session'

    def validate(self):
        self._require('session_id')

    def apply(self, method, headers, client):
        # The cookies travel in an auth object, not the session's jar: a jar cookie set by hand has no domain and
        # would go to any host; the auth object goes only where the HTTP layer lets the request go.
        auth = cookie_auth({'jms_sessionid': ('session_id', self.option('session_id')),
                            'jms_csrftoken': ('csrf_token', self.option('csrf_token'))})
        if method in SAFE_METHODS:
            return auth
        if not _given(self.option('csrf_token')):
            raise JumpServerError('%s with session auth needs csrf_token (the jms_csrftoken cookie of the same '
                                  'browser session)' % method, code='invalid_option')
        # Django checks the CSRF token against the cookie and the Origin/Referer against the trusted origins:
        # the server's own URL always is one.
        headers['X-CSRFToken'] = clean_credential('csrf_token', self.option('csrf_token'))
        headers['Referer'] = client.http.base_url + '/'
        headers['Origin'] = origin(client.http.base_url)
        return auth


AUTH_METHODS = (PasswordAuth, BearerAuth, PrivateTokenAuth, AccessKeyAuth, SessionAuth)


def select_auth(options, methods=None):
    """The one auth method the options name. ``methods`` limits the choice (names in ``_AuthMethod.NAME``)."""
    chosen = [cls for cls in AUTH_METHODS if any(_given(options.get(name)) for name in cls.SELECTED_BY)]
    names = [cls.SELECTED_BY[0] for cls in chosen]
    if len(chosen) == 2:
        raise JumpServerError('give either %s or %s, not both' % tuple(names), code='invalid_option')
    if len(chosen) > 2:
        raise JumpServerError('give only one of %s and %s' % (', '.join(names[:-1]), names[-1]), code='invalid_option')
    allowed = [cls for cls in AUTH_METHODS if methods is None or cls.NAME in methods]
    if not chosen:
        raise JumpServerError('no credentials: give %s (or the matching JMS_* environment variables)'
                              % _alternatives(allowed), code='invalid_option')
    if chosen[0] not in allowed:
        raise JumpServerError('%s cannot be used here: give %s' % (names[0], _alternatives(allowed)), code='invalid_option')
    return chosen[0](options)


def _alternatives(methods):
    words = {'password': 'username and password', 'access_key': 'access_key_id and access_key_secret'}
    texts = [words.get(cls.NAME, cls.SELECTED_BY[0]) for cls in methods]
    if len(texts) == 1:
        return texts[0]
    return '%s%s or %s' % (', '.join(texts[:-1]), ',' if len(texts) > 2 else '', texts[-1])


def _login_result(body, username, now):
    """What a password login that got a token returns: the token, its keyword, the user and when it expires."""
    user = body.get('user') if isinstance(body.get('user'), dict) else {}
    result = dict(token=body['token'], keyword=body.get('keyword') or 'Bearer',
                  user=dict(id=user.get('id'), username=user.get('username') or username, name=user.get('name')))
    result.update(expiry_fields(body.get('date_expired'), now))
    return result
