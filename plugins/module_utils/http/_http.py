# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The direct transport: a requests client bound to one server.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

It owns the requests.Session, the timeouts and the retry policy; the rules it shares with the other transport (curl
inside a pod, _exec) are in _transport.

- ``tls_verify`` is passed as ``verify=`` on every request (requests would otherwise let the environment's bundle
  override session.verify).
- Credentials travel in a requests auth object (``HeaderAuth``, ``CookieAuth``, ``NO_AUTH``), never as a plain
  header: requests applies ~/.netrc (or $NETRC) to any request sent without an auth object and would replace our
  Authorization header with Basic auth. ``trust_env`` stays on, so HTTPS_PROXY/NO_PROXY keep working.
- ``read_body``: an answer is streamed with a size cap and an overall deadline; ``decode_body`` turns it into JSON.
- Not retried, because a retry would only repeat them: a host name that does not resolve, and plain HTTP sent to a
  port that speaks TLS (one handshake tells, and the message says to use https://).
- With validate_certs=false, urllib3's InsecureRequestWarning is silenced around our own requests only; the task
  warns once instead (_tls.insecure_warning).
It returns ``HttpResponse`` objects and the platform clients decide what a status or a body means.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import random
import re
import time
import traceback
import warnings

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import ConnectionFailed, OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.http._tls import peer_certificate, speaks_tls
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import (
    DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_RETRIES, DEFAULT_TIMEOUT, IDEMPOTENT_METHODS, MAX_BACKOFF, REDIRECT_STATUSES,
    RETRY_CONNECT, RETRY_IDEMPOTENT, RETRY_NEVER, RETRY_STATUSES, HttpResponse, charset, clean_credential,
    deadline_error, decode_body, https_url, join_url, origin, parse_origin, redact, redirect_error, tls_verify,
    too_large_error)


try:
    import requests
    from requests.auth import AuthBase
    from urllib3.exceptions import InsecureRequestWarning
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by ansible-test sanity import
    HAS_REQUESTS = False
    # A string, as fail_json(exception=...) wants it: ansible-core before 2.19 cannot serialise an exception object.
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    AuthBase = object
    InsecureRequestWarning = Warning

CHUNK_SIZE = 64 * 1024


# --- credentials as requests auth objects ----------------------------------------------------------------------------

class NoAuth(AuthBase):
    """No credential, but an auth object all the same: requests reads ~/.netrc only for a request without one."""

    secrets = ()

    def __call__(self, prepared):
        return prepared


NO_AUTH = NoAuth()


class HeaderAuth(AuthBase):
    """Sets credential headers on each prepared request (after requests' own netrc and URL-userinfo handling)."""

    def __init__(self, headers, secrets=()):
        self.headers = dict(headers)
        self.secrets = tuple(secret for secret in secrets if secret)

    def __call__(self, prepared):
        prepared.headers.update(self.headers)
        return prepared


class CookieAuth(AuthBase):
    """Adds cookies to the Cookie header requests built from the session's jar (server-set cookies stay)."""

    def __init__(self, cookies, secrets=()):
        self.cookies = dict(cookies)
        self.secrets = tuple(secret for secret in secrets if secret)

    def __call__(self, prepared):
        ours = '; '.join('%s=%s' % item for item in sorted(self.cookies.items()))
        existing = prepared.headers.get('Cookie')
        prepared.headers['Cookie'] = '%s; %s' % (existing, ours) if existing else ours
        return prepared


def bearer_auth(token, keyword='Bearer', name='token'):
    """``Authorization: <keyword> <token>`` as an auth object; ``name`` is the option named if the token is bad."""
    value = clean_credential(name, token)
    if not value:
        raise OpsAuthError('%s is empty' % name, code='invalid_credential')
    return HeaderAuth({'Authorization': '%s %s' % (keyword or 'Bearer', value)}, secrets=(token, value))


def cookie_auth(cookies):
    """Cookies (``{cookie name: (option name, value)}``) as an auth object; empty values are left out."""
    values = {}
    secrets = []
    for cookie, (name, value) in cookies.items():
        if value is None or value == '':
            continue
        values[cookie] = clean_credential(name, value)
        secrets += [value, values[cookie]]
    return CookieAuth(values, secrets=secrets)


def read_body(resp, limit, deadline, clock, method, url, timeout):
    """The body of a streamed requests answer as bytes, refused past ``limit`` bytes or past ``deadline``.

    A Content-Length over the limit fails before a byte is read; a chunked body is counted as it comes. Memory stays
    within the limit plus one chunk whatever the server sends.
    """
    try:
        length = int(resp.headers.get('Content-Length') or 0)
    except ValueError:
        length = 0
    if limit and length > limit:
        raise too_large_error(origin(url), limit)
    chunks, size = [], 0
    for chunk in resp.iter_content(CHUNK_SIZE):
        size += len(chunk)
        if limit and size > limit:
            raise too_large_error(origin(url), limit)
        chunks.append(chunk)
        if clock() > deadline:
            raise deadline_error(method, url, timeout)
    return b''.join(chunks)


# --- the client ------------------------------------------------------------------------------------------------------

class HttpClient:
    """A requests.Session bound to one base URL (and so to one origin).

    ``retries`` is the number of extra tries after the first; backoff is exponential with jitter,
    and a ``Retry-After`` header from the server wins (capped at MAX_BACKOFF). ``timeout`` bounds each read and the
    whole of each try; ``max_response_size`` the bytes of one answer.
    """

    def __init__(self, base_url, validate_certs=True, ca_path=None, timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES, backoff=0.5,
                 headers=None, session=None, sleep=time.sleep, max_response_size=DEFAULT_MAX_RESPONSE_SIZE,
                 clock=time.monotonic):
        if not HAS_REQUESTS:
            raise OpsAuthError('The Python library "requests" is required: install it with pip install requests',
                               code='missing_library')
        if parse_origin(base_url) is None:
            raise OpsAuthError('url must be an absolute http:// or https:// URL, got %r' % (base_url,))
        if not timeout or timeout <= 0:
            raise OpsAuthError('timeout must be a positive number of seconds, got %r' % (timeout,))
        if max_response_size is not None and max_response_size <= 0:
            raise OpsAuthError('max_response_size must be a positive number of bytes, got %r' % (max_response_size,))
        self.base_url = base_url.strip().rstrip('/')
        self.timeout = timeout
        self.retries = max(0, int(retries or 0))
        self.backoff = backoff
        self.max_response_size = max_response_size or DEFAULT_MAX_RESPONSE_SIZE
        self._sleep = sleep
        self._clock = clock
        self.session = session or requests.Session()
        self.verify = tls_verify(validate_certs, ca_path)
        self.session.verify = self.verify
        self.session.headers.update({'User-Agent': 'opsauth.tokens', 'Accept': 'application/json'})
        if headers:
            self.session.headers.update(headers)
        self.secrets = set()  # values to scrub from any text built from an exception
        self.attempts = 0  # requests actually sent, for tests and benchmarks
        # (DER, getpeercert() dict) of the first TLS connection an answer came on: _tls.describe_certificate reads it.
        self.peer_certificate = None

    def add_secrets(self, *values):
        self.secrets.update(str(value) for value in values if value)

    def url_for(self, path, what='path'):
        return join_url(self.base_url, path, what)

    def request(self, method, path, params=None, json_body=None, data=None, headers=None, auth=None,
                retry=RETRY_IDEMPOTENT, expect_json=True):
        """Send one request (with retries as the policy allows) and return an HttpResponse.

        HTTP error statuses are returned, not raised: only the platform client knows what they mean. A redirect,
        an answer over max_response_size and a request over its deadline raise.
        """
        method = method.upper()
        url = self.url_for(path)
        auth = auth or NO_AUTH
        secrets = self.secrets.union(getattr(auth, 'secrets', ()))
        attempt = 0
        while True:
            attempt += 1
            try:
                self.attempts += 1
                resp, body = self._send(method, url, params, json_body, data, headers, auth)
            except requests.exceptions.SSLError as exc:
                raise ConnectionFailed('TLS verification failed for %s (%s): give the CA bundle in ca_path, or set '
                                       'validate_certs=false for a test server' % (self.base_url, _reason(exc, secrets)),
                                       code='tls_error')
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                self._raise_if_final(method, url, attempt, exc, secrets)
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or _is_connect_refused(exc)
                if attempt <= self.retries and self._may_retry(method, retry, never_sent=never_sent):
                    self._sleep(self._backoff(attempt))
                    continue
                raise ConnectionFailed('%s %s failed after %d attempt(s): %s'
                                       % (method, url, attempt, _reason(exc, secrets)),
                                       code='timeout' if isinstance(exc, requests.exceptions.Timeout) else None)
            except (requests.exceptions.InvalidHeader, ValueError) as exc:
                # requests' InvalidHeader and http.client's "Invalid header value b'...'" quote the whole header value,
                # credential included: never pass their text on.
                if isinstance(exc, requests.exceptions.InvalidHeader) or 'header' in str(exc).lower():
                    raise OpsAuthError('%s %s: a header value holds a character HTTP does not allow (a line '
                                       'break?); the value is not shown' % (method, url), code='invalid_credential')
                raise ConnectionFailed('%s %s could not be sent: %s' % (method, url, _reason(exc, secrets)))
            except requests.exceptions.RequestException as exc:
                raise ConnectionFailed('%s %s could not be sent: %s' % (method, url, _reason(exc, secrets)))

            if resp.status_code in RETRY_STATUSES and attempt <= self.retries and self._may_retry(method, retry):
                delay = _retry_after(resp.headers.get('Retry-After'))
                self._sleep(min(MAX_BACKOFF, delay if delay is not None else self._backoff(attempt)))
                continue
            if resp.status_code in REDIRECT_STATUSES:
                raise redirect_error(method, url, resp.status_code, redact(resp.headers.get('Location'), secrets))
            text = body.decode(charset(resp.headers), 'replace')
            parsed, text = decode_body(text, resp.status_code, origin(resp.url), resp.headers.get('Content-Type'),
                                       expect_json, secrets, url=resp.url)
            return HttpResponse(resp.status_code, resp.headers, text, parsed, resp.url,
                                cookies=resp.cookies.get_dict())

    def _send(self, method, url, params, json_body, data, headers, auth):
        """One try: the answer and its body, read within the deadline and the size cap."""
        deadline = self._clock() + self.timeout
        with warnings.catch_warnings():
            if self.verify is False:
                # The task warns once about validate_certs=false (_tls.insecure_warning); urllib3 would print its
                # InsecureRequestWarning on stderr for every request. Silenced here, for our requests only.
                warnings.simplefilter('ignore', InsecureRequestWarning)
            resp = self.session.request(method, url, params=params, json=json_body, data=data, headers=headers,
                                        auth=auth, timeout=self.timeout, allow_redirects=False, verify=self.verify,
                                        stream=True)
        if self.peer_certificate is None and url.lower().startswith('https://'):
            # Before the body is read: then urllib3 gives the connection back to its pool.
            self.peer_certificate = peer_certificate(resp)
        try:
            # A redirect raises without its body; anything else is read within the cap and the deadline.
            body = b'' if resp.status_code in REDIRECT_STATUSES else read_body(
                resp, self.max_response_size, deadline, self._clock, method, url, self.timeout)
        finally:
            resp.close()
        return resp, body

    def _raise_if_final(self, method, url, attempt, exc, secrets):
        """Raise for a connection error that a retry would only repeat: a host name that does not resolve, or plain
        HTTP sent to a port that speaks TLS (checked with one handshake, nothing sent)."""
        text = repr(exc)
        if _DNS_FAILURE.search(text):
            match = re.search(r"Failed to resolve \\?'([^'\\]+)", text)
            host = match.group(1) if match else parse_origin(url)[1]
            where = 'url' if host == parse_origin(url)[1] else 'the proxy variables (HTTPS_PROXY, HTTP_PROXY)'
            reason = re.search(r'\[Errno -?\d+\] ([^)\'"]+)', text)
            raise ConnectionFailed('%s %s: the host name %s does not resolve (%s); not retried: check the host name in '
                                   '%s' % (method, url, host, reason.group(1) if reason else 'DNS', where), code='name_not_resolved')
        parsed = parse_origin(url)
        if parsed[0] == 'http' and _PLAIN_REFUSED.search(text) and speaks_tls(parsed[1], parsed[2], self.timeout):
            raise ConnectionFailed('%s %s failed after %d attempt(s): %s; the port speaks TLS: use %s in url'
                                   % (method, url, attempt, _reason(exc, secrets), https_url(url)), code='https_required')

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


def _retry_after(value):
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None


# A failed name lookup, as urllib3 2 (NameResolutionError) and 1.26 (getaddrinfo's text inside NewConnectionError)
# word it on Linux, macOS and musl: the same answer on every retry.
_DNS_FAILURE = re.compile(r'NameResolutionError|Failed to resolve|Name or service not known|nodename nor servname|'
                          r'No address associated with hostname|Temporary failure in name resolution|Name does not '
                          r'resolve|getaddrinfo failed')
# A server that closed the connection without an HTTP answer: what a TLS port does with a plain HTTP request.
_PLAIN_REFUSED = re.compile(r'RemoteDisconnected|BadStatusLine|Connection aborted|ConnectionResetError')


def _is_connect_refused(exc):
    # urllib3 wraps "connection refused" as NewConnectionError: the request was never sent.
    text = repr(exc)
    return 'NewConnectionError' in text or 'Connection refused' in text


def _reason(exc, secrets=()):
    """One line out of a requests exception (they nest urllib3 reprs several levels deep), secrets removed."""
    text = redact(str(exc), secrets)
    for pattern in (r"\[SSL: [A-Z_]+\] ([^(]+)", r"Caused by \w+\('?(.*?)'?\)\)?$", r"(Connection refused)",
                    r"(Read timed out)", r"(Connection aborted)", r"(RemoteDisconnected[^)]*)",
                    r"(Connection broken[^(]*)"):
        match = re.search(pattern, text)
        if match:
            return ' '.join(match.group(1).split())[:200]
    return ' '.join(text.split())[:200]
