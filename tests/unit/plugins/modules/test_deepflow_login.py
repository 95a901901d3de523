# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""deepflow_login runs for real against the DeepFlow simulator served in-process.

The cases here are the ones a playbook cannot set up easily (a token file of another fauths, a write that fails);
the happy paths are in the integration targets.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat


from ansible.module_utils.basic import AnsibleModule

from ansible_collections.opsauth.tokens.plugins.module_utils._results import PLACEHOLDER
from ansible_collections.opsauth.tokens.plugins.module_utils._time import iso_from_epoch
from ansible_collections.opsauth.tokens.plugins.modules import deepflow_login
from ansible_collections.opsauth.tokens.tests.unit.plugins.modules.conftest import fail_renames


def login_args(df, **extra):
    return dict(dict(url=df.url, email='dev@yunshan.net.cn', password='dev-pwd'), **extra)


def test_login_stores_0600_and_reuses_without_a_request(df, run_module, tmp_path):
    dest = str(tmp_path / 'df.json')
    first = run_module(deepflow_login, login_args(df, dest=dest))
    assert first['changed'] is True and first['token_type'] == 'password'
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    second = run_module(deepflow_login, login_args(df, dest=dest))
    assert second['changed'] is False and second['token'] == first['token'] and second['reused'] is True
    assert first['headers'] == {'Authorization': 'Bearer ' + first['token']} and first['error_code'] is None
    assert df.log() == [('POST', '/api/fauths/login', 200)]


def test_expired_access_token_is_refreshed_without_the_password(df, run_module, tmp_path):
    dest = str(tmp_path / 'df.json')
    run_module(deepflow_login, login_args(df, dest=dest))
    with open(dest) as handle:
        stored = json.load(handle)
    with open(dest, 'w') as handle:
        json.dump(dict(stored, expires_at=946684800), handle)  # 2000-01-01
    df.clear_log()
    result = run_module(deepflow_login, login_args(df, dest=dest))
    assert result['changed'] is True and result['token_type'] == 'refresh_token'
    assert result['email'] == 'dev@yunshan.net.cn' and result['license'] is True  # kept from the login
    assert df.log() == [('POST', '/api/fauths/refresh_token', 200)]
    assert 'dev-pwd' not in df.bodies()


def test_the_token_file_holds_epochs_and_their_iso_dates(df, run_module, tmp_path):
    dest = str(tmp_path / 'df.json')
    first = run_module(deepflow_login, login_args(df, dest=dest))
    with open(dest) as handle:
        stored = json.load(handle)
    for name in ('expires_at', 'refresh_expires_at', 'issued_at'):
        assert isinstance(stored[name], int) and not isinstance(stored[name], bool), name
    assert stored['date_expired'] == iso_from_epoch(stored['expires_at']) == first['date_expired']
    assert stored['refresh_date_expired'] == iso_from_epoch(stored['refresh_expires_at'])
    assert first['expires_at'] == stored['expires_at']


def test_a_token_file_written_with_iso_times_is_still_read(df, run_module, tmp_path):
    # Before the naming rule (issue 12) deepflow_login stored ISO 8601 strings under expires_at/refresh_expires_at;
    # before docs/results.md (issue 18) the access token under access_token, and no identity record.
    dest = str(tmp_path / 'df.json')
    run_module(deepflow_login, login_args(df, dest=dest))
    with open(dest) as handle:
        stored = json.load(handle)
    stored['access_token'] = stored.pop('token')
    legacy = dict((key, value) for key, value in stored.items()
                  if not key.startswith(('date_', 'refresh_date_')) and key != 'identity')
    legacy.update(expires_at=iso_from_epoch(stored['expires_at']), refresh_expires_at=iso_from_epoch(stored['refresh_expires_at']),
                  issued_at=iso_from_epoch(stored['issued_at']))
    with open(dest, 'w') as handle:
        json.dump(legacy, handle)
    df.clear_log()
    reused = run_module(deepflow_login, login_args(df, dest=dest))
    assert reused['changed'] is False and reused['token'] == stored['access_token']
    assert reused['expires_at'] == stored['expires_at'] and reused['date_expired'] == legacy['expires_at']
    assert df.log() == []
    # An expired one (ISO as well) is still refreshed, not logged in again, and stored the new way.
    with open(dest, 'w') as handle:
        json.dump(dict(legacy, expires_at='2000-01-01T00:00:00+00:00'), handle)
    refreshed = run_module(deepflow_login, login_args(df, dest=dest))
    assert refreshed['changed'] is True and df.log() == [('POST', '/api/fauths/refresh_token', 200)]
    with open(dest) as handle:
        rewritten = json.load(handle)
    assert isinstance(rewritten['expires_at'], int) and rewritten['date_expired'] == iso_from_epoch(rewritten['expires_at'])


def test_a_token_file_of_another_fauths_is_neither_reused_nor_replaced_without_force(df, run_module, tmp_path):
    dest = str(tmp_path / 'df.json')
    run_module(deepflow_login, login_args(df, dest=dest))
    refused = run_module(deepflow_login, login_args(df, dest=dest, url=None, fauths_url=df.url))
    assert refused['failed'] is True and 'holds the deepflow_login credential of dev@yunshan.net.cn at %s/api/fauths, not' % df.url in refused['msg']
    assert 'set force=true to replace it' in refused['msg']
    assert df.log() == [('POST', '/api/fauths/login', 200)]
    result = run_module(deepflow_login, login_args(df, dest=dest, url=None, fauths_url=df.url, force=True))
    assert result['changed'] is True and result['pages'] == {}
    assert df.log() == [('POST', '/api/fauths/login', 200), ('POST', '/login', 200)]


def test_a_token_file_of_another_account_is_refused_before_the_login(df, run_module, tmp_path):
    dest = str(tmp_path / 'df.json')
    run_module(deepflow_login, login_args(df, dest=dest))
    refused = run_module(deepflow_login, login_args(df, dest=dest, email='ops@example.com', password='Ops-Pass-1'))
    assert refused['failed'] is True and 'credential of dev@yunshan.net.cn' in refused['msg']
    assert df.log() == [('POST', '/api/fauths/login', 200)]


def test_check_mode_on_a_first_run_returns_the_keys_of_a_real_run(df, run_module, tmp_path):
    dest = tmp_path / 'new' / 'df.json'
    checked = run_module(deepflow_login, login_args(df, dest=str(dest)), check_mode=True)
    assert df.log() == [] and not (tmp_path / 'new').exists()
    assert checked['changed'] is True and checked['token'] == checked['refresh_token'] == PLACEHOLDER
    assert checked['headers'] == {'Authorization': 'Bearer ' + PLACEHOLDER} and checked['created_dirs'] == [str(tmp_path / 'new')]
    assert checked['pages']['views'].endswith('/monitor/list?token=%s&refreshToken=%s' % (PLACEHOLDER, PLACEHOLDER))
    assert checked['expires_in'] == 3600 and checked['date_expired'] == iso_from_epoch(checked['expires_at'])
    real = run_module(deepflow_login, login_args(df, dest=str(dest)))
    # (AnsibleModule adds the stat of an existing dest - uid, mode... - to any result that names one.)
    path_info = {'invocation', 'uid', 'gid', 'owner', 'group', 'mode', 'state', 'size', 'secontext', 'path'}
    assert sorted(set(real) - path_info) == sorted(set(checked) - path_info)
    assert stat.S_IMODE(os.stat(str(tmp_path / 'new')).st_mode) == 0o700


def test_refreshed_without_any_refresh_token_is_one_clear_line(df, run_module, tmp_path):
    result = run_module(deepflow_login, login_args(df, state='refreshed', dest=str(tmp_path / 'none.json')))
    assert result['failed'] is True and 'state=refreshed needs refresh_token' in result['msg']
    assert df.log() == []


def test_absent_removes_a_broken_token_file(df, run_module, tmp_path):
    dest = tmp_path / 'df.json'
    dest.write_text('{not json')
    result = run_module(deepflow_login, login_args(df, state='absent', dest=str(dest)))
    assert result['changed'] is True and not dest.exists()
    assert df.log() == []


def test_absent_with_a_dead_access_token_still_ends_the_session(df, run_module, tmp_path):
    dest = str(tmp_path / 'df.json')
    run_module(deepflow_login, login_args(df, dest=dest))
    with df.app.lock:
        for record in df.app.access.values():
            record['revoked'] = 'expired'  # what time does to an access token; its refresh token lives on
    df.clear_log()
    result = run_module(deepflow_login, login_args(df, dest=dest, state='absent'))
    assert result['changed'] is True and not os.path.exists(dest)
    assert df.log() == [('POST', '/api/fauths/logout', 400), ('POST', '/api/fauths/refresh_token', 200),
                        ('POST', '/api/fauths/logout', 200)]
    with df.app.lock:
        assert all(record['revoked'] for record in df.app.refresh_tokens.values())


def test_absent_with_everything_dead_is_not_a_change_on_the_server(df, run_module):
    first = run_module(deepflow_login, login_args(df))
    with df.app.lock:
        for table in (df.app.access, df.app.refresh_tokens):
            for record in table.values():
                record['revoked'] = 'expired'
    result = run_module(deepflow_login, login_args(df, state='absent', access_token=first['token'],
                                                   refresh_token=first['refresh_token']))
    assert result['changed'] is False
    assert [status for dummy, dummy, status in df.log()][-2:] == [400, 400]


def test_refresh_with_an_unwritable_dest_does_not_use_up_the_refresh_token(df, run_module, tmp_path):
    dest = tmp_path / 'df.json'
    run_module(deepflow_login, login_args(df, dest=str(dest)))
    df.clear_log()
    os.chmod(str(dest), 0o600)
    os.rename(str(dest), str(tmp_path / 'kept.json'))
    os.mkdir(str(dest))  # dest is now a directory: the refresh must not be sent
    result = run_module(deepflow_login, login_args(df, state='refreshed', dest=str(dest),
                                                   refresh_token=json.loads((tmp_path / 'kept.json').read_text())['refresh_token']))
    assert result['failed'] is True and 'is a directory' in result['msg']
    assert df.log() == []


def test_login_whose_write_fails_returns_the_tokens(df, run_module, tmp_path, monkeypatch):
    fail_renames(monkeypatch)
    result = run_module(deepflow_login, login_args(df, dest=str(tmp_path / 'df.json')))
    assert result['failed'] is True and result['changed'] is True
    assert result['token'] and result['refresh_token']
    assert 'fauths issued new tokens, but cannot write token file' in result['msg']


def test_a_world_readable_token_file_is_narrowed_and_reported(df, run_module, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(AnsibleModule, 'warn', lambda self, msg: warnings.append(msg))
    dest = str(tmp_path / 'df.json')
    run_module(deepflow_login, login_args(df, dest=dest))
    os.chmod(dest, 0o644)
    result = run_module(deepflow_login, login_args(df, dest=dest))
    assert result['changed'] is True and result['token']
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    assert len(warnings) == 1 and 'had mode 0644' in warnings[0]
    assert df.log() == [('POST', '/api/fauths/login', 200)]  # reused: the mode fix was the only change
