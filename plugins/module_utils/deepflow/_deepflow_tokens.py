# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""DeepFlow's data: the OPT_STATUS envelope and its errors, token sets, their expiry, and what to do with a stored one.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Standard library only (no HTTP): the token cache, the lookups and the page URLs use it without the client. The
contract is DeepFlow's "login-free page" document plus the envelope of the public controller code; where it is silent
we are tolerant (a login body without the envelope) or conservative (the earlier of two expiry times).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_errors import DeepFlowApiError
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import InvalidResponse
from ansible_collections.opsauth.tokens.plugins.module_utils._time import epoch_from_iso, iso_from_epoch, seconds_left
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import one_line, strip_html

SUCCESS = 'SUCCESS'
# "refresh_token 默认该 token 过期时间为30天": used only when the refresh token carries no readable exp claim.
DEFAULT_REFRESH_TTL = 30 * 24 * 3600
# How DeepFlow refuses a credential (a token, a refresh token, a password): the envelope's 4xx. A logout answered so has
# nothing left to revoke; a login answered so is a verdict on the password. A 429 or a 5xx is the server's state.
_REFUSAL_STATUSES = frozenset([400, 401, 403])
# What deepflow_login and the deepflow_token lookup return of a token set (plus the page URLs).
# DeepFlow's access token is ``token`` here, as every credential that authenticates requests (docs/results.md).
RESULT_KEYS = ('token', 'refresh_token', 'expires_in', 'expires_at', 'date_expired', 'token_type', 'email', 'license')
# Names a token file or cache entry written before docs/results.md used: read under today's names.
_LEGACY_NAMES = (('access_token', 'token'),)
# The collection's naming rule (issue 12): ``*_at`` is an epoch (int), ``date_*`` its ISO 8601 form, ``expires_in``
# seconds left. These are the times a token set holds, and the ISO form shown beside each expiry.
_EPOCH_FIELDS = ('expires_at', 'refresh_expires_at', 'issued_at')
_DATE_FIELDS = (('expires_at', 'date_expired'), ('refresh_expires_at', 'refresh_date_expired'))


# --- the envelope ----------------------------------------------------------------------------------------------------

def unwrap(response, action, allow_bare=False):
    """Return DATA of a successful answer; raise DeepFlowApiError for anything else.

    Success means HTTP 2xx AND OPT_STATUS == SUCCESS: DeepFlow also answers 200 with a failure status.
    ``allow_bare`` accepts a 2xx JSON object without the envelope as the data itself: the public client code
    of the login call reads DATA.access_token, but the contract is silent on proxies that strip the envelope.
    ``response`` is anything with ``status`` and ``json`` (an HttpResponse, or what another transport returns).
    """
    body = response.json
    is_2xx = 200 <= int(response.status) < 300
    if isinstance(body, dict) and 'OPT_STATUS' in body:
        if is_2xx and body.get('OPT_STATUS') == SUCCESS:
            return body.get('DATA')
        raise DeepFlowApiError(action, response.status, body.get('OPT_STATUS'), one_line(body.get('DESCRIPTION'), 300),
                               body=dict((key, body.get(key)) for key in ('OPT_STATUS', 'DESCRIPTION')))
    if is_2xx and allow_bare and isinstance(body, dict):
        return body
    if is_2xx:
        raise InvalidResponse('%s: DeepFlow answered HTTP %s without the OPT_STATUS envelope; check that the URL points '
                              'at fauths or fuser' % (action, response.status), status=response.status)
    raise DeepFlowApiError(action, response.status, None, strip_html(getattr(response, 'text', '') or ''))


# --- expiry ----------------------------------------------------------------------------------------------------------

def jwt_claims(token):
    """The claims of a JWT, read WITHOUT verifying the signature (we only want to know when it expires).

    None when ``token`` is not a JWT: a permanent key or an opaque refresh token is not an error.
    """
    if not isinstance(token, str) or token.count('.') != 2:
        return None
    payload = token.split('.')[1]
    try:
        decoded = base64.urlsafe_b64decode((payload + '=' * (-len(payload) % 4)).encode('ascii'))
        claims = json.loads(decoded.decode('utf-8'))
    except (ValueError, TypeError, UnicodeError):
        return None
    return claims if isinstance(claims, dict) else None


def jwt_exp(token):
    """The ``exp`` claim (epoch seconds) of a JWT, or None."""
    exp = (jwt_claims(token) or {}).get('exp')
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    return int(exp)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def token_set(data, issued_at, action):
    """Normalise a login/refresh DATA into the plain dict the modules return and store.

    The access token expires at the EARLIER of issue time + ``expires_in`` and the JWT ``exp``: ``expires_in`` is
    immune to clock skew between us and the server, ``exp`` to a slow answer; taking the earlier one never keeps a dead
    token. ``issued_at`` (epoch) is taken before the request was sent for the same reason.
    The times are epochs (``expires_at``, ``refresh_expires_at``, ``issued_at``) with their ISO 8601 forms beside
    (``date_expired``, ``refresh_date_expired``): see with_dates.
    """
    if not isinstance(data, dict) or not isinstance(data.get('access_token'), str) or not data['access_token']:
        raise InvalidResponse('%s: DeepFlow answered SUCCESS without an access_token' % action)
    access_token = data['access_token']
    refresh_token = data.get('refresh_token') or None
    expires_in = _int_or_none(data.get('expires_in'))
    candidates = [exp for exp in (jwt_exp(access_token), None if expires_in is None else int(issued_at) + expires_in)
                  if exp is not None]
    access_expiry = min(candidates) if candidates else None
    refresh_expiry = None
    if refresh_token:
        refresh_expiry = jwt_exp(refresh_token) or int(issued_at) + DEFAULT_REFRESH_TTL
    return with_dates(dict(
        token=access_token,
        refresh_token=refresh_token,
        token_type=data.get('token_type'),
        expires_in=expires_in,
        expires_at=access_expiry,
        refresh_expires_at=refresh_expiry,
        issued_at=int(issued_at),
        email=data.get('email'),
        license=data.get('license'),
    ))


def _epoch(value):
    """An int epoch out of a stored time, None when unknown; an ISO 8601 string (what a token file held before the
    naming rule) is converted, so such a file is read as it was meant."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    epoch = epoch_from_iso(value)
    return None if epoch is None else int(epoch)


def with_dates(tokens):
    """A copy of ``tokens`` with every ``*_at`` an int epoch and each expiry's ISO 8601 form beside it.

    Applied to what we build and to what we read back (a token file, a cache entry, a previous token set): the
    ``date_*`` keys are derived, so they never disagree with the epochs the expiry decisions use; a name written
    before docs/results.md (``access_token``) is read as today's (``token``).
    """
    if not tokens:
        return tokens
    result = dict(tokens)
    for old, new in _LEGACY_NAMES:
        if old in result:
            value = result.pop(old)
            result.setdefault(new, value)
    for name in _EPOCH_FIELDS:
        if name in result:
            result[name] = _epoch(result[name])
    for epoch_name, date_name in _DATE_FIELDS:
        epoch = result.get(epoch_name)
        result[date_name] = None if epoch is None else iso_from_epoch(epoch)
    return result


def merge_refreshed(tokens, previous):
    """A refresh answer lacks what only the login told (email, license): keep those from ``previous``."""
    merged = dict(tokens)
    for name in ('email', 'license'):
        if merged.get(name) is None and previous:
            merged[name] = previous.get(name)
    if previous and merged.get('refresh_expires_at') is None and merged.get('refresh_token') == previous.get('refresh_token'):
        merged['refresh_expires_at'] = previous.get('refresh_expires_at')
    return with_dates(merged)


def access_seconds_left(tokens, at=None):
    """Seconds the stored access token still lives; None when unknown."""
    return seconds_left(_epoch((tokens or {}).get('expires_at')), at)


def refresh_seconds_left(tokens, at=None):
    """Seconds the stored refresh token still lives; None when there is none or its expiry is unknown."""
    if not (tokens or {}).get('refresh_token'):
        return None
    return seconds_left(_epoch(tokens.get('refresh_expires_at')), at)


# What state=present does with what it holds; the names are the module's vocabulary.
REUSE, REFRESH, LOGIN = 'reuse', 'refresh', 'login'


def plan_present(stored, min_ttl, at=None):
    """Decide how to get a usable access token without asking the server anything.

    Reuse while the access token lives longer than ``min_ttl``; else refresh while the refresh token lives (a
    refresh never sends the password, and DeepFlow locks accounts after failed password logins); else log in.
    A token of unknown expiry is never reused: we cannot prove it outlives min_ttl.
    """
    if not stored or (not stored.get('token') and not stored.get('refresh_token')):
        return LOGIN
    left = access_seconds_left(stored, at) if stored.get('token') else None
    if left is not None and left > min_ttl:
        return REUSE
    refresh_left = refresh_seconds_left(stored, at)
    # A refresh token of unknown expiry (given as an option, say) is worth one try: the server will say.
    if stored.get('refresh_token') and (refresh_left is None or refresh_left > 0):
        return REFRESH
    return LOGIN


def deepflow_headers(token):
    """The headers that authenticate a DeepFlow request with ``token``: an access token or a permanent ACCESS_KEY
    ("the ACCESS_KEY is an access_token that never expires", DeepFlow's login-free page document)."""
    return {'Authorization': 'Bearer %s' % token}


def is_refusal(exc):
    """True when an error is DeepFlow refusing a token or a password, not the server being in trouble."""
    return isinstance(exc, DeepFlowApiError) and exc.status in _REFUSAL_STATUSES
