# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""One HTTP layer for every client and transport of the collection.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

It owns the requests.Session, TLS settings, timeouts, JSON decoding and the retry policy, and the rules every
transport keeps (the direct one here and curl inside a pod in _exec.py), written once:

- ``join_url``: a request goes only to the origin (scheme, host, port) of the configured URL; an absolute or
  protocol-relative path, or a server-given URL, to another origin is refused before anything is sent.
- ``tls_verify``: validate_certs=false > ca_path > REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE > the default store, passed as
  ``verify=`` on every request (requests would otherwise let the environment's bundle override session.verify).
- Credentials travel in a requests auth object (``HeaderAuth``, ``CookieAuth``, ``NO_AUTH``), never as a plain
  header: requests applies ~/.netrc (or $NETRC) to any request sent without an auth object and would replace our
  Authorization header with Basic auth. ``trust_env`` stays on, so HTTPS_PROXY/NO_PROXY keep working.
- ``clean_credential``: a credential is trimmed, and a control character inside it is refused with a message that
  names the option and never the value; ``redact`` removes known secrets from any text built from an exception.
- ``read_body``: an answer is streamed with a size cap and an overall deadline; ``decode_body`` turns it into JSON.
It knows nothing about JumpServer or DeepFlow: it returns ``HttpResponse`` objects and the platform clients decide
what a status or a body means.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import random
import re
import time
import traceback

from urllib.parse import urlsplit

# Defined without requests, so that the token cache can use them without it; exported from here as before.
from ansible_collections.opsauth.tokens.plugins.module_utils._common import (
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    OpsAuthError,
)

try:
    import requests
    from requests.auth import AuthBase
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by ansible-test sanity import
    HAS_REQUESTS = False
    # A string, as fail_json(exception=...) wants it: ansible-core before 2.19 cannot serialise an exception object.
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    AuthBase = object


class ConnectionFailed(OpsAuthError):
    """The server could not be reached (DNS, refused, TLS, timeout) or dropped the connection."""


class InvalidResponse(OpsAuthError):
    """The server answered, but not with the JSON the API documents (an HTML error page, say)."""

    def __init__(self, message, status=None):
        super(InvalidResponse, self).__init__(message)
        self.status = status


class OriginRefused(OpsAuthError):
    """A URL points at another server than the configured one: nothing was sent, credentials stay home."""


class RedirectRefused(InvalidResponse):
    """The server answered with a redirect; redirects are never followed (the credential would follow them)."""


class ResponseTooLarge(InvalidResponse):
    """The answer is larger than max_response_size; reading stopped there."""


class DeadlineExceeded(ConnectionFailed):
    """The whole request (connect, every read, the whole body) took longer than the timeout."""


class CredentialError(OpsAuthError):
    """A credential cannot be sent (a control character in it); the message names the option, never the value."""


# Why these: 429 is the server's throttle (JumpServer: 60 anonymous requests a minute per IP) and 502/503/504
# come from a proxy or a restarting backend. Any other status is an answer that a retry would only repeat.
RETRY_STATUSES = frozenset([429, 502, 503, 504])
REDIRECT_STATUSES = frozenset([301, 302, 303, 307, 308])
IDEMPOTENT_METHODS = frozenset(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
# Never sleep longer than this between two tries, whatever Retry-After says.
MAX_BACKOFF = 30.0
CHUNK_SIZE = 64 * 1024
DEFAULT_PORTS = {'http': 80, 'https': 443}
# Environment variables requests (and curl) read a CA bundle from, in requests' order.
CA_BUNDLE_ENV = ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE')

# Retry policies a caller can ask for.
RETRY_IDEMPOTENT = 'idempotent'   # default: connection errors and RETRY_STATUSES, for idempotent methods only
RETRY_CONNECT = 'connect'         # only when the request never reached the server (safe for a password login)
RETRY_NEVER = 'never'

REDACTED = '********'
# The C0 and C1 control characters, DEL and the Unicode line and paragraph separators: CR and LF would split a header,
# NUL truncates it, the rest have no business in a credential, which goes into a header (bearer, private token,
# cookie) or next to one.
_CONTROL = re.compile(u'[\x00-\x1f\x7f-\x9f\u2028\u2029]')


def one_line(text, limit=120):
    """``text`` on one line, white space folded, cut at ``limit`` characters: for quoting a server in a message."""
    text = ' '.join(str(text or '').split())
    return text[:limit] + ('...' if len(text) > limit else '')


def strip_html(text, limit=120):
    """A short, single-line excerpt of a body that is not JSON, for an error message."""
    return one_line(re.sub(r'<[^>]+>', ' ', text or ''), limit)


# --- secrets ---------------------------------------------------------------------------------------------------------

def clean_credential(name, value):
    """``value`` without surrounding white space; CredentialError naming ``name`` when a control character is inside.

    The one check every module, lookup and auth object uses. A vaulted string often ends with a newline: trimmed,
    it works. A CR/LF/NUL inside would split or cut a header: refused, and the value never appears in the message.
    """
    if value is None:
        return None
    text = str(value).strip()
    if _CONTROL.search(text):
        raise CredentialError('%s contains a control character (such as a line break) inside the value; give the '
                              'credential on one line, without control characters' % name)
    return text


def clean_credentials(options, names):
    """A copy of ``options`` with each credential in ``names`` that is given passed through clean_credential."""
    cleaned = dict(options)
    for name in names:
        if cleaned.get(name) is not None and cleaned.get(name) != '':
            cleaned[name] = clean_credential(name, cleaned[name])
    return cleaned


def secret_variants(secret):
    """The forms a secret takes in text: as is, trimmed, JSON-escaped and repr-escaped (exceptions quote with repr)."""
    text = str(secret)
    forms = set([text, text.strip(), json.dumps(text)[1:-1], repr(text)[1:-1], repr(text.encode('utf-8'))[2:-1]])
    return [form for form in forms if len(form) >= 4]


def redact(text, secrets):
    """``text`` with every secret replaced, in all the forms secret_variants knows."""
    text = text or ''
    variants = set()
    for secret in secrets or ():
        if secret:
            variants.update(secret_variants(secret))
    # Longest first, so that a secret containing another one is replaced whole.
    for variant in sorted(variants, key=len, reverse=True):
        text = text.replace(variant, REDACTED)
    return text


# --- origins ---------------------------------------------------------------------------------------------------------

def parse_origin(url):
    """``(scheme, host, port)`` of an absolute http(s) URL, the default port filled in; None for anything else."""
    try:
        parts = urlsplit(str(url or '').strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def format_origin(parsed):
    """``scheme://host:port`` of a parse_origin tuple (a default port left out)."""
    scheme, host, port = parsed
    host = '[%s]' % host if ':' in host else host
    return '%s://%s%s' % (scheme, host, '' if DEFAULT_PORTS.get(scheme) == port else ':%d' % port)


def origin(url):
    """``scheme://host[:port]`` of ``url``, to name a server without the path (or 'the server')."""
    parsed = parse_origin(url)
    return format_origin(parsed) if parsed else 'the server'


def same_origin(first, second):
    parsed = parse_origin(first)
    return parsed is not None and parsed == parse_origin(second)


_ABSOLUTE = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:')


def join_url(base_url, path, what='path'):
    """The URL for ``path`` under ``base_url``; OriginRefused when it would leave ``base_url``'s origin.

    The one place that decides where a request, and so a credential, goes. ``path`` is a path (a query may follow);
    an absolute URL is accepted only on the same scheme, host and port (default ports normalised); a
    protocol-relative ``//host/x`` is refused whatever host it names. ``what`` names the value in the message
    (``path``, ``the MFA challenge URL the server gave``, ...).
    """
    text = '' if path is None else str(path)
    base = parse_origin(base_url)
    if text.startswith('//') or text.startswith('\\\\') or text.startswith('/\\'):
        raise OriginRefused('%s must be a path on %s, not a protocol-relative URL (it starts with //); give a path '
                            'such as /api/v1/users/users/' % (what, format_origin(base)))
    if _ABSOLUTE.match(text):
        target = parse_origin(text)
        if target is None or target != base:
            raise OriginRefused('%s points at %s, not at the configured server %s: credentials are sent only to the '
                                'scheme, host and port of url; give a path such as /api/v1/users/users/ (or change url)'
                                % (what, format_origin(target) if target else 'a URL that is not http(s)',
                                   format_origin(base)))
        return text
    return base_url.rstrip('/') + '/' + text.lstrip('/')


# --- TLS -------------------------------------------------------------------------------------------------------------

def tls_verify(validate_certs=True, ca_path=None, environ=None):
    """What to pass as requests' ``verify=``: validate_certs=false > ca_path > the environment's bundle > True.

    Given explicitly on every request: requests' merge_environment_settings lets REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE
    replace a verify that is unset or True, so session.verify alone is silently overridden (ca_path ignored,
    validate_certs=false verifying anyway) on the many hosts that set them.
    """
    if validate_certs is False:
        return False
    if ca_path:
        return ca_path
    env = os.environ if environ is None else environ
    for name in CA_BUNDLE_ENV:
        if env.get(name):
            return env[name]
    return True


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
        raise CredentialError('%s is empty' % name)
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


# --- answers ---------------------------------------------------------------------------------------------------------

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


def too_large_error(where, limit):
    return ResponseTooLarge('%s answered with more than %d bytes (max_response_size); nothing was kept: raise '
                            'max_response_size if this answer is expected, or ask for less (a smaller page)'
                            % (where, limit))


def deadline_error(method, url, timeout):
    return DeadlineExceeded('%s %s did not complete within %s s (timeout bounds the whole request, the body included)'
                            % (method, url, timeout))


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


def charset(headers):
    """The charset of a Content-Type; utf-8 when none is given (JSON is UTF-8 by RFC 8259)."""
    match = re.search(r'charset=["\']?([\w.:-]+)', (headers or {}).get('Content-Type') or '', re.I)
    return match.group(1) if match else 'utf-8'


def decode_body(text, status, where, content_type=None, expect_json=True, secrets=()):
    """``(json or None, text)`` of a body; InvalidResponse when JSON was expected and the body is something else.

    Shared by every transport, so an HTML page from a proxy reads the same whether it came directly or through curl.
    The excerpt quoted in the message has ``secrets`` removed (an error page may echo what it was sent).
    """
    if not text.strip():
        return None, text
    try:
        return json.loads(text), text
    except ValueError:
        if not expect_json:
            return None, text
    ctype = (content_type or 'no content type').split(';')[0]
    what = 'invalid JSON' if 'json' in ctype else '%s instead of JSON' % ctype
    raise InvalidResponse('%s answered HTTP %d with %s: "%s"; check that url points at the API and not at a proxy or '
                          'a login page' % (where, status, what, strip_html(redact(text, secrets))), status=status)


def redirect_error(method, url, status, location):
    """The one message for a redirect we do not follow: where it points and the two usual causes."""
    target = location or '(no Location header)'
    hint = ''
    if location:
        joined = join_url_lenient(url, location)
        if joined.startswith('https://') and url.startswith('http://'):
            hint = '; the server wants https: use an https:// url'
        elif joined.rstrip('/') == url.split('?')[0].rstrip('/') and joined.split('?')[0].endswith('/'):
            hint = '; the path needs a trailing slash'
    return RedirectRefused('%s %s answered HTTP %d, a redirect to %s; redirects are not followed, so that credentials '
                           'go only to url: fix url or path%s' % (method, url, status, target, hint), status=status)


def join_url_lenient(url, location):
    """Where a Location header points, as an absolute URL (for the message only; nothing is sent there)."""
    if _ABSOLUTE.match(location):
        return location
    parsed = parse_origin(url)
    if not parsed:
        return location
    if location.startswith('//'):
        return parsed[0] + ':' + location
    if location.startswith('/'):
        return format_origin(parsed) + location
    return url.rsplit('/', 1)[0] + '/' + location


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
            raise OpsAuthError('The Python library "requests" is required: install it with pip install requests')
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
                                       'validate_certs=false for a test server' % (self.base_url, _reason(exc, secrets)))
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or _is_connect_refused(exc)
                if attempt <= self.retries and self._may_retry(method, retry, never_sent=never_sent):
                    self._sleep(self._backoff(attempt))
                    continue
                raise ConnectionFailed('%s %s failed after %d attempt(s): %s'
                                       % (method, url, attempt, _reason(exc, secrets)))
            except (requests.exceptions.InvalidHeader, ValueError) as exc:
                # requests' InvalidHeader and http.client's "Invalid header value b'...'" quote the whole header value,
                # credential included: never pass their text on.
                if isinstance(exc, requests.exceptions.InvalidHeader) or 'header' in str(exc).lower():
                    raise CredentialError('%s %s: a header value holds a character HTTP does not allow (a line '
                                          'break?); the value is not shown' % (method, url))
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
                                       expect_json, secrets)
            return HttpResponse(resp.status_code, resp.headers, text, parsed, resp.url,
                                cookies=resp.cookies.get_dict())

    def _send(self, method, url, params, json_body, data, headers, auth):
        """One try: the answer and its body, read within the deadline and the size cap."""
        deadline = self._clock() + self.timeout
        resp = self.session.request(method, url, params=params, json=json_body, data=data, headers=headers, auth=auth,
                                    timeout=self.timeout, allow_redirects=False, verify=self.verify, stream=True)
        try:
            # A redirect raises without its body; anything else is read within the cap and the deadline.
            body = b'' if resp.status_code in REDIRECT_STATUSES else read_body(
                resp, self.max_response_size, deadline, self._clock, method, url, self.timeout)
        finally:
            resp.close()
        return resp, body

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


def _is_connect_refused(exc):
    # urllib3 wraps "connection refused" as NewConnectionError: the request was never sent.
    text = repr(exc)
    return 'NewConnectionError' in text or 'Connection refused' in text or 'Name or service not known' in text


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
