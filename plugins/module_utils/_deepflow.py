# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""DeepFlow client: the OPT_STATUS envelope, short-lived tokens (fauths), permanent tokens (fuser), page URLs.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

The contract is DeepFlow's "login-free page" document (fauths and fuser belong to the enterprise edition and have no
public source) plus the envelope of the public controller code. Where the contract is silent we are tolerant
(a login body without the envelope) or conservative (the earlier of two expiry times).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json

from urllib.parse import quote, unquote, urlsplit, urlunsplit

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import InvalidResponse, OpsAuthError, OriginRefused
from ansible_collections.opsauth.tokens.plugins.module_utils._http import HttpClient, bearer_auth
from ansible_collections.opsauth.tokens.plugins.module_utils._transport import (
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    RETRY_CONNECT,
    RETRY_IDEMPOTENT,
    clean_credential,
    clean_credentials,
    one_line,
    origin,
    parse_origin,
    same_origin,
    strip_html,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._options import CREDENTIAL_OPTIONS, DEFAULT_FUSER_URL
from ansible_collections.opsauth.tokens.plugins.module_utils._time import (
    epoch_from_iso,
    iso_from_epoch,
    now,
    seconds_left,
)

SUCCESS = 'SUCCESS'
# fauths behind the controller's web server; inside the cluster it is http://fauths:20822 with the same paths.
FAUTHS_EXTERNAL_PREFIX = '/api/fauths'
# DeepFlow 6.6 moved this path once already: the permanent-token module lets users override it.
PERMANENT_TOKEN_PATH = '/v1/user/permanent_token'
# "refresh_token 默认该 token 过期时间为30天": used only when the refresh token carries no readable exp claim.
DEFAULT_REFRESH_TTL = 30 * 24 * 3600
# The login-free pages the DeepFlow document names. The document's "network" example repeats the application
# path by mistake; its default (logged-in) link shows the real one.
PAGES = {
    'views': '/monitor/list',
    'applications': '/appPerformance/instance/index',
    'network': '/platformOverview/instance/index',
}
# How DeepFlow refuses a credential (a token, a refresh token, a password): the envelope's 4xx. A logout answered so has
# nothing left to revoke; a login answered so is a verdict on the password. A 429 or a 5xx is the server's state.
_REFUSAL_STATUSES = frozenset([400, 401, 403])
# What deepflow_login and the deepflow_token lookup return of a token set (plus the page URLs).
RESULT_KEYS = ('access_token', 'refresh_token', 'expires_in', 'expires_at', 'token_type', 'email', 'license')


class DeepFlowError(OpsAuthError):
    """Base of the DeepFlow errors."""


class DeepFlowOptionError(DeepFlowError):
    """The options cannot work (missing URL, missing credentials); raised before any request."""


class DeepFlowApiError(DeepFlowError):
    """DeepFlow answered, but not with HTTP 2xx and OPT_STATUS SUCCESS; ``code`` is the OPT_STATUS (None without the
    envelope) and ``body`` the envelope without DATA (the answer to a login may hold a token even when it fails)."""

    def __init__(self, action, status, opt_status, description, body=None):
        self.action = action
        self.status = status
        self.code = opt_status
        self.description = description
        self.body = body
        message = '%s failed: HTTP %s, OPT_STATUS %s' % (action, status, opt_status or '(no DeepFlow envelope)')
        if description:
            message += ': %s' % description
        super(DeepFlowApiError, self).__init__(message)


class PageUrlError(DeepFlowError):
    """A login-free page URL cannot be built from the given input."""


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

    ``expires_at`` is the EARLIER of issue time + ``expires_in`` and the JWT ``exp``: ``expires_in`` is immune to
    clock skew between us and the server, ``exp`` to a slow answer; taking the earlier one never keeps a dead token.
    ``issued_at`` is taken before the request was sent for the same reason.
    """
    if not isinstance(data, dict) or not isinstance(data.get('access_token'), str) or not data['access_token']:
        raise InvalidResponse('%s: DeepFlow answered SUCCESS without an access_token' % action)
    access_token = data['access_token']
    refresh_token = data.get('refresh_token') or None
    expires_in = _int_or_none(data.get('expires_in'))
    candidates = [exp for exp in (jwt_exp(access_token), None if expires_in is None else int(issued_at) + expires_in)
                  if exp is not None]
    expires_at = min(candidates) if candidates else None
    refresh_expires_at = None
    if refresh_token:
        refresh_expires_at = jwt_exp(refresh_token) or int(issued_at) + DEFAULT_REFRESH_TTL
    return dict(
        access_token=access_token,
        refresh_token=refresh_token,
        token_type=data.get('token_type'),
        expires_in=expires_in,
        expires_at=None if expires_at is None else iso_from_epoch(expires_at),
        refresh_expires_at=None if refresh_expires_at is None else iso_from_epoch(refresh_expires_at),
        issued_at=iso_from_epoch(issued_at),
        email=data.get('email'),
        license=data.get('license'),
    )


def merge_refreshed(tokens, previous):
    """A refresh answer lacks what only the login told (email, license): keep those from ``previous``."""
    merged = dict(tokens)
    for name in ('email', 'license'):
        if merged.get(name) is None and previous:
            merged[name] = previous.get(name)
    if previous and merged.get('refresh_expires_at') is None and merged.get('refresh_token') == previous.get('refresh_token'):
        merged['refresh_expires_at'] = previous.get('refresh_expires_at')
    return merged


def access_seconds_left(tokens, at=None):
    """Seconds the stored access token still lives; None when unknown."""
    return seconds_left(epoch_from_iso((tokens or {}).get('expires_at')), at)


def refresh_seconds_left(tokens, at=None):
    """Seconds the stored refresh token still lives; None when there is none or its expiry is unknown."""
    if not (tokens or {}).get('refresh_token'):
        return None
    return seconds_left(epoch_from_iso(tokens.get('refresh_expires_at')), at)


# What state=present does with what it holds; the names are the module's vocabulary.
REUSE, REFRESH, LOGIN = 'reuse', 'refresh', 'login'


def plan_present(stored, min_ttl, at=None):
    """Decide how to get a usable access token without asking the server anything.

    Reuse while the access token lives longer than ``min_ttl``; else refresh while the refresh token lives (a
    refresh never sends the password, and DeepFlow locks accounts after failed password logins); else log in.
    A token of unknown expiry is never reused: we cannot prove it outlives min_ttl.
    """
    if not stored or (not stored.get('access_token') and not stored.get('refresh_token')):
        return LOGIN
    left = access_seconds_left(stored, at) if stored.get('access_token') else None
    if left is not None and left > min_ttl:
        return REUSE
    refresh_left = refresh_seconds_left(stored, at)
    # A refresh token of unknown expiry (given as an option, say) is worth one try: the server will say.
    if stored.get('refresh_token') and (refresh_left is None or refresh_left > 0):
        return REFRESH
    return LOGIN


# --- options ---------------------------------------------------------------------------------------------------------

def fauths_base_url(options):
    """fauths_url, else ``<url>/api/fauths`` (fauths behind the controller)."""
    if options.get('fauths_url'):
        return options['fauths_url'].rstrip('/')
    if options.get('url'):
        return options['url'].rstrip('/') + FAUTHS_EXTERNAL_PREFIX
    raise DeepFlowOptionError('set url (the DeepFlow controller, e.g. https://deepflow.example.com) or fauths_url '
                              '(e.g. http://fauths:20822 inside the cluster); DEEPFLOW_URL and DEEPFLOW_FAUTHS_URL work too')


def check_stored_origin(stored, fauths_url, dest):
    """Refuse (OriginRefused, nothing sent) to send the tokens of the token file ``stored`` to ``fauths_url`` unless
    the file records a fauths URL of the same origin (scheme, host, port): a token goes only to the server that issued it.

    A file without a recorded fauths_url was not written by deepflow_login (which always records it) or was edited:
    where its token came from is unknown, so it is sent nowhere.
    """
    recorded = stored.get('fauths_url')
    if not recorded:
        raise OriginRefused('%s does not record which fauths issued its token (no fauths_url), so the token is not sent '
                            'anywhere: give access_token (and refresh_token) to log out explicitly at %s, or remove the '
                            'file' % (dest, origin(fauths_url)))
    if not same_origin(recorded, fauths_url):
        raise OriginRefused('the token in %s was issued by %s, but this task points at %s (fauths_url or url): a token '
                            'is sent only to the server that issued it; run with that server\'s url, or remove the file'
                            % (dest, origin(recorded), origin(fauths_url)))


def controller_url(options):
    """The controller URL the pages live under: url, or fauths_url minus /api/fauths; None when unknown."""
    if options.get('url'):
        return options['url'].rstrip('/')
    fauths = (options.get('fauths_url') or '').rstrip('/')
    if fauths.endswith(FAUTHS_EXTERNAL_PREFIX):
        return fauths[:-len(FAUTHS_EXTERNAL_PREFIX)]
    return None


def _http_client(base_url, options, session=None):
    retries, timeout, size = options.get('retries'), options.get('timeout'), options.get('max_response_size')
    http = HttpClient(base_url,
                      validate_certs=options.get('validate_certs', True) is not False,
                      ca_path=options.get('ca_path'),
                      timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
                      retries=DEFAULT_RETRIES if retries is None else retries,
                      max_response_size=DEFAULT_MAX_RESPONSE_SIZE if size is None else size,
                      session=session)
    http.add_secrets(options.get('password'), options.get('access_token'), options.get('refresh_token'))
    return http


# --- short-lived tokens: fauths --------------------------------------------------------------------------------------

class DeepFlowClient:
    """Login, refresh and logout against fauths. Every method returns plain data (dicts, bools).

    No identity headers here: fauths may be reached from outside through the controller, where DeepFlow
    does not accept them.
    """

    def __init__(self, http, account_type='deepflow', email=None, password=None):
        self.http = http
        self.account_type = account_type or 'deepflow'
        self.email = email
        self.password = password

    @classmethod
    def from_options(cls, options, session=None):
        """Build a client from a plain dict of the shared option names (module.params or a lookup's options)."""
        options = clean_credentials(options, CREDENTIAL_OPTIONS)
        return cls(_http_client(fauths_base_url(options), options, session=session),
                   account_type=options.get('account_type'), email=options.get('email'),
                   password=options.get('password'))

    def validate_login(self, email=None, password=None):
        """Check, without any request, that a password login has what it needs."""
        if not (email or self.email) or not (password or self.password):
            raise DeepFlowOptionError('a DeepFlow password login needs email and password '
                                      '(or DEEPFLOW_EMAIL and DEEPFLOW_PASSWORD)')

    def login(self, email=None, password=None):
        self.validate_login(email, password)
        email = email or self.email
        body = dict(account_type=self.account_type, grant_type='password', email=email,
                    password=password or self.password)
        issued_at = now()
        # RETRY_CONNECT: once the server has seen a password, a retry could count as another failed login,
        # and DeepFlow locks accounts after a few of them (and may then ask for a captcha).
        resp = self.http.request('POST', '/login', json_body=body, retry=RETRY_CONNECT)
        action = 'DeepFlow login as %s' % email
        tokens = token_set(unwrap(resp, action, allow_bare=True), issued_at, action)
        tokens['email'] = tokens.get('email') or email
        return tokens

    def refresh(self, refresh_token, previous=None):
        """A new token set from ``refresh_token``; what only a login tells (email, license) is kept from ``previous``."""
        refresh_token = clean_credential('refresh_token', refresh_token)
        if not refresh_token:
            raise DeepFlowOptionError('a DeepFlow refresh needs a refresh token (refresh_token, or a dest file that holds one)')
        self.http.add_secrets(refresh_token)
        issued_at = now()
        # RETRY_CONNECT: refresh tokens rotate, so a retry after the server consumed the first one would fail anyway.
        resp = self.http.request('POST', '/refresh_token', retry=RETRY_CONNECT,
                                 json_body=dict(grant_type='refresh_token', refresh_token=refresh_token))
        tokens = token_set(unwrap(resp, 'DeepFlow token refresh', allow_bare=True), issued_at, 'DeepFlow token refresh')
        if not tokens['refresh_token']:
            # The server did not rotate it: the one we sent stays valid until its own expiry (unknown unless a JWT).
            tokens['refresh_token'] = refresh_token
            exp = jwt_exp(refresh_token)
            tokens['refresh_expires_at'] = None if exp is None else iso_from_epoch(exp)
        return merge_refreshed(tokens, previous)

    def logout(self, access_token):
        """Revoke ``access_token``. True when revoked, False when DeepFlow says it is not valid any more."""
        resp = self.http.request('POST', '/logout', auth=bearer_auth(access_token, name='access_token'),
                                 retry=RETRY_CONNECT)
        try:
            unwrap(resp, 'DeepFlow logout')
        except DeepFlowApiError as exc:
            if is_refusal(exc):
                return False
            raise
        return True

    def revoke(self, access_token=None, refresh_token=None):
        """End the session: log out ``access_token``; True when something was revoked.

        When DeepFlow no longer accepts the access token but the refresh token may live for weeks, trade the refresh
        token for an access token and log that out. DeepFlow's document does not say what a logout ends; if it ends
        only the access token, this costs one refresh.
        """
        if access_token and self.logout(access_token):
            return True
        if not refresh_token:
            return False
        try:
            tokens = self.refresh(refresh_token)
        except DeepFlowApiError as exc:
            if is_refusal(exc):
                return False  # the refresh token is dead too: nothing left to revoke
            raise
        return self.logout(tokens['access_token'])


def is_refusal(exc):
    """True when an error is DeepFlow refusing a token or a password, not the server being in trouble."""
    return isinstance(exc, DeepFlowApiError) and exc.status in _REFUSAL_STATUSES


# --- permanent tokens: fuser -----------------------------------------------------------------------------------------

class HttpTransport:
    """Direct HTTP to fuser. Another transport (curl inside a pod) needs only the same ``request`` method."""

    def __init__(self, http):
        self.http = http

    def request(self, method, path, params=None, json_body=None, headers=None):
        # POST creates a token and carries the password: retry it only when it never reached the server.
        retry = RETRY_CONNECT if method.upper() == 'POST' else RETRY_IDEMPOTENT
        return self.http.request(method, path, params=params, json_body=json_body, headers=headers, retry=retry)


class PermanentTokenClient:
    """Find, create and delete the permanent token of an account through fuser.

    fuser is reachable only inside the cluster, which is why it accepts the identity headers
    (X-User-Id/X-User-Type, 1/1 = super admin). The calls go through ``transport``: anything with
    ``request(method, path, params, json_body, headers)`` returning an object with ``status`` and ``json``.
    """

    def __init__(self, transport, user_id=1, user_type=1, path=PERMANENT_TOKEN_PATH):
        self.transport = transport
        self.user_id = 1 if user_id is None else user_id
        self.user_type = 1 if user_type is None else user_type
        self.path = '/' + (path or PERMANENT_TOKEN_PATH).strip('/')

    @classmethod
    def from_options(cls, options, transport=None, session=None, path=None):
        if transport is None:
            transport = HttpTransport(_http_client(options.get('fuser_url') or DEFAULT_FUSER_URL, options, session=session))
        return cls(transport, user_id=options.get('user_id'), user_type=options.get('user_type'), path=path)

    def _headers(self):
        return {'X-User-Id': str(self.user_id), 'X-User-Type': str(self.user_type)}

    def _call(self, action, method, path, params=None, json_body=None):
        resp = self.transport.request(method, path, params, json_body, self._headers())
        return unwrap(resp, action)

    def find(self, email):
        """The LCUUIDs of the account's permanent tokens (DeepFlow allows one; we cope with more)."""
        data = self._call('DeepFlow permanent token lookup for %s' % email, 'GET', self.path, params={'email': email})
        if data is None:
            return []
        if not isinstance(data, list):
            raise InvalidResponse('DeepFlow permanent token lookup for %s: DATA is not a list' % email)
        found = []
        for item in data:
            lcuuid = (item.get('LCUUID') or item.get('lcuuid')) if isinstance(item, dict) else None
            if lcuuid:
                found.append(lcuuid)
        return found

    def create(self, email, password):
        """Create the account's permanent token: ``{"access_key", "lcuuid"}``. The key is shown this once."""
        if not email or not password:
            raise DeepFlowOptionError('creating a DeepFlow permanent token needs email and password '
                                      '(or DEEPFLOW_EMAIL and DEEPFLOW_PASSWORD)')
        action = 'DeepFlow permanent token creation for %s' % email
        data = self._call(action, 'POST', self.path, json_body=dict(email=email, password=password))
        if not isinstance(data, dict) or not data.get('ACCESS_KEY') or not data.get('LCUUID'):
            raise InvalidResponse('%s: DeepFlow answered SUCCESS without ACCESS_KEY and LCUUID' % action)
        return dict(access_key=data['ACCESS_KEY'], lcuuid=data['LCUUID'])

    def delete(self, lcuuid):
        """Delete one token; False when it was already gone (someone else deleted it meanwhile)."""
        try:
            self._call('DeepFlow permanent token deletion of %s' % lcuuid, 'DELETE',
                       '%s/%s' % (self.path, quote(str(lcuuid), safe='')))
        except DeepFlowApiError as exc:
            if exc.code == 'RESOURCE_NOT_FOUND':
                return False
            raise
        return True


# --- login-free page URLs --------------------------------------------------------------------------------------------

_PAGE_PARAMS = ('token', 'refreshToken')


def page_url(base, page, token, refresh_token=None):
    """The URL that opens ``page`` of the DeepFlow at ``base`` already logged in with ``token``.

    ``page`` is one of PAGES or a path starting with ``/`` (its query, e.g. ``noBack=true``, is kept).
    ``refresh_token`` lets the page renew an expired access token; leave it out for a permanent token.
    Raises PageUrlError with one line that says what to fix.
    """
    if not isinstance(base, str) or not base.strip():
        raise PageUrlError('the DeepFlow URL is empty: give the controller URL, e.g. https://deepflow.example.com')
    try:
        parts = urlsplit(base.strip())
        usable = parts.scheme in ('http', 'https') and parts.netloc and parse_origin(base) is not None
    except ValueError:  # urlsplit refuses some netlocs ('//[', a bad port) with a ValueError of its own
        usable = False
    if not usable:
        # Never echo it: what is given here by mistake is often the token itself (the filter's input and its
        # argument swapped), and a message is printed even when the task's values are no_log.
        raise PageUrlError('the DeepFlow URL (a %d-character value, not shown) is not an absolute http(s) URL: give '
                           'the controller URL, e.g. https://deepflow.example.com' % len(base))
    if not isinstance(page, str) or not page:
        raise PageUrlError('page is missing: use one of %s, or a path starting with /' % ', '.join(sorted(PAGES)))
    if page in PAGES:
        page = PAGES[page]
    elif not page.startswith('/'):
        # A long value is more likely a token passed in the wrong place than a page name: do not echo it.
        shown = repr(page) if len(page) <= 40 else '(a %d-character value)' % len(page)
        raise PageUrlError('unknown DeepFlow page %s: use one of %s, or a path starting with /'
                           % (shown, ', '.join(sorted(PAGES))))
    if not isinstance(token, str) or not token.strip():
        raise PageUrlError('token is empty: give the access token (or the permanent key) the page should log in with')
    if refresh_token is not None and not isinstance(refresh_token, str):
        raise PageUrlError('refresh_token must be a string (leave it out for a permanent token)')

    try:
        page_parts = urlsplit(page)
    except ValueError:
        raise PageUrlError('the page path is not a valid URL path: use one of %s, or a path such as /monitor/list'
                           % ', '.join(sorted(PAGES)))
    path = parts.path.rstrip('/') + page_parts.path
    # Keep the other parameters exactly as written (their encoding too); drop a token already there so that the
    # URL never carries two.
    kept = [item for item in (parts.query.split('&') + page_parts.query.split('&'))
            if item and unquote(item.split('=', 1)[0]) not in _PAGE_PARAMS]
    kept.append('token=' + quote(token.strip(), safe=''))
    if refresh_token:
        kept.append('refreshToken=' + quote(refresh_token.strip(), safe=''))
    return urlunsplit((parts.scheme, parts.netloc, path, '&'.join(kept), page_parts.fragment or parts.fragment))


def page_urls(base, token, refresh_token=None):
    """All the documented pages for one token, by name; {} when the controller URL is unknown."""
    if not base or not token:
        return {}
    return dict((name, page_url(base, name, token, refresh_token)) for name in sorted(PAGES))


def token_result(tokens, controller=None, just_issued=False):
    """What deepflow_login and the deepflow_token lookup return for a token set, with the page URLs under ``controller``.

    ``expires_in`` is the server's for a token ``just_issued``, else what is left of it now: a reused token does not
    claim its first lifetime.
    """
    result = dict((name, tokens.get(name)) for name in RESULT_KEYS)
    left = access_seconds_left(tokens)
    if not just_issued and left is not None:
        result['expires_in'] = max(0, int(left))
    result['pages'] = page_urls(controller, tokens['access_token'], tokens.get('refresh_token'))
    return result
