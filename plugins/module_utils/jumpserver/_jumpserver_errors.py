# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""What JumpServer's error answers mean: the JumpServer errors, the login error codes with what to do about them, and
the errors of the access-key and private-token jobs (one errors module per layer).

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

The lowest JumpServer file: the client (_jumpserver.py) and the auth methods (_jumpserver_auth.py) both raise these
errors and read answers with these helpers, so they live below both and import neither.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import STATUS_CODES, InvalidResponse, OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import decode_body, origin, strip_html


class JumpServerError(OpsAuthError):
    """An answer of the server that is not what the caller asked for; ``server_code`` is the server's error code."""

    code = 'api_error'


class LoginFailed(JumpServerError):
    """The server refused a password login. Never retried: JumpServer blocks a user after 7 failures."""

    code = 'login_failed'


class CredentialRejected(JumpServerError):
    """HTTP 401: the token, key, signature or session is unknown, expired or malformed."""

    code = 'credential_rejected'


class UnknownOrganization(JumpServerError):
    """``org_id`` names no organisation of the server, which would silently act on the Default org instead."""

    code = 'unknown_organization'


# What the user can do about each login error code (api-notes: match on `error`, never on the translated `msg`). These
# codes are also the collection's own error_code of such a login (docs/errors.md); any other becomes login_failed.
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


def login_code(error):
    """The collection's error_code for a login the server refused with ``error``: the code itself where docs/errors.md
    lists it (JumpServer's login codes are stable and what users match on), else its family's (mfa_failed,
    login_confirm_error) or login_failed."""
    if error in LOGIN_ERROR_HINTS or error == 'login_confirm_wait':
        return error
    if error.startswith('mfa'):
        return 'mfa_failed'
    return 'login_confirm_error' if error.startswith('login_confirm') else 'login_failed'


def answer_code(body):
    """JumpServer's own error code in an answer (``error`` of its login answers, ``code`` of DRF's), None if none."""
    return (body.get('error') or body.get('code')) if isinstance(body, dict) else None


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


def login_answer(resp, username):
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
    if resp.json is None and resp.status == 404:
        decode_body(resp.text, resp.status, origin(resp.url), resp.headers.get('Content-Type'), url=resp.url)
    if resp.json is None and resp.text.strip():
        raise InvalidResponse('%s answered the login with HTTP %d and a body that is not JSON ("%s"); check that url '
                              'points at JumpServer and not at a proxy or a login page'
                              % (origin(resp.url), resp.status, strip_html(resp.text)), status=resp.status,
                              code=STATUS_CODES.get(resp.status))
    return resp.json if isinstance(resp.json, dict) else {}


def login_error(resp, body, username):
    """The error a login answer without a token means: by its error code, with what to do about it."""
    error = body.get('error') or body.get('code')
    server_msg = body.get('msg') or body.get('detail')
    if error:
        hint = LOGIN_ERROR_HINTS.get(error)
        text = 'login as %r failed (%s)' % (username, error)
        if server_msg:
            text += ': %s' % str(server_msg).rstrip('. ')
        if hint:
            text += '; %s' % hint
        return LoginFailed(text, code=login_code(error), server_code=error, status=resp.status, body=body)
    return InvalidResponse('%s answered the login as %r with HTTP %d and no token (%s)'
                           % (origin(resp.url), username, resp.status, describe_body(body)), status=resp.status,
                           code=STATUS_CODES.get(resp.status))


# --- access keys (_jms_access_key*.py) --------------------------------------------------------------------------------


class AccessKeyError(JumpServerError):
    """An access-key job cannot go on; the message says what to do."""

    code = 'access_key_error'


class KeyLimitReached(AccessKeyError):
    """The user already has the 10 keys JumpServer allows."""

    code = 'key_limit_reached'


class OldKeyLeft(AccessKeyError):
    """The new key is current (in dest and in ``result``); retiring the old one failed. The next run retires it."""

    code = 'old_key_left'

    def __init__(self, cause, result):
        super(OldKeyLeft, self).__init__(
            'access key %s is current and in dest, but retiring the old key %s failed (%s); the next run retires it '
            '(or delete it with state=absent and id)' % (result['id'], (result['previous'] or {}).get('id'), cause),
            server_code=getattr(cause, 'server_code', None), status=getattr(cause, 'status', None))
        self.result = result


# --- private tokens (_jms_private_token*.py) --------------------------------------------------------------------------


class PrivateTokenError(OpsAuthError):
    """The job ran but JumpServer (or the container) could not do it."""

    code = 'private_token_failed'


class ResultNotFound(PrivateTokenError):
    """The shell finished without printing our result line."""


class FailedMidway(PrivateTokenError):
    """The job stopped at one user; ``results`` holds what it did for the users before it (their tokens too)."""

    code = 'failed_midway'

    def __init__(self, message, results):
        super(FailedMidway, self).__init__(message)
        self.results = results
