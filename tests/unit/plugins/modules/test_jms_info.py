# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""jms_info, the real module against the JumpServer simulator as v4 and v3.10, with every auth method."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests

from ansible_collections.opsauth.tokens.plugins.modules import jms_info

PROFILE = '/api/v1/users/profile/'
LOGIN = '/api/v1/authentication/auth/'
PRIVATE_TOKEN = '937b38011acf499eb474e2fecb424ab3937b3801'
KEY = dict(access_key_id='8f1a1c2e-0000-4000-8000-000000000001', access_key_secret='0b1f9a7e-5c1d-4e0f-9a2b-3c4d5e6f7a8b')
PASSWORD = dict(username='admin', password='Adm1n-Pass!')
ADMIN_ORGS = ['Default', 'GLOBAL', 'Ops']


def bearer(jms):
    return requests.post(jms.url + LOGIN, json=PASSWORD, timeout=10).json()['token']


def session(jms):
    return requests.post(jms.url + '/_sim/sessions', json={'username': 'admin'}, timeout=10).json()['session_id']


CREDENTIALS = {
    'password': lambda jms: PASSWORD,
    'token': lambda jms: dict(token=bearer(jms)),
    'private_token': lambda jms: dict(private_token=PRIVATE_TOKEN),
    'access_key': lambda jms: KEY,
    'session': lambda jms: dict(session_id=session(jms)),
}


@pytest.mark.parametrize('method', sorted(CREDENTIALS))
def test_every_auth_method_on_v4_and_v3(jms_any, run_module, method):
    options = CREDENTIALS[method](jms_any)
    jms_any.clear_log()
    result = run_module(jms_info, dict(url=jms_any.url, **options))
    major = jms_any.app.args.jumpserver_version
    assert result['changed'] is False and result.get('failed') is not True, result
    assert result['error_code'] is None
    assert result['server']['major'] == major and result['server']['version'] is None
    assert ('not_authenticated' if major == 4 else 'authentication_failed') in result['server']['detected_by']
    assert result['auth'] == method
    assert result['user']['username'] == 'admin' and result['user']['name'] == 'Administrator' and result['user']['id']
    assert [org['name'] for org in result['orgs']] == ADMIN_ORGS
    assert abs(result['clock_skew']) <= 1
    assert result['tls'] == dict(https=False, verified=False, subject=None, issuer=None, date_expired=None,
                                 expires_at=None)
    assert result['reused'] is (method != 'password')
    assert 'JumpServer %d' % major in result['msg'] and 'as admin' in result['msg']
    # GETs only, besides the login a password needs: the probe first (a random bearer token, no credential of the user,
    # sent before any login so that no login cookie rides along), then the profile.
    sent = [(entry['method'], entry['path']) for entry in jms_any.requests()]
    assert sent == [('GET', PROFILE)] + ([('POST', LOGIN)] if method == 'password' else []) + [('GET', PROFILE)]
    probe = jms_any.requests()[0]
    assert probe['status'] == 401 and probe['headers']['authorization'].startswith('Bearer ')
    assert probe['headers']['authorization'] not in (options.get('token'), PRIVATE_TOKEN)
    assert not probe['headers'].get('cookie')


def test_check_mode_sends_the_same_gets_and_changes_nothing(jms, run_module):
    result = run_module(jms_info, dict(url=jms.url, **PASSWORD), check_mode=True)
    assert result['changed'] is False and result['server']['major'] == 4
    assert [entry['method'] for entry in jms.requests()] == ['GET', 'POST', 'GET']


def test_a_user_in_one_org_sees_that_org_only(jms, run_module):
    result = run_module(jms_info, dict(url=jms.url, username='ops-viewer', password='Ops-Viewer-1'))
    assert result['user']['username'] == 'ops-viewer'
    assert result['orgs'] == [dict(id='11111111-1111-1111-1111-111111111111', name='Ops')]


def test_a_wrong_credential_fails_with_the_server_code(jms_any, run_module):
    result = run_module(jms_info, dict(url=jms_any.url, private_token='0' * 40))
    assert result['failed'] is True and result['changed'] is False
    assert result['error_code'] == 'credential_rejected' and result['status'] == 401
    assert result['server_error_code'] == 'authentication_failed'
    assert '0' * 40 not in result['msg']


def test_a_wrong_password_is_sent_once(jms, run_module):
    result = run_module(jms_info, dict(url=jms.url, username='admin', password='wrong'))
    assert result['failed'] is True and result['error_code'] == 'password_failed'
    assert len(jms.logins()) == 1


def test_a_url_that_repeats_api_v1_gets_a_hint(jms, run_module):
    result = run_module(jms_info, dict(url=jms.url + '/api/v1', private_token=PRIVATE_TOKEN))
    assert result['failed'] is True and result['error_code'] == 'not_found' and result['status'] == 404
    assert jms.url + '/api/v1/api/v1/users/profile/' in result['msg']
    assert 'the path repeats /api/v1' in result['msg'] and '(here %s)' % jms.url in result['msg']
