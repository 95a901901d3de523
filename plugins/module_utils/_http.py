# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""One HTTP layer for every client of the collection.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

It owns the requests.Session, TLS settings, timeouts, JSON decoding and the retry policy.
It knows nothing about JumpServer or DeepFlow: it returns ``HttpResponse`` objects and the
platform clients decide what a status or a body means.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import random
import re
import time
import traceback

# Defined without requests, so that the token cache can use them without it; exported from here as before.
from ansible_collections.opsauth.tokens.plugins.module_utils._common import DEFAULT_RETRIES, DEFAULT_TIMEOUT, OpsAuthError

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by ansible-test sanity import
    HAS_REQUESTS = False
    # A string, as fail_json(exception=...) wants it: ansible-core before 2.19 cannot serialise an exception object.
    REQUESTS_IMPORT_ERROR = traceback.format_exc()


class ConnectionFailed(OpsAuthError):
    """The server could not be reached (DNS, refused, TLS, timeout) or dropped the connection."""


class InvalidResponse(OpsAuthError):
    """The server answered, but not with the JSON the API documents (an HTML error page, say)."""

    def __init__(self, message, status=None):
        super(InvalidResponse, self).__init__(message)
        self.status = status


# Why these: 429 is the server's throttle (JumpServer: 60 anonymous requests a minute per IP) and 502/503/504
# come from a proxy or a restarting backend. Any other status is an answer that a retry would only repeat.
RETRY_STATUSES = frozenset([429, 502, 503, 504])
IDEMPOTENT_METHODS = frozenset(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
# Never sleep longer than this between two tries, whatever Retry-After says.
MAX_BACKOFF = 30.0

# Retry policies a caller can ask for.
RETRY_IDEMPOTENT = 'idempotent'   # default: connection errors and RETRY_STATUSES, for idempotent methods only
RETRY_CONNECT = 'connect'         # only when the request never reached the server (safe for a password login)
RETRY_NEVER = 'never'


def one_line(text, limit=120):
    """``text`` on one line, white space folded, cut at ``limit`` characters: for quoting a server in a message."""
    text = ' '.join(str(text or '').split())
    return text[:limit] + ('...' if len(text) > limit else '')


def strip_html(text, limit=120):
    """A short, single-line excerpt of a body that is not JSON, for an error message."""
    return one_line(re.sub(r'<[^>]+>', ' ', text or ''), limit)


def origin(url):
    """``scheme://host[:port]`` of ``url``, to name a server without the path (or 'the server')."""
    match = re.match(r'^(https?://[^/]+)', url or '')
    return match.group(1) if match else 'the server'


class HttpResponse:
    """What the server answered: ``status``, ``headers``, ``json`` (None when the body is empty) and ``text``."""

    def __init__(self, status, headers, text, json_body, url, cookies=None):
        self.status = status
        self.headers = headers
        self.text = text
        self.json = json_body
        self.url = url
        self.cookies = cookies or {}

    @property
    def ok(self):
        return 200 <= self.status < 300


class HttpClient:
    """A requests.Session bound to one base URL.

    ``retries`` is the number of extra tries after the first; backoff is exponential with jitter,
    and a ``Retry-After`` header from the server wins (capped at MAX_BACKOFF).
    """

    def __init__(self, base_url, validate_certs=True, ca_path=None, timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES, backoff=0.5,
                 headers=None, session=None, sleep=time.sleep):
        if not HAS_REQUESTS:
            raise OpsAuthError('The Python library "requests" is required: install it with pip install requests')
        if not base_url or not re.match(r'^https?://[^/]+', base_url):
            raise OpsAuthError('url must be an absolute http:// or https:// URL, got %r' % (base_url,))
        if not timeout or timeout <= 0:
            raise OpsAuthError('timeout must be a positive number of seconds, got %r' % (timeout,))
        self.base_url = base_url.rstrip('/')
        self.timeout = timeout
        self.retries = max(0, int(retries or 0))
        self.backoff = backoff
        self._sleep = sleep
        self.session = session or requests.Session()
        # ca_path wins over validate_certs=True: it names the bundle to verify with.
        self.session.verify = (ca_path or True) if validate_certs else False
        self.session.headers.update({'User-Agent': 'opsauth.tokens', 'Accept': 'application/json'})
        if headers:
            self.session.headers.update(headers)
        self.attempts = 0  # requests actually sent, for tests and benchmarks

    def url_for(self, path):
        if re.match(r'^https?://', path):
            return path
        return self.base_url + '/' + path.lstrip('/')

    def request(self, method, path, params=None, json_body=None, data=None, headers=None, auth=None,
                retry=RETRY_IDEMPOTENT, expect_json=True):
        """Send one request (with retries as the policy allows) and return an HttpResponse.

        HTTP error statuses are returned, not raised: only the platform client knows what they mean.
        """
        method = method.upper()
        url = self.url_for(path)
        attempt = 0
        while True:
            attempt += 1
            delay = None
            try:
                self.attempts += 1
                resp = self.session.request(method, url, params=params, json=json_body, data=data, headers=headers,
                                            auth=auth, timeout=self.timeout, allow_redirects=False)
            except requests.exceptions.SSLError as exc:
                raise ConnectionFailed('TLS verification failed for %s (%s): give the CA bundle in ca_path, or set '
                                       'validate_certs=false for a test server' % (self.base_url, _reason(exc)))
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or _is_connect_refused(exc)
                if attempt <= self.retries and self._may_retry(method, retry, never_sent=never_sent):
                    self._sleep(self._backoff(attempt))
                    continue
                raise ConnectionFailed('%s %s failed after %d attempt(s): %s' % (method, url, attempt, _reason(exc)))

            if resp.status_code in RETRY_STATUSES and attempt <= self.retries and self._may_retry(method, retry):
                delay = _retry_after(resp.headers.get('Retry-After'))
                self._sleep(min(MAX_BACKOFF, delay if delay is not None else self._backoff(attempt)))
                continue
            return self._wrap(resp, expect_json)

    @staticmethod
    def _may_retry(method, retry, never_sent=False):
        if retry == RETRY_NEVER:
            return False
        if retry == RETRY_CONNECT:
            return never_sent
        return method in IDEMPOTENT_METHODS

    def _backoff(self, attempt):
        # Full jitter, so that forks retrying together do not hit the server in the same instant.
        return min(MAX_BACKOFF, self.backoff * (2 ** (attempt - 1))) * random.uniform(0.5, 1.5)

    @staticmethod
    def _wrap(resp, expect_json):
        text = resp.text
        body = None
        if text.strip():
            try:
                body = json.loads(text)
            except ValueError:
                if expect_json:
                    ctype = resp.headers.get('Content-Type', 'no content type').split(';')[0]
                    what = 'invalid JSON' if 'json' in ctype else '%s instead of JSON' % ctype
                    raise InvalidResponse('%s answered HTTP %d with %s: "%s"; check that url points at the API and '
                                          'not at a proxy or a login page'
                                          % (origin(resp.url), resp.status_code, what, strip_html(text)),
                                          status=resp.status_code)
        return HttpResponse(resp.status_code, resp.headers, text, body, resp.url, cookies=resp.cookies.get_dict())


def _retry_after(value):
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None


def _is_connect_refused(exc):
    # urllib3 wraps "connection refused" as NewConnectionError: the request was never sent.
    text = repr(exc)
    return 'NewConnectionError' in text or 'Connection refused' in text or 'Name or service not known' in text


def _reason(exc):
    """One line out of a requests exception (they nest urllib3 reprs several levels deep)."""
    text = str(exc)
    for pattern in (r"\[SSL: [A-Z_]+\] ([^(]+)", r"Caused by \w+\('?(.*?)'?\)\)?$", r"(Connection refused)",
                    r"(Read timed out)", r"(Connection aborted)", r"(RemoteDisconnected[^)]*)"):
        match = re.search(pattern, text)
        if match:
            return ' '.join(match.group(1).split())[:200]
    return ' '.join(text.split())[:200]
