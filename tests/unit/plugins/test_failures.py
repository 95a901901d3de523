# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module fails the same way: msg plus error_code (a code of docs/errors.md, never None), server_error_code,
status and json (None where unknown), from the real modules against the simulators."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import FAILURE_FIELDS
from ansible_collections.opsauth.tokens.plugins.module_utils._resolve import ValidatedModule
from ansible_collections.opsauth.tokens.plugins.modules import (
    deepflow_login,
    deepflow_permanent_token,
    jms_access_key,
    jms_info,
    jms_private_token,
    jms_request,
    jms_token,
)
from ansible_collections.opsauth.tokens.tests.unit.plugins.conftest import FAKE_BIN

WRONG = 'Wrong-Pass-1'


def failure(result):
    assert result['failed'] is True and result['msg']
    missing = [name for name in FAILURE_FIELDS if name not in result]
    assert missing == []
    return result


@pytest.mark.parametrize('module, extra', [
    (jms_token, {}),
    (jms_request, {'path': '/api/v1/users/profile/'}),
    (jms_access_key, {'dest': 'key.json'}),
])
def test_a_refused_jumpserver_login_gives_the_servers_code_status_and_answer(jms, run_module, tmp_path, module, extra):
    extra = dict((name, str(tmp_path / value) if name == 'dest' else value) for name, value in extra.items())
    result = failure(run_module(module, dict(url=jms.url, username='alice', password=WRONG, **extra)))
    assert result['error_code'] == result['server_error_code'] == 'password_failed' and result['status'] == 400
    assert result['json']['error'] == 'password_failed'
    assert len(jms.logins()) == 1  # never retried


def test_a_refused_deepflow_login_fails_with_opt_status_and_the_envelope_without_data(df, run_module):
    result = failure(run_module(deepflow_login, dict(url=df.url, email='dev@yunshan.net.cn', password=WRONG)))
    assert result['error_code'] == 'api_error'
    assert result['server_error_code'] == result['json']['OPT_STATUS'] and result['server_error_code'] != 'SUCCESS'
    assert isinstance(result['status'], int) and 'DATA' not in result['json']


def test_a_permanent_token_failure_keeps_what_the_module_knows(df, run_module):
    result = failure(run_module(deepflow_permanent_token, dict(fuser_url=df.fuser_url, email='ops@example.com',
                                                               password='Ops-Pass-1', api_path='/v2/tokens/')))
    assert result['error_code'] == 'api_error' and result['server_error_code'] == 'RESOURCE_NOT_FOUND'
    assert result['status'] == 404
    assert result['changed'] is False and result['deleted'] == []


def test_an_error_before_any_answer_has_its_code_and_the_servers_fields_set_to_none(jms, fake_runtime, run_module):
    fake_runtime({'containers': {}})
    result = failure(run_module(jms_private_token, dict(runtime='docker', container='missing', username='alice',
                                                        docker_binary=os.path.join(FAKE_BIN, 'docker'))))
    assert result['error_code'] == 'exec_target_not_found'
    assert (result['server_error_code'], result['status'], result['json']) == (None, None, None)
    assert result['username'] == 'alice'


# Options that Ansible's own argument validation refuses, before the collection runs: each module with its smallest
# valid arguments (no server is asked; the validation fails first).
MINIMAL_ARGS = [
    (jms_token, {'url': 'http://127.0.0.1:9', 'username': 'alice', 'password': WRONG}),
    (jms_request, {'url': 'http://127.0.0.1:9', 'token': 'x' * 40, 'path': '/api/v1/users/profile/'}),
    (jms_info, {'url': 'http://127.0.0.1:9', 'token': 'x' * 40}),
    (jms_access_key, {'url': 'http://127.0.0.1:9', 'username': 'alice', 'password': WRONG, 'dest': '/nonexistent/key.json'}),
    (jms_private_token, {'username': 'alice'}),
    (deepflow_login, {'url': 'http://127.0.0.1:9', 'email': 'dev@yunshan.net.cn', 'password': WRONG}),
    (deepflow_permanent_token, {'email': 'ops@example.com', 'password': WRONG}),
]


@pytest.mark.parametrize('module, args', MINIMAL_ARGS, ids=[module.__name__.rsplit('.', 1)[-1] for module, _a in MINIMAL_ARGS])
@pytest.mark.parametrize('wrong', ['unknown option', 'wrong type'])
def test_ansibles_own_argument_validation_fails_with_invalid_option(run_module, module, args, wrong):
    args = dict(args, ca_cert='/etc/ssl/ca.pem') if wrong == 'unknown option' else dict(args, validate_certs='perhaps')
    result = failure(run_module(module, args))
    assert ('ca_cert' if wrong == 'unknown option' else 'validate_certs') in result['msg']
    assert result['error_code'] == 'invalid_option'
    assert (result['server_error_code'], result['status'], result['json']) == (None, None, None)


def test_a_missing_required_option_fails_with_invalid_option(run_module):
    result = failure(run_module(jms_request, {'url': 'http://127.0.0.1:9', 'token': 'x' * 40}))
    assert 'path' in result['msg'] and result['error_code'] == 'invalid_option'


def test_the_validation_failure_has_the_collections_failure_fields():
    # _resolve.py imports nothing of the collection, so it writes the fields out: they must stay _errors.py's.
    assert sorted(ValidatedModule.INVALID_OPTION) == sorted(FAILURE_FIELDS)
