# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugin_utils/_token_cache.py on a real file system with real processes; only the server is replaced by
callables that count (FakeServer, conftest.py): keys, reuse, failures, 401s, concurrency, rechecks, the sweep."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys
import time

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import write_token_file
from ansible_collections.opsauth.tokens.plugins.plugin_utils import _cache_core, _token_cache
from ansible_collections.opsauth.tokens.plugins.plugin_utils._token_cache import CachedLoginFailure, TokenCache
from ansible_collections.opsauth.tokens.tests.unit.plugins.plugin_utils.conftest import (
    FORK,
    PASSWORD,
    URL,
    Clock,
    FakeServer,
    LoginRefused,
    key_for,
)


# --- keys -------------------------------------------------------------------------------------------------------------


def test_entry_names_hold_neither_password_nor_username(dirs):
    cache = TokenCache(dirs['run'])
    cache.get(key_for(), FakeServer(dirs['base']))
    names = os.listdir(cache.run_dir)
    assert any(name.endswith('.json') for name in names)
    for name in names:
        assert PASSWORD not in name and 'admin' not in name
        with open(os.path.join(cache.run_dir, name)) as handle:
            assert PASSWORD not in handle.read()


def test_same_identity_same_entry_and_trailing_slash_does_not_matter(dirs):
    cache = TokenCache(dirs['run'])
    assert cache.entry_path(key_for()) == cache.entry_path(key_for(url=URL + '/'))


@pytest.mark.parametrize('other', [
    dict(password='another password'),
    dict(username='auditor'),
    dict(url='http://127.0.0.1:9090'),
    dict(service='deepflow'),
])
def test_any_change_of_identity_or_secret_is_another_entry(dirs, other):
    cache = TokenCache(dirs['run'])
    assert cache.entry_path(key_for()) != cache.entry_path(key_for(**other))


def test_names_depend_on_the_directory_key(dirs):
    first = TokenCache(dirs['run'])
    second = TokenCache(dirs['run2'])
    assert os.path.basename(first.entry_path(key_for())) != os.path.basename(second.entry_path(key_for()))


def test_two_identities_never_share_a_token(dirs):
    cache = TokenCache(dirs['run'])
    server = FakeServer(dirs['base'])
    admin = cache.get(key_for('admin'), server)
    auditor = cache.get(key_for('auditor'), server)
    assert admin.data['token'] != auditor.data['token']
    assert cache.get(key_for('admin'), server).data['token'] == admin.data['token']
    assert cache.get(key_for('auditor'), server).data['token'] == auditor.data['token']
    assert len(server.calls('login')) == 2


# --- reuse, expiry, refresh -------------------------------------------------------------------------------------------


def test_reuses_until_min_ttl_then_logs_in_again(dirs):
    clock = Clock()
    cache = TokenCache(dirs['run'], min_ttl=300, clock=clock)
    server = FakeServer(dirs['base'], lifetime=3600, clock=clock)
    first = cache.get(key_for(), server)
    assert first.obtained_by == 'login'
    clock.value += 3600 - 301
    again = cache.get(key_for(), server)
    assert again.hit and again.data['token'] == first.data['token']
    clock.value += 2
    renewed = cache.get(key_for(), server)
    assert renewed.obtained_by == 'login' and renewed.data['token'] != first.data['token']
    assert len(server.calls('login')) == 2


def test_min_ttl_longer_than_half_the_lifetime_is_capped(dirs):
    clock = Clock()
    cache = TokenCache(dirs['run'], min_ttl=7200, clock=clock)
    server = FakeServer(dirs['base'], lifetime=3600, clock=clock)
    cache.get(key_for(), server)
    clock.value += 1000
    assert cache.get(key_for(), server).hit
    clock.value += 900  # 1700 s left: less than half of 3600
    assert cache.get(key_for(), server).obtained_by == 'login'


def test_stale_token_with_refresh_token_is_refreshed_not_logged_in(dirs):
    clock = Clock()
    cache = TokenCache(dirs['run'], clock=clock)
    server = FakeServer(dirs['base'], clock=clock, refresh='ok')
    cache.get(key_for(), server)
    clock.value += 3600
    result = cache.get(key_for(), server)
    assert result.obtained_by == 'refresh' and result.data['token'].startswith('refreshed-')
    assert cache.get(key_for(), server).hit
    assert server.calls() == ['login', 'refresh']


def test_expired_refresh_token_is_not_used(dirs):
    clock = Clock()
    cache = TokenCache(dirs['run'], clock=clock)
    server = FakeServer(dirs['base'], clock=clock, refresh='ok')
    write_token_file(cache.entry_path(key_for()), {
        'version': 1, 'run': cache.run_id, 'obtained_at': clock() - 7200, 'expires_at': clock() - 3600,
        'refresh_expires_at': clock() - 1, 'data': {'token': 'old', 'refresh_token': 'r'}})
    assert cache.get(key_for(), server).obtained_by == 'login'
    assert server.calls() == ['login']


def test_rejected_refresh_token_falls_back_to_one_login(dirs):
    clock = Clock()
    cache = TokenCache(dirs['run'], clock=clock)
    server = FakeServer(dirs['base'], clock=clock, refresh='reject')
    cache.get(key_for(), server)
    clock.value += 3600
    assert cache.get(key_for(), server).obtained_by == 'login'
    assert cache.get(key_for(), server).hit
    assert server.calls() == ['login', 'refresh', 'login']


def test_damaged_entry_costs_a_login_not_a_failure(dirs):
    cache = TokenCache(dirs['run'])
    server = FakeServer(dirs['base'])
    with open(cache.entry_path(key_for()), 'w') as handle:
        handle.write('{"version": 1, "data": {"tok')
    assert cache.get(key_for(), server).obtained_by == 'login'
    assert cache.get(key_for(), server).hit


# --- failures ---------------------------------------------------------------------------------------------------------


def test_failed_login_is_remembered_for_the_run_without_a_request(dirs):
    server = FakeServer(dirs['base'], fail=True)
    with pytest.raises(LoginRefused) as first:
        TokenCache(dirs['run']).get(key_for(), server)
    for dummy in range(3):
        _token_cache._HMAC_KEYS.clear()  # as in another fork
        with pytest.raises(CachedLoginFailure) as later:
            TokenCache(dirs['run']).get(key_for(), server)
        assert str(first.value) in str(later.value)
    assert len(server.calls('login')) == 1


def test_errors_the_source_does_not_remember_are_tried_again(dirs):
    class Flaky(FakeServer):
        def remember(self, exc):
            return False  # e.g. a connection error or a throttle
    cache = TokenCache(dirs['run'])
    server = Flaky(dirs['base'], fail=True)
    for dummy in range(2):
        with pytest.raises(LoginRefused):
            cache.get(key_for(), server)
    assert len(server.calls('login')) == 2


def test_failure_is_per_identity_a_corrected_password_logs_in(dirs):
    cache = TokenCache(dirs['run'])
    with pytest.raises(LoginRefused):
        cache.get(key_for(password='typo'), FakeServer(dirs['base'], fail=True))
    assert cache.get(key_for(), FakeServer(dirs['base'])).obtained_by == 'login'


def test_failures_are_not_persisted_across_runs(dirs):
    server = FakeServer(dirs['base'], fail=True)
    with pytest.raises(LoginRefused):
        TokenCache(dirs['run'], cache_dir=dirs['persist']).get(key_for(), server)
    assert not [name for name in os.listdir(dirs['persist']) if name.endswith('.failed')]
    with pytest.raises(LoginRefused):  # the next run tries again, once
        TokenCache(dirs['run2'], cache_dir=dirs['persist']).get(key_for(), server)
    assert len(server.calls('login')) == 2


# --- persistence and 401 ----------------------------------------------------------------------------------------------


def test_cache_dir_keeps_the_token_for_the_next_run_after_one_check(dirs):
    server = FakeServer(dirs['base'], verify=True)
    first = TokenCache(dirs['run'], cache_dir=dirs['persist']).get(key_for(), server)
    second_run = TokenCache(dirs['run2'], cache_dir=dirs['persist'])
    for dummy in range(3):
        result = second_run.get(key_for(), server)
        assert result.hit and result.data['token'] == first.data['token']
    assert server.calls() == ['login', 'verify']


def test_token_rejected_with_401_is_replaced_by_exactly_one_login(dirs):
    server = FakeServer(dirs['base'], verify=False)
    old = TokenCache(dirs['run'], cache_dir=dirs['persist']).get(key_for(), server)
    second_run = TokenCache(dirs['run2'], cache_dir=dirs['persist'])
    new = second_run.get(key_for(), server)
    assert new.obtained_by == 'login' and new.data['token'] != old.data['token']
    # the replacement is trusted for the rest of the run: a server that rejects everything costs one login, no loop
    for dummy in range(3):
        assert second_run.get(key_for(), server).hit
    assert server.calls() == ['login', 'verify', 'login']


def test_earlier_runs_token_is_refreshed_once_when_it_cannot_be_verified(dirs):
    server = FakeServer(dirs['base'], refresh='ok')
    TokenCache(dirs['run'], cache_dir=dirs['persist']).get(key_for(), server)
    second_run = TokenCache(dirs['run2'], cache_dir=dirs['persist'])
    assert second_run.get(key_for(), server).obtained_by == 'refresh'
    assert second_run.get(key_for(), server).hit
    assert server.calls() == ['login', 'refresh']


def test_earlier_runs_rejected_refresh_token_costs_one_login(dirs):
    server = FakeServer(dirs['base'], refresh='reject')
    TokenCache(dirs['run'], cache_dir=dirs['persist']).get(key_for(), server)
    second_run = TokenCache(dirs['run2'], cache_dir=dirs['persist'])
    assert second_run.get(key_for(), server).obtained_by == 'login'
    assert second_run.get(key_for(), server).hit
    assert server.calls() == ['login', 'refresh', 'login']


def test_without_cache_dir_tokens_stay_in_the_run_directory(dirs):
    cache = TokenCache(dirs['run'])
    cache.get(key_for(), FakeServer(dirs['base']))
    assert cache.token_dir == cache.run_dir
    assert not os.path.exists(dirs['persist'])


# --- atomicity and concurrency ----------------------------------------------------------------------------------------


def _concurrent_get(run_dir, base, barrier, results, fail):
    _token_cache._HMAC_KEYS.clear()
    server = FakeServer(base, delay=0.3, fail=fail)
    barrier.wait()
    try:
        results.put(('ok', TokenCache(run_dir).get(key_for(), server).data['token']))
    except LoginRefused as exc:
        results.put(('refused', str(exc)))
    except CachedLoginFailure as exc:
        results.put(('cached', str(exc)))


def _run_processes(dirs, count, fail=False):
    barrier = FORK.Barrier(count)
    results = FORK.Queue()
    procs = [FORK.Process(target=_concurrent_get, args=(dirs['run'], dirs['base'], barrier, results, fail))
             for dummy in range(count)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=60) for dummy in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return outcomes


def test_concurrent_processes_log_in_once(dirs):
    outcomes = _run_processes(dirs, 8)
    assert {kind for kind, dummy in outcomes} == {'ok'}
    assert len({token for dummy, token in outcomes}) == 1
    assert len(FakeServer(dirs['base']).calls('login')) == 1


def test_concurrent_processes_with_a_wrong_password_send_one_login(dirs):
    outcomes = _run_processes(dirs, 8, fail=True)
    assert sorted(kind for kind, dummy in outcomes) == ['cached'] * 7 + ['refused']
    assert len(FakeServer(dirs['base']).calls('login')) == 1


def _writer(path, stop_at):
    count = 0
    while time.time() < stop_at:
        count += 1
        write_token_file(path, {'version': 1, 'data': {'token': 'x' * 4096, 'n': count}})


def test_readers_never_see_a_partial_entry(dirs):
    cache = TokenCache(dirs['run'])
    path = cache.entry_path(key_for())
    write_token_file(path, {'version': 1, 'data': {'token': 'first'}})
    stop_at = time.time() + 1.0
    writers = [FORK.Process(target=_writer, args=(path, stop_at)) for dummy in range(3)]
    for proc in writers:
        proc.start()
    reads = 0
    while time.time() < stop_at:
        with open(path) as handle:
            json.load(handle)  # raises on a torn write
        reads += 1
    for proc in writers:
        proc.join(timeout=30)
    assert reads > 10
    assert [name for name in os.listdir(cache.run_dir) if name.endswith('.tmp')] == []


# --- periodic check (recheck_interval) --------------------------------------------------------------------------------


def test_recheck_interval_checks_a_trusted_token_once_per_interval(dirs):
    clock = Clock()
    cache = TokenCache(dirs['run'], clock=clock, recheck_interval=600)
    server = FakeServer(dirs['base'], clock=clock, verify=True)
    first = cache.get(key_for(), server)
    clock.value += 599
    assert cache.get(key_for(), server).hit and server.calls('verify') == []
    clock.value += 2
    assert cache.get(key_for(), server).data['token'] == first.data['token']
    assert cache.get(key_for(), server).hit
    # one check for the interval, however many evaluations; then trusted again
    assert len(server.calls('verify')) == 1 and len(server.calls('login')) == 1


def test_recheck_of_a_dropped_token_costs_one_login(dirs):
    clock = Clock()
    cache = TokenCache(dirs['run'], clock=clock, recheck_interval=60)
    server = FakeServer(dirs['base'], clock=clock, verify=False)  # the server restarted: every token is gone
    first = cache.get(key_for(), server)
    clock.value += 61
    second = cache.get(key_for(), server)
    assert second.obtained_by == 'login' and second.data['token'] != first.data['token']
    assert cache.get(key_for(), server).hit
    assert len(server.calls('login')) == 2 and len(server.calls('verify')) == 1


def test_recheck_never_retries_a_refused_password(dirs):
    clock = Clock()
    cache = TokenCache(dirs['run'], clock=clock, recheck_interval=60)
    server = FakeServer(dirs['base'], clock=clock, verify=False)
    cache.get(key_for(), server)
    clock.value += 61
    server.fail = True  # the password was changed during the run
    with pytest.raises(LoginRefused):
        cache.get(key_for(), server)
    clock.value += 61
    with pytest.raises(CachedLoginFailure):
        cache.get(key_for(), server)
    assert len(server.calls('login')) == 2


def test_recheck_refreshes_where_the_platform_cannot_check(dirs):
    clock = Clock()
    cache = TokenCache(dirs['run'], clock=clock, recheck_interval=60)
    server = FakeServer(dirs['base'], clock=clock, refresh='ok')
    cache.get(key_for(), server)
    clock.value += 61
    assert cache.get(key_for(), server).obtained_by == 'refresh'
    assert server.calls('login') == ['login'] and server.calls('refresh') == ['refresh']


def test_recheck_interval_zero_trusts_the_run_token_until_min_ttl(dirs):
    clock = Clock()
    cache = TokenCache(dirs['run'], clock=clock, recheck_interval=0)
    server = FakeServer(dirs['base'], clock=clock, verify=True)
    cache.get(key_for(), server)
    clock.value += 3000
    assert cache.get(key_for(), server).hit and server.calls('verify') == []


# --- a token a module saw rejected (reject) ----------------------------------------------------------------------------


def test_reject_drops_the_entry_once_for_all_forks(dirs):
    cache = TokenCache(dirs['run'])
    server = FakeServer(dirs['base'])
    seen = cache.get(key_for(), server).data
    cache.reject(key_for(), seen)
    fresh = cache.get(key_for(), server)
    assert fresh.obtained_by == 'login'
    # a second fork reports the same old token: the replacement stays, no second login
    cache.reject(key_for(), seen)
    assert cache.get(key_for(), server).data == fresh.data
    assert len(server.calls('login')) == 2


# --- checks kept for the run (once_per_run) -----------------------------------------------------------------------------


class UnknownThing(OpsAuthError):
    code = 'object_does_not_exist'
    status = 404


def test_once_per_run_asks_once_and_keeps_verdicts_not_faults(dirs):
    cache = TokenCache(dirs['run'])
    asked = []

    def check(answer):
        def run():
            asked.append(answer)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return run

    assert cache.once_per_run('org', ('http://a', 'org-1'), check('id-1')) == 'id-1'
    assert cache.once_per_run('org', ('http://a', 'org-1'), check('never asked')) == 'id-1'
    # a fault (not a verdict) is asked again; a verdict is kept, with its code, and never asked again in the run
    with pytest.raises(LoginRefused):
        cache.once_per_run('org', ('http://a', 'org-2'), check(LoginRefused('timeout')))
    with pytest.raises(UnknownThing):
        cache.once_per_run('org', ('http://a', 'org-2'), check(UnknownThing('no such org')),
                           remember=lambda exc: isinstance(exc, UnknownThing))
    with pytest.raises(_token_cache.CachedCheckFailure) as failure:
        cache.once_per_run('org', ('http://a', 'org-2'), check('never asked'))
    assert 'no such org' in str(failure.value) and failure.value.code == 'object_does_not_exist'
    assert [str(item) for item in asked] == ['id-1', 'timeout', 'no such org']
    # another run asks again
    assert TokenCache(dirs['run2']).once_per_run('org', ('http://a', 'org-1'), check('id-1b')) == 'id-1b'


def run_dir_of(base, pid, suffix='k8tf49rl'):
    """What ansible-core makes: <local_tmp>/ansible-local-<pid><8 random>, and ours in it."""
    local = os.path.join(base, 'ansible-local-%d%s' % (pid, suffix))
    os.makedirs(os.path.join(local, 'ansiballz_cache'), 0o700)
    return os.path.join(local, _cache_core.RUN_SUBDIR)


def test_the_cache_of_a_killed_run_is_swept_by_the_next_run(dirs):
    base = os.path.join(dirs['base'], 'ansible_tmp')
    killed = run_dir_of(base, dead_pid())
    TokenCache(killed).get(key_for(), FakeServer(dirs['base']))
    assert any(name.startswith('jms-') for name in os.listdir(killed))  # tokens left behind by SIGKILL
    alive = run_dir_of(base, os.getppid(), suffix='a1b2c3d4')
    TokenCache(alive).get(key_for(), FakeServer(dirs['base']))
    digits = run_dir_of(base, dead_pid(), suffix='12345678')  # a random part of digits only: still parsed right
    TokenCache(digits)

    mine = run_dir_of(base, os.getpid(), suffix='zz99yy88')
    TokenCache(mine)
    assert not os.path.exists(killed) and not os.path.exists(digits)
    assert os.path.isdir(os.path.join(os.path.dirname(killed), 'ansiballz_cache'))  # Ansible's own files: not ours
    assert os.path.isdir(alive) and os.path.isdir(mine)


def test_the_sweep_runs_once_per_run_and_never_follows_a_link(dirs, tmp_path):
    base = os.path.join(dirs['base'], 'ansible_tmp')
    mine = run_dir_of(base, os.getpid())
    TokenCache(mine)
    assert os.path.exists(os.path.join(mine, '.swept'))
    killed = run_dir_of(base, dead_pid(), suffix='qwertyui')
    os.makedirs(killed, 0o700)
    TokenCache(mine)  # the same run: no second sweep
    assert os.path.isdir(killed)
    precious = tmp_path / 'precious'
    precious.mkdir()
    (precious / 'keep').write_text('x')
    linked = os.path.join(base, 'ansible-local-%dlinkdirx' % dead_pid())
    os.makedirs(linked, 0o700)
    os.symlink(str(precious), os.path.join(linked, _cache_core.RUN_SUBDIR))
    assert _token_cache.sweep_dead_runs(run_dir_of(base, os.getpid(), suffix='another1')) == [killed]
    assert (precious / 'keep').exists()


# --- a killed run's directory is swept -------------------------------------------------------------------------------


def dead_pid():
    child = subprocess.Popen([sys.executable, '-c', 'pass'])
    child.wait()
    return child.pid
