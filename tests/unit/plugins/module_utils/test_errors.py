# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a failed task returns, written once in OpsAuthError.failure(), and what the error module costs to import."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_tokens import unwrap
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_errors import DeepFlowApiError
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import (
    FAILURE_FIELDS,
    ConnectionFailed,
    InvalidResponse,
    OpsAuthError,
    error_details,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import LoginFailed
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import TokenNotStored
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import HttpResponse
from ansible_collections.opsauth.tokens.tests.unit.plugins.imports import http_stack, loaded_modules


def test_a_server_error_gives_its_code_status_and_answer():
    exc = LoginFailed('login as alice failed', code='password_failed', server_code='password_failed', status=400,
                      body={'error': 'password_failed'})
    assert exc.failure() == {'msg': 'login as alice failed', 'error_code': 'password_failed',
                             'server_error_code': 'password_failed', 'status': 400, 'json': {'error': 'password_failed'}}


def test_what_is_unknown_is_none_but_the_keys_are_there_and_our_code_always_is():
    assert error_details(ConnectionFailed('refused')) == {'error_code': 'connection_failed', 'server_error_code': None,
                                                          'status': None, 'json': None}
    assert InvalidResponse('not JSON', status=502).failure() == {'msg': 'not JSON', 'error_code': 'invalid_response',
                                                                 'server_error_code': None, 'status': 502, 'json': None}
    # Any exception: a lookup or an action plugin may hold something else than ours.
    assert sorted(error_details(ValueError('x'))) == sorted(FAILURE_FIELDS)


def test_the_context_comes_first_then_the_server_then_what_the_error_carries():
    exc = TokenNotStored('no space left; the new credential is in this failed result', {'access_key': 'k', 'changed': True})
    result = exc.failure(changed=False, deleted=['old'], status='context')
    assert result == {'msg': 'no space left; the new credential is in this failed result', 'access_key': 'k',
                      'changed': True, 'deleted': ['old'], 'error_code': 'token_not_stored', 'server_error_code': None,
                      'status': None, 'json': None}


def test_a_deepflow_failure_names_opt_status_and_keeps_data_out():
    # A failed answer may still carry a token in DATA: it never reaches a result that is not no_log.
    body = {'OPT_STATUS': 'SERVER_ERROR', 'DESCRIPTION': 'boom', 'DATA': {'access_token': 'secret-token'}}
    with pytest.raises(DeepFlowApiError) as caught:
        unwrap(HttpResponse(500, {}, json.dumps(body), body, 'http://127.0.0.1:9'), 'DeepFlow login')
    result = caught.value.failure()
    assert result['error_code'] == 'api_error' and result['server_error_code'] == 'SERVER_ERROR'
    assert result['status'] == 500
    assert result['json'] == {'OPT_STATUS': 'SERVER_ERROR', 'DESCRIPTION': 'boom'}
    assert 'secret-token' not in json.dumps(result)


def test_every_error_is_an_opsauth_error():
    assert issubclass(LoginFailed, OpsAuthError) and issubclass(DeepFlowApiError, OpsAuthError)


def test_errors_transport_and_token_files_import_no_http_stack():
    mu = 'ansible_collections.opsauth.tokens.plugins.module_utils'
    modules = loaded_modules('import %s._errors, %s.http._transport, %s.files._token_file, %s._time, %s._totp' % (mu, mu, mu, mu, mu))
    assert '%s._errors' % mu in modules  # the check below would see a collection module
    assert http_stack(modules) == []
