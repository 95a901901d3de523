# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.modules import jms_request

PRIVATE_TOKEN = '937b38011acf499eb474e2fecb424ab3937b3801'
USERS = '/api/v1/users/users/'


def args(jms, **extra):
    return dict(dict(url=jms.url, private_token=PRIVATE_TOKEN), **extra)


def test_get_is_not_a_change(jms, run_module):
    result = run_module(jms_request, args(jms, path='/api/v1/users/profile/'))
    assert result['changed'] is False and result['status'] == 200
    assert result['json']['username'] == 'admin'


def test_post_is_a_change_and_status_code_is_checked(jms, run_module):
    body = {'username': 'bob', 'name': 'Bob'}
    created = run_module(jms_request, args(jms, method='POST', path=USERS, body=body, status_code=[201]))
    assert created['changed'] is True and created['status'] == 201 and created['json']['username'] == 'bob'
    again = run_module(jms_request, args(jms, method='POST', path=USERS, body=body, status_code=[201]))
    assert again['failed'] is True and again['status'] == 400
    assert 'answered HTTP 400, expected 201' in again['msg'] and 'already exists' in again['msg']


def test_a_json_string_body_is_parsed(jms, run_module):
    result = run_module(jms_request, args(jms, method='POST', path=USERS, body='{"username": "carol", "name": "Carol"}'))
    assert result['status'] == 201
    assert jms.requests('POST', USERS)[0]['body'] == {'username': 'carol', 'name': 'Carol'}


def test_check_mode_sends_only_safe_methods(jms, run_module):
    post = run_module(jms_request, args(jms, method='DELETE', path=USERS + 'x/'), check_mode=True)
    assert post['changed'] is True and 'would send DELETE' in post['msg']
    get = run_module(jms_request, args(jms, path='/api/v1/users/profile/'), check_mode=True)
    assert get['changed'] is False and get['status'] == 200
    assert [entry['method'] for entry in jms.requests()] == ['GET']


def test_check_mode_with_a_password_sends_nothing(jms, run_module):
    result = run_module(jms_request, dict(url=jms.url, username='admin', password='Adm1n-Pass!', path='/api/v1/users/profile/'),
                        check_mode=True)
    assert result['changed'] is False and 'check mode sends no login' in result['msg']
    assert jms.requests() == []


def test_paginate_returns_every_item_in_pages_of_1000(jms, run_module):
    one = run_module(jms_request, args(jms, path=USERS, query={'search': 'user', 'limit': 1}))
    assert one['json']['count'] > 1500
    result = run_module(jms_request, args(jms, path=USERS, paginate=True, query={'search': 'user'}))
    assert result['changed'] is False
    assert len(result['results']) == one['json']['count']
    assert len(set(user['username'] for user in result['results'])) == one['json']['count']
    pages = [entry['query'] for entry in jms.requests('GET', USERS)][1:]
    assert pages == [{'search': ['user'], 'limit': ['1000'], 'offset': ['0']}, {'search': ['user'], 'limit': ['1000'], 'offset': ['1000']}]


def test_paginate_needs_get(jms, run_module):
    result = run_module(jms_request, args(jms, method='POST', path=USERS, paginate=True))
    assert result['failed'] is True and result['msg'] == 'paginate works with method GET only'
    assert jms.requests() == []
