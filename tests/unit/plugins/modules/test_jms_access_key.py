# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""opsauth.tokens.jms_access_key end to end: the module against the JumpServer simulator (in-process, real HTTP)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.opsauth.tokens.plugins.modules import jms_access_key

KEYS_PATH = '/api/v1/authentication/access-keys/'


def args(jms, tmp_path, **extra):
    return dict(dict(url=jms.url, username='alice', password='Alice-Pass-1', dest=str(tmp_path / 'key.json')), **extra)


def test_present_returns_the_secret_and_diff_only_in_diff_mode(jms, tmp_path, run_module):
    first = run_module(jms_access_key, args(jms, tmp_path))
    assert first['changed'] and len(first['secret']) == 36 and 'diff' not in first
    second = run_module(jms_access_key, args(jms, tmp_path, ip_group=['127.0.0.1']), diff=True)
    assert second['changed'] and second['diff']['after']['ip_group'] == ['127.0.0.1']
    assert first['secret'] not in json.dumps(second['diff'])


def test_rotate_whose_old_key_cannot_be_deleted_fails_with_the_new_key(jms, tmp_path, run_module):
    first = run_module(jms_access_key, args(jms, tmp_path))
    jms.fault(method='DELETE', path=KEYS_PATH + first['id'] + '/', status=500)
    failed = run_module(jms_access_key, args(jms, tmp_path, state='rotated'))
    assert failed['failed'] and failed['changed'] and failed['previous']['id'] == first['id']
    assert failed['secret'] and failed['secret'] not in failed['msg'] and 'the next run retires it' in failed['msg']


def test_state_needs_dest_or_id(jms, tmp_path, run_module):
    failed = run_module(jms_access_key, dict(url=jms.url, username='alice', password='Alice-Pass-1', state='rotated'))
    assert failed['failed'] and 'dest' in failed['msg']
    assert jms.requests() == []


def test_the_key_limit_fails_with_the_status(jms, tmp_path, run_module):
    from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_keys import AccessKeyApi
    api = AccessKeyApi(dict(url=jms.url, username='alice', password='Alice-Pass-1'))
    for dummy in range(10):
        api.create()
    failed = run_module(jms_access_key, args(jms, tmp_path))
    assert failed['failed'] and failed['status'] == 400 and 'already has 10 access keys' in failed['msg']


def test_a_dest_readable_by_others_is_a_change_with_a_warning(jms, tmp_path, run_module, monkeypatch):
    import os
    # Where a warning ends up depends on what else the test process imported (the result, or the controller's
    # display), so record it at the source.
    warnings = []
    monkeypatch.setattr(AnsibleModule, 'warn', lambda self, msg: warnings.append(msg))
    run_module(jms_access_key, args(jms, tmp_path))
    os.chmod(str(tmp_path / 'key.json'), 0o640)
    again = run_module(jms_access_key, args(jms, tmp_path))
    assert again['changed'] and not again['rotated'] and 'had mode 0640' in json.dumps(warnings)


def test_a_duration_that_is_not_one_fails_before_any_request(jms, tmp_path, run_module):
    failed = run_module(jms_access_key, args(jms, tmp_path, state='rotated', max_age='90 days'))
    assert failed['failed'] and "'90 days' is not a duration" in failed['msg'] and jms.requests() == []


def test_rotated_with_max_age_is_idempotent_and_dates_are_utc(jms, tmp_path, run_module):
    first = run_module(jms_access_key, args(jms, tmp_path, state='rotated', max_age='90d', grace_period='7d'))
    again = run_module(jms_access_key, args(jms, tmp_path, state='rotated', max_age='90d', grace_period='7d'))
    assert first['changed'] and first['rotated'] and first['reason'] == 'missing'
    assert not again['changed'] and not again['rotated'] and again['reason'] is None and again['reused']
    assert again['date_created'].endswith('+00:00') and again['id'] == first['id']


def test_an_id_with_dot_dot_fails_with_one_line_and_reaches_nothing(jms, tmp_path, run_module):
    """Issue 17: ``id`` went into the URL path unvalidated; ``../`` reached other endpoints with the user's auth."""
    failed = run_module(jms_access_key, dict(url=jms.url, username='alice', password='Alice-Pass-1', state='absent',
                                             id='../../../users/profile'))
    assert failed['failed'] and 'must be a UUID' in failed['msg'] and 'exception' not in failed
    assert jms.requests() == []


def test_an_answer_that_is_a_list_fails_with_one_line_not_a_traceback(jms, tmp_path, run_module):
    first = run_module(jms_access_key, args(jms, tmp_path))
    jms.fault(kind='body', method='GET', path=KEYS_PATH + first['id'] + '/', body=[{'id': first['id']}])
    failed = run_module(jms_access_key, dict(url=jms.url, username='alice', password='Alice-Pass-1', state='absent',
                                             id=first['id']))
    assert failed['failed'] and 'exception' not in failed and 'not an access key' in failed['msg']
    assert jms.requests('DELETE') == []


def test_a_key_of_another_user_is_not_replaced_without_force(jms, tmp_path, run_module, monkeypatch):
    """Issue 18: dest held alice's key and the next user's run overwrote it; alice's secret was lost."""
    alice = run_module(jms_access_key, args(jms, tmp_path))
    dest = tmp_path / 'key.json'
    identity = dict(server=jms.url, user='alice', account_type=None, credential='jms_access_key')
    assert json.loads(dest.read_text())['identity'] == identity
    jms.clear_log()
    admin = dict(username='admin', password='Adm1n-Pass!')
    refused = run_module(jms_access_key, args(jms, tmp_path, **admin))
    assert refused['failed'] and not refused.get('changed') and jms.requests() == []
    assert refused['msg'] == ('token file %s holds the jms_access_key credential of alice at %s, not the jms_access_key '
                              'credential of admin at %s: nothing was sent. Point dest at another file, or set '
                              'force=true to replace it (what it holds is then lost)' % (dest, jms.url, jms.url))
    assert json.loads(dest.read_text())['secret'] == alice['secret']
    warnings = []
    monkeypatch.setattr(AnsibleModule, 'warn', lambda self, msg: warnings.append(msg))
    forced = run_module(jms_access_key, args(jms, tmp_path, force=True, **admin))
    assert forced['changed'] and forced['reason'] == 'missing' and forced['id'] != alice['id']
    assert warnings == ['force=true: token file %s held the jms_access_key credential of alice at %s, which is '
                        'replaced' % (dest, jms.url)]
    assert json.loads(dest.read_text())['identity']['user'] == 'admin'
    # Nothing of alice's was touched on the server: no DELETE, her key still signs.
    assert jms.requests('DELETE') == []
    from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_keys import AccessKeyApi
    assert AccessKeyApi(dict(url=jms.url, username='alice', password='Alice-Pass-1')).signs(alice['id'], alice['secret'])


def test_with_a_token_the_user_comes_from_the_profile(jms, tmp_path, run_module):
    from ansible_collections.opsauth.tokens.plugins.modules import jms_token
    run_module(jms_access_key, args(jms, tmp_path))
    admin_token = run_module(jms_token, dict(url=jms.url, username='admin', password='Adm1n-Pass!'))['token']
    jms.clear_log()
    refused = run_module(jms_access_key, dict(url=jms.url, token=admin_token, dest=str(tmp_path / 'key.json'),
                                              state='absent'))
    assert refused['failed'] and 'holds the jms_access_key credential of alice' in refused['msg']
    assert 'credential of admin at' in refused['msg']
    assert [(entry['method'], entry['path']) for entry in jms.requests()] == [('GET', '/api/v1/users/profile/')]
    assert (tmp_path / 'key.json').exists()


def test_a_key_file_of_the_old_code_names_its_server(jms, tmp_path, run_module):
    run_module(jms_access_key, args(jms, tmp_path))
    dest = tmp_path / 'key.json'
    old = json.loads(dest.read_text())
    del old['identity']
    dest.write_text(json.dumps(dict(old, url='https://jms.elsewhere.example.com')))
    jms.clear_log()
    refused = run_module(jms_access_key, args(jms, tmp_path, state='rotated'))
    assert refused['failed'] and 'holds a credential at https://jms.elsewhere.example.com' in refused['msg']
    assert jms.requests() == []
    dest.write_text(json.dumps(old))  # its own server: used as before, and the record is added at the next write
    kept = run_module(jms_access_key, args(jms, tmp_path, state='rotated', max_age='90d'))
    assert not kept.get('failed') and kept['id'] == old['id'] and not kept['changed']


def test_missing_folders_of_dest_are_created_0700_and_said(jms, tmp_path, run_module):
    # Issue 18, item 2: the folders are made (0700) and the result says which, in check mode which would be.
    dest = tmp_path / 'keys' / 'jms' / 'key.json'
    created = [str(tmp_path / 'keys'), str(tmp_path / 'keys' / 'jms')]
    checked = run_module(jms_access_key, args(jms, tmp_path, dest=str(dest)), check_mode=True)
    assert checked['created_dirs'] == created and not (tmp_path / 'keys').exists()
    assert checked['msg'].endswith('(would create %s)' % ', '.join(created))
    result = run_module(jms_access_key, args(jms, tmp_path, dest=str(dest)))
    assert result['changed'] and result['created_dirs'] == created
    assert result['msg'].endswith('(created %s)' % ', '.join(created))
    assert [stat.S_IMODE(os.stat(path).st_mode) for path in created] == [0o700, 0o700]
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o600
    again = run_module(jms_access_key, args(jms, tmp_path, dest=str(dest)))
    assert again['reused'] and again['created_dirs'] == [] and again['id'] == result['id']
