# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""JumpServer client: one class per auth method, X-JMS-ORG, MFA and login-confirm handling, error mapping.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Built from a plain dict of the options in ``_options.JMS_COMMON_SPEC`` (``JumpServerClient.from_options``),
so a module and a lookup share one code path. Server behaviour this relies on is written down in
the project's api-notes (JumpServer v2.28 to v4.10); the why of each rule is in the comments.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import re
import time
import uuid
from email.utils import formatdate

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import InvalidResponse, OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._http import HttpClient, bearer_auth, cookie_auth
from ansible_collections.opsauth.tokens.plugins.module_utils._transport import (
    CREDENTIAL_OPTIONS,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    IDEMPOTENT_METHODS,
    RETRY_CONNECT,
    RETRY_IDEMPOTENT,
    SECRET_OPTIONS,
    clean_credential,
    clean_credentials,
    origin,
    strip_html,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._time import UTC, parse_datetime, seconds_left
from ansible_collections.opsauth.tokens.plugins.module_utils._totp import TotpSecretError, decode_secret, totp


def _httpsig_auth_class():
    """httpsig's requests auth class; AuthOptionsError when it cannot be imported.

    Imported on first use, not with this module: only access-key auth needs it.
    """
    try:
        from httpsig.requests_auth import HTTPSignatureAuth
    except ImportError as exc:
        raise AuthOptionsError('access keys need the Python library httpsig, which cannot be imported here (%s): '
                               'pip install pyhttpsig' % exc)
    return HTTPSignatureAuth


# The Default organisation, what a request without X-JMS-ORG acts on (the org_id option's default).
DEFAULT_ORG_ID = '00000000-0000-0000-0000-000000000002'
# JumpServer translates msg/detail by Accept-Language (v3.10 defaults to Chinese, v4 to English): one language for
# every client, so the server's words quoted in our messages are predictable. Errors are matched on codes only.
DEFAULT_JMS_LANGUAGE = 'en'
AUTH_PATH = '/api/v1/authentication/auth/'
MFA_CHALLENGE_PATH = '/api/v1/authentication/mfa/challenge/'
PROFILE_PATH = '/api/v1/users/profile/'
ORGS_PATH = '/api/v1/orgs/orgs/'
# The orgs every server has (orgs.models.Organization ROOT_ID, DEFAULT_ID, SYSTEM_ID): never worth a request.
BUILTIN_ORG_IDS = frozenset(['00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000002',
                             '00000000-0000-0000-0000-000000000004'])
# orgs.utils.get_org_from_request maps these words, in any case, to the built-in ids; and
# Organization.construct_orgs_mapping maps the exact name 'GLOBAL' to the root org, which is not in the database.
BUILTIN_ORG_WORDS = {'default': '00000000-0000-0000-0000-000000000002', 'root': '00000000-0000-0000-0000-000000000000',
                     'system': '00000000-0000-0000-0000-000000000004'}
BUILTIN_ORG_NAMES = {'GLOBAL': '00000000-0000-0000-0000-000000000000'}
# Caps of a paginated read (jms_request paginate): JumpServer serves at most 1000 items a page, so the defaults allow
# 100000 items, more than any list a task should pull in one go, and bound the memory and the requests a typo costs.
DEFAULT_MAX_PAGES = 100
DEFAULT_MAX_ITEMS = 100000
# The largest page JumpServer's list endpoints serve (MAX_LIMIT_PER_PAGE); fewer pages, fewer throttled requests.
MAX_PAGE_SIZE = 1000
SAFE_METHODS = frozenset(['GET', 'HEAD', 'OPTIONS'])
# How often to ask again while a login waits for an administrator's approval. Every poll is an anonymous request,
# and JumpServer allows 60 of those a minute per address: polling every 2 s leaves half of them to other clients.
LOGIN_CONFIRM_POLL_INTERVAL = 2.0
SIGNED_HEADERS = ['(request-target)', 'accept', 'date']
_UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', re.I)


# --- errors ----------------------------------------------------------------------------------------------------------

class JumpServerError(OpsAuthError):
    """An answer of the server that is not what the caller asked for; ``code`` is the server's error code."""

    def __init__(self, message, code=None, status=None, body=None):
        super(JumpServerError, self).__init__(message)
        self.code = code
        self.status = status
        self.body = body


class AuthOptionsError(JumpServerError):
    """The options do not describe exactly one usable auth method (found before any request is sent)."""


class LoginFailed(JumpServerError):
    """The server refused a password login. Never retried: JumpServer blocks a user after 7 failures."""


class MfaError(LoginFailed):
    """The login needs an MFA answer the options cannot give, or the server refused the code."""


class LoginConfirmError(LoginFailed):
    """The login waits for an administrator's approval longer than allowed, or was rejected."""


class CredentialRejected(JumpServerError):
    """HTTP 401: the token, key, signature or session is unknown, expired or malformed."""


class ApiError(JumpServerError):
    """Any other status than the caller expected."""


class UnknownOrganization(JumpServerError):
    """``org_id`` names no organisation of the server, which would silently act on the Default org instead."""


class PaginationLimitExceeded(JumpServerError):
    """A paginated read needs more pages or items than the caps allow."""


# What the user can do about each login error code (api-notes: match on `error`, never on the translated `msg`).
LOGIN_ERROR_HINTS = {
    'password_failed': 'wrong username or password; not retried, because JumpServer blocks the user after 7 failures '
                       'in 30 minutes',
    'block_login': 'the user is blocked after too many failed logins; wait for the block to expire (30 minutes by '
                   'default) or ask an administrator to unblock the user',
    'user_inactive': 'the user is disabled; an administrator must activate it',
    'user_expired': 'the user account has expired; an administrator must extend it',
    'acl_not_allow': 'a login ACL of the server refuses this user from this address or at this time',
    'mfa_failed': 'the MFA code was refused; check mfa_code, or that mfa_totp_secret belongs to this user and '
                  'the clock of the host running the task is right',
    'login_confirm_error': 'the login was rejected or closed by the administrator who had to confirm it',
    'mfa_required': 'the server asked for MFA again after the code was accepted',
}


def describe_body(body, limit=300):
    """One line out of an error body: DRF's {"detail", "code"}, JumpServer's {"error", "msg"} or field errors."""
    if isinstance(body, dict):
        code = body.get('error') or body.get('code')
        message = body.get('msg') or body.get('detail')
        if code or message:
            parts = [str(part) for part in (code, message) if part]
            return ': '.join(parts)[:limit]
    if body is None:
        return 'empty body'
    return json.dumps(body, sort_keys=True, ensure_ascii=False)[:limit]


# --- dates -----------------------------------------------------------------------------------------------------------

def parse_date_expired(value):
    """An aware datetime out of a login's ``date_expired``; None when it carries no usable date.

    JumpServer sends '%Y/%m/%d %H:%M:%S %z' in the server's TIME_ZONE; older servers ISO 8601; an epoch is
    accepted too. A date without an offset is refused: guessing the server's time zone could be off by hours.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if re.match(r'^\d{9,11}(\.\d+)?$', text):
        return datetime.datetime.fromtimestamp(float(text), UTC)
    parsed = parse_datetime(text)
    if parsed is None:
        try:
            parsed = datetime.datetime.fromisoformat(text.replace('Z', '+00:00').replace('/', '-'))
        except ValueError:
            return None
    return parsed if parsed.tzinfo is not None else None


def expiry_fields(date_expired, now=None):
    """``date_expired`` (ISO 8601 with the server's offset), ``expires_at`` (epoch) and ``expires_in`` (seconds)."""
    parsed = parse_date_expired(date_expired)
    if parsed is None:
        return dict(date_expired=date_expired if date_expired else None, expires_at=None, expires_in=None)
    expires_at = int(parsed.timestamp())
    moment = time.time() if now is None else now
    return dict(date_expired=parsed.isoformat(), expires_at=expires_at, expires_in=max(0, int(expires_at - moment)))


def bearer_headers(token, keyword='Bearer', org_id=None):
    """The headers an ``ansible.builtin.uri`` task needs to call the API with a token."""
    return {'Authorization': '%s %s' % (keyword or 'Bearer', token), 'X-JMS-ORG': org_id or DEFAULT_ORG_ID}


def bearer_token_result(data, org_id=None):
    """What the jms_token module and lookup return for a token (a login's answer, a token file or a cache entry).

    ``expires_in`` is what is left of the token now, so a reused token does not claim its first lifetime.
    """
    left = seconds_left(data.get('expires_at'))
    return dict(token=data['token'], keyword=data.get('keyword') or 'Bearer', date_expired=data.get('date_expired'),
                expires_in=None if left is None else max(0, int(left)), user=data.get('user') or {},
                headers=bearer_headers(data['token'], data.get('keyword'), org_id))


def _given(value):
    return value is not None and value != ''


# --- auth methods ----------------------------------------------------------------------------------------------------

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
        """Check the options without any network; raise AuthOptionsError."""

    def authenticate(self, client):
        """Obtain what ``apply`` needs (network only for a password login)."""

    def apply(self, method, headers, client):
        """Add this method's headers for one request; return a requests auth callable or None."""
        return None

    def _require(self, *names):
        missing = [name for name in names if not _given(self.option(name))]
        if missing:
            raise AuthOptionsError('%s login needs %s too' % (self.NAME, ' and '.join(missing)))


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
            raise AuthOptionsError('give either mfa_code or mfa_totp_secret, not both')
        if _given(self.option('mfa_totp_secret')):
            try:
                decode_secret(self.option('mfa_totp_secret'))
            except TotpSecretError as exc:
                raise AuthOptionsError(str(exc))
        if (self.option('login_confirm_timeout') or 0) < 0:
            raise AuthOptionsError('login_confirm_timeout must be 0 or more seconds')

    def authenticate(self, client):
        username = self.option('username')
        payload = {'username': username, 'password': self.option('password')}
        mfa_answered = False
        confirm_deadline = None
        while True:
            # RETRY_CONNECT: resend only when the request never reached the server. A login the server answered
            # counts toward its lockout, whatever the answer was.
            resp = client.http.request('POST', AUTH_PATH, json_body=payload, retry=RETRY_CONNECT, expect_json=False)
            body = _login_body(resp, username)
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
                raise LoginConfirmError(
                    'login as %r waits for an administrator to approve login-confirm ticket %s; approve it in '
                    'JumpServer and run again, or set login_confirm_timeout to wait for it (login_confirm_wait)'
                    % (username, ticket), code=error, status=resp.status, body=body)
            raise _login_error(resp, body, username)

    def _answer_mfa(self, client, body, username):
        data = body.get('data') or {}
        choices = data.get('choices') or []
        code = self.option('mfa_code')
        if not _given(code) and _given(self.option('mfa_totp_secret')):
            code = totp(self.option('mfa_totp_secret'), at=client.clock())
        if not choices:
            raise MfaError('login as %r needs MFA (mfa_required) but the server offers no MFA type (choices []): MFA '
                           'is forced for this user and none is set up; bind an OTP device in the JumpServer web UI'
                           % username, code='mfa_required', status=200, body=body)
        if 'otp' not in choices:
            raise MfaError('login as %r needs MFA (mfa_required); the server offers %s, and this collection answers '
                           'only otp: bind an OTP device for this user' % (username, ', '.join(choices)),
                           code='mfa_required', status=200, body=body)
        if not _given(code):
            raise MfaError('login as %r needs MFA (mfa_required); the server offers %s: give mfa_code or '
                           'mfa_totp_secret' % (username, ', '.join(choices)), code='mfa_required', status=200, body=body)
        # The server names the challenge URL; the HTTP layer sends it only to the configured server's origin (anything
        # else is refused before the code or the session cookie leave), like every other URL.
        challenge = client.http.url_for(data.get('url') or MFA_CHALLENGE_PATH, what='the MFA challenge URL the server gave')
        resp = client.http.request('POST', challenge, json_body={'type': 'otp', 'code': code}, retry=RETRY_CONNECT,
                                   expect_json=False)
        answer = _login_body(resp, username)
        if resp.status != 200 or answer.get('error'):
            error = answer.get('error') or 'mfa_failed'
            hint = LOGIN_ERROR_HINTS.get(error, describe_body(answer))
            raise MfaError('MFA for %r failed (%s, HTTP %d): %s' % (username, error, resp.status, hint),
                           code=error, status=resp.status, body=answer)

    def apply(self, method, headers, client):
        return bearer_auth(self.result['token'], self.result['keyword'], name='the token of the password login')


class BearerAuth(_AuthMethod):
    """A bearer token from an earlier login (jms_token, or the token file it wrote)."""

    NAME = 'token'
    SELECTED_BY = ('token',)
    DESCRIPTION = 'bearer token'

    def apply(self, method, headers, client):
        return bearer_auth(self.option('token'), 'Bearer', name='token')


class PrivateTokenAuth(_AuthMethod):
    """A permanent private token (created inside the server; see the api-notes)."""

    NAME = 'private_token'
    SELECTED_BY = ('private_token',)
    DESCRIPTION = 'private token'

    def apply(self, method, headers, client):
        return bearer_auth(self.option('private_token'), 'Token', name='private_token')


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
            raise AuthOptionsError('access_key_id must be the access key id, a UUID such as '
                                   '8f1a1c2e-0000-4000-8000-000000000001')

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
            raise AuthOptionsError('%s with session auth needs csrf_token (the jms_csrftoken cookie of the same '
                                   'browser session)' % method)
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
        raise AuthOptionsError('give either %s or %s, not both' % tuple(names))
    if len(chosen) > 2:
        raise AuthOptionsError('give only one of %s and %s' % (', '.join(names[:-1]), names[-1]))
    allowed = [cls for cls in AUTH_METHODS if methods is None or cls.NAME in methods]
    if not chosen:
        raise AuthOptionsError('no credentials: give %s (or the matching JMS_* environment variables)'
                               % _alternatives(allowed))
    if chosen[0] not in allowed:
        raise AuthOptionsError('%s cannot be used here: give %s' % (names[0], _alternatives(allowed)))
    return chosen[0](options)


def _alternatives(methods):
    words = {'password': 'username and password', 'access_key': 'access_key_id and access_key_secret'}
    texts = [words.get(cls.NAME, cls.SELECTED_BY[0]) for cls in methods]
    if len(texts) == 1:
        return texts[0]
    return '%s%s or %s' % (', '.join(texts[:-1]), ',' if len(texts) > 2 else '', texts[-1])


# --- login answers ---------------------------------------------------------------------------------------------------

def _login_body(resp, username):
    """The JSON object of a login answer, or the error a non-JSON answer means."""
    if resp.status == 500:
        # JumpServer answers a password that is expired, must be changed or is too simple (admin/ChangeMe)
        # with a bare 500: a server bug, but the user needs to know where to look.
        raise LoginFailed('the server refused the login as %r (HTTP 500); the password may be expired or too simple: '
                          'log in once in the web UI to change it' % username, code='server_error', status=500,
                          body=resp.json)
    if resp.status == 429:
        raise LoginFailed('the server throttled the login as %r (HTTP 429, retry after %s s); JumpServer allows 60 '
                          'anonymous requests a minute per address: store the token with dest instead of logging in '
                          'on every run' % (username, resp.headers.get('Retry-After', '?')), code='throttled', status=429)
    if resp.json is None and resp.text.strip():
        raise InvalidResponse('%s answered the login with HTTP %d and a body that is not JSON ("%s"); check that url '
                              'points at JumpServer and not at a proxy or a login page'
                              % (origin(resp.url), resp.status, strip_html(resp.text)), status=resp.status)
    return resp.json if isinstance(resp.json, dict) else {}


def _login_error(resp, body, username):
    error = body.get('error') or body.get('code')
    server_msg = body.get('msg') or body.get('detail')
    if error:
        hint = LOGIN_ERROR_HINTS.get(error)
        text = 'login as %r failed (%s)' % (username, error)
        if server_msg:
            text += ': %s' % str(server_msg).rstrip('. ')
        if hint:
            text += '; %s' % hint
        cls = MfaError if error.startswith('mfa') else LoginConfirmError if error.startswith('login_confirm') else LoginFailed
        return cls(text, code=error, status=resp.status, body=body)
    return InvalidResponse('%s answered the login as %r with HTTP %d and no token (%s)'
                           % (origin(resp.url), username, resp.status, describe_body(body)), status=resp.status)


def _login_result(body, username, now):
    user = body.get('user') if isinstance(body.get('user'), dict) else {}
    result = dict(token=body['token'], keyword=body.get('keyword') or 'Bearer',
                  user=dict(id=user.get('id'), username=user.get('username') or username, name=user.get('name')))
    result.update(expiry_fields(body.get('date_expired'), now))
    return result


# --- the client ------------------------------------------------------------------------------------------------------

class JumpServerClient:
    """One JumpServer, one auth method, one requests.Session."""

    def __init__(self, url, auth, org_id=None, validate_certs=True, ca_path=None, timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES,
                 session=None, sleep=time.sleep, clock=time.time, language=DEFAULT_JMS_LANGUAGE,
                 relogin=False, max_response_size=DEFAULT_MAX_RESPONSE_SIZE):
        self.auth = auth
        # With password auth: log in again once when the server forgets the token this client obtained (a restart
        # of JumpServer's Redis drops every bearer token). Off by default; jms_request turns it on.
        self.relogin = relogin
        self.relogins = 0
        self.org_id = org_id or DEFAULT_ORG_ID
        self.sleep = sleep
        self.clock = clock
        # X-JMS-ORG on every request, the login included: an org the server does not know is silently the Default
        # org, so it is better sent always than forgotten once. Accept-Language: the server's msg/detail in one
        # language whatever the server's default (v3.10: Chinese); the error codes do not depend on it.
        self.http = HttpClient(url, validate_certs=validate_certs, ca_path=ca_path, timeout=timeout, retries=retries,
                               headers={'X-JMS-ORG': self.org_id, 'Accept-Language': language or DEFAULT_JMS_LANGUAGE},
                               session=session, sleep=sleep, max_response_size=max_response_size)
        # Whatever an exception's text quotes of these is replaced before it reaches a message.
        self.http.add_secrets(*(auth.option(name) for name in SECRET_OPTIONS))
        self._authenticated = False

    @classmethod
    def from_options(cls, options, methods=None, **kwargs):
        """A client from a plain dict of option names (module.params, or what a lookup collected).

        Validates the options (no network). ``methods`` limits the auth methods allowed, e.g. ('password',).
        """
        options = clean_credentials(options, CREDENTIAL_OPTIONS)
        auth = select_auth(options, methods)
        auth.validate()

        def value(name, default):
            return default if options.get(name) is None else options.get(name)

        return cls(options.get('url'), auth, org_id=options.get('org_id'), validate_certs=value('validate_certs', True),
                   ca_path=options.get('ca_path'), timeout=value('timeout', DEFAULT_TIMEOUT), retries=value('retries', DEFAULT_RETRIES),
                   language=value('language', DEFAULT_JMS_LANGUAGE),
                   max_response_size=value('max_response_size', DEFAULT_MAX_RESPONSE_SIZE), **kwargs)

    @property
    def base_url(self):
        return self.http.base_url

    def login(self):
        """Password login; a plain dict: token, keyword, date_expired, expires_in, expires_at, user{id,username,name}."""
        if not isinstance(self.auth, PasswordAuth):
            raise AuthOptionsError('a login needs username and password')
        result = self.auth.authenticate(self)
        self._authenticated = True
        return dict(result, user=dict(result['user']))

    def adopt_login(self, result):
        """Use the answer of a password login made elsewhere (the run's token cache, by an action plugin) instead of
        logging in: ``result`` holds ``token`` and ``keyword``."""
        if not isinstance(self.auth, PasswordAuth):
            raise AuthOptionsError('a login can only be handed over for username and password')
        self.auth.result = dict(token=result['token'], keyword=result.get('keyword') or 'Bearer')
        self._authenticated = True
        # A 401 for it is the action plugin's to answer, once for the whole run: no login of our own.
        self.relogin = False

    def ensure_authenticated(self):
        if not self._authenticated:
            self.auth.authenticate(self)
            self._authenticated = True

    def request(self, method, path, query=None, body=None, org_id=None, retry=RETRY_IDEMPOTENT, expect_json=True):
        """Send one API request with the configured auth; return the HttpResponse whatever its status.

        With ``relogin``, a 401 for the bearer token this client got from its own password login is answered with
        one new login (a failed one raises, never retried), then the request is sent again when that is safe.
        """
        method = method.upper()
        self.ensure_authenticated()
        resp = self._send(method, path, query, body, org_id, retry, expect_json)
        if resp.status != 401 or not self._may_log_in_again():
            return resp
        self.relogins += 1
        self.auth.authenticate(self)
        if method in IDEMPOTENT_METHODS or _rejected_by_authentication(resp):
            return self._send(method, path, query, body, org_id, retry, expect_json)
        raise CredentialRejected('%s %s answered HTTP 401 (%s) for the token of this task\'s login; logged in again, but '
                                 'did not repeat the request because the server may have processed it: check the '
                                 'server and run again' % (method, path, describe_body(resp.json)),
                                 code='not_repeated', status=401, body=resp.json)

    def _may_log_in_again(self):
        # Only a token this client obtained itself (never a token, key or session the user gave), and only once.
        return (self.relogin and isinstance(self.auth, PasswordAuth) and self.auth.result is not None
                and self.relogins == 0)

    def _send(self, method, path, query, body, org_id, retry, expect_json):
        headers = {}
        if org_id:
            headers['X-JMS-ORG'] = org_id
        auth = self.auth.apply(method, headers, self)
        try:
            return self.http.request(method, path, params=query, json_body=body, headers=headers, auth=auth,
                                     retry=retry, expect_json=expect_json)
        except InvalidResponse as exc:
            if exc.status == 500 and isinstance(self.auth, AccessKeyAuth):
                raise CredentialRejected('%s %s answered HTTP 500 with a page that is not JSON: JumpServer answers so '
                                         'when it cannot parse an HTTP signature; check access_key_id and '
                                         'access_key_secret' % (method, path), code='signature_error', status=500)
            raise

    def check(self, resp, expected=(200,), what=None, method='GET'):
        """Return ``resp`` when its status is expected; raise CredentialRejected on 401, else ApiError."""
        if resp.status in expected:
            return resp
        body = resp.json
        code = (body.get('error') or body.get('code')) if isinstance(body, dict) else None
        if resp.status == 401:
            raise CredentialRejected('JumpServer refused the %s (HTTP 401: %s)' % (what or self.auth.DESCRIPTION, describe_body(body)),
                                     code=code, status=401, body=body)
        wanted = ', '.join(str(status) for status in expected)
        raise ApiError('%s %s answered HTTP %d, expected %s: %s' % (method, _path_of(resp.url), resp.status, wanted, describe_body(body)),
                       code=code, status=resp.status, body=body)

    def check_token(self, token=None, keyword='Bearer'):
        """GET /api/v1/users/profile/ with ``token`` (or the configured auth); return the profile.

        The cheapest call that proves a credential works; raises CredentialRejected when it does not.
        """
        if token is None:
            resp = self.request('GET', PROFILE_PATH)
            return self.check(resp).json
        resp = self.http.request('GET', PROFILE_PATH, auth=bearer_auth(token, keyword, name='the stored token'))
        return self.check(resp, what='stored token').json

    def paginate(self, path, query=None, org_id=None, max_pages=DEFAULT_MAX_PAGES, max_items=DEFAULT_MAX_ITEMS):
        """Every item of a list endpoint, fetched with limit/offset at the largest page size the server serves.

        At most ``max_pages`` requests and ``max_items`` items, else PaginationLimitExceeded: a list that large is a
        wrong path or a missing filter, and reading it whole would only cost memory and the server's rate limit.
        A 429 is retried by the HTTP layer after the server's Retry-After.
        """
        items = []
        offset = 0
        pages = 0
        while True:
            if pages >= max_pages:
                raise PaginationLimitExceeded(
                    'GET %s has more pages than max_pages=%d allows (%d items read); add a filter to query, or raise '
                    'max_pages' % (path, max_pages, len(items)), code='too_many_pages')
            params = dict(query or {})
            params.update(limit=min(MAX_PAGE_SIZE, max_items + 1), offset=offset)
            page = self.check(self.request('GET', path, query=params, org_id=org_id)).json
            pages += 1
            if isinstance(page, list):
                # An endpoint without pagination ignores limit/offset and answers the whole list.
                items = items + page if offset == 0 else items
                self._check_items(path, items, max_items)
                return items
            if not isinstance(page, dict) or not isinstance(page.get('results'), list):
                raise InvalidResponse('%s is not a list endpoint: the answer has no "results" list' % path, status=200)
            items.extend(page['results'])
            self._check_items(path, items, max_items, page.get('count'))
            if not page.get('next') or not page['results']:
                return items
            offset += len(page['results'])

    @staticmethod
    def _check_items(path, items, max_items, count=None):
        if len(items) > max_items:
            total = ' (the list has %d)' % count if isinstance(count, int) else ''
            raise PaginationLimitExceeded(
                'GET %s returned more than max_items=%d items%s; add a filter to query, or raise max_items'
                % (path, max_items, total), code='too_many_items')

    def check_org(self, org_id=None, token=None, keyword='Bearer'):
        """Make sure the organisation exists; return its id. Built-in ids and words cost no request.

        JumpServer acts on the Default org for any X-JMS-ORG it does not know (api-notes), so a typo would read or
        change the wrong org. An id is checked with GET /api/v1/orgs/orgs/<id>/ (200, or 404 object_does_not_exist);
        a name, which the server also accepts (Organization.construct_orgs_mapping, exact and case-sensitive), is
        looked up with GET /api/v1/orgs/orgs/?name= and matched exactly. Raises UnknownOrganization.
        With ``token``, the check is sent with that bearer token instead of the configured auth (as check_token).
        """
        org = str(org_id or self.org_id)
        if org in BUILTIN_ORG_IDS:
            return org
        if org.lower() in BUILTIN_ORG_WORDS:
            return BUILTIN_ORG_WORDS[org.lower()]
        if org in BUILTIN_ORG_NAMES:
            return BUILTIN_ORG_NAMES[org]
        if _is_uuid(org):
            if org != org.lower():
                # The server looks the header up as it is in a dict of lower-case ids: any other spelling is Default.
                raise UnknownOrganization('org_id %s must be written in lower case: JumpServer matches org ids exactly '
                                          'and would silently use the Default org' % org, code='object_does_not_exist')
            resp = self._get_with(token, keyword, '%s%s/' % (ORGS_PATH, org))
            code = resp.json.get('code') if isinstance(resp.json, dict) else None
            if resp.status == 404 and code in ('object_does_not_exist', 'not_found'):
                raise self._unknown_org(org, 'id')
            body = self._org_answer(resp, org)
            return str(body.get('id') or org) if isinstance(body, dict) else org
        resp = self._get_with(token, keyword, ORGS_PATH, {'name': org, 'limit': MAX_PAGE_SIZE})
        body = self._org_answer(resp, org)
        found = body.get('results') if isinstance(body, dict) else body
        match = [item for item in found or [] if isinstance(item, dict) and item.get('name') == org and item.get('id')]
        if not match:
            raise self._unknown_org(org, 'name')
        return str(match[0]['id'])

    def _get_with(self, token, keyword, path, query=None):
        if token is None:
            return self.request('GET', path, query=query, expect_json=False)
        # An auth object, not a header: ~/.netrc must not replace the token (see _http).
        return self.http.request('GET', path, params=query, expect_json=False,
                                 auth=bearer_auth(token, keyword, name='the stored token'))

    def _org_answer(self, resp, org):
        if resp.status == 403:
            raise ApiError('cannot check that organisation %s exists: this user may not read %s (HTTP 403); give it '
                           'the permission to view organisations, or use a built-in org (default, root, system)'
                           % (org, ORGS_PATH), code='permission_denied', status=403)
        if resp.status != 200 or resp.json is None:
            return self.check(resp, what='credential used to check org_id').json
        return resp.json

    def _unknown_org(self, org, kind):
        return UnknownOrganization(
            'org_id %s is no organisation %s of %s (JumpServer would silently use the Default org instead); list the '
            'organisations with opsauth.tokens.jms_request path=%s' % (org, 'id' if kind == 'id' else 'name',
                                                                       self.base_url, ORGS_PATH),
            code='object_does_not_exist', status=404)


def _is_uuid(value):
    # Only the canonical 8-4-4-4-12 form: uuid.UUID() also takes 32 bare hex digits or braces, which the server's
    # org lookup (str(org.id)) never matches.
    return bool(_UUID.match(value))


def _rejected_by_authentication(resp):
    """True when a 401 comes from DRF's authentication, which runs before the view: the request was not processed.

    v4 answers an unknown bearer token with not_authenticated, v3.10 with authentication_failed (api-notes).
    """
    return isinstance(resp.json, dict) and resp.json.get('code') in ('not_authenticated', 'authentication_failed')


def _path_of(url):
    match = re.match(r'^https?://[^/]+(/[^?]*)', url or '')
    return match.group(1) if match else url
