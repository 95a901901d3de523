# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The promises of the HTTP layer (_http.py), proven with the REAL requests stack against real loopback servers.

No fake Session here. Every test runs with REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE pointing at a CA that signed nothing
we serve, and NETRC pointing at a .netrc with an entry for 127.0.0.1: the hostile but ordinary environment of an
AWX or RHEL host. docs/security.md (## HTTP layer) names each test here beside the promise it proves.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import os
import sys
import tracemalloc

import pytest
import requests

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow import DeepFlowClient, check_stored_origin
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec import ExecTarget
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_curl import CurlTransport
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import (
    ConnectionFailed,
    InvalidResponse,
    OpsAuthError,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.http._http import HeaderAuth, HttpClient
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import (
    join_url,
    parse_origin,
    redact,
    tls_verify,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver import JumpServerClient
from ansible_collections.opsauth.tokens.tests.unit.plugins.conftest import FAKE_BIN
from ansible_collections.opsauth.tokens.tests.unit.plugins.error_table import raises_code
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.http.conftest import HTML_404, client, html, not_found_json
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.loopback import (
    MIB,
    ForwardProxy,
    LoopbackServer,
)

FAKE_CURL = os.path.join(FAKE_BIN, 'curl')
NETRC_BASIC = 'Basic ' + base64.b64encode(b'netrc-user:netrc-password').decode()
PROFILE = '/api/v1/users/profile/'


def ok(handler):
    handler.send_json(200, {'ok': True, 'path': handler.path})


# Every test here runs in the hostile environment of conftest.hostile_env (CA bundles, .netrc, no proxy).
pytestmark = pytest.mark.usefixtures('hostile_env')


@pytest.fixture
def server():
    with LoopbackServer({'*': ok}) as srv:
        yield srv


@pytest.fixture
def other():
    with LoopbackServer({'*': ok}) as srv:
        yield srv


def jms(url, **options):
    return JumpServerClient.from_options(dict(dict(url=url, retries=0, timeout=5), **options))


def curl(url, **options):
    """curl "in a pod": the fake curl of tests/harness/fakes, run on this host, talking to the loopback server for real."""
    return CurlTransport(ExecTarget(), url, curl=FAKE_CURL, **dict(dict(timeout=20), **options))


# --- credentials go only to their origin -----------------------------------------------------------------------------

def test_origins_normalise_default_ports_and_case():
    assert parse_origin('https://JMS.example.com:443/api') == parse_origin('https://jms.example.com/x')
    assert parse_origin('http://h:80') == parse_origin('http://h/')
    assert parse_origin('http://h:8080') != parse_origin('http://h')
    assert parse_origin('https://h') != parse_origin('http://h:443')
    assert parse_origin('ftp://h/') is None and parse_origin('/api/') is None


@pytest.mark.parametrize('auth', [dict(token='bearer-secret-1'), dict(private_token='private-secret-1'),
                                  dict(session_id='session-secret-1', csrf_token='csrf-secret-1')])
@pytest.mark.parametrize('shape', ['absolute', 'protocol-relative', 'other-port', 'other-scheme'])
def test_a_path_to_another_origin_is_refused_and_nothing_reaches_it(server, other, auth, shape):
    path = {
        'absolute': other.url + '/api/v1/users/',
        'protocol-relative': '//127.0.0.1:%d/api/v1/users/' % other.port,
        'other-port': 'http://127.0.0.1:%d/api/v1/users/' % other.port,
        'other-scheme': 'https://127.0.0.1:%d/api/v1/users/' % server.port,
    }[shape]
    client = jms(server.url, **auth)
    with raises_code('origin_refused') as caught:
        client.request('GET', path)
    assert 'only to the scheme, host and port of url' in str(caught.value) or 'protocol-relative' in str(caught.value)
    assert other.log == [] and server.log == []
    # The same absolute URL on the configured origin is a path like any other.
    assert client.request('GET', server.url + PROFILE).json['path'] == PROFILE


def test_the_mfa_challenge_url_the_server_gives_obeys_the_same_rule(server, other):
    def login(handler):
        handler.send_json(200, {'error': 'mfa_required', 'data': {'choices': ['otp'], 'url': other.url + '/steal/'}})
    server.routes['/api/v1/authentication/auth/'] = login
    client = jms(server.url, username='admin', password='pw-secret', mfa_code='123456')
    with raises_code('origin_refused', match='points at http://127.0.0.1:%d' % other.port):
        client.login()
    assert other.log == [] and len(server.log) == 1


def test_curl_in_the_pod_refuses_other_origins_too(server, other):
    transport = curl(server.url)
    for path in (other.url + '/x', '//127.0.0.1:%d/x' % other.port):
        with raises_code('origin_refused'):
            transport.request('GET', path)
    assert transport.request('GET', '/v1/user/permanent_token').json['ok'] is True
    assert other.log == [] and len(server.log) == 1


def test_join_url_keeps_paths_on_the_base():
    assert join_url('https://h/base', '/api/x/?a=1') == 'https://h/base/api/x/?a=1'
    assert join_url('https://h:443', 'https://h/api/') == 'https://h/api/'
    for bad in ('//h/x', '/\\evil/x', 'javascript:alert(1)', 'https://h.evil/x', 'https://h:8443/x'):
        with raises_code('origin_refused'):
            join_url('https://h', bad)


@pytest.mark.parametrize('status', [301, 302, 307, 308])
def test_a_redirect_is_not_followed_and_the_error_names_the_location(server, other, status):
    def moved(handler):
        handler.send_json(status, {}, headers={'Location': server.url + '/api/v1/users/users/'})
    server.routes['/api/v1/users/users'] = moved
    with raises_code('redirect_refused') as caught:
        jms(server.url, token='tok-secret').request('GET', '/api/v1/users/users')
    message = str(caught.value)
    assert server.url + '/api/v1/users/users/' in message and 'trailing slash' in message
    assert len(server.log) == 1


def test_a_redirect_to_https_says_so(server):
    server.routes['*'] = lambda h: h.send_json(301, {}, headers={'Location': 'https://127.0.0.1:%d/x' % server.port})
    with raises_code('redirect_refused', match='use an https:// url'):
        jms(server.url, token='tok-secret').request('GET', '/x')


def test_curl_names_the_location_of_a_redirect(server):
    server.routes['*'] = lambda h: h.send_json(302, {}, headers={'Location': '/login/?next=/api/'})
    transport = curl(server.url)
    with raises_code('redirect_refused', match='/login/\\?next=/api/'):
        transport.request('GET', '/api/')


def test_logout_sends_a_stored_token_only_to_the_origin_that_issued_it():
    stored = dict(access_token='a', fauths_url='https://df.example.com/api/fauths')
    check_stored_origin(stored, 'https://df.example.com:443/api/fauths/', '/dest')
    with raises_code('origin_refused', match='issued by https://df.example.com, but this task points at https://evil.invalid'):
        check_stored_origin(stored, 'https://evil.invalid/api/fauths', '/dest')
    with raises_code('origin_refused', match='does not record which fauths issued its token'):
        check_stored_origin(dict(access_token='a'), 'https://df.example.com/api/fauths', '/dest')


# --- ~/.netrc never replaces a credential; proxies from the environment still work ----------------------------------

@pytest.mark.parametrize('auth, header', [
    (dict(token='bearer-secret-2'), ('Authorization', 'Bearer bearer-secret-2')),
    (dict(private_token='private-secret-2'), ('Authorization', 'Token private-secret-2')),
    (dict(session_id='session-secret-2'), ('Cookie', 'jms_sessionid=session-secret-2')),
])
def test_netrc_does_not_replace_the_credential(server, auth, header):
    jms(server.url, **auth).request('GET', PROFILE)
    sent = server.log[0]['headers']
    assert sent[header[0]] == header[1]
    assert sent.get('Authorization') != NETRC_BASIC


def test_netrc_is_not_applied_to_a_request_without_credentials(server):
    server.routes['/api/v1/authentication/auth/'] = lambda h: h.send_json(200, {'token': 't-1', 'keyword': 'Bearer'})
    jms(server.url, username='admin', password='pw').login()
    assert 'Authorization' not in server.log[0]['headers']


def test_deepflow_bearer_survives_netrc(server):
    server.routes['/logout'] = lambda h: h.send_json(200, {'OPT_STATUS': 'SUCCESS', 'DATA': None})
    client = DeepFlowClient.from_options(dict(fauths_url=server.url, retries=0, timeout=5))
    assert client.logout('df-access-secret\n') is True
    assert server.log[0]['headers']['Authorization'] == 'Bearer df-access-secret'


def test_a_proxy_from_the_environment_is_still_used(server, monkeypatch):
    with ForwardProxy() as proxy:
        monkeypatch.setenv('HTTP_PROXY', proxy.url)
        assert jms(server.url, token='t').request('GET', PROFILE).json['ok'] is True
        assert proxy.log[0]['path'] == server.url + PROFILE
        assert proxy.log[0]['headers']['Authorization'] == 'Bearer t'
        monkeypatch.setenv('NO_PROXY', '127.0.0.1')
        jms(server.url, token='t').request('GET', PROFILE)
        assert len(proxy.log) == 1 and len(server.log) == 2


# --- TLS precedence --------------------------------------------------------------------------------------------------

def test_tls_verify_precedence_table():
    env = dict(REQUESTS_CA_BUNDLE='/env/requests.pem', CURL_CA_BUNDLE='/env/curl.pem')
    assert tls_verify(False, '/ca.pem', env) is False
    assert tls_verify(True, '/ca.pem', env) == '/ca.pem'
    assert tls_verify(True, None, env) == '/env/requests.pem'
    assert tls_verify(True, None, dict(CURL_CA_BUNDLE='/env/curl.pem')) == '/env/curl.pem'
    assert tls_verify(True, None, {}) is True


@pytest.mark.parametrize('chain, options, env, verdict', [
    # validate_certs=false wins over everything, also over the environment's bundles
    ('self_signed', dict(validate_certs=False), {}, 'ok'),
    ('expired', dict(validate_certs=False, ca_path='other_ca'), {}, 'ok'),
    # ca_path wins over REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE (both point at an unrelated CA here)
    ('good', dict(ca_path='ca'), {}, 'ok'),
    ('good', dict(ca_path='other_ca'), dict(REQUESTS_CA_BUNDLE='ca', CURL_CA_BUNDLE='ca'), 'fail'),
    # without ca_path the environment's bundle is used: REQUESTS_CA_BUNDLE, then CURL_CA_BUNDLE
    ('good', {}, dict(REQUESTS_CA_BUNDLE='ca'), 'ok'),
    ('good', {}, dict(REQUESTS_CA_BUNDLE=None, CURL_CA_BUNDLE='ca'), 'ok'),
    ('good', {}, {}, 'fail'),
    # and verification means it: wrong host, expired, self-signed all fail with the right CA
    ('wrong_host', dict(ca_path='ca'), {}, 'fail'),
    ('expired', dict(ca_path='ca'), {}, 'fail'),
    ('self_signed', dict(ca_path='ca'), {}, 'fail'),
    ('good', dict(validate_certs=True), dict(REQUESTS_CA_BUNDLE=None, CURL_CA_BUNDLE=None), 'fail'),
])
def test_tls_precedence_on_a_real_tls_server(certs, monkeypatch, chain, options, env, verdict):
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, getattr(certs, value))
    options = dict((k, getattr(certs, v) if k == 'ca_path' else v) for k, v in options.items())
    with LoopbackServer({'*': ok}, chain=getattr(certs, chain)) as srv:
        client = jms(srv.url, token='tls-secret', **options)
        if verdict == 'ok':
            assert client.request('GET', PROFILE).json['ok'] is True
            assert srv.log[0]['headers']['Authorization'] == 'Bearer tls-secret'
        else:
            with pytest.raises(ConnectionFailed, match='TLS verification failed'):
                client.request('GET', PROFILE)
            assert srv.log == []


# --- no secret in any message ----------------------------------------------------------------------------------------

@pytest.mark.parametrize('option, value, header', [
    ('token', 'bearer-secret-3\n', ('Authorization', 'Bearer bearer-secret-3')),
    ('private_token', ' private-secret-3\r\n', ('Authorization', 'Token private-secret-3')),
    ('session_id', 'session-secret-3\n', ('Cookie', 'jms_sessionid=session-secret-3')),
])
def test_a_credential_with_a_trailing_newline_is_trimmed_and_works(server, option, value, header):
    jms(server.url, **{option: value}).request('GET', PROFILE)
    assert server.log[0]['headers'][header[0]] == header[1]


@pytest.mark.parametrize('option', ['token', 'private_token', 'session_id', 'csrf_token', 'access_key_secret'])
@pytest.mark.parametrize('inner', ['\n', '\r', '\x00', '\x1b', '\x7f', '\x85', u'\u2028'])
def test_a_control_character_inside_a_credential_is_refused_without_the_value(server, option, inner):
    value = 'leftpart-secret' + inner + 'rightpart-secret'
    options = {option: value}
    if option == 'csrf_token':
        options['session_id'] = 'sid'
    if option == 'access_key_secret':
        options['access_key_id'] = '8f1a1c2e-0000-4000-8000-000000000001'
    with raises_code('invalid_credential') as caught:
        jms(server.url, **options).request('POST', PROFILE)
    message = str(caught.value)
    assert option in message and 'leftpart' not in message and 'rightpart' not in message
    assert server.log == []


def test_deepflow_access_token_with_a_line_break_inside_is_refused_without_the_value(server):
    client = DeepFlowClient.from_options(dict(fauths_url=server.url, retries=0, timeout=5))
    with raises_code('invalid_credential') as caught:
        client.logout('df-left-secret\ndf-right-secret')
    assert 'access_token' in str(caught.value) and 'df-' not in str(caught.value)
    assert server.log == []


def test_requests_invalid_header_text_never_reaches_a_message(server):
    # Even an auth object that skipped clean_credential cannot leak: requests' InvalidHeader quotes the value.
    client = HttpClient(server.url, retries=0, timeout=5)
    with raises_code('invalid_credential') as caught:
        client.request('GET', '/', auth=HeaderAuth({'Authorization': 'Bearer raw-secret\nX-Injected: 1'}))
    assert 'raw-secret' not in str(caught.value) and 'Injected' not in str(caught.value)
    assert server.log == []


def test_known_secrets_are_scrubbed_from_exception_text_in_every_form():
    secret = 'se"cr\\et\n'
    text = 'quoted %r, json "se\\"cr\\\\et\\n", plain se"cr\\et' % secret
    cleaned = redact(text, [secret])
    assert 'cr' not in cleaned and cleaned.count('********') == 3


# --- bounded answers -------------------------------------------------------------------------------------------------

def error_and_peak(error, call, *args):
    """The message of the ``error`` that ``call(*args)`` raises, and the peak of Python memory it took meanwhile."""
    tracemalloc.start()
    try:
        with (raises_code(error) if isinstance(error, str) else pytest.raises(error)) as caught:
            call(*args)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return str(caught.value), peak


@pytest.mark.parametrize('route', ['sized', 'chunked'])
def test_a_50_mb_answer_fails_fast_with_bounded_memory(server, route):
    server.routes['/big'] = (lambda h: h.send_sized(50 * MIB)) if route == 'sized' else \
        (lambda h: h.send_chunked(50 * MIB))
    client = HttpClient(server.url, retries=0, timeout=20, max_response_size=MIB)
    message, peak = error_and_peak('response_too_large', client.request, 'GET', '/big')
    assert 'more than 1048576 bytes (max_response_size)' in message
    assert peak < 4 * MIB, 'peak %d bytes for a 1 MiB cap' % peak


def test_an_endless_chunked_answer_stops_at_the_size_cap(server):
    server.routes['/endless'] = lambda h: h.send_chunked(None)
    client = HttpClient(server.url, retries=0, timeout=20, max_response_size=2 * MIB)
    with raises_code('response_too_large'):
        client.request('GET', '/endless')


def test_an_endless_slow_answer_stops_at_the_deadline_with_bounded_memory(server):
    # Each chunk arrives well within the read timeout, so only an overall deadline can end this request.
    server.routes['/drip'] = lambda h: h.send_chunked(None, chunk=1024, pause=0.05)
    client = HttpClient(server.url, retries=0, timeout=1, max_response_size=1024 * MIB)
    message, peak = error_and_peak('timeout', client.request, 'GET', '/drip')
    assert 'did not complete within 1 s' in message
    assert peak < 4 * MIB


@pytest.mark.parametrize('route', ['sized', 'chunked', 'endless'])
def test_curl_in_the_pod_has_the_same_size_cap_with_bounded_memory(server, route):
    server.routes['/big'] = dict(sized=lambda h: h.send_sized(50 * MIB), chunked=lambda h: h.send_chunked(50 * MIB),
                                 endless=lambda h: h.send_chunked(None))[route]
    message, peak = error_and_peak('response_too_large', curl(server.url, max_response_size=MIB).request, 'GET', '/big')
    assert 'more than 1048576 bytes (max_response_size)' in message
    assert peak < 4 * MIB


def test_curl_in_the_pod_has_the_same_deadline(server):
    server.routes['/drip'] = lambda h: h.send_chunked(None, chunk=1024, pause=0.05)
    with raises_code('timeout', match='did not complete within 1 s'):
        curl(server.url, timeout=1, max_response_size=1024 * MIB).request('GET', '/drip')


def test_the_size_cap_is_an_option_of_every_client(server):
    server.routes['/big'] = lambda h: h.send_sized(3 * MIB)
    with raises_code('response_too_large'):
        jms(server.url, token='t', max_response_size=MIB).request('GET', '/big')
    assert len(jms(server.url, token='t', max_response_size=4 * MIB).request('GET', '/big').text) == 3 * MIB
    with pytest.raises(OpsAuthError, match='max_response_size must be a positive'):
        jms(server.url, token='t', max_response_size=0)


def test_real_requests_is_what_these_tests_use():
    # Guard against a conftest replacing requests.Session for this module: the promises above are about requests.
    assert HttpClient('http://127.0.0.1:9').session.__class__ is requests.Session
    assert 'requests' in sys.modules


def _echo_page(handler):
    data = ('<html><body>Bad request, header %s</body></html>' % handler.headers.get('Authorization')).encode()
    handler.send_response(200)
    handler.send_header('Content-Type', 'text/html')
    handler.send_header('Content-Length', str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def test_an_error_page_that_echoes_the_credential_is_quoted_without_it(server):
    server.routes['*'] = _echo_page
    with pytest.raises(InvalidResponse) as caught:
        jms(server.url, token='echoed-secret-4').request('GET', PROFILE)
    assert 'echoed-secret-4' not in str(caught.value) and 'text/html' in str(caught.value)


# --- a 404 names the full URL, with a hint when url repeats /api/v1 (describe_url, url_hint) -------------------------
# These run with proxy variables set as well (conftest.proxied_env): no request may follow them.

@pytest.mark.usefixtures('proxied_env')
def test_a_404_page_names_the_full_url_and_says_check_the_path():
    with LoopbackServer({'*': html(404, HTML_404)}) as srv:
        with raises_code('not_found') as info:
            client(srv.url).request('GET', '/api/v1/userz/', query={'search': 'x'})
    message = str(info.value)
    assert message.startswith('%s/api/v1/userz/ answered HTTP 404 (not found) with text/html' % srv.url)
    assert message.endswith('check the path') and 'search=' not in message
    assert info.value.code == 'not_found' and info.value.status == 404


@pytest.mark.usefixtures('proxied_env')
def test_a_json_404_names_the_full_url():
    with LoopbackServer({'*': not_found_json}) as srv:
        jms = client(srv.url)
        with raises_code('api_error') as info:
            jms.check(jms.request('GET', '/api/v1/users/users/nobody/'))
    assert 'GET %s/api/v1/users/users/nobody/ answered HTTP 404' % srv.url in str(info.value)


@pytest.mark.usefixtures('proxied_env')
@pytest.mark.parametrize('suffix', ['/api/v1', '/api/v1/'])
def test_a_url_ending_in_api_v1_gets_a_hint(suffix):
    with LoopbackServer({'*': html(404, HTML_404)}) as srv:
        with raises_code('not_found') as info:
            client(srv.url + suffix).request('GET', PROFILE)
    assert '%s/api/v1/api/v1/users/profile/ answered HTTP 404' % srv.url in str(info.value)
    assert 'the path repeats /api/v1: url is the server\'s address without /api/v1 (here %s)' % srv.url in str(info.value)


@pytest.mark.usefixtures('proxied_env')
def test_a_login_to_a_url_ending_in_api_v1_gets_the_hint_too():
    with LoopbackServer({'*': html(404, HTML_404)}) as srv:
        jms = JumpServerClient.from_options(dict(url=srv.url + '/api/v1', username='admin', password='pw', retries=3))
        with raises_code('not_found') as info:
            jms.login()
    assert '/api/v1/api/v1/authentication/auth/' in str(info.value) and 'the path repeats /api/v1' in str(info.value)
    assert len(srv.log) == 1 and 'pw' not in str(info.value)


@pytest.mark.usefixtures('proxied_env')
def test_a_path_that_repeats_api_v1_gets_the_hint_with_a_json_404():
    with LoopbackServer({'*': not_found_json}) as srv:
        jms = client(srv.url)
        with raises_code('api_error') as info:
            jms.check(jms.request('GET', '/api/v1/api/v1/users/profile/'))
    assert 'the path repeats /api/v1' in str(info.value)
