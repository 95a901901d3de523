# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""DeepFlow clients: short-lived tokens from fauths, permanent tokens from fuser, and what a login returns.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

The data they exchange (envelope, token sets, expiry) is in _deepflow_tokens, the page URLs in _deepflow_pages.
fauths and fuser belong to the enterprise edition and have no public source: the contract is DeepFlow's
"login-free page" document.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from urllib.parse import quote

# fuser's default URL (internal only, which is why it trusts the identity headers: 1/1 = super admin).
from ansible_collections.opsauth.tokens.plugins.module_utils._defaults import DEFAULT_FUSER_URL, PERMANENT_TOKEN_PATH
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_pages import page_urls
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_tokens import (
    RESULT_KEYS,
    access_seconds_left,
    deepflow_headers,
    is_refusal,
    jwt_exp,
    merge_refreshed,
    token_set,
    unwrap,
    with_dates,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_errors import DeepFlowApiError, DeepFlowOptionError
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import InvalidResponse, OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.http._http import HttpClient, bearer_auth
from ansible_collections.opsauth.tokens.plugins.module_utils._time import now
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import (
    CREDENTIAL_OPTIONS,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    RETRY_CONNECT,
    RETRY_IDEMPOTENT,
    clean_credential,
    clean_credentials,
    origin,
    same_origin,
)

# fauths behind the controller's web server; inside the cluster it is http://fauths:20822 with the same paths.
FAUTHS_EXTERNAL_PREFIX = '/api/fauths'


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
    """Refuse (origin_refused, nothing sent) to send the tokens of the token file ``stored`` to ``fauths_url`` unless
    the file records a fauths URL of the same origin (scheme, host, port): a token goes only to the server that issued it.

    A file without a recorded fauths_url was not written by deepflow_login (which always records it) or was edited:
    where its token came from is unknown, so it is sent nowhere.
    """
    recorded = stored.get('fauths_url')
    if not recorded:
        raise OpsAuthError('%s does not record which fauths issued its token (no fauths_url), so the token is not sent '
                           'anywhere: give access_token (and refresh_token) to log out explicitly at %s, or remove the '
                           'file' % (dest, origin(fauths_url)), code='origin_refused')
    if not same_origin(recorded, fauths_url):
        raise OpsAuthError('the token in %s was issued by %s, but this task points at %s (fauths_url or url): a token '
                           'is sent only to the server that issued it; run with that server\'s url, or remove the file'
                           % (dest, origin(recorded), origin(fauths_url)), code='origin_refused')


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
            tokens['refresh_expires_at'] = exp
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
        return self.logout(tokens['token'])


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
        """Create the account's permanent token: ``{"token", "lcuuid"}`` (its ACCESS_KEY, shown this once)."""
        if not email or not password:
            raise DeepFlowOptionError('creating a DeepFlow permanent token needs email and password '
                                      '(or DEEPFLOW_EMAIL and DEEPFLOW_PASSWORD)')
        action = 'DeepFlow permanent token creation for %s' % email
        data = self._call(action, 'POST', self.path, json_body=dict(email=email, password=password))
        if not isinstance(data, dict) or not data.get('ACCESS_KEY') or not data.get('LCUUID'):
            raise InvalidResponse('%s: DeepFlow answered SUCCESS without ACCESS_KEY and LCUUID' % action)
        return dict(token=data['ACCESS_KEY'], lcuuid=data['LCUUID'])

    def delete(self, lcuuid):
        """Delete one token; False when it was already gone (someone else deleted it meanwhile)."""
        try:
            self._call('DeepFlow permanent token deletion of %s' % lcuuid, 'DELETE',
                       '%s/%s' % (self.path, quote(str(lcuuid), safe='')))
        except DeepFlowApiError as exc:
            if exc.server_code == 'RESOURCE_NOT_FOUND':
                return False
            raise
        return True


def token_set_result(tokens, controller=None, just_issued=False):
    """What deepflow_login and the deepflow_token lookup return for a token set, with the page URLs under ``controller``.

    ``expires_in`` is the server's for a token ``just_issued``, else what is left of it now: a reused token does not
    claim its first lifetime.
    """
    tokens = with_dates(tokens)
    result = dict((name, tokens.get(name)) for name in RESULT_KEYS)
    left = access_seconds_left(tokens)
    if not just_issued and left is not None:
        result['expires_in'] = max(0, int(left))
    result['headers'] = deepflow_headers(tokens['token'])
    result['pages'] = page_urls(controller, tokens['token'], tokens.get('refresh_token'))
    return result
