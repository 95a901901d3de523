# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Access keys (module_utils/jumpserver/_jms_access_keys.py) against the JumpServer simulator, v4 and v3.10, over real HTTP."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver import _jms_access_key_steps
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_key_job import AccessKeyJob
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import (
    AccessKeyError,
    CredentialRejected,
    KeyLimitReached,
    OldKeyLeft,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_keys import KEYS_PATH, AccessKeyApi
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver import JumpServerClient
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import TokenFileError
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.jumpserver.conftest import api_for, job_for, signs, stored

CONFIRM_PATH = '/api/v1/authentication/confirm/'


def key_count(server, username='alice'):
    return sum(1 for key in server.app.access_keys.values() if key['user'] == username)


def test_present_creates_through_the_confirm_flow_then_keeps(jms_any, tmp_path):
    first = job_for(jms_any, tmp_path).run('present')
    assert first['changed'] and first['rotated'] and first['reason'] == 'missing' and first['verified']
    assert [(r['method'], r['path'], r['status']) for r in jms_any.requests() if r['path'] in (KEYS_PATH, CONFIRM_PATH)] == [
        ('POST', KEYS_PATH, 412), ('GET', CONFIRM_PATH, 200), ('POST', CONFIRM_PATH, 200), ('POST', KEYS_PATH, 201)]
    data = stored(tmp_path)
    assert (data['id'], data['secret']) == (first['id'], first['secret'])
    assert stat.S_IMODE(os.stat(str(tmp_path / 'key.json')).st_mode) == 0o600
    assert signs(jms_any, first['id'], first['secret']) == 'alice'

    jms_any.clear_log()
    second = job_for(jms_any, tmp_path).run('present')
    assert not second['changed'] and second['verified'] and second['reused'] and second['secret'] == first['secret']
    assert jms_any.requests('POST', KEYS_PATH) == []
    assert first['secret'] not in json.dumps(second['diff'])


def test_every_request_asks_for_the_language(jms_any, tmp_path):
    job_for(jms_any, tmp_path).run('present')
    assert set(r['headers'].get('accept-language') for r in jms_any.requests()) == set(['en'])


def test_patch_only_what_differs(jms, tmp_path):
    job_for(jms, tmp_path).run('present')
    jms.clear_log()
    result = job_for(jms, tmp_path, dict(ip_group=['127.0.0.1/32'], is_active=True)).run('present')
    patches = jms.requests('PATCH')
    assert result['changed'] and not result['rotated'] and result['verified']
    assert [p['body'] for p in patches] == [{'ip_group': ['127.0.0.1/32']}]
    assert result['diff']['before']['ip_group'] == ['*'] and result['diff']['after']['ip_group'] == ['127.0.0.1/32']
    assert set(result['diff']['after']) == set(['id', 'is_active', 'ip_group'])


def test_a_key_limited_to_other_addresses_is_kept(jms, tmp_path):
    first = job_for(jms, tmp_path, dict(ip_group=['10.0.0.0/8'])).run('present')
    assert first['ip_group'] == ['10.0.0.0/8'] and signs(jms, first['id'], first['secret']) is None
    again = job_for(jms, tmp_path, dict(ip_group=['10.0.0.0/8'])).run('present')
    assert not again['changed'] and not again['verified'] and again['id'] == first['id']


def test_a_wrong_secret_in_dest_gets_a_new_key(jms, tmp_path):
    first = job_for(jms, tmp_path).run('present')
    with open(str(tmp_path / 'key.json'), 'w') as handle:
        json.dump(dict(id=first['id'], secret='0' * 36), handle)
    second = job_for(jms, tmp_path).run('present')
    assert second['rotated'] and second['reason'] == 'rejected' and second['id'] != first['id']
    assert second['deleted_ids'] == [first['id']]  # the refused key was ours (dest held it): retired, not left over


def test_check_mode_sends_only_get(jms, tmp_path):
    job_for(jms, tmp_path).run('present')
    token = JumpServerClient.from_options(dict(url=jms.url, username='alice', password='Alice-Pass-1')).login()['token']
    jms.clear_log()
    for state in ('present', 'rotated', 'absent'):
        result = AccessKeyJob(api_for(jms, password=None, token=token), dest=str(tmp_path / 'key.json'),
                              ip_group=['10.0.0.0/8'], check=True).run(state)
        assert result['changed']
    assert set(r['method'] for r in jms.requests()) == set(['GET'])
    assert key_count(jms) == 1 and os.path.exists(str(tmp_path / 'key.json'))


def test_rotate_replaces_the_key_and_keeps_its_settings(jms_any, tmp_path):
    first = job_for(jms_any, tmp_path, dict(ip_group=['127.0.0.1/32'])).run('present')
    rotated = job_for(jms_any, tmp_path).run('rotated')
    assert rotated['previous']['id'] == first['id'] and rotated['ip_group'] == ['127.0.0.1/32']
    assert rotated['reason'] == 'forced' and rotated['deleted_ids'] == [first['id']]
    assert signs(jms_any, first['id'], first['secret']) is None
    assert signs(jms_any, rotated['id'], rotated['secret']) == 'alice'
    assert stored(tmp_path)['id'] == rotated['id'] and key_count(jms_any) == 1


@pytest.mark.parametrize('fault', [
    dict(method='GET', path='/api/v1/users/profile/', status=500),   # the new key's signed test
    dict(method='PATCH', path_prefix=KEYS_PATH, status=500),          # its settings
])
def test_rotate_failing_midway_keeps_the_old_key_and_dest(jms, tmp_path, fault):
    first = job_for(jms, tmp_path, dict(ip_group=['127.0.0.0/8'])).run('present')
    before = stored(tmp_path)
    jms.fault(**fault)
    with pytest.raises(AccessKeyError, match='HTTP 500.*deleted again, dest and any old key are unchanged'):
        job_for(jms, tmp_path, dict(ip_group=['127.0.0.1/32'])).run('rotated')
    assert stored(tmp_path) == before
    assert signs(jms, first['id'], first['secret']) == 'alice'
    assert key_count(jms) == 1


def test_a_dest_that_cannot_be_written_is_refused_before_any_key_is_made(jms, tmp_path):
    (tmp_path / 'a-file').write_text('')  # (a missing folder is created: _token_file.make_dirs)
    job = AccessKeyJob(api_for(jms), dest=str(tmp_path / 'a-file' / 'key.json'))
    with pytest.raises(TokenFileError, match='[Nn]ot a directory'):
        job.run('rotated')
    assert key_count(jms) == 0 and jms.requests('POST', KEYS_PATH) == []


def test_a_write_that_fails_after_the_create_deletes_the_new_key(jms, tmp_path, monkeypatch):
    first = job_for(jms, tmp_path).run('present')
    before = stored(tmp_path)

    def full_disk(path, data):
        raise TokenFileError('cannot write token file %s: No space left on device' % path)
    monkeypatch.setattr(_jms_access_key_steps, 'write_token_file', full_disk)  # the one layer faked: the file system
    with pytest.raises(AccessKeyError, match='No space left on device; the new access key .* was deleted again'):
        job_for(jms, tmp_path).run('rotated')
    assert stored(tmp_path) == before and key_count(jms) == 1 and signs(jms, first['id'], first['secret']) == 'alice'
    assert [r['status'] for r in jms.requests('DELETE')] == [204]  # the new key, not the old one


def test_a_dest_readable_by_others_is_narrowed_and_reported(jms, tmp_path):
    job_for(jms, tmp_path).run('present')
    os.chmod(str(tmp_path / 'key.json'), 0o644)
    job = job_for(jms, tmp_path)
    result = job.run('present')
    assert not result['changed'] and len(job.warnings) == 1 and 'had mode 0644' in job.warnings[0]
    assert stat.S_IMODE(os.stat(str(tmp_path / 'key.json')).st_mode) == 0o600


def test_old_key_that_cannot_be_deleted_is_reported_with_the_new_key(jms, tmp_path):
    first = job_for(jms, tmp_path).run('present')
    jms.fault(method='DELETE', path=KEYS_PATH + first['id'] + '/', status=500)
    with pytest.raises(OldKeyLeft) as caught:
        job_for(jms, tmp_path).run('rotated')
    new = caught.value.result
    assert new['secret'] and new['id'] != first['id'] and stored(tmp_path)['id'] == new['id']
    assert first['id'] in str(caught.value) and new['secret'] not in str(caught.value)


def test_absent_twice(jms_any, tmp_path):
    first = job_for(jms_any, tmp_path).run('present')
    gone = job_for(jms_any, tmp_path).run('absent')
    again = job_for(jms_any, tmp_path).run('absent')
    assert gone['changed'] and gone['deleted_ids'] == [first['id']] and not again['changed'] and again['deleted_ids'] == []
    assert not os.path.exists(str(tmp_path / 'key.json')) and signs(jms_any, first['id'], first['secret']) is None


def test_absent_by_id(jms, tmp_path):
    first = job_for(jms, tmp_path).run('present')
    result = AccessKeyJob(api_for(jms), key_id=first['id']).run('absent')
    assert result['deleted_ids'] == [first['id']] and key_count(jms) == 0


def fill(jms, api, count, inactive=()):
    ids = []
    for number in range(count):
        ids.append(api.create()['id'])
        if number in inactive:
            api.patch(ids[-1], {'is_active': False})
    return ids


def test_the_ten_key_limit_and_prune_inactive(jms_any, tmp_path):
    ids = fill(jms_any, api_for(jms_any), 10, inactive=(2, 5))
    with pytest.raises(KeyLimitReached, match='already has 10 access keys.*prune_inactive=true'):
        job_for(jms_any, tmp_path).run('present')
    result = job_for(jms_any, tmp_path, dict(prune_inactive=True)).run('present')
    assert sorted(result['deleted_ids']) == sorted([ids[2], ids[5]]) and key_count(jms_any) == 9


def test_mfa_user_confirms_with_a_code(jms, tmp_path):
    result = job_for(jms, tmp_path, username='mfa', password='Mfa-Pass-1', mfa_totp_secret='JBSWY3DPEHPK3PXP').run('present')
    confirm = jms.requests('POST', CONFIRM_PATH)[0]
    assert result['rotated'] and confirm['body']['mfa_type'] == 'otp' and confirm['body']['secret_key'].isdigit()


def mfa_token(jms):
    return JumpServerClient.from_options(dict(url=jms.url, username='mfa', password='Mfa-Pass-1',
                                              mfa_totp_secret='JBSWY3DPEHPK3PXP')).login()['token']


def test_mfa_user_is_asked_for_a_code_not_the_password(jms):
    with pytest.raises(AccessKeyError, match='give mfa_code or mfa_totp_secret'):
        AccessKeyApi(dict(url=jms.url, token=mfa_token(jms)), confirm_password='Mfa-Pass-1').create()
    assert jms.requests('POST', CONFIRM_PATH) == []  # the password is never sent where a code is expected


def test_a_wrong_mfa_code_is_refused_once(jms):
    with pytest.raises(AccessKeyError, match='refused the mfa confirmation') as caught:
        AccessKeyApi(dict(url=jms.url, token=mfa_token(jms), mfa_code='000000')).create()
    assert caught.value.code == 'confirm_failed' and len(jms.requests('POST', CONFIRM_PATH)) == 1


def test_bearer_without_a_password_names_confirm_password(jms, tmp_path):
    token = JumpServerClient.from_options(dict(url=jms.url, username='alice', password='Alice-Pass-1')).login()['token']
    with pytest.raises(AccessKeyError, match='give confirm_password'):
        AccessKeyApi(dict(url=jms.url, token=token)).create()
    assert AccessKeyApi(dict(url=jms.url, token=token), confirm_password='Alice-Pass-1').create()['secret']
    assert jms.requests('POST', CONFIRM_PATH)[-1]['headers']['authorization'] == 'Bearer ' + token


def test_v3_refuses_an_unknown_bearer_token_with_its_own_code(jms_v3_server):
    jms_v3_server.reset()
    with pytest.raises(CredentialRejected, match='Invalid token or cache refreshed') as caught:
        AccessKeyApi(dict(url=jms_v3_server.url, token='f' * 36, retries=0)).list()
    assert caught.value.server_code == 'authentication_failed'


def test_v3_answers_in_chinese_unless_asked_for_english(jms_v3_server):
    jms_v3_server.reset()
    with pytest.raises(CredentialRejected) as caught:
        AccessKeyApi(dict(url=jms_v3_server.url, token='f' * 36, retries=0, language='zh-hans')).list()
    assert caught.value.server_code == 'authentication_failed' and '令牌无效' in str(caught.value)


# --- issue 17: an id goes into a URL path only as a UUID; an answer of the wrong shape is one clear line -----------

NOT_UUIDS = ['../../../users/profile', '../', '..', '', '%2e%2e/%2e%2e/users/users',
             '6d1a2f0e-0000-4000-8000-000000000001/../../../users/profile', '6d1a2f0e-0000-4000-8000-00000000000',
             '6d1a2f0e-0000-4000-8000-000000000001?x=1', '6d1a2f0e-0000-4000-8000-000000000001#', ' ']


@pytest.mark.parametrize('key_id', NOT_UUIDS)
def test_an_id_that_is_not_a_uuid_never_enters_a_path(jms, key_id):
    """``../`` in an id used to reach other endpoints with the user's auth (GET, then DELETE!)."""
    api = api_for(jms)
    for call in (lambda: AccessKeyJob(api, key_id=key_id).run('absent'), lambda: api.get(key_id),
                 lambda: api.delete(key_id), lambda: api.patch(key_id, {'is_active': False})):
        with pytest.raises(AccessKeyError) as caught:
            call()
        assert 'UUID' in str(caught.value) and '\n' not in str(caught.value)
    assert [r for r in jms.requests() if not r['path'].startswith(KEYS_PATH)] == []
    assert jms.requests('DELETE') == [] and jms.requests('PATCH') == []


def test_an_id_from_dest_that_is_not_a_uuid_is_refused(jms, tmp_path):
    (tmp_path / 'key.json').write_text(json.dumps({'id': '../../../users/profile', 'secret': 'x' * 36}))
    (tmp_path / 'key.json').chmod(0o600)
    for state in ('present', 'rotated', 'absent'):
        with pytest.raises(AccessKeyError) as caught:
            job_for(jms, tmp_path).run(state)
        assert 'UUID' in str(caught.value)
    assert [r for r in jms.requests() if r['path'] != '/api/v1/authentication/auth/'] == []


def test_an_upper_case_uuid_is_sent_in_its_canonical_form(jms, tmp_path):
    first = job_for(jms, tmp_path).run('present')
    result = AccessKeyJob(api_for(jms), key_id=first['id'].upper()).run('absent')
    assert result['deleted_ids'] == [first['id']] and key_count(jms) == 0


@pytest.mark.parametrize('body, says', [([{'id': 'x'}], 'a JSON list, not an access key'),
                                        ({'detail': 'ok'}, 'a JSON object without an id'), (42, 'a JSON number'),
                                        (None, 'not an access key'), ('text', 'instead of JSON')])
def test_an_answer_of_the_wrong_shape_is_one_clear_line(jms, tmp_path, body, says):
    first = job_for(jms, tmp_path).run('present')
    for method, call in (('GET', lambda api: api.get(first['id'])),
                         ('PATCH', lambda api: api.patch(first['id'], {'is_active': False})),
                         ('GET', lambda api: job_for(jms, tmp_path).run('present')),
                         ('GET', lambda api: AccessKeyJob(api, key_id=first['id']).run('absent'))):
        jms.fault(kind='body', method=method, path=KEYS_PATH + first['id'] + '/', body=body)
        with pytest.raises(OpsAuthError) as caught:
            call(api_for(jms))
        assert says in str(caught.value) and '\n' not in str(caught.value)
    assert key_count(jms) == 1 and jms.requests('DELETE') == []


def test_a_key_list_with_entries_of_the_wrong_shape_is_one_clear_line(jms, tmp_path):
    jms.fault(kind='body', method='GET', path=KEYS_PATH, body=['not a key'])
    with pytest.raises(AccessKeyError) as caught:
        job_for(jms, tmp_path, state_options=dict(prune_inactive=True)).run('present')
    assert 'access key' in str(caught.value)
