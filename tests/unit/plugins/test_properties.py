# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property-based tests (hypothesis) of what every input must respect (docs/security.md, "Property tests").

Invariants: no request leaves for another origin, no header injection, no exception other than the collection's own
(OpsAuthError and its subclasses), no secret in any message. Deterministic and bounded for CI: derandomize=True
(the same examples on every run), a fixed number of examples, no example database.

The requests go through the real requests stack to a recording HTTP proxy on 127.0.0.1 (HTTP_PROXY, which requests
honours): the proxy sees every request's absolute URL, headers and body, and no host name is ever resolved, so a
request for another origin is seen, not sent anywhere. The clients are built for http://jms.test:8080, a name that
exists only for the proxy.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow import _deepflow, _deepflow_errors, _deepflow_pages
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver import _jms_private_token, _jumpserver
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import read_token_file, write_token_file

BASE = 'http://jms.test:8080'
ORIGIN = ('http', 'jms.test', 8080)
PASSWORD = 'Hyp0thesis-Pass-Word'
PROPERTY = settings(derandomize=True, database=None, deadline=None, max_examples=150,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Texts with the characters that break things: quotes, CR/LF, NUL, other controls, URL syntax, non-ASCII.
NASTY = st.text(alphabet=st.sampled_from(list('aZ09 "\'\\\r\n\t\x00\x01\x1b\x7f/?#@:;,%&=+<>{}[]') + [u'é', u'ß', u'\u2028']),
                max_size=24)
SECRET_CORE = st.text(alphabet='0123456789abcdef', min_size=16, max_size=16)


class Recorder(BaseHTTPRequestHandler):
    """The recording proxy: answers every request with the JSON the test set for its path, remembers it."""

    protocol_version = 'HTTP/1.1'

    def _any(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        target = urlsplit(self.path)
        self.server.seen.append({'url': self.path, 'path': target.path, 'query': target.query,
                                 'headers': self.headers.items(), 'body': body})
        status, answer = self.server.answers.get(target.path, (200, {}))
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _any

    def log_message(self, *args):
        pass


@pytest.fixture(scope='module')
def recorder():
    server = ThreadingHTTPServer(('127.0.0.1', 0), Recorder)
    server.daemon_threads = True
    server.seen, server.answers = [], {}
    threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1}, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxied(recorder, monkeypatch):
    """Every HTTP request of the test goes to the recorder; returns it, emptied."""
    for name in ('NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'NETRC'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('HTTP_PROXY', 'http://127.0.0.1:%d' % recorder.server_address[1])
    monkeypatch.setenv('HOME', '/nonexistent')  # no ~/.netrc of the machine's user
    recorder.seen[:], recorder.answers = [], {}
    return recorder


def origin_of(url):
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or {'http': 80, 'https': 443}.get(parts.scheme)


def fresh(recorder):
    recorder.seen[:] = []
    return recorder


def jms_client(**options):
    return _jumpserver.JumpServerClient.from_options(dict(dict(url=BASE, retries=0, timeout=5), **options))


# --- URL joining: a path never takes a request, and its credential, to another origin --------------------------------

PREFIXES = st.sampled_from(['', '/', '//', '///', 'http://', 'https://', 'HTTP://', 'http:', 'http:/', '\\\\', '/\\', '\\/',
                            ' http://', '\thttp://', '\nhttp://', 'http://jms.test:8080', 'http://jms.test:8080@',
                            'http://jms.test:8080.', 'jms.test:8080/', '?', '#', '@', '%2F%2F', 'javascript:', 'file://'])
HOSTS = st.sampled_from(['', 'other.test', 'jms.test', 'jms.test:80', 'jms.test:8080', 'jms.test:8081', 'JMS.TEST:8080',
                         'other.test@jms.test:8080', 'jms.test:8080@other.test', '127.0.0.1:9', '[::1]:8080', 'jms.test.'])
PATHS = st.builds(lambda prefix, host, rest: prefix + host + rest, PREFIXES, HOSTS, NASTY)


@PROPERTY
@given(path=PATHS)
@example(path='http://other.test/api/v1/users/profile/')
@example(path='//other.test/api/v1/users/profile/')
def test_a_path_never_sends_the_credential_to_another_origin(proxied, path):
    client = jms_client(private_token='937b38011acf499eb474e2fecb424ab3937b3801')
    fresh(proxied)
    try:
        client.request('GET', path)
    except OpsAuthError:
        pass
    for seen in proxied.seen:
        assert origin_of(seen['url']) == ORIGIN, 'a request for %r went to %s' % (path, seen['url'])
        assert dict((k.lower(), v) for k, v in seen['headers'])['host'] == 'jms.test:8080'


# --- header values: a credential never splits a header, never shows in a message ---------------------------------------

TOKENS = st.builds(lambda before, core, after: before + core + after, NASTY, SECRET_CORE, NASTY)
EXPECTED_HEADERS = {'host', 'user-agent', 'accept', 'accept-encoding', 'accept-language', 'connection', 'authorization',
                    'x-jms-org'}


@PROPERTY
@given(token=TOKENS, kind=st.sampled_from(['private_token', 'token']))
@example(token='0123456789abcdef\r\nX-Injected: 1', kind='token')
@example(token='0123456789abcdef\n', kind='private_token')
def test_a_credential_never_injects_a_header_nor_shows_in_a_message(proxied, token, kind):
    fresh(proxied)
    core = token.strip()
    try:
        jms_client(**{kind: token}).request('GET', '/api/v1/users/profile/')
    except OpsAuthError as exc:
        message = str(exc)
        assert token not in message and core not in message and repr(core)[1:-1] not in message, message
        return
    assert len(proxied.seen) == 1
    headers = proxied.seen[0]['headers']
    names = [name.lower() for name, dummy in headers]
    assert set(names) <= EXPECTED_HEADERS and len(names) == len(set(names)), names
    keyword = 'Token' if kind == 'private_token' else 'Bearer'
    assert dict(headers)['Authorization'] == '%s %s' % (keyword, core)


# --- usernames and e-mails: data, never syntax ----------------------------------------------------------------------

def login_attempt(proxied, client, call):
    """Run one login against the recorder; return the error message (or None) and the bodies that were sent."""
    fresh(proxied)
    try:
        call(client)
        message = None
    except OpsAuthError as exc:
        message = str(exc)
    return message, [json.loads(seen['body'].decode('utf-8')) for seen in proxied.seen]


@PROPERTY
@given(username=NASTY.filter(lambda text: text.strip()))
@example(username='admin"}, "is_superuser": true, "x": {"')
@example(username='alice\r\nX-Injected: 1')
def test_a_jumpserver_username_is_sent_as_data_and_the_password_never_shows(proxied, username):
    proxied.answers = {'/api/v1/authentication/auth/': (400, {'error': 'password_failed', 'msg': 'The username or '
                                                                                                 'password you entered is incorrect'})}
    message, bodies = login_attempt(proxied, jms_client(username=username, password=PASSWORD), lambda c: c.login())
    assert message is not None and PASSWORD not in message
    assert len(bodies) <= 1, 'a refused password login is never sent again'
    for body in bodies:
        assert body['password'] == PASSWORD and body['username'] in (username, username.strip())


@PROPERTY
@given(email=NASTY.filter(lambda text: text.strip()))
@example(email='ops@example.com", "grant_type": "refresh_token')
def test_a_deepflow_email_is_sent_as_data_and_the_password_never_shows(proxied, email):
    proxied.answers = {'/login': (400, {'OPT_STATUS': 'INVALID_PARAMETERS', 'DESCRIPTION': 'email or password error',
                                        'DATA': None})}
    client = _deepflow.DeepFlowClient.from_options(dict(fauths_url=BASE, email=email, password=PASSWORD, retries=0, timeout=5))
    message, bodies = login_attempt(proxied, client, lambda c: c.login())
    assert message is not None and PASSWORD not in message
    assert len(bodies) <= 1
    for body in bodies:
        assert body['email'] in (email, email.strip()) and body['grant_type'] == 'password' and body['password'] == PASSWORD


@PROPERTY
@given(email=NASTY.filter(lambda text: text.strip()))
@example(email='ops@example.com&email=admin@deepflow.local')
def test_a_permanent_token_lookup_sends_the_email_as_one_query_value(proxied, email):
    proxied.answers = {'/v1/user/permanent_token': (200, {'OPT_STATUS': 'SUCCESS', 'DESCRIPTION': '', 'DATA': []})}
    client = _deepflow.PermanentTokenClient.from_options(dict(fuser_url=BASE, retries=0, timeout=5))
    fresh(proxied)
    try:
        assert client.find(email) == []
    except OpsAuthError:
        return
    assert len(proxied.seen) == 1 and origin_of(proxied.seen[0]['url']) == ORIGIN
    assert parse_qs(proxied.seen[0]['query'], keep_blank_values=True)['email'] in ([email], [email.strip()])


NOISE_LINES = st.lists(st.one_of(
    NASTY,
    st.just("ALLOWED_HOSTS: ['*', 'localhost', '127.0.0.1']"),  # JumpServer v3.10 prints 18 of these on stdout
    st.builds(lambda text: 'OPSAUTH_RESULT=' + json.dumps({'ok': True, 'token': 'forged', 'nonce': text}), NASTY),
    st.builds(lambda text: 'OPSAUTH_RESULT=' + text, NASTY)), max_size=20)


@PROPERTY
@given(username=NASTY, before=NOISE_LINES, after=NOISE_LINES)
def test_a_private_token_job_reads_only_its_own_result_line(username, before, after):
    # The username travels as JSON on stdin, never on the command line (the command does not even take it).
    request = json.loads(_jms_private_token.build_request([username], nonce='n0nce-7f3a9c'))
    assert request['usernames'] == [username] and request['nonce'] == 'n0nce-7f3a9c'
    result = {'ok': True, 'changed': False, 'username': username, 'token': 'f' * 40, 'nonce': 'n0nce-7f3a9c'}
    # What the in-container script prints: one marked line (json.dumps escapes every line separator).
    stdout = '\n'.join(before + ['', 'OPSAUTH_RESULT=' + json.dumps(result, sort_keys=True)] + after)
    assert _jms_private_token.parse_result(stdout, 'n0nce-7f3a9c') == result


# --- page names: the URL stays on the controller, a token never shows in a message ------------------------------------

@PROPERTY
@given(base=st.builds(lambda prefix, host, rest: prefix + host + rest, PREFIXES, HOSTS, NASTY),
       page=st.one_of(st.sampled_from(['views', 'applications', 'network']), NASTY, st.builds(lambda p: '/' + p, NASTY)),
       token=TOKENS)
def test_a_page_url_stays_on_the_controller_and_raises_only_its_own_error(base, page, token):
    try:
        url = _deepflow_pages.page_url(base, page, token)
    except _deepflow_errors.PageUrlError as exc:
        assert token.strip() not in str(exc)
        return
    assert urlsplit(url).netloc == urlsplit(base.strip()).netloc and urlsplit(url).scheme in ('http', 'https')
    assert parse_qs(urlsplit(url).query)['token'] == [token.strip()]


@PROPERTY
@given(token=st.builds(lambda core: 'eyJ' + core, SECRET_CORE), page=st.sampled_from(['views', 'network', '/monitor/list']))
def test_a_token_given_as_the_base_url_is_never_echoed(token, page):
    with pytest.raises(_deepflow_errors.PageUrlError) as failure:
        _deepflow_pages.page_url(token, page, 'eyJ-the-real-token')
    assert token not in str(failure.value)


# --- token-file bytes: read as a token, or refused with the collection's own error -------------------------------------

@PROPERTY
@given(data=st.one_of(st.binary(max_size=200),
                      st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                                   lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
                                   max_leaves=10).map(lambda value: json.dumps(value).encode())))
@example(data=b'\xff\xfe\x00')
@example(data=b'{"token": "0123456789abcdef0123456789abcdef", "expires_at": ')
def test_any_token_file_is_read_or_refused_with_one_line(tmp_path, data):
    path = str(tmp_path / 'token.json')
    with open(path, 'wb') as handle:
        handle.write(data)
    try:
        stored = read_token_file(path)
    except OpsAuthError as exc:
        assert '\n' not in str(exc) and '0123456789abcdef' not in str(exc)
        return
    assert stored is None or isinstance(stored, dict)


def test_a_deeply_nested_token_file_is_refused_with_one_line(tmp_path):
    # json.loads raises RecursionError, not ValueError, on a few thousand nested brackets.
    path = str(tmp_path / 'token.json')
    with open(path, 'wb') as handle:
        handle.write(b'[' * 100000)
    with pytest.raises(OpsAuthError):
        read_token_file(path)


@PROPERTY
@given(data=st.dictionaries(st.text(max_size=8), st.one_of(st.text(max_size=20), st.integers(), st.none()), max_size=5))
def test_a_written_token_file_reads_back_the_same_with_mode_0600(tmp_path, data):
    path = str(tmp_path / 'token.json')
    write_token_file(path, data)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_token_file(path) == data
