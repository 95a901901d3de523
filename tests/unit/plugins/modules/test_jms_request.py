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


# --- unknown organisation (issue 8, defect 8) ------------------------------------------------------------------------

OPS_ORG = '11111111-1111-1111-1111-111111111111'
ORGS = '/api/v1/orgs/orgs/'
PROFILE = '/api/v1/users/profile/'
AUTH = '/api/v1/authentication/auth/'


def paths(jms):
    return [entry['path'] for entry in jms.requests()]


def test_an_unknown_org_id_is_refused_before_the_request(jms, run_module):
    unknown = '22222222-2222-2222-2222-222222222222'
    result = run_module(jms_request, args(jms, path=USERS, method='DELETE', org_id=unknown))
    assert result['failed'] is True and result['error_code'] == 'unknown_organization'
    assert result['msg'].startswith('org_id %s is no organisation id of %s' % (unknown, jms.url))
    assert 'jms_request path=/api/v1/orgs/orgs/' in result['msg'] and '\n' not in result['msg']
    assert [(entry['method'], entry['path'], entry['status']) for entry in jms.requests()] == [
        ('GET', ORGS + unknown + '/', 404)]


def test_a_known_org_is_checked_once_then_used(jms, run_module):
    result = run_module(jms_request, args(jms, path=USERS, query={'limit': 100}, org_id=OPS_ORG))
    assert sorted(user['username'] for user in result['json']['results']) == ['admin', 'alice', 'ops-viewer']
    assert paths(jms) == [ORGS + OPS_ORG + '/', USERS]


def test_an_org_name_is_looked_up_exactly_as_the_server_does(jms, run_module):
    by_name = run_module(jms_request, args(jms, path=USERS, query={'limit': 100}, org_id='Ops'))
    assert by_name['json']['count'] == 3
    wrong_case = run_module(jms_request, args(jms, path=USERS, org_id='ops'))
    assert wrong_case['failed'] is True and 'org_id ops is no organisation name' in wrong_case['msg']
    assert paths(jms) == [ORGS, USERS, ORGS]
    assert jms.requests()[0]['query']['name'] == ['Ops']


def test_an_org_id_in_upper_case_is_refused_without_a_request(jms, run_module):
    result = run_module(jms_request, args(jms, path=USERS, org_id='AAAAAAAA-1111-1111-1111-111111111111'))
    assert result['failed'] is True and 'must be written in lower case' in result['msg']
    assert jms.requests() == []


def test_built_in_orgs_cost_no_request(jms, run_module):
    for org in ('00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000004', 'default', 'ROOT',
                'system', 'GLOBAL'):
        assert run_module(jms_request, args(jms, path=PROFILE, org_id=org))['status'] == 200
    assert paths(jms) == [PROFILE] * 6


# --- long runs: one new login when the server forgets the token (issue 8, "long runs survive a server restart") ------

def restart_redis_at(jms, *numbers):
    """Drop every bearer token just before these bearer requests (1 = the next one), as a Redis restart would."""
    with jms.app.lock:
        jms.app.bearer_requests, jms.app.redis_restarts = 0, sorted(numbers)


def password(jms, **extra):
    return dict(dict(url=jms.url, username='admin', password='Adm1n-Pass!'), **extra)


def test_a_restart_mid_pagination_costs_one_login_and_no_item(jms, run_module):
    restart_redis_at(jms, 2)
    result = run_module(jms_request, password(jms, path=USERS, paginate=True))
    assert result.get('failed') is not True
    in_default_org = [user for user in jms.app.users.values() if '00000000-0000-0000-0000-000000000002' in user['orgs']]
    assert len(result['results']) == len(set(user['id'] for user in result['results'])) == len(in_default_org)
    statuses = [(entry['path'], entry['status'], entry['query'].get('offset', ['0'])[0]) for entry in jms.requests()]
    assert statuses == [(AUTH, 201, '0'), (USERS, 200, '0'), (USERS, 401, '1000'), (AUTH, 201, '0'),
                        (USERS, 200, '1000')]


def test_a_post_rejected_by_authentication_is_sent_again_once(jms, run_module):
    restart_redis_at(jms, 1)
    result = run_module(jms_request, password(jms, method='POST', path=USERS, body={'username': 'zoe', 'name': 'Zoe'}))
    assert result['changed'] is True and result['status'] == 201
    assert [(entry['method'], entry['path'], entry['status']) for entry in jms.requests()] == [
        ('POST', AUTH, 201), ('POST', USERS, 401), ('POST', AUTH, 201), ('POST', USERS, 201)]
    assert 'zoe' in jms.app.users


def test_never_a_second_new_login(jms, run_module):
    restart_redis_at(jms, 1, 2, 3)
    result = run_module(jms_request, password(jms, path=PROFILE))
    assert result['failed'] is True and result['status'] == 401
    assert len(jms.logins()) == 2
    assert [entry['status'] for entry in jms.requests('GET', PROFILE)] == [401, 401]


def test_never_a_login_for_a_token_the_user_gave(jms, run_module):
    from ansible_collections.opsauth.tokens.plugins.modules import jms_token
    token = run_module(jms_token, dict(url=jms.url, username='admin', password='Adm1n-Pass!'))['token']
    restart_redis_at(jms, 1)
    result = run_module(jms_request, dict(url=jms.url, token=token, path=PROFILE))
    assert result['failed'] is True and result['status'] == 401
    assert len(jms.logins()) == 1  # jms_token's own


def test_a_failed_new_login_is_not_retried(jms, run_module, monkeypatch):
    restart = jms.app.restart_redis_when_due

    def restart_and_change_the_password():
        # The password changes while the task runs: its new login fails, and is not tried again.
        restart()
        jms.app.users['admin']['password'] = 'Changed-Pass-1'
    monkeypatch.setattr(jms.app, 'restart_redis_when_due', restart_and_change_the_password)
    restart_redis_at(jms, 1)
    result = run_module(jms_request, password(jms, path=PROFILE))
    assert result['failed'] is True and result['error_code'] == 'password_failed'
    assert [entry['status'] for entry in jms.logins()] == [201, 400]


# --- pagination caps (issue 8, defect 5) -----------------------------------------------------------------------------

def test_the_page_cap_stops_a_long_list(jms, run_module):
    result = run_module(jms_request, args(jms, path=USERS, paginate=True, max_pages=1))
    assert result['failed'] is True and result['error_code'] == 'too_many_pages'
    assert 'has more pages than max_pages=1 allows (1000 items read)' in result['msg']
    assert len(jms.requests('GET', USERS)) == 1


def test_the_item_cap_stops_a_long_list(jms, run_module):
    result = run_module(jms_request, args(jms, path=USERS, paginate=True, max_items=1200))
    assert result['failed'] is True and result['error_code'] == 'too_many_items'
    assert 'more than max_items=1200 items (the list has 15' in result['msg']
    assert len(jms.requests('GET', USERS)) == 2


def test_caps_must_be_positive(jms, run_module):
    result = run_module(jms_request, args(jms, path=USERS, paginate=True, max_pages=0))
    assert result['failed'] is True and result['msg'] == 'max_pages must be 1 or more, got 0'
    assert jms.requests() == []


def test_an_org_check_the_user_may_not_make_is_one_clear_line(jms, run_module):
    jms.fault(method='GET', path=ORGS + OPS_ORG + '/', status=403)
    result = run_module(jms_request, args(jms, path=USERS, org_id=OPS_ORG))
    assert result['failed'] is True and result['error_code'] == 'permission_denied'
    assert result['msg'].startswith('cannot check that organisation %s exists' % OPS_ORG)
    assert paths(jms) == [ORGS + OPS_ORG + '/']
