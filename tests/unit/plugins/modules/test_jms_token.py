# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.opsauth.tokens.plugins.module_utils._results import PLACEHOLDER
from ansible_collections.opsauth.tokens.plugins.module_utils._time import iso_from_epoch
from ansible_collections.opsauth.tokens.plugins.modules import jms_token

PROFILE = '/api/v1/users/profile/'


def args(jms, **extra):
    return dict(dict(url=jms.url, username='alice', password='Alice-Pass-1'), **extra)


def test_login_returns_token_expiry_and_headers(jms, run_module):
    result = run_module(jms_token, args(jms))
    assert result['changed'] is True and result['reused'] is False
    assert result['keyword'] == 'Bearer' and len(result['token']) == 36
    assert 86300 < result['expires_in'] <= 86400
    # The server answered '+0800' (its TIME_ZONE); results are UTC (docs/results.md), the same time as expires_at.
    assert result['date_expired'].endswith('+00:00')
    assert result['date_expired'] == iso_from_epoch(result['expires_at'])
    assert result['error_code'] is None
    assert result['user']['username'] == 'alice' and result['user']['name'] == 'Alice'
    assert result['headers'] == {'Authorization': 'Bearer ' + result['token'], 'X-JMS-ORG': '00000000-0000-0000-0000-000000000002'}
    assert len(jms.logins()) == 1


def test_dest_is_written_0600_then_reused_without_a_login(jms, run_module, tmp_path):
    dest = str(tmp_path / 'jms.json')
    first = run_module(jms_token, args(jms, dest=dest))
    assert first['changed'] is True
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    with open(dest) as handle:
        stored = json.load(handle)
    assert sorted(stored) == ['date_expired', 'expires_at', 'identity', 'keyword', 'token', 'url', 'user', 'username']
    assert stored['identity'] == {'server': jms.url, 'user': 'alice', 'account_type': None, 'credential': 'jms_token'}
    assert stored['token'] == first['token'] and stored['url'] == jms.url

    second = run_module(jms_token, args(jms, dest=dest))
    assert second['changed'] is False and second['reused'] is True
    assert second['token'] == first['token']
    assert len(jms.logins()) == 1
    assert len(jms.requests('GET', PROFILE)) == 1


def test_a_token_the_server_forgot_is_replaced(jms, run_module, tmp_path):
    dest = str(tmp_path / 'jms.json')
    first = run_module(jms_token, args(jms, dest=dest))
    with jms.app.lock:
        jms.app.tokens = {}  # what a Redis restart does
    second = run_module(jms_token, args(jms, dest=dest))
    assert second['changed'] is True and second['token'] != first['token']
    assert len(jms.logins()) == 2
    with open(dest) as handle:
        assert json.load(handle)['token'] == second['token']


def test_a_token_close_to_expiry_is_not_even_checked(jms, run_module, tmp_path):
    dest = str(tmp_path / 'jms.json')
    run_module(jms_token, args(jms, dest=dest))
    result = run_module(jms_token, args(jms, dest=dest, min_ttl=90000))
    assert result['changed'] is True
    assert jms.requests('GET', PROFILE) == []
    assert len(jms.logins()) == 2


def test_a_token_of_another_user_is_not_replaced_without_force(jms, run_module, tmp_path, monkeypatch):
    # Issue 18: dest held alice's token and was silently overwritten by admin's. Now: refused, before any request.
    dest = str(tmp_path / 'jms.json')
    first = run_module(jms_token, args(jms, dest=dest))
    jms.clear_log()
    refused = run_module(jms_token, args(jms, dest=dest, username='admin', password='Adm1n-Pass!'))
    assert refused['failed'] is True and not refused.get('changed')
    assert refused['msg'] == ('token file %s holds the jms_token credential of alice at %s, not the jms_token credential '
                              'of admin at %s: nothing was sent. Point dest at another file, or set force=true to '
                              'replace it (what it holds is then lost)' % (dest, jms.url, jms.url))
    assert jms.requests() == []
    with open(dest) as handle:
        assert json.load(handle)['token'] == first['token']
    warnings = []
    monkeypatch.setattr(AnsibleModule, 'warn', lambda self, msg: warnings.append(msg))
    forced = run_module(jms_token, args(jms, dest=dest, username='admin', password='Adm1n-Pass!', force=True))
    assert forced['changed'] is True and forced['user']['username'] == 'admin'
    assert warnings == ['force=true: token file %s held the jms_token credential of alice at %s, which is '
                        'replaced' % (dest, jms.url)]
    assert jms.requests('GET', PROFILE) == [] and len(jms.logins()) == 1


def test_a_token_file_of_the_old_code_is_read_and_its_owner_respected(jms, run_module, tmp_path):
    # Written before the identity record and docs/results.md: no identity, date_expired in the server's +08:00.
    dest = tmp_path / 'jms.json'
    first = run_module(jms_token, args(jms, dest=str(dest)))
    old = dict((key, value) for key, value in json.loads(dest.read_text()).items() if key not in ('identity', 'expires_at'))
    old['date_expired'] = first['date_expired'].replace('+00:00', '')  # naive UTC, rewritten below with +08:00
    import datetime
    utc = datetime.datetime.fromisoformat(first['date_expired'])
    old['date_expired'] = utc.astimezone(datetime.timezone(datetime.timedelta(hours=8))).strftime('%Y/%m/%d %H:%M:%S %z')
    old['expires_at'] = first['expires_at']
    dest.write_text(json.dumps(old))
    reused = run_module(jms_token, args(jms, dest=str(dest)))
    assert reused['reused'] is True and reused['token'] == first['token']
    assert reused['date_expired'] == first['date_expired'] and reused['expires_at'] == first['expires_at']
    # Its url and username still say whose token it is.
    refused = run_module(jms_token, args(jms, dest=str(dest), username='admin', password='Adm1n-Pass!'))
    assert refused['failed'] is True and 'holds the jms_token credential of alice' not in refused['msg']
    assert 'holds a credential of alice at %s' % jms.url in refused['msg']
    assert len(jms.logins()) == 1


def test_missing_folders_of_dest_are_created_0700(jms, run_module, tmp_path):
    # Issue 18: the README's first playbook stopped here ("create it first (mode 0700)").
    dest = tmp_path / 'cache' / 'opsauth' / 'jms.json'
    checked = run_module(jms_token, args(jms, dest=str(dest)), check_mode=True)
    created = [str(tmp_path / 'cache'), str(tmp_path / 'cache' / 'opsauth')]
    assert checked['created_dirs'] == created and not (tmp_path / 'cache').exists()
    assert 'would create %s' % ', '.join(created) in checked['msg']
    result = run_module(jms_token, args(jms, dest=str(dest)))
    assert result['changed'] is True and result['created_dirs'] == created
    assert [stat.S_IMODE(os.stat(path).st_mode) for path in created] == [0o700, 0o700]
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o600
    again = run_module(jms_token, args(jms, dest=str(dest)))
    assert again['reused'] is True and again['created_dirs'] == []


def test_check_mode_sends_no_login_and_writes_nothing(jms, run_module, tmp_path):
    dest = str(tmp_path / 'jms.json')
    result = run_module(jms_token, args(jms, dest=dest), check_mode=True, diff=True)
    assert result['changed'] is True and 'would log in as alice' in result['msg']
    # Issue 18: the keys of a real run, placeholder values, so that the next task can template them.
    real = run_module(jms_token, args(jms))
    assert sorted(set(real) - {'invocation'}) == sorted(set(result) - {'invocation', 'diff', 'dest', 'created_dirs'})
    assert result['token'] == PLACEHOLDER and result['reused'] is False and result['error_code'] is None
    assert result['headers'] == {'Authorization': 'Bearer ' + PLACEHOLDER, 'X-JMS-ORG': '00000000-0000-0000-0000-000000000002'}
    assert result['expires_in'] == 86400 and result['date_expired'] == iso_from_epoch(result['expires_at'])
    assert result['user'] == {'id': None, 'username': 'alice', 'name': None}
    jms.clear_log()
    result = run_module(jms_token, args(jms, dest=dest), check_mode=True, diff=True)
    assert jms.requests() == []
    assert not os.path.exists(dest)
    assert result['diff']['after'] == {'url': jms.url, 'username': 'alice'}


def test_check_mode_returns_a_reusable_token(jms, run_module, tmp_path):
    dest = str(tmp_path / 'jms.json')
    first = run_module(jms_token, args(jms, dest=dest))
    result = run_module(jms_token, args(jms, dest=dest), check_mode=True)
    assert result['changed'] is False and result['token'] == first['token']
    assert len(jms.logins()) == 1


def test_diff_never_shows_the_token(jms, run_module, tmp_path):
    dest = str(tmp_path / 'jms.json')
    result = run_module(jms_token, args(jms, dest=dest), diff=True)
    assert result['diff']['before'] == {}
    assert result['diff']['after']['username'] == 'alice' and 'expires_at' in result['diff']['after']
    assert result['token'] not in json.dumps(result['diff'])


def test_wrong_password_fails_once_with_the_server_message(jms, run_module):
    result = run_module(jms_token, args(jms, password='wrong'))
    assert result['failed'] is True and result['error_code'] == 'password_failed'
    assert 'You can also try 6 times' in result['msg']
    assert 'wrong' not in result['msg'].replace('wrong username', '')
    assert len(jms.logins()) == 1


def test_only_a_password_login_makes_sense_here(jms, run_module):
    # (a long value: Ansible masks every occurrence of a no_log value in the output, even inside words)
    result = run_module(jms_token, dict(url=jms.url, token='0123456789abcdef0123456789abcdef0123'))
    assert result['failed'] is True and result['msg'] == 'token cannot be used here: give username and password'
    result = run_module(jms_token, args(jms, private_token='0123456789abcdef0123456789abcdef01234567'))
    assert result['msg'] == 'give either password or private_token, not both'
    assert jms.requests() == []


def test_absent_removes_dest_and_says_so(jms, run_module, tmp_path):
    dest = str(tmp_path / 'jms.json')
    run_module(jms_token, args(jms, dest=dest))
    checked = run_module(jms_token, dict(url=jms.url, dest=dest, state='absent'), check_mode=True, diff=True)
    assert checked['changed'] is True and os.path.exists(dest)
    assert 'token' not in checked['diff']['before'] and checked['diff']['after'] == {}
    removed = run_module(jms_token, dict(url=jms.url, dest=dest, state='absent'))
    assert removed['changed'] is True and not os.path.exists(dest)
    again = run_module(jms_token, dict(url=jms.url, dest=dest, state='absent'))
    assert again['changed'] is False
    assert len(jms.requests()) == 1  # the first login only: absent sends nothing


def test_absent_needs_dest(jms, run_module):
    result = run_module(jms_token, dict(url=jms.url, state='absent'))
    assert result['failed'] is True and 'dest' in result['msg']


# --- token files (issue 8, defects 6 and 7) -------------------------------------------------------------------------

def test_an_empty_dest_is_no_token(jms, run_module, tmp_path):
    dest = tmp_path / 'jms.json'
    dest.write_text('')  # what "file: state=touch" leaves
    result = run_module(jms_token, args(jms, dest=str(dest)))
    assert result['changed'] is True and len(jms.logins()) == 1
    assert json.loads(dest.read_text())['token'] == result['token']


def test_an_unwritable_dest_is_refused_before_the_login(jms, run_module, tmp_path):
    (tmp_path / 'a-file').write_text('')
    result = run_module(jms_token, args(jms, dest=str(tmp_path / 'a-file' / 'jms.json')))
    assert result['failed'] is True and 'Not a directory' in result['msg']
    assert jms.logins() == []


def test_a_fifo_dest_is_refused_without_blocking(jms, run_module, tmp_path):
    dest = str(tmp_path / 'jms.json')
    os.mkfifo(dest)
    result = run_module(jms_token, args(jms, dest=dest))
    assert result['failed'] is True and 'is a FIFO (named pipe), not a regular file' in result['msg']
    assert jms.logins() == []


def test_a_login_whose_write_fails_returns_the_token(jms, run_module, tmp_path, monkeypatch):
    from ansible_collections.opsauth.tokens.plugins.module_utils.files import _token_file

    def no_space(src, dst):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(_token_file.os, 'replace', no_space)
    result = run_module(jms_token, args(jms, dest=str(tmp_path / 'jms.json')))
    assert result['failed'] is True and result['changed'] is True
    assert len(result['token']) == 36 and result['headers']['Authorization'] == 'Bearer ' + result['token']
    assert 'logged in as alice, but cannot write token file' in result['msg']
    assert 'the new credential is in this failed result' in result['msg']
    assert os.listdir(str(tmp_path)) == []


def test_a_world_readable_dest_is_narrowed_on_reuse(jms, run_module, tmp_path):
    dest = str(tmp_path / 'jms.json')
    first = run_module(jms_token, args(jms, dest=dest))
    os.chmod(dest, 0o644)
    second = run_module(jms_token, args(jms, dest=dest))
    assert second['reused'] is True and second['token'] == first['token']
    assert second['changed'] is True  # the file's mode changed on disk
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    assert len(jms.logins()) == 1


def test_an_unknown_org_fails_after_the_login_and_a_known_one_is_checked_once(jms, run_module, tmp_path):
    unknown = run_module(jms_token, args(jms, org_id='22222222-2222-2222-2222-222222222222'))
    assert unknown['failed'] is True and unknown['error_code'] == 'unknown_organization'
    assert 'org_id 22222222-2222-2222-2222-222222222222 is no organisation id' in unknown['msg']
    dest = str(tmp_path / 'jms.json')
    ops = '11111111-1111-1111-1111-111111111111'
    first = run_module(jms_token, args(jms, org_id=ops, dest=dest))
    again = run_module(jms_token, args(jms, org_id=ops, dest=dest))
    assert first['headers']['X-JMS-ORG'] == again['headers']['X-JMS-ORG'] == ops
    assert [entry['path'] for entry in jms.requests('GET')] == [
        '/api/v1/orgs/orgs/22222222-2222-2222-2222-222222222222/', '/api/v1/orgs/orgs/%s/' % ops, PROFILE,
        '/api/v1/orgs/orgs/%s/' % ops]
