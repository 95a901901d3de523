# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""DeepFlow token sets (module_utils/deepflow/_deepflow_tokens.py): the OPT_STATUS envelope, expiry, the plan."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow import _deepflow_errors as dfe, _deepflow_tokens as dft
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import InvalidResponse
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import HttpResponse
from ansible_collections.opsauth.tokens.plugins.module_utils._time import epoch_from_iso, iso_from_epoch
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.deepflow.conftest import NOW, envelope, jwt, login_data


# --- the envelope ------------------------------------------------------------------------------------------------------

def test_success_needs_2xx_and_opt_status_success():
    assert dft.unwrap(HttpResponse(200, {}, '', envelope([1]), 'u'), 'x') == [1]


@pytest.mark.parametrize('status, body', [
    (200, envelope(None, 'FAIL', 'email or password wrong')),
    (200, envelope(None, 'NO_PERMISSIONS', 'email or password wrong')),
    (500, envelope({'access_token': 'a'}, 'SUCCESS', 'email or password wrong')),
    (400, envelope(None, 'INVALID_PARAMETERS', 'email or password wrong')),
])
def test_anything_else_fails_with_opt_status_and_description(status, body):
    with pytest.raises(dfe.DeepFlowApiError) as caught:
        dft.unwrap(HttpResponse(status, {}, '', body, 'u'), 'DeepFlow login')
    assert caught.value.server_code == body['OPT_STATUS'] and caught.value.code == 'api_error'
    assert caught.value.status == status
    assert body['OPT_STATUS'] in str(caught.value) and 'email or password wrong' in str(caught.value)


def test_bare_body_is_data_only_where_allowed():
    bare = {'access_token': 'a'}
    assert dft.unwrap(HttpResponse(200, {}, '', bare, 'u'), 'login', allow_bare=True) == bare
    with pytest.raises(InvalidResponse, match='without the OPT_STATUS envelope'):
        dft.unwrap(HttpResponse(200, {}, '', bare, 'u'), 'lookup')


def test_error_without_envelope_quotes_the_body():
    with pytest.raises(dfe.DeepFlowApiError, match='no DeepFlow envelope.*upstream timed out') as caught:
        dft.unwrap(HttpResponse(504, {}, '{"message": "upstream timed out"}', {'message': 'upstream timed out'}, 'u'),
                   'login', allow_bare=True)
    assert caught.value.server_code is None and caught.value.code == 'server_unavailable'  # HTTP 504


# --- expiry --------------------------------------------------------------------------------------------------------

def test_jwt_exp_is_read_without_verifying():
    assert dft.jwt_exp(jwt({'exp': 1571823070, 'iat': 1})) == 1571823070


@pytest.mark.parametrize('token', [
    None, '', 'gAAAAABnGhcHkqB', 'a.b', 'a.!!!.c', jwt({'sub': 1}), jwt({'exp': 'soon'}), jwt({'exp': True}),
    '%s.%s.c' % ('e30', base64.urlsafe_b64encode(b'[1, 2]').decode()),
])
def test_jwt_exp_is_none_when_unreadable(token):
    assert dft.jwt_exp(token) is None


def test_expiry_is_the_earlier_of_expires_in_and_exp():
    later_exp = dft.token_set(dict(access_token=jwt({'exp': NOW + 9999}), expires_in=60), NOW, 'x')
    earlier_exp = dft.token_set(dict(access_token=jwt({'exp': NOW + 30}), expires_in=60), NOW, 'x')
    opaque = dft.token_set(dict(access_token='opaque', expires_in=60), NOW, 'x')
    assert later_exp['expires_at'] == NOW + 60
    assert earlier_exp['expires_at'] == NOW + 30
    assert opaque['expires_at'] == NOW + 60
    assert dft.token_set(dict(access_token='opaque'), NOW, 'x')['expires_at'] is None


def test_refresh_expiry_from_its_jwt_else_the_documented_30_days():
    assert dft.token_set(login_data(refresh_token=jwt({'exp': NOW + 5})), NOW, 'x')['refresh_expires_at'] == NOW + 5
    assert dft.token_set(login_data(refresh_token='opaque'), NOW, 'x')['refresh_expires_at'] == NOW + 30 * 86400


def test_times_are_int_epochs_with_their_iso_dates_beside():
    tokens = dft.token_set(login_data(refresh_token=jwt({'exp': NOW + 5})), NOW + 0.75, 'x')
    for name in ('expires_at', 'refresh_expires_at', 'issued_at'):
        assert isinstance(tokens[name], int) and not isinstance(tokens[name], bool), name
    assert tokens['issued_at'] == NOW
    assert tokens['date_expired'] == iso_from_epoch(NOW + 3600)
    assert epoch_from_iso(tokens['date_expired']) == tokens['expires_at']
    assert tokens['refresh_date_expired'] == iso_from_epoch(NOW + 5)
    unknown = dft.token_set(dict(access_token='opaque'), NOW, 'x')
    assert unknown['date_expired'] is None and unknown['refresh_date_expired'] is None


def test_a_token_set_stored_with_iso_times_is_read_as_epochs():
    # What deepflow_login wrote before the naming rule (issue 12): ISO 8601 strings under *_at; and before
    # docs/results.md (issue 18) the access token under access_token: read as token.
    legacy = dict(access_token='a', refresh_token='r', expires_at=iso_from_epoch(NOW + 600),
                  refresh_expires_at=iso_from_epoch(NOW + 7200), issued_at=iso_from_epoch(NOW))
    tokens = dft.with_dates(legacy)
    assert tokens['token'] == 'a' and 'access_token' not in tokens
    assert (tokens['expires_at'], tokens['refresh_expires_at'], tokens['issued_at']) == (NOW + 600, NOW + 7200, NOW)
    assert tokens['date_expired'] == legacy['expires_at'] and tokens['refresh_date_expired'] == legacy['refresh_expires_at']
    assert dft.access_seconds_left(legacy, NOW) == 600 and dft.refresh_seconds_left(legacy, NOW) == 7200
    assert dft.plan_present(tokens, 300, NOW) == dft.REUSE and dft.plan_present(tokens, 900, NOW) == dft.REFRESH
    assert dft.with_dates(dict(legacy, expires_at='not a date'))['expires_at'] is None


def test_success_without_access_token_is_an_invalid_response():
    with pytest.raises(InvalidResponse, match='without an access_token'):
        dft.token_set({'refresh_token': 'r'}, NOW, 'DeepFlow login')


def stored(access_left=None, refresh_left=None):
    tokens = dict(token='a', refresh_token='r' if refresh_left is not None else None)
    if access_left is not None:
        tokens['expires_at'] = NOW + access_left
    if refresh_left is not None:
        tokens['refresh_expires_at'] = NOW + refresh_left
    return tokens


@pytest.mark.parametrize('tokens, plan', [
    (None, dft.LOGIN),
    ({}, dft.LOGIN),
    (stored(access_left=301, refresh_left=1000), dft.REUSE),
    (stored(access_left=300, refresh_left=1000), dft.REFRESH),
    (stored(access_left=-5, refresh_left=1000), dft.REFRESH),
    (stored(access_left=-5, refresh_left=-1), dft.LOGIN),
    (stored(access_left=-5), dft.LOGIN),
    (stored(refresh_left=1000), dft.REFRESH),                   # unknown access expiry: never reused
    ({'refresh_token': 'given-as-option'}, dft.REFRESH),      # unknown refresh expiry: worth one try
])
def test_plan_present(tokens, plan):
    assert dft.plan_present(tokens, 300, at=NOW) == plan
