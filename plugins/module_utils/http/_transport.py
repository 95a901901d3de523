# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The rules every transport keeps, written once: the direct one (_http) and curl inside a pod (_exec).

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Standard library only, so that a token file, the option specs or a lookup answering from its cache can use the
transport defaults without importing ``requests``.

- ``join_url``: a request goes only to the origin (scheme, host, port) of the configured URL; an absolute or
  protocol-relative path, or a server-given URL, to another origin is refused before anything is sent.
- ``tls_verify``: validate_certs=false > ca_path > REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE > the default store.
- ``clean_credential``: a credential is trimmed, and a control character inside it is refused with a message that
  names the option and never the value; ``redact`` removes known secrets from any text built from an exception.
- ``decode_body``: an answer's JSON, or InvalidResponse with a short excerpt; ``redirect_error``: the one message for
  a redirect, which no transport follows.
It knows nothing about JumpServer or DeepFlow: platform clients decide what a status or a body means.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re

from urllib.parse import urlsplit

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import (
    STATUS_CODES,
    ConnectionFailed,
    InvalidResponse,
    OpsAuthError,
)

# What the timeout, retries and max_response_size options default to (_defaults.py, shared with the specs).
# The transports and clients import them from here.
from ansible_collections.opsauth.tokens.plugins.module_utils._defaults import (  # noqa: F401 pylint: disable=unused-import
    DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_RETRIES, DEFAULT_TIMEOUT)

# Why these: 429 is the server's throttle (JumpServer: 60 anonymous requests a minute per IP) and 502/503/504
# come from a proxy or a restarting backend. Any other status is an answer that a retry would only repeat.
RETRY_STATUSES = frozenset([429, 502, 503, 504])
REDIRECT_STATUSES = frozenset([301, 302, 303, 307, 308])
IDEMPOTENT_METHODS = frozenset(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
# Never sleep longer than this between two tries, whatever Retry-After says.
MAX_BACKOFF = 30.0
DEFAULT_PORTS = {'http': 80, 'https': 443}
# Environment variables requests (and curl) read a CA bundle from, in requests' order.
CA_BUNDLE_ENV = ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE')

# Retry policies a caller can ask for.
RETRY_IDEMPOTENT = 'idempotent'   # default: connection errors and RETRY_STATUSES, for idempotent methods only
RETRY_CONNECT = 'connect'         # only when the request never reached the server (safe for a password login)
RETRY_NEVER = 'never'

# Credentials that travel in a header or a cookie (or beside one): trimmed of surrounding white space and refused with
# a control character inside, by clean_credential, for every module and lookup. Passwords are sent as typed in
# a JSON body: a space at either end may be part of them.
CREDENTIAL_OPTIONS = ('token', 'private_token', 'access_key_id', 'access_key_secret', 'session_id', 'csrf_token',
                      'mfa_code', 'mfa_totp_secret', 'access_token', 'refresh_token')
# Values removed from any text built from an exception (redact), on top of what an auth object carries.
SECRET_OPTIONS = CREDENTIAL_OPTIONS + ('password',)

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
    """``value`` without surrounding white space; invalid_credential naming ``name`` when a control character is inside.

    The one check every module, lookup and auth object uses. A vaulted string often ends with a newline: trimmed,
    it works. A CR/LF/NUL inside would split or cut a header: refused, and the value never appears in the message.
    """
    if value is None:
        return None
    text = str(value).strip()
    if _CONTROL.search(text):
        raise OpsAuthError('%s contains a control character (such as a line break) inside the value; give the '
                           'credential on one line, without control characters' % name, code='invalid_credential')
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
    """The URL for ``path`` under ``base_url``; origin_refused when it would leave ``base_url``'s origin.

    The one place that decides where a request, and so a credential, goes. ``path`` is a path (a query may follow);
    an absolute URL is accepted only on the same scheme, host and port (default ports normalised); a
    protocol-relative ``//host/x`` is refused whatever host it names. ``what`` names the value in the message
    (``path``, ``the MFA challenge URL the server gave``, ...).
    """
    text = '' if path is None else str(path)
    base = parse_origin(base_url)
    if text.startswith('//') or text.startswith('\\\\') or text.startswith('/\\'):
        raise OpsAuthError('%s must be a path on %s, not a protocol-relative URL (it starts with //); give a path '
                           'such as /api/v1/users/users/' % (what, format_origin(base)), code='origin_refused')
    if _ABSOLUTE.match(text):
        target = parse_origin(text)
        if target is None or target != base:
            raise OpsAuthError('%s points at %s, not at the configured server %s: credentials are sent only to the '
                               'scheme, host and port of url; give a path such as /api/v1/users/users/ (or change url)'
                               % (what, format_origin(target) if target else 'a URL that is not http(s)',
                                   format_origin(base)), code='origin_refused')
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
    return InvalidResponse('%s answered with more than %d bytes (max_response_size); nothing was kept: raise '
                           'max_response_size if this answer is expected, or ask for less (a smaller page)'
                           % (where, limit), code='response_too_large')


def deadline_error(method, url, timeout):
    return ConnectionFailed('%s %s did not complete within %s s (timeout bounds the whole request, the body included)'
                            % (method, url, timeout), code='timeout')


def charset(headers):
    """The charset of a Content-Type; utf-8 when none is given (JSON is UTF-8 by RFC 8259)."""
    match = re.search(r'charset=["\']?([\w.:-]+)', (headers or {}).get('Content-Type') or '', re.I)
    return match.group(1) if match else 'utf-8'


def decode_body(text, status, where, content_type=None, expect_json=True, secrets=(), url=None):
    """``(json or None, text)`` of a body; InvalidResponse when JSON was expected and the body is something else.

    Shared by every transport, so an HTML page from a proxy reads the same whether it came directly or through curl.
    The excerpt quoted in the message has ``secrets`` removed (an error page may echo what it was sent). With ``url``
    (the URL asked), a 404 page names it in full: a wrong path is the usual cause, and the origin alone hides it.
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
    excerpt = strip_html(redact(text, secrets))
    if status == 404 and url:
        raise InvalidResponse('%s answered HTTP 404 (not found) with %s: "%s"; %s'
                              % (describe_url(url), what, excerpt, url_hint(url) or 'check the path'), status=status, code='not_found')
    hint = status_hint(status, text, url) or '; check that url points at the API and not at a proxy or a login page'
    raise InvalidResponse('%s answered HTTP %d with %s: "%s"%s' % (where, status, what, excerpt, hint), status=status,
                          code=STATUS_CODES.get(status))


# --- hints: what the user can do about an error ----------------------------------------------------------------------

# What a web server answers when plain HTTP reaches its TLS port (nginx, Go's net/http, Apache).
_PLAIN_TO_TLS = re.compile(r'plain HTTP request was sent to HTTPS port|HTTP request to an HTTPS server|'
                           r'speaking plain HTTP to an SSL-enabled server', re.I)
_API_PREFIX = re.compile(r'/api(?:/v\d+)?(?=/)')


def describe_url(url):
    """``url`` without its query string and user info: to name what was asked in a message (a query may hold data)."""
    parts = urlsplit(str(url or ''))
    parsed = parse_origin(url)
    return (format_origin(parsed) if parsed else '') + (parts.path or '/')


def url_hint(url):
    """A hint when the path of ``url`` holds the API prefix twice (``url`` given as ``https://host/api/v1``), or ''."""
    path = urlsplit(str(url or '')).path
    found = list(_API_PREFIX.finditer(path))
    if len(found) < 2 or not parse_origin(url):
        return ''
    base = format_origin(parse_origin(url)) + path[:found[0].start()]
    prefix = found[0].group(0)
    return ('the path repeats %s: url is the server\'s address without %s (here %s), since every path starts with '
            'it' % (prefix, prefix, base))


def status_hint(status, text, url=None):
    """A hint for an answer that tells its cause in its text (plain HTTP sent to a TLS port), or ''."""
    if status == 400 and _PLAIN_TO_TLS.search(text or ''):
        return '; the port speaks TLS: use %s' % https_url(url)
    return ''


def https_url(url):
    """``url``'s origin with https:// (the port kept), for a hint."""
    parsed = parse_origin(url)
    return format_origin(('https',) + parsed[1:]) if parsed else 'an https:// url'


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
    return InvalidResponse('%s %s answered HTTP %d, a redirect to %s; redirects are not followed, so that credentials '
                           'go only to url: fix url or path%s' % (method, url, status, target, hint), status=status, code='redirect_refused')


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
