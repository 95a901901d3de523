# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""JumpServer client: one server, one auth method (_jumpserver_auth.py), X-JMS-ORG, organisations, pagination.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Built from a plain dict of the options in ``_options.JMS_COMMON_SPEC`` (``JumpServerClient.from_options``),
so a module and a lookup share one code path. Server behaviour this relies on is written down in
the project's api-notes (JumpServer v2.28 to v4.10); the why of each rule is in the comments.
Imports go one way: this file imports the auth methods and the errors (_jumpserver_errors.py), never the reverse.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import time

# The Default organisation (org_id's default) and the one language of every client: _defaults.py says why.
from ansible_collections.opsauth.tokens.plugins.module_utils._defaults import (
    DEFAULT_JMS_LANGUAGE, DEFAULT_MAX_ITEMS, DEFAULT_MAX_PAGES, DEFAULT_ORG_ID,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import STATUS_CODES, InvalidResponse
from ansible_collections.opsauth.tokens.plugins.module_utils.http._http import HttpClient, bearer_auth
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_auth import AccessKeyAuth, PasswordAuth, select_auth
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import (
    CredentialRejected,
    JumpServerError,
    UnknownOrganization,
    answer_code,
    describe_body,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._time import epoch_from_iso, iso_from_epoch, iso_utc, seconds_left
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import (
    CREDENTIAL_OPTIONS,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    IDEMPOTENT_METHODS,
    RETRY_IDEMPOTENT,
    SECRET_OPTIONS,
    clean_credentials,
    describe_url,
    url_hint,
)

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
# The largest page JumpServer's list endpoints serve (MAX_LIMIT_PER_PAGE); fewer pages, fewer throttled requests.
MAX_PAGE_SIZE = 1000
_UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', re.I)


def bearer_headers(token, keyword='Bearer', org_id=None):
    """The headers an ``ansible.builtin.uri`` task needs to call the API with a token."""
    return {'Authorization': '%s %s' % (keyword or 'Bearer', token), 'X-JMS-ORG': org_id or DEFAULT_ORG_ID}


def bearer_token_result(data, org_id=None):
    """What the jms_token module and lookup return for a token (a login's answer, a token file or a cache entry).

    ``expires_in`` is what is left of the token now, so a reused token does not claim its first lifetime.
    ``date_expired`` is shown in UTC, also for a file or cache entry written with the server's offset (before
    docs/results.md): it is derived from ``expires_at``, the epoch the expiry decisions use, where there is one.
    """
    expires_at = data.get('expires_at')
    if expires_at is None and data.get('date_expired'):
        expires_at = epoch_from_iso(iso_utc(data['date_expired']))
    expires_at = None if expires_at is None else int(expires_at)
    left = seconds_left(expires_at)
    return dict(token=data['token'], keyword=data.get('keyword') or 'Bearer', expires_at=expires_at,
                date_expired=iso_from_epoch(expires_at) if expires_at is not None else iso_utc(data.get('date_expired')),
                expires_in=None if left is None else max(0, int(left)), user=data.get('user') or {},
                headers=bearer_headers(data['token'], data.get('keyword'), org_id))


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
            raise JumpServerError('a login needs username and password', code='invalid_option')
        result = self.auth.authenticate(self)
        self._authenticated = True
        return dict(result, user=dict(result['user']))

    def adopt_login(self, result):
        """Use the answer of a password login made elsewhere (the run's token cache, by an action plugin) instead of
        logging in: ``result`` holds ``token`` and ``keyword``."""
        if not isinstance(self.auth, PasswordAuth):
            raise JumpServerError('a login can only be handed over for username and password', code='invalid_option')
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
                                 code='not_repeated', server_code=answer_code(resp.json), status=401, body=resp.json)

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
        """Return ``resp`` when its status is expected; raise CredentialRejected on 401, else JumpServerError."""
        if resp.status in expected:
            return resp
        body = resp.json
        code = answer_code(body)
        if resp.status == 401:
            raise CredentialRejected('JumpServer refused the %s (HTTP 401: %s)' % (what or self.auth.DESCRIPTION, describe_body(body)),
                                     server_code=code, status=401, body=body)
        wanted = ', '.join(str(status) for status in expected)
        # A 404 names the whole URL, with a hint when url repeats the /api/v1 every path starts with.
        where, hint = (describe_url(resp.url), url_hint(resp.url)) if resp.status == 404 else (_path_of(resp.url), '')
        hint = '; ' + hint if hint else ''
        raise JumpServerError('%s %s answered HTTP %d, expected %s: %s%s' % (method, where, resp.status, wanted, describe_body(body), hint),
                              code='permission_denied' if resp.status == 403 else STATUS_CODES.get(resp.status), server_code=code,
                              status=resp.status, body=body)

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

        At most ``max_pages`` requests and ``max_items`` items, else too_many_pages/too_many_items: a list that large is a
        wrong path or a missing filter, and reading it whole would only cost memory and the server's rate limit.
        A 429 is retried by the HTTP layer after the server's Retry-After.
        """
        items = []
        offset = 0
        pages = 0
        while True:
            if pages >= max_pages:
                raise JumpServerError(
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
            raise JumpServerError(
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
                                          'and would silently use the Default org' % org)
            resp = self._get_with(token, keyword, '%s%s/' % (ORGS_PATH, org))
            code = resp.json.get('code') if isinstance(resp.json, dict) else None
            if resp.status == 404 and code in ('object_does_not_exist', 'not_found'):
                raise self._unknown_org(org, 'id', code)
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
            raise JumpServerError('cannot check that organisation %s exists: this user may not read %s (HTTP 403); give it '
                                  'the permission to view organisations, or use a built-in org (default, root, system)'
                                  % (org, ORGS_PATH), code='permission_denied', status=403)
        if resp.status != 200 or resp.json is None:
            return self.check(resp, what='credential used to check org_id').json
        return resp.json

    def _unknown_org(self, org, kind, server_code=None):
        return UnknownOrganization(
            'org_id %s is no organisation %s of %s (JumpServer would silently use the Default org instead); list the '
            'organisations with opsauth.tokens.jms_request path=%s' % (org, 'id' if kind == 'id' else 'name',
                                                                       self.base_url, ORGS_PATH),
            server_code=server_code, status=404)


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
