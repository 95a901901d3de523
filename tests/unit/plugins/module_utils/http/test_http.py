# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The retry policy of _http.HttpClient, with a fake requests session that counts the requests."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket

import pytest
import requests

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import (
    ConnectionFailed,
    InvalidResponse,
    OpsAuthError,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.http._http import HttpClient
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import MAX_BACKOFF, RETRY_CONNECT
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.conftest import FakeResponse, FakeSession

REFUSED = requests.exceptions.ConnectionError(
    "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: / (Caused by NewConnectionError("
    "'<urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused'))")
READ_TIMEOUT = requests.exceptions.ReadTimeout("HTTPConnectionPool(host='127.0.0.1', port=9): Read timed out. (read timeout=1)")


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def client(session, retries=3):
    sleeps = Sleeps()
    return HttpClient('http://127.0.0.1:9', retries=retries, session=session, sleep=sleeps), sleeps


def test_password_login_is_not_repeated_after_any_answer():
    for status in (429, 502, 503, 504):
        session = FakeSession(FakeResponse(status, {'detail': 'busy'}), FakeResponse(201, {'token': 't'}))
        http, sleeps = client(session)
        resp = http.request('POST', '/api/v1/authentication/auth/', json_body={'username': 'u', 'password': 'p'},
                            retry=RETRY_CONNECT)
        assert resp.status == status
        assert len(session.calls) == 1 and sleeps == []


def test_password_login_is_not_repeated_after_a_read_timeout():
    # The server may have counted the login before the answer was lost.
    session = FakeSession(READ_TIMEOUT, FakeResponse(201, {'token': 't'}))
    http, dummy = client(session)
    with pytest.raises(ConnectionFailed, match='Read timed out'):
        http.request('POST', '/auth/', json_body={}, retry=RETRY_CONNECT)
    assert len(session.calls) == 1


def test_password_login_is_resent_when_the_connection_was_refused():
    session = FakeSession(REFUSED, FakeResponse(201, {'token': 't'}))
    http, sleeps = client(session)
    assert http.request('POST', '/auth/', json_body={}, retry=RETRY_CONNECT).json == {'token': 't'}
    assert len(session.calls) == 2 and len(sleeps) == 1


def test_get_is_retried_on_503_then_succeeds():
    session = FakeSession(FakeResponse(503), FakeResponse(502, text='<html>bad gateway</html>'), FakeResponse(200, {'ok': 1}))
    http, sleeps = client(session)
    resp = http.request('GET', '/api/v1/users/profile/')
    assert resp.status == 200 and resp.json == {'ok': 1}
    assert len(session.calls) == 3 and len(sleeps) == 2
    assert http.attempts == 3


def test_retry_after_is_honoured_and_capped():
    session = FakeSession(FakeResponse(429, {'detail': 'throttled'}, headers={'Retry-After': '7'}),
                          FakeResponse(429, headers={'Retry-After': '3600'}), FakeResponse(200, {}))
    http, sleeps = client(session)
    assert http.request('GET', '/x/').status == 200
    assert sleeps == [7.0, MAX_BACKOFF]


def test_backoff_grows_with_jitter_when_no_retry_after():
    session = FakeSession(FakeResponse(503), FakeResponse(503), FakeResponse(503), FakeResponse(200, {}))
    http, sleeps = client(session)
    http.request('GET', '/x/')
    assert len(sleeps) == 3
    for attempt, seconds in enumerate(sleeps, start=1):
        base = 0.5 * 2 ** (attempt - 1)
        assert 0.5 * base <= seconds <= 1.5 * base


def test_retries_run_out_and_the_last_answer_is_returned():
    session = FakeSession(*[FakeResponse(503) for dummy in range(5)])
    http, dummy = client(session, retries=2)
    assert http.request('GET', '/x/').status == 503
    assert len(session.calls) == 3


def test_post_is_not_retried_on_503_by_default():
    session = FakeSession(FakeResponse(503), FakeResponse(201, {}))
    http, dummy = client(session)
    assert http.request('POST', '/api/v1/users/users/', json_body={}).status == 503
    assert len(session.calls) == 1


def test_other_errors_are_answers_not_retries():
    session = FakeSession(FakeResponse(500, {'error': 'x'}), FakeResponse(200, {}))
    http, dummy = client(session)
    assert http.request('GET', '/x/').status == 500
    assert len(session.calls) == 1


def test_get_after_a_dropped_connection_is_retried():
    dropped = requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed connection'))")
    session = FakeSession(dropped, FakeResponse(200, {}))
    http, dummy = client(session)
    assert http.request('GET', '/x/').status == 200
    assert len(session.calls) == 2


def test_html_where_json_was_expected_is_a_clear_error():
    session = FakeSession(FakeResponse(200, text='<html><h1>502 Bad Gateway</h1></html>', headers={'Content-Type': 'text/html'}))
    http, dummy = client(session)
    with pytest.raises(InvalidResponse) as info:
        http.request('GET', '/x/')
    assert 'text/html instead of JSON' in str(info.value) and '502 Bad Gateway' in str(info.value)
    assert info.value.status == 200


def test_connection_refused_on_a_real_socket_is_retried_then_reported():
    # A port nobody listens on: bind, read the number, close.
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    sleeps = Sleeps()
    http = HttpClient('http://127.0.0.1:%d' % port, retries=2, timeout=2, sleep=sleeps)
    with pytest.raises(ConnectionFailed) as info:
        http.request('POST', '/auth/', json_body={}, retry=RETRY_CONNECT)
    assert http.attempts == 3 and len(sleeps) == 2
    assert 'failed after 3 attempt(s)' in str(info.value)


@pytest.mark.parametrize('timeout', [0, -5])
def test_a_timeout_that_is_not_positive_is_refused_before_any_request(timeout):
    with pytest.raises(OpsAuthError, match='timeout must be a positive number of seconds'):
        HttpClient('https://jms.example.com', timeout=timeout)
