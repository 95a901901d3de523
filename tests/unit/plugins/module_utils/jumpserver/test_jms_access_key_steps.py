# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Access-key rotation (issue 19): max_age, grace_period, pending/promoted/reverted, resume, the limit of 10.

Against the JumpServer simulator (v4 and v3.10) over real HTTP; the one thing faked is the clock (``_time.now``), to
age keys and to pass a grace period.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re
import time

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils import _time
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_keys import KEYS_PATH, AccessKeyApi
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import KeyLimitReached
from ansible_collections.opsauth.tokens.tests.unit.plugins.error_table import raises_code
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.jumpserver.conftest import job_for, signs, stored

DAY = 86400


def job(server, tmp_path, check=False, **options):
    return job_for(server, tmp_path, state_options=dict(options, check=check))


def creates(server):
    return [r for r in server.requests('POST', KEYS_PATH) if r['status'] == 201]


def alice_keys(server):
    return dict((k['id'], k) for k in server.app.access_keys.values() if k['user'] == 'alice')


@pytest.fixture
def clock(monkeypatch):
    """Move the job's clock forward (the server's keys keep their real date_created)."""
    offset = [0]
    monkeypatch.setattr(_time, 'now', lambda: time.time() + offset[0])

    def forward(seconds):
        offset[0] += seconds
    return forward


def test_max_age_rotates_only_an_old_key(jms_any, tmp_path, clock):
    first = job(jms_any, tmp_path).run('present')
    kept = job(jms_any, tmp_path, max_age=90 * DAY).run('rotated')
    assert not kept['changed'] and not kept['rotated'] and kept['reason'] is None and kept['id'] == first['id']
    assert kept['verified'] and kept['reused']
    clock(91 * DAY)
    aged = job(jms_any, tmp_path, max_age=90 * DAY).run('rotated')
    assert aged['rotated'] and aged['reason'] == 'age' and aged['id'] != first['id']
    assert aged['deleted_ids'] == [first['id']] and list(alice_keys(jms_any)) == [aged['id']]
    assert aged['date_created'].endswith('+00:00')


def test_grace_period_deactivates_then_a_later_run_deletes(jms_any, tmp_path, clock):
    first = job(jms_any, tmp_path).run('present')
    rotated = job(jms_any, tmp_path, grace_period=7 * DAY).run('rotated')
    assert rotated['previous']['id'] == first['id'] and rotated['previous']['is_active'] is False
    assert rotated['deleted_ids'] == [] and alice_keys(jms_any)[first['id']]['is_active'] is False
    assert not signs(jms_any, first['id'], first['secret']) and signs(jms_any, rotated['id'], rotated['secret']) == 'alice'
    assert stored(tmp_path)['previous']['id'] == first['id']

    clock(6 * DAY)
    within = job(jms_any, tmp_path, grace_period=7 * DAY, max_age=90 * DAY).run('rotated')
    assert not within['changed'] and within['previous']['id'] == first['id'] and first['id'] in alice_keys(jms_any)
    clock(2 * DAY)
    after = job(jms_any, tmp_path, grace_period=7 * DAY, max_age=90 * DAY).run('present')
    assert after['changed'] and after['deleted_ids'] == [first['id']] and not after['rotated']
    assert list(alice_keys(jms_any)) == [rotated['id']] and 'previous' not in stored(tmp_path)


def test_a_key_deactivated_on_the_server_is_rotated_as_inactive(jms_any, tmp_path):
    # Someone switched the key off in the web UI: not old, but no longer usable. reason 'inactive' (issue 19).
    first = job(jms_any, tmp_path).run('present')
    alice_keys(jms_any)[first['id']]['is_active'] = False
    rotated = job(jms_any, tmp_path, max_age=90 * DAY).run('rotated')
    assert rotated['rotated'] and rotated['reason'] == 'inactive' and rotated['id'] != first['id']
    assert signs(jms_any, rotated['id'], rotated['secret']) == 'alice' and stored(tmp_path)['id'] == rotated['id']
    again = job(jms_any, tmp_path, max_age=90 * DAY).run('rotated')
    assert not again['changed'] and again['reason'] is None and again['id'] == rotated['id']


def test_a_rotation_within_the_grace_period_keeps_the_older_previous_key_until_its_time(jms, tmp_path, clock):
    # Rotations one day apart with a 7-day grace period: each retired key stays, inactive, until its own
    # delete_after (issue 19: "deleted by a later run once the grace period has passed"), then goes, and only then.
    first = job(jms, tmp_path).run('present')
    second = job(jms, tmp_path, grace_period=7 * DAY).run('rotated')
    clock(DAY)
    steps = job(jms, tmp_path, grace_period=7 * DAY)
    third = steps.run('rotated')
    assert third['deleted_ids'] == [] and third['previous']['id'] == second['id'] and steps.warnings == []
    assert stored(tmp_path)['retired'] == [dict(id=first['id'], delete_after=second['previous']['delete_after'])]
    assert 'secret' not in stored(tmp_path)['retired'][0] and first['id'] in third['msg']
    clock(DAY)
    fourth = job(jms, tmp_path, grace_period=7 * DAY).run('rotated')
    assert fourth['deleted_ids'] == [] and fourth['previous']['id'] == third['id']
    assert [entry['id'] for entry in stored(tmp_path)['retired']] == [first['id'], second['id']]
    keys = alice_keys(jms)
    assert set(keys) == set([first['id'], second['id'], third['id'], fourth['id']])
    assert [keys[k['id']]['is_active'] for k in (first, second, third, fourth)] == [False, False, False, True]
    assert not signs(jms, first['id'], first['secret']) and signs(jms, fourth['id'], fourth['secret']) == 'alice'

    # A key someone switched on again in the web UI is switched off while it waits.
    keys[second['id']]['is_active'] = True
    kept = job(jms, tmp_path, grace_period=7 * DAY, max_age=90 * DAY).run('present')
    assert kept['changed'] and kept['deleted_ids'] == [] and alice_keys(jms)[second['id']]['is_active'] is False

    # Each goes once its own grace period has passed: check mode names it first, and writes nothing.
    clock(5 * DAY + 3600)  # 7 days and an hour after the first was retired
    before = json.dumps(stored(tmp_path), sort_keys=True)
    check = job(jms, tmp_path, check=True, grace_period=7 * DAY, max_age=90 * DAY).run('rotated')
    assert check['changed'] and check['deleted_ids'] == [first['id']] and not check['rotated']
    assert json.dumps(stored(tmp_path), sort_keys=True) == before and first['id'] in alice_keys(jms)
    due = job(jms, tmp_path, grace_period=7 * DAY, max_age=90 * DAY).run('rotated')
    assert due['deleted_ids'] == [first['id']] and not due['rotated'] and due['previous']['id'] == third['id']
    assert [entry['id'] for entry in stored(tmp_path)['retired']] == [second['id']]
    clock(DAY)
    assert job(jms, tmp_path, max_age=90 * DAY).run('rotated')['deleted_ids'] == [second['id']]
    assert 'retired' not in stored(tmp_path) and stored(tmp_path)['previous']['id'] == third['id']
    clock(DAY)
    assert job(jms, tmp_path, max_age=90 * DAY).run('present')['deleted_ids'] == [third['id']]
    assert list(alice_keys(jms)) == [fourth['id']] and 'previous' not in stored(tmp_path)


def test_absent_deletes_the_retired_keys_too(jms_any, tmp_path, clock):
    made = [job(jms_any, tmp_path).run('present')]
    for dummy in range(2):
        clock(DAY)
        made.append(job(jms_any, tmp_path, grace_period=7 * DAY).run('rotated'))
    assert len(stored(tmp_path)['retired']) == 1 and len(alice_keys(jms_any)) == 3
    gone = job(jms_any, tmp_path).run('absent')
    assert sorted(gone['deleted_ids']) == sorted(key['id'] for key in made) and alice_keys(jms_any) == {}
    assert not (tmp_path / 'key.json').exists()


def test_a_retired_id_that_is_not_a_uuid_is_refused_before_any_request(jms, tmp_path):
    first = job(jms, tmp_path).run('present')
    data = stored(tmp_path)
    data['retired'] = [dict(id=first['id'], delete_after=None), dict(id='../../users/profile', delete_after=None)]
    (tmp_path / 'key.json').write_text(json.dumps(data))
    jms.clear_log()
    for state in ('present', 'absent'):
        with raises_code('invalid_option', match=r'from .*key.json \(retired\) must be a UUID'):
            job(jms, tmp_path).run(state)
    data['retired'] = {'id': first['id']}
    (tmp_path / 'key.json').write_text(json.dumps(data))
    with raises_code('access_key_error', match='retired must be a list'):
        job(jms, tmp_path).run('present')
    assert jms.requests() == [] and first['id'] in alice_keys(jms)


def test_pending_keeps_the_current_key_current_until_promoted(jms_any, tmp_path):
    first = job(jms_any, tmp_path).run('present')
    pending = job(jms_any, tmp_path).run('pending')
    assert pending['rotated'] and pending['reason'] == 'forced' and pending['id'] != first['id'] and pending['verified']
    assert pending['previous'] == dict(id=first['id'], is_active=True, delete_after=None)
    data = stored(tmp_path)
    assert data['id'] == first['id'] and data['pending']['id'] == pending['id']
    assert signs(jms_any, first['id'], first['secret']) and signs(jms_any, pending['id'], pending['secret'])

    jms_any.clear_log()
    again = job(jms_any, tmp_path).run('pending')  # at most one pending key: the same one comes back
    assert not again['changed'] and again['id'] == pending['id'] and creates(jms_any) == []

    promoted = job(jms_any, tmp_path).run('promoted')
    assert promoted['changed'] and promoted['rotated'] and promoted['id'] == pending['id']
    assert promoted['deleted_ids'] == [first['id']] and stored(tmp_path)['id'] == pending['id']
    assert 'pending' not in stored(tmp_path)
    twice = job(jms_any, tmp_path).run('promoted')
    assert not twice['changed'] and not twice['rotated'] and twice['verified']


def test_a_run_killed_after_the_create_is_resumed(jms, tmp_path, monkeypatch):
    first = job(jms, tmp_path).run('present')
    killed = job(jms, tmp_path)
    real_signs, calls = killed.api.signs, []

    def killed_at_the_new_keys_test(key_id, secret):
        calls.append(key_id)
        if key_id != first['id']:
            raise SystemExit(-9)  # what a kill does to the process: no except clause of ours runs
        return real_signs(key_id, secret)
    monkeypatch.setattr(killed.api, 'signs', killed_at_the_new_keys_test)
    with pytest.raises(SystemExit):
        killed.run('rotated')
    data = stored(tmp_path)
    assert data['id'] == first['id'] and data['pending']['id'] != first['id'] and len(alice_keys(jms)) == 2

    jms.clear_log()
    resumed = job(jms, tmp_path).run('rotated')
    assert resumed['rotated'] and resumed['id'] == data['pending']['id'] and creates(jms) == []
    assert list(alice_keys(jms)) == [resumed['id']] and signs(jms, resumed['id'], resumed['secret'])


def test_a_pending_key_that_no_longer_works_is_deleted(jms, tmp_path):
    first = job(jms, tmp_path).run('present')
    pending = job(jms, tmp_path).run('pending')
    jms.app.access_keys[pending['id']]['is_active'] = False  # someone deactivated it in the web UI
    with raises_code('pending_key_lost', match='still current: put it back'):
        job(jms, tmp_path).run('promoted')
    assert stored(tmp_path)['id'] == first['id'] and 'pending' not in stored(tmp_path)
    assert list(alice_keys(jms)) == [first['id']] and signs(jms, first['id'], first['secret'])


def test_reverted_deletes_the_pending_key_and_proves_the_current_one(jms_any, tmp_path):
    first = job(jms_any, tmp_path).run('present')
    pending = job(jms_any, tmp_path).run('pending')
    reverted = job(jms_any, tmp_path).run('reverted')
    assert reverted['changed'] and reverted['deleted_ids'] == [pending['id']] and reverted['verified']
    assert reverted['id'] == first['id'] and reverted['secret'] == first['secret'] and not reverted['rotated']
    assert list(alice_keys(jms_any)) == [first['id']] and 'pending' not in stored(tmp_path)


def test_at_the_limit_a_key_in_its_grace_period_is_not_deleted_early(jms, tmp_path, clock):
    # Ten keys: current, previous (in its grace period) and 8 this module did not make. No room is made by deleting
    # the previous key early: the run fails, nothing created or deleted, and says when it can succeed.
    job(jms, tmp_path).run('present')
    rotated = job(jms, tmp_path, grace_period=7 * DAY).run('rotated')
    other = AccessKeyApi(dict(url=jms.url, username='alice', password='Alice-Pass-1'))
    others = [other.create()['id'] for dummy in range(8)]
    before, keys = json.dumps(stored(tmp_path), sort_keys=True), set(alice_keys(jms))
    graced = re.escape('%s until %s' % (rotated['previous']['id'], rotated['previous']['delete_after']))
    with raises_code('key_limit_reached', match=graced) as caught:
        job(jms, tmp_path, grace_period=7 * DAY).run('rotated')
    assert '\n' not in str(caught.value) and 'nothing was created or deleted' in str(caught.value)
    assert set(alice_keys(jms)) == keys and jms.requests('DELETE') == []
    assert json.dumps(stored(tmp_path), sort_keys=True) == before

    # prune_inactive deletes the inactive keys of others, and spares the one waiting for its grace period.
    alice_keys(jms)[others[0]]['is_active'] = False
    pruned = job(jms, tmp_path, grace_period=7 * DAY, prune_inactive=True).run('rotated')
    assert pruned['rotated'] and pruned['deleted_ids'] == [others[0]] and pruned['previous']['id'] == rotated['id']
    assert rotated['previous']['id'] in alice_keys(jms) and len(alice_keys(jms)) == 10
    clock(7 * DAY + 600)  # both retired keys' time is up: the run deletes them, then makes its key
    again = job(jms, tmp_path, grace_period=7 * DAY).run('rotated')
    assert again['rotated'] and again['deleted_ids'] == [rotated['previous']['id'], rotated['id']]
    assert set(others[1:]) <= set(alice_keys(jms)) and len(alice_keys(jms)) == 9


def test_at_the_limit_without_a_key_of_its_own_nothing_is_deleted(jms, tmp_path):
    job(jms, tmp_path).run('present')
    other = AccessKeyApi(dict(url=jms.url, username='alice', password='Alice-Pass-1'))
    for dummy in range(9):
        other.create()
    before = set(alice_keys(jms))
    with pytest.raises(KeyLimitReached, match='deletes no key it did not create'):
        job(jms, tmp_path).run('rotated')
    assert set(alice_keys(jms)) == before and jms.requests('DELETE') == []


def test_check_mode_says_what_would_be_created_deactivated_deleted(jms, tmp_path, clock):
    job(jms, tmp_path).run('present')
    rotated = job(jms, tmp_path, grace_period=7 * DAY).run('rotated')
    before = json.dumps(stored(tmp_path), sort_keys=True)
    jms.clear_log()
    check = job(jms, tmp_path, check=True, grace_period=7 * DAY).run('rotated')
    assert check['changed'] and check['rotated'] and check['reason'] == 'forced' and check['id'] is None
    assert check['secret'] is None and check['previous']['id'] == rotated['id'] and not check['previous']['is_active']
    assert check['deleted_ids'] == []  # the older previous key, in its grace period, would wait in the retired list
    clock(100 * DAY)
    aged = job(jms, tmp_path, check=True, max_age=90 * DAY).run('pending')
    assert aged['rotated'] and aged['reason'] == 'age' and aged['previous']['id'] == rotated['id']
    sent = [r for r in jms.requests() if r['path'] != '/api/v1/authentication/auth/']  # the login is a POST
    assert set(r['method'] for r in sent) == set(['GET'])
    assert json.dumps(stored(tmp_path), sort_keys=True) == before
