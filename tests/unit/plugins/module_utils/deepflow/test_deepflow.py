# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The DeepFlow client. The one layer replaced is the requests.Session (or, for fuser, the transport object)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils import _time
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow import _deepflow as df
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow import _deepflow_errors as dfe, _deepflow_tokens as dft
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import InvalidResponse
from ansible_collections.opsauth.tokens.plugins.module_utils._time import iso_from_epoch
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.conftest import FakeSession
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.deepflow.conftest import NOW, envelope, jwt, login_data


def fauths(*answers, **options):
    session = FakeSession(*answers)
    opts = dict(url='https://deepflow.example.com', email='dev@yunshan.net.cn', password='dev-pwd', retries=3)
    opts.update(options)
    return df.DeepFlowClient.from_options(opts, session=session), session


# --- fauths: login, refresh, logout --------------------------------------------------------------------------------

def test_a_200_failure_from_the_server_fails_the_login():
    client, dummy = fauths((200, envelope(None, 'FAIL', 'account locked')))
    with pytest.raises(dfe.DeepFlowApiError, match='FAIL: account locked'):
        client.login()


def test_login_sends_the_documented_body_to_the_external_path():
    client, session = fauths((200, envelope(login_data())))
    tokens = client.login()
    assert session.calls[0]['method'] == 'POST'
    assert session.calls[0]['url'] == 'https://deepflow.example.com/api/fauths/login'
    assert session.calls[0]['json'] == {'account_type': 'deepflow', 'grant_type': 'password',
                                        'email': 'dev@yunshan.net.cn', 'password': 'dev-pwd'}
    assert tokens['token'] == login_data()['access_token']
    assert tokens['expires_in'] == 3600 and tokens['license'] is True and tokens['token_type'] == 'password'
    assert tokens['expires_at'] == NOW + 3600
    assert isinstance(tokens, dict)


def test_login_tolerates_a_body_without_envelope():
    client, dummy = fauths((200, login_data(email=None)))
    tokens = client.login()
    assert tokens['token'] == login_data()['access_token']
    assert tokens['email'] == 'dev@yunshan.net.cn'


def test_fauths_url_wins_and_no_identity_headers_go_to_fauths():
    client, session = fauths((200, envelope(login_data())), fauths_url='http://fauths:20822/')
    client.login()
    assert session.calls[0]['url'] == 'http://fauths:20822/login'
    assert not set(session.calls[0]['headers']) & {'X-User-Id', 'X-User-Type'}
    assert not set(session.headers) & {'X-User-Id', 'X-User-Type'}


def test_a_failed_password_login_is_never_retried():
    client, session = fauths((503, envelope(None, 'SERVICE_UNAVAILABLE', 'busy')), (200, envelope(login_data())))
    with pytest.raises(dfe.DeepFlowApiError, match='SERVICE_UNAVAILABLE'):
        client.login()
    assert len(session.calls) == 1


def test_login_without_credentials_fails_before_any_request():
    client, session = fauths(password=None)
    with pytest.raises(dfe.DeepFlowOptionError, match='email and password'):
        client.login()
    assert session.calls == []


def test_no_url_at_all_is_a_clear_error():
    with pytest.raises(dfe.DeepFlowOptionError, match='set url'):
        df.DeepFlowClient.from_options({'email': 'e', 'password': 'p'})


def test_refresh_sends_no_password_and_keeps_a_rotated_token():
    new_refresh = jwt({'exp': NOW + 100})
    client, session = fauths((200, envelope(dict(login_data(refresh_token=new_refresh, token_type='refresh_token'),
                                                 email=None, license=None))))
    tokens = client.refresh('old-refresh')
    assert session.calls[0]['url'].endswith('/api/fauths/refresh_token')
    assert session.calls[0]['json'] == {'grant_type': 'refresh_token', 'refresh_token': 'old-refresh'}
    assert 'dev-pwd' not in json.dumps(session.calls)
    assert tokens['refresh_token'] == new_refresh and tokens['token_type'] == 'refresh_token'
    merged = dft.merge_refreshed(tokens, {'email': 'dev@yunshan.net.cn', 'license': True})
    assert merged['email'] == 'dev@yunshan.net.cn' and merged['license'] is True


def test_refresh_without_rotation_keeps_the_token_sent():
    client, dummy = fauths((200, envelope({'access_token': 'a2', 'expires_in': 60})))
    tokens = client.refresh('opaque-refresh')
    assert tokens['refresh_token'] == 'opaque-refresh'
    merged = dft.merge_refreshed(tokens, {'refresh_token': 'opaque-refresh', 'refresh_expires_at': NOW + 50})
    assert merged['refresh_expires_at'] == NOW + 50 and merged['refresh_date_expired'] == iso_from_epoch(NOW + 50)


def test_refresh_is_not_retried_either():
    client, session = fauths((502, envelope(None, 'SERVER_ERROR', '')), (200, envelope(login_data())))
    with pytest.raises(dfe.DeepFlowApiError):
        client.refresh('r')
    assert len(session.calls) == 1


def test_logout_uses_bearer_and_tells_revoked_from_already_invalid():
    client, session = fauths((200, envelope(None)), (401, envelope(None, 'INVALID_PARAMETERS', 'token expired')),
                             (500, envelope(None, 'SERVER_ERROR', 'db down')))
    assert client.logout('tok-1') is True
    assert session.calls[0]['headers']['Authorization'] == 'Bearer tok-1'
    assert session.calls[0]['url'].endswith('/api/fauths/logout')
    assert client.logout('tok-1') is False
    with pytest.raises(dfe.DeepFlowApiError, match='db down'):
        client.logout('tok-2')


def test_refresh_keeps_what_only_the_login_told():
    client, dummy = fauths((200, envelope({'access_token': 'a2', 'expires_in': 60, 'refresh_token': 'r2'})))
    tokens = client.refresh('r1', previous={'email': 'dev@yunshan.net.cn', 'license': True, 'refresh_token': 'r1'})
    assert tokens['email'] == 'dev@yunshan.net.cn' and tokens['license'] is True and tokens['refresh_token'] == 'r2'


def test_revoke_logs_out_the_access_token_and_sends_nothing_else():
    client, session = fauths((200, envelope(None)))
    assert client.revoke('tok-1', 'refresh-1') is True
    assert [call['url'].rsplit('/', 1)[1] for call in session.calls] == ['logout']


def test_revoke_trades_a_live_refresh_token_for_an_access_token_to_log_out():
    client, session = fauths((401, envelope(None, 'INVALID_PARAMETERS', 'token expired')),
                             (200, envelope(login_data(access_token='tok-2'))), (200, envelope(None)))
    assert client.revoke('tok-1', 'refresh-1') is True
    assert [call['url'].rsplit('/', 1)[1] for call in session.calls] == ['logout', 'refresh_token', 'logout']
    assert session.calls[2]['headers']['Authorization'] == 'Bearer tok-2'


def test_revoke_with_everything_dead_revokes_nothing_and_server_trouble_is_raised():
    client, session = fauths((401, envelope(None, 'INVALID_PARAMETERS', 'token expired')),
                             (400, envelope(None, 'INVALID_PARAMETERS', 'refresh token expired')))
    assert client.revoke('tok-1', 'refresh-1') is False
    assert client.revoke(None, None) is False
    assert len(session.calls) == 2
    client, dummy = fauths((503, envelope(None, 'SERVICE_UNAVAILABLE', 'busy')))
    with pytest.raises(dfe.DeepFlowApiError, match='busy'):
        client.revoke(None, 'refresh-1')


def test_token_set_result_says_what_is_left_of_a_reused_token(monkeypatch):
    monkeypatch.setattr(_time, 'now', lambda: NOW)
    tokens = dft.token_set(login_data(), NOW - 600, 'login')
    reused = df.token_set_result(tokens, 'https://d.example.com')
    assert reused['expires_in'] == 3000 and reused['token'] == tokens['token']
    assert reused['headers'] == {'Authorization': 'Bearer ' + tokens['token']}
    assert sorted(reused['pages']) == ['applications', 'network', 'views']
    issued = df.token_set_result(tokens, None, just_issued=True)
    assert issued['expires_in'] == 3600 and issued['pages'] == {}
    assert issued['expires_at'] == NOW + 3000 and issued['date_expired'] == iso_from_epoch(NOW + 3000)
    assert sorted(issued) == sorted(dft.RESULT_KEYS + ('headers', 'pages'))


def test_controller_url():
    assert df.controller_url({'url': 'https://d.example.com/'}) == 'https://d.example.com'
    assert df.controller_url({'fauths_url': 'https://d.example.com/api/fauths/'}) == 'https://d.example.com'
    assert df.controller_url({'fauths_url': 'http://fauths:20822'}) is None


# --- fuser: permanent tokens through a swappable transport -----------------------------------------------------------

class RecordingTransport:
    """A transport that is not HTTP at all, as the kubectl-exec one will be: only ``request`` and ``status``/``json``."""

    class Answer:
        def __init__(self, status, body):
            self.status = status
            self.json = body

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def request(self, method, path, params, json_body, headers):
        self.calls.append((method, path, params, json_body, headers))
        return self.Answer(*self.answers.pop(0))


def test_transport_swap_find_create_delete():
    transport = RecordingTransport(
        (200, envelope([{'LCUUID': 'u-1'}, {'lcuuid': 'u-2'}, {}])),
        (200, envelope(True, description='SUCCESS')),
        (200, envelope({'ACCESS_KEY': 'gAAAA-key', 'LCUUID': 'u-3'})),
    )
    client = df.PermanentTokenClient.from_options({'user_id': 7, 'user_type': 2}, transport=transport)
    assert client.find('a@b.c') == ['u-1', 'u-2']
    assert client.delete('u 1/x') is True
    assert client.create('a@b.c', 'pw') == {'token': 'gAAAA-key', 'lcuuid': 'u-3'}
    identity = {'X-User-Id': '7', 'X-User-Type': '2'}
    assert transport.calls == [
        ('GET', '/v1/user/permanent_token', {'email': 'a@b.c'}, None, identity),
        ('DELETE', '/v1/user/permanent_token/u%201%2Fx', None, None, identity),
        ('POST', '/v1/user/permanent_token', None, {'email': 'a@b.c', 'password': 'pw'}, identity),
    ]


def test_fuser_envelope_failures():
    transport = RecordingTransport(
        (400, envelope(None, 'RESOURCE_ALREADY_EXIST', 'permanent token exists')),
        (200, envelope(None, 'RESOURCE_NOT_FOUND', 'no such token')),
        (200, envelope(None, 'FAIL', 'boom')),
        (200, envelope({'unexpected': 1})),
    )
    client = df.PermanentTokenClient(transport, path='v2/token/')
    with pytest.raises(dfe.DeepFlowApiError, match='RESOURCE_ALREADY_EXIST') as caught:
        client.create('a@b.c', 'S3cret-Pw')
    assert 'S3cret-Pw' not in str(caught.value)
    assert client.delete('gone') is False
    with pytest.raises(dfe.DeepFlowApiError, match='FAIL: boom'):
        client.delete('x')
    with pytest.raises(InvalidResponse, match='DATA is not a list'):
        client.find('a@b.c')
    assert transport.calls[0][1] == '/v2/token'


def test_default_transport_is_http_to_fuser_with_identity_headers():
    session = FakeSession((200, envelope([])), (503, envelope(None, 'SERVICE_UNAVAILABLE', '')))
    client = df.PermanentTokenClient.from_options({'fuser_url': 'http://127.0.0.1:20824', 'retries': 2}, session=session)
    assert client.find('a@b.c') == []
    assert session.calls[0]['url'] == 'http://127.0.0.1:20824/v1/user/permanent_token'
    assert session.calls[0]['params'] == {'email': 'a@b.c'}
    assert session.calls[0]['headers'] == {'X-User-Id': '1', 'X-User-Type': '1'}
    with pytest.raises(dfe.DeepFlowApiError):
        client.create('a@b.c', 'pw')
    assert len(session.calls) == 2  # the POST carries a password: not retried once it reached the server
