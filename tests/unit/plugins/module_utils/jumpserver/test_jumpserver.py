# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The JumpServer client: auth selection, login flows and error mapping, over a fake requests session."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import itertools

import pytest
import requests
from httpsig.verify import HeaderVerifier

from ansible_collections.opsauth.tokens.plugins.module_utils import _time
from ansible_collections.opsauth.tokens.plugins.module_utils._time import iso_from_epoch
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import InvalidResponse
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver import JumpServerClient, bearer_token_result
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_auth import (
    AccessKeyAuth,
    BearerAuth,
    PasswordAuth,
    PrivateTokenAuth,
    SessionAuth,
    select_auth,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import CredentialRejected, LoginFailed
from ansible_collections.opsauth.tokens.plugins.module_utils._totp import totp
from ansible_collections.opsauth.tokens.tests.unit.plugins.error_table import raises_code
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.conftest import URL, FakeResponse, FakeSession

KEY_ID, KEY_SECRET = '8f1a1c2e-0000-4000-8000-000000000001', '0b1f9a7e-5c1d-4e0f-9a2b-3c4d5e6f7a8b'
TOKEN_BODY = {'token': 'a' * 36, 'keyword': 'Bearer', 'date_expired': '2026/08/22 10:00:00 +0800',
              'user': {'id': 'u-1', 'username': 'alice', 'name': 'Alice', 'email': 'alice@example.com'}}
NOW = 1787364000 - 3600  # one hour before TOKEN_BODY's date_expired


class Clock:
    """Time that moves only when the client sleeps."""

    def __init__(self, start=NOW):
        self.now = start
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(session, clock=None, **options):
    clock = clock or Clock()
    options.setdefault('url', URL)
    return JumpServerClient.from_options(options, session=session, sleep=clock.sleep, clock=clock)


def password_client(session, clock=None, **extra):
    return make_client(session, clock, username='alice', password='Alice-Pass-1', **extra)


def test_bearer_token_result_says_what_is_left_and_gives_the_headers(monkeypatch):
    monkeypatch.setattr(_time, 'now', lambda: NOW)
    data = dict(token='t' * 36, keyword=None, date_expired='2026-08-22T10:00:00+08:00', expires_at=NOW + 100,
                user={'username': 'alice'})
    result = bearer_token_result(data, 'org-1')
    assert result == dict(token='t' * 36, keyword='Bearer', date_expired=iso_from_epoch(NOW + 100), expires_at=NOW + 100,
                          expires_in=100, user={'username': 'alice'},
                          headers={'Authorization': 'Bearer ' + 't' * 36, 'X-JMS-ORG': 'org-1'})
    # A file or cache entry without expires_at: the server's date, in UTC.
    old = bearer_token_result(dict(data, expires_at=None))
    assert old['date_expired'] == '2026-08-22T02:00:00+00:00' and old['expires_at'] == 1787364000


# --- choosing the auth method ----------------------------------------------------------------------------------------

KEY = dict(access_key_id=KEY_ID, access_key_secret=KEY_SECRET)
METHOD_OPTIONS = {
    'password': (dict(username='alice', password='p'), PasswordAuth),
    'token': (dict(token='t'), BearerAuth),
    'private_token': (dict(private_token='k'), PrivateTokenAuth),
    'access_key_id': (KEY, AccessKeyAuth),
    'session_id': (dict(session_id='s'), SessionAuth),
}


@pytest.mark.parametrize('name', sorted(METHOD_OPTIONS))
def test_each_method_alone_is_chosen(name):
    options, cls = METHOD_OPTIONS[name]
    auth = select_auth(dict(options, url=URL))
    auth.validate()
    assert isinstance(auth, cls)


@pytest.mark.parametrize('first, second', list(itertools.combinations(sorted(METHOD_OPTIONS), 2)))
def test_two_methods_are_an_error_naming_both(first, second):
    options = dict(METHOD_OPTIONS[first][0], **METHOD_OPTIONS[second][0])
    with raises_code('invalid_option') as info:
        select_auth(options)
    message = str(info.value)
    assert message.startswith('give either ') and message.endswith(', not both')
    assert first in message and second in message


def test_three_methods_name_all_three():
    with raises_code('invalid_option', match='give only one of password, token and private_token'):
        select_auth(dict(password='p', token='t', private_token='k'))


def test_empty_values_do_not_count():
    # An unset JMS_* variable or an empty string from a template is "not given".
    assert isinstance(select_auth(dict(token='t', password='', private_token=None)), BearerAuth)


def test_no_credentials_lists_what_would_do():
    with raises_code('invalid_option', match='no credentials: give username and password, token, private_token, '
                                             'access_key_id and access_key_secret, or session_id'):
        select_auth(dict(username='alice'))


def test_a_method_not_allowed_here():
    with raises_code('invalid_option', match='token cannot be used here: give username and password'):
        select_auth(dict(token='t'), methods=('password',))


@pytest.mark.parametrize('options, message', [
    (dict(password='p'), 'password login needs username too'),
    (dict(username='u', password='p', mfa_code='1', mfa_totp_secret='JBSWY3DPEHPK3PXP'), 'either mfa_code or mfa_totp_secret'),
    (dict(username='u', password='p', mfa_totp_secret='not base32!'), 'mfa_totp_secret is not a base32'),
    (dict(username='u', password='p', login_confirm_timeout=-1), 'login_confirm_timeout'),
    (dict(access_key_id=KEY_ID), 'access_key login needs access_key_secret too'),
    (dict(access_key_secret=KEY_SECRET), 'access_key login needs access_key_id too'),
    (dict(access_key_id='my-key', access_key_secret=KEY_SECRET), 'must be the access key id, a UUID'),
    (dict(csrf_token='c', session_id=''), 'no credentials'),
])
def test_validate_finds_bad_options_without_network(options, message):
    session = FakeSession()  # no answers: any request would fail the test with IndexError
    with raises_code('invalid_option', match=message):
        make_client(session, **options)
    assert session.calls == []


# --- password login --------------------------------------------------------------------------------------------------

def test_login_returns_a_plain_dict_and_sends_the_org_header():
    session = FakeSession(FakeResponse(201, TOKEN_BODY))
    client = password_client(session, org_id='11111111-1111-1111-1111-111111111111')
    result = client.login()
    assert result == {'token': 'a' * 36, 'keyword': 'Bearer', 'date_expired': '2026-08-22T02:00:00+00:00',
                      'expires_at': 1787364000, 'expires_in': 3600, 'user': {'id': 'u-1', 'username': 'alice', 'name': 'Alice'}}
    assert session.headers['X-JMS-ORG'] == '11111111-1111-1111-1111-111111111111'
    assert session.calls[0]['json'] == {'username': 'alice', 'password': 'Alice-Pass-1'}


def test_the_org_defaults_to_default():
    session = FakeSession()
    password_client(session)
    assert session.headers['X-JMS-ORG'] == '00000000-0000-0000-0000-000000000002'


@pytest.mark.parametrize('status, body, error, words', [
    (400, {'error': 'password_failed', 'msg': 'The username or password you entered is incorrect. You can also try 6 times'},
     LoginFailed, ['password_failed', 'You can also try 6 times', 'not retried']),
    (400, {'error': 'block_login', 'msg': 'The account has been locked'}, LoginFailed, ['block_login', 'blocked', 'unblock']),
    (400, {'error': 'user_inactive', 'msg': 'This account is inactive.'}, LoginFailed, ['user_inactive', 'disabled']),
    (400, {'error': 'user_expired', 'msg': 'This account is expired'}, LoginFailed, ['user_expired', 'expired']),
    (400, {'error': 'acl_not_allow', 'msg': 'ACL'}, LoginFailed, ['acl_not_allow', 'login ACL']),
    (200, {'error': 'login_confirm_error', 'msg': 'rejected'}, 'login_confirm_error', ['login_confirm_error', 'rejected']),
    (200, {'error': 'something_new', 'msg': 'New rule'}, LoginFailed, ['something_new', 'New rule']),
    (500, {'error': 'Server internal error'}, LoginFailed, ['refused the login', 'password may be expired or too simple']),
    (500, None, LoginFailed, ['password may be expired or too simple']),
    (429, {'detail': 'Request was throttled.'}, LoginFailed, ['throttled', 'dest']),
])
def test_login_errors_carry_the_server_code_and_are_sent_once(status, body, error, words):
    answer = FakeResponse(status, body, text='<h1>Server Error (500)</h1>' if body is None else None, headers={'Retry-After': '5'})
    session = FakeSession(answer, FakeResponse(201, TOKEN_BODY))
    with (raises_code(error) if isinstance(error, str) else pytest.raises(error)) as info:
        password_client(session).login()
    for word in words:
        assert word in str(info.value)
    assert 'Alice-Pass-1' not in str(info.value)
    assert len(session.calls) == 1


def test_http_200_with_an_error_key_is_not_success():
    session = FakeSession(FakeResponse(200, {'error': 'password_failed', 'msg': 'x', 'token': 'looks-like-one'}))
    with pytest.raises(LoginFailed, match='password_failed'):
        password_client(session).login()


def test_201_without_a_token_is_an_invalid_answer():
    session = FakeSession(FakeResponse(201, {'detail': 'odd'}))
    with pytest.raises(InvalidResponse, match='no token'):
        password_client(session).login()


def test_html_answer_to_a_login_is_a_clear_error():
    session = FakeSession(FakeResponse(200, text='<html><title>502 Bad Gateway</title></html>'))
    with pytest.raises(InvalidResponse, match='body that is not JSON .*502 Bad Gateway'):
        password_client(session).login()


def test_a_502_answer_to_a_login_is_not_retried():
    session = FakeSession(FakeResponse(502, {'detail': 'bad gateway'}), FakeResponse(201, TOKEN_BODY))
    with pytest.raises(InvalidResponse, match='HTTP 502'):
        password_client(session).login()
    assert len(session.calls) == 1


MFA_REQUIRED = {'error': 'mfa_required', 'msg': 'MFA required', 'data': {'choices': ['otp'], 'url': '/api/v1/authentication/mfa/challenge/'}}


def test_mfa_answered_with_a_totp_code_and_the_password_sent_once():
    clock = Clock()
    session = FakeSession(FakeResponse(200, MFA_REQUIRED), FakeResponse(200, {'msg': 'ok'}), FakeResponse(201, TOKEN_BODY))
    result = password_client(session, clock, mfa_totp_secret='JBSWY3DPEHPK3PXP').login()
    assert result['token'] == 'a' * 36
    challenge = session.calls[1]
    assert challenge['url'] == URL + '/api/v1/authentication/mfa/challenge/'
    assert challenge['json'] == {'type': 'otp', 'code': totp('JBSWY3DPEHPK3PXP', at=clock.now)}
    # The session cookie carries the checked password: the second login POST has an empty body.
    assert [call['json'] for call in session.logins()] == [{'username': 'alice', 'password': 'Alice-Pass-1'}, {}]


def test_mfa_code_given_as_is():
    session = FakeSession(FakeResponse(200, MFA_REQUIRED), FakeResponse(200, {'msg': 'ok'}), FakeResponse(201, TOKEN_BODY))
    password_client(session, mfa_code='123456').login()
    assert session.calls[1]['json'] == {'type': 'otp', 'code': '123456'}


def test_mfa_challenge_url_on_another_host_is_not_followed():
    body = dict(MFA_REQUIRED, data={'choices': ['otp'], 'url': 'https://elsewhere.example.com/steal/'})
    session = FakeSession(FakeResponse(200, body), FakeResponse(200, {'msg': 'ok'}), FakeResponse(201, TOKEN_BODY))
    with raises_code('origin_refused', match='the MFA challenge URL the server gave points at https://elsewhere.example.com'):
        password_client(session, mfa_code='123456').login()
    assert len(session.calls) == 1  # the code never left


def test_mfa_challenge_url_on_the_same_server_is_followed():
    body = dict(MFA_REQUIRED, data={'choices': ['otp'], 'url': URL + '/api/v1/authentication/mfa/challenge/'})
    session = FakeSession(FakeResponse(200, body), FakeResponse(200, {'msg': 'ok'}), FakeResponse(201, TOKEN_BODY))
    password_client(session, mfa_code='123456').login()
    assert session.calls[1]['url'] == URL + '/api/v1/authentication/mfa/challenge/'


def test_wrong_mfa_code():
    session = FakeSession(FakeResponse(200, MFA_REQUIRED), FakeResponse(401, {'error': 'mfa_failed', 'msg': 'MFA code invalid'}))
    with raises_code('mfa_failed', match='mfa_failed, HTTP 401'):
        password_client(session, mfa_code='000000').login()
    assert len(session.calls) == 2


@pytest.mark.parametrize('choices, message', [
    (['otp', 'sms'], "offers otp, sms: give mfa_code or mfa_totp_secret"),
    ([], r'choices \[\]\): MFA is forced for this user and none is set up'),
    (['email'], 'offers email, and this collection answers only otp'),
])
def test_mfa_required_without_an_answer_says_what_the_server_offers(choices, message):
    body = dict(MFA_REQUIRED, data={'choices': choices, 'url': '/api/v1/authentication/mfa/challenge/'})
    session = FakeSession(FakeResponse(200, body))
    with raises_code('mfa_required', match=message) as info:
        password_client(session).login()
    assert info.value.code == 'mfa_required'
    assert len(session.calls) == 1


CONFIRM_WAIT = {'error': 'login_confirm_wait', 'msg': 'Wait', 'data': {'ticket_id': 'T-42'}}


def test_login_confirm_without_timeout_fails_at_once_with_the_ticket():
    session = FakeSession(FakeResponse(200, CONFIRM_WAIT))
    with raises_code('login_confirm_wait', match='ticket T-42') as info:
        password_client(session).login()
    assert 'login_confirm_timeout' in str(info.value)
    assert len(session.calls) == 1


def test_login_confirm_is_polled_until_approved():
    clock = Clock()
    session = FakeSession(FakeResponse(200, CONFIRM_WAIT), FakeResponse(200, CONFIRM_WAIT), FakeResponse(201, TOKEN_BODY))
    assert password_client(session, clock, login_confirm_timeout=10).login()['token'] == 'a' * 36
    assert clock.sleeps == [2.0, 2.0]
    assert [call['json'] for call in session.logins()][1:] == [{}, {}]


def test_login_confirm_polling_stops_at_the_timeout():
    clock = Clock()
    session = FakeSession(*[FakeResponse(200, CONFIRM_WAIT) for dummy in range(10)])
    with raises_code('login_confirm_wait', match='T-42'):
        password_client(session, clock, login_confirm_timeout=5).login()
    assert clock.sleeps == [2.0, 2.0, 1.0]
    assert len(session.calls) == 4


# --- the other methods -----------------------------------------------------------------------------------------------

def test_bearer_and_private_token_headers():
    session = FakeSession(FakeResponse(200, {'username': 'admin'}), FakeResponse(200, {'username': 'admin'}))
    make_client(session, token='t1').request('GET', '/api/v1/users/profile/')
    make_client(session, private_token='k1').request('GET', '/api/v1/users/profile/', org_id='root')
    assert session.calls[0]['headers'] == {'Authorization': 'Bearer t1'}
    assert session.calls[1]['headers'] == {'Authorization': 'Token k1', 'X-JMS-ORG': 'root'}


def test_access_key_signature_verifies_like_the_server_does():
    session = FakeSession(FakeResponse(200, {}))
    http_session = requests.Session()
    http_session.headers.update({'Accept': 'application/json'})
    make_client(session, **KEY).request('GET', '/api/v1/users/users/', query={'limit': 10, 'offset': 20})
    call = session.calls[0]
    prepared = http_session.prepare_request(requests.Request('GET', call['url'], params=call['params'], auth=call['auth']))
    authorization = prepared.headers['Authorization']
    assert authorization.startswith('Signature keyId="%s",algorithm="hmac-sha256",' % KEY_ID)
    assert authorization.endswith(',headers="(request-target) accept date"')
    assert prepared.headers['Date'].endswith(' GMT')
    verifier = HeaderVerifier(dict(prepared.headers), KEY_SECRET, required_headers=['(request-target)', 'date'],
                              method='get', path=prepared.path_url)
    assert prepared.path_url == '/api/v1/users/users/?limit=10&offset=20'  # the query string is signed
    assert verifier.verify()
    assert not HeaderVerifier(dict(prepared.headers), 'other-secret', required_headers=['(request-target)', 'date'],
                              method='get', path=prepared.path_url).verify()


def test_access_key_html_500_is_explained():
    page = FakeResponse(500, text='<h1>Server Error (500)</h1>', headers={'Content-Type': 'text/html'}, path='/api/v1/users/profile/')
    session = FakeSession(page)
    with pytest.raises(CredentialRejected, match='cannot parse an HTTP signature'):
        make_client(session, **KEY).check_token()


def test_session_cookies_and_csrf_for_unsafe_methods_only():
    session = FakeSession(FakeResponse(200, {}), FakeResponse(201, {}))
    client = make_client(session, session_id='sid', csrf_token='csrf')
    client.request('GET', '/api/v1/users/profile/')
    client.request('POST', '/api/v1/users/users/', body={'username': 'x'})
    # The cookies ride in the request's auth object, not the session's jar (a jar cookie set by hand has no domain).
    assert not session.cookies
    cookie = 'jms_csrftoken=csrf; jms_sessionid=sid'
    assert session.calls[0]['headers'] == {'Cookie': cookie}
    assert session.calls[1]['headers'] == {'X-CSRFToken': 'csrf', 'Referer': URL + '/', 'Origin': URL, 'Cookie': cookie}


def test_session_without_csrf_token_refuses_unsafe_methods_before_sending():
    session = FakeSession()
    with raises_code('invalid_option', match='POST with session auth needs csrf_token'):
        make_client(session, session_id='sid').request('POST', '/api/v1/users/users/')
    assert session.calls == []


# --- answers ---------------------------------------------------------------------------------------------------------

def test_401_names_the_credential_and_the_server_words():
    body = {'detail': 'Invalid token.', 'code': 'authentication_failed'}
    session = FakeSession(FakeResponse(401, body, path='/api/v1/users/profile/'))
    with pytest.raises(CredentialRejected) as info:
        make_client(session, private_token='bad').check_token()
    assert str(info.value) == 'JumpServer refused the private token (HTTP 401: authentication_failed: Invalid token.)'
    assert info.value.server_code == 'authentication_failed' and info.value.code == 'credential_rejected'


def test_check_token_with_a_given_token():
    session = FakeSession(FakeResponse(401, {'detail': 'Authentication credentials were not provided.', 'code': 'not_authenticated'}))
    client = password_client(session)
    with pytest.raises(CredentialRejected, match='stored token'):
        client.check_token('old-token')
    assert session.calls[0]['headers'] == {'Authorization': 'Bearer old-token'}
    assert session.logins() == []


def test_unexpected_status_is_an_api_error_with_field_errors():
    session = FakeSession(FakeResponse(400, {'username': ['This field is required.']}, path='/api/v1/users/users/'))
    client = make_client(session, token='t')
    with raises_code('api_error') as info:
        client.check(client.request('POST', '/api/v1/users/users/', body={}), expected=(201,), method='POST')
    assert str(info.value) == ('POST /api/v1/users/users/ answered HTTP 400, expected 201: '
                               '{"username": ["This field is required."]}')


def page(results, next_url):
    return FakeResponse(200, {'count': 2500, 'next': next_url, 'previous': None, 'results': results}, path='/api/v1/users/users/')


def test_paginate_fetches_limit_1000_pages_until_next_is_null():
    session = FakeSession(page(list(range(1000)), URL + '/next'), page(list(range(1000, 2000)), URL + '/next'),
                          page(list(range(2000, 2500)), None))
    items = make_client(session, token='t').paginate('/api/v1/users/users/', {'search': 'user', 'limit': 5})
    assert items == list(range(2500))
    assert [call['params'] for call in session.calls] == [
        {'search': 'user', 'limit': 1000, 'offset': 0},
        {'search': 'user', 'limit': 1000, 'offset': 1000},
        {'search': 'user', 'limit': 1000, 'offset': 2000},
    ]


def test_paginate_accepts_an_unpaginated_list():
    session = FakeSession(FakeResponse(200, [{'id': 1}, {'id': 2}]))
    assert make_client(session, token='t').paginate('/api/v1/orgs/orgs/') == [{'id': 1}, {'id': 2}]


def test_paginate_refuses_what_is_not_a_list_endpoint():
    session = FakeSession(FakeResponse(200, {'username': 'admin'}))
    with pytest.raises(InvalidResponse, match='not a list endpoint'):
        make_client(session, token='t').paginate('/api/v1/users/profile/')


def test_paginate_honours_retry_after_through_the_http_layer():
    clock = Clock()
    throttled = FakeResponse(429, {'detail': 'Request was throttled. Expected available in 4 seconds.'}, headers={'Retry-After': '4'})
    session = FakeSession(page([1], URL + '/next'), throttled, page([2], None))
    assert make_client(session, clock, token='t').paginate('/api/v1/users/users/') == [1, 2]
    assert clock.sleeps == [4.0]


def test_password_client_logs_in_once_for_many_requests():
    session = FakeSession(FakeResponse(201, TOKEN_BODY), FakeResponse(200, {}), FakeResponse(200, {}))
    client = password_client(session)
    client.request('GET', '/api/v1/users/profile/')
    client.request('GET', '/api/v1/users/profile/')
    assert len(session.logins()) == 1
    assert session.calls[2]['headers'] == {'Authorization': 'Bearer ' + 'a' * 36}


# --- the simulator as v4.10 and as v3.10 LTS, over real HTTP on 127.0.0.1 (was test_jumpserver_v3.py) ----------------


def login(server, **options):
    options = dict(dict(url=server.url, username='alice', password='Alice-Pass-1', retries=0), **options)
    return JumpServerClient.from_options(options).login()


def test_v4_throttles_the_61st_login_a_minute_and_v3_does_not(jms_server, jms_v3_server):
    jms_server.reset()
    jms_v3_server.reset()
    for dummy in range(60):
        login(jms_server)
        login(jms_v3_server)
    with pytest.raises(LoginFailed, match='throttled') as caught:
        login(jms_server)
    assert caught.value.code == 'throttled'
    assert len(login(jms_v3_server)['token']) == 36
    assert [r['status'] for r in jms_v3_server.logins()] == [201] * 61


WORDS = [('en', 'The username or password you entered is incorrect'), ('zh-hans', '用户名或密码不正确')]


@pytest.mark.parametrize('language, words', WORDS)
def test_the_language_option_picks_the_servers_words_and_never_the_error(jms_any, language, words):
    with pytest.raises(LoginFailed) as caught:
        login(jms_any, password='wrong', language=language)
    assert caught.value.code == 'password_failed' and words in str(caught.value)
    assert jms_any.logins()[0]['headers']['accept-language'] == language


def test_an_unknown_bearer_token_is_rejected_on_both(jms_any):
    version = jms_any.app.args.jumpserver_version
    with pytest.raises(CredentialRejected) as caught:
        JumpServerClient.from_options(dict(url=jms_any.url, token='0' * 36, retries=0)).check_token()
    assert caught.value.status == 401
    assert caught.value.server_code == ('authentication_failed' if version == 3 else 'not_authenticated')
    assert caught.value.code == 'credential_rejected'
