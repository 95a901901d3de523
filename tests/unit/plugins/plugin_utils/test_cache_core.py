# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugin_utils/_cache_core.py: the cache directory and its files. Every file is opened with O_NOFOLLOW and its
owner and mode are checked; an unsafe entry is never used (a warning, it is removed, the token obtained again); the
answers of the fast path follow their entry (issue 17).

Real files, real processes; the server is the counting FakeServer of conftest.py.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat
import time

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import write_token_file
from ansible_collections.opsauth.tokens.plugins.plugin_utils import _cache_core, _token_cache
from ansible_collections.opsauth.tokens.plugins.plugin_utils._token_cache import (
    CacheError,
    TokenCache,
    ensure_private_directory,
    run_directory,
)
from ansible_collections.opsauth.tokens.tests.unit.plugins.plugin_utils.conftest import (
    PASSWORD,
    Clock,
    FakeServer,
    LoginRefused,
    file_mode,
    key_for,
)


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    if hasattr(_token_cache, 'display'):
        monkeypatch.setattr(_token_cache.display, 'warning', lambda message, *args, **kwargs: seen.append(message))
    return seen


def planted(cache, key, tmp_path, token='planted-token'):
    """The entry of ``key`` as the cache wrote it, with another token: what someone would plant."""
    with open(cache.entry_path(key)) as handle:
        entry = json.load(handle)
    entry['data']['token'] = token
    return entry


def first_login(dirs):
    cache = TokenCache(dirs['run'])
    server = FakeServer(dirs['base'])
    key = key_for()
    first = cache.get(key, server)
    assert first.obtained_by == 'login'
    return cache, server, key, first


def assert_replaced(cache, server, key, warnings, what):
    result = cache.get(key, server)
    assert result.data['token'] != 'planted-token' and result.obtained_by == 'login'
    assert server.calls('login') == ['login', 'login']
    info = os.lstat(cache.entry_path(key))
    assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600 and info.st_uid == os.geteuid()
    assert len(warnings) == 1 and what in warnings[0] and 'not used but removed' in warnings[0]
    assert cache.get(key, server).obtained_by == 'cache' and len(server.calls('login')) == 2


def test_a_symlinked_entry_is_never_followed(dirs, warnings, tmp_path):
    cache, server, key, dummy = first_login(dirs)
    outside = tmp_path / 'outside.json'
    outside.write_text(json.dumps(planted(cache, key, tmp_path)))
    outside.chmod(0o600)
    os.unlink(cache.entry_path(key))
    os.symlink(str(outside), cache.entry_path(key))
    assert_replaced(cache, server, key, warnings, 'is a symbolic link')
    assert json.loads(outside.read_text())['data']['token'] == 'planted-token'  # never written through


def test_an_entry_readable_by_others_is_never_used(dirs, warnings, tmp_path):
    cache, server, key, dummy = first_login(dirs)
    entry = planted(cache, key, tmp_path)
    path = cache.entry_path(key)
    with open(path, 'w') as handle:
        json.dump(entry, handle)
    os.chmod(path, 0o644)
    assert_replaced(cache, server, key, warnings, 'has mode 0644, not 0600')


def test_an_entry_of_another_user_is_never_used(dirs, warnings, tmp_path, monkeypatch):
    cache, server, key, dummy = first_login(dirs)
    path = cache.entry_path(key)
    entry = planted(cache, key, tmp_path)
    with open(path, 'w') as handle:
        json.dump(entry, handle)
    os.chmod(path, 0o600)
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)
    else:  # one layer mocked: the owner fstat reports for that one file
        target, real_fstat = os.stat(path), os.fstat

        def fstat(fd):
            info = real_fstat(fd)
            if (info.st_dev, info.st_ino) != (target.st_dev, target.st_ino):
                return info
            fields = list(info)
            fields[stat.ST_UID] = os.geteuid() + 1
            return os.stat_result(fields)
        monkeypatch.setattr(_cache_core.os, 'fstat', fstat)
    assert_replaced(cache, server, key, warnings, 'belongs to uid')


def test_the_fast_path_never_follows_or_trusts_a_foreign_file(dirs, tmp_path):
    cache, server, key, first = first_login(dirs)
    cache.remember_answer('answer-x', key, first, 'the-value')
    assert cache.answer('answer-x') == 'the-value'
    answer = os.path.join(cache.run_dir, 'answer-x.json')
    os.chmod(answer, 0o644)
    assert cache.answer('answer-x') is None
    os.chmod(answer, 0o600)
    moved = str(tmp_path / 'answer-elsewhere.json')
    os.rename(answer, moved)
    os.symlink(moved, answer)
    assert cache.answer('answer-x') is None


def test_a_symlinked_lock_is_replaced_and_its_target_never_created(dirs, warnings, tmp_path):
    cache = TokenCache(dirs['run'])
    server = FakeServer(dirs['base'])
    key = key_for()
    target = tmp_path / 'created-through-the-link'
    os.symlink(str(target), cache.lock_path(key))
    assert cache.get(key, server).obtained_by == 'login'
    assert not os.path.lexists(str(target)) and not os.path.islink(cache.lock_path(key))
    assert len(warnings) == 1 and 'is a symbolic link' in warnings[0]


def test_a_symlinked_naming_key_refuses_the_cache(dirs, tmp_path):
    os.makedirs(dirs['run'], 0o700)
    elsewhere = tmp_path / 'key'
    elsewhere.write_text('x' * 64)
    elsewhere.chmod(0o600)
    os.symlink(str(elsewhere), os.path.join(dirs['run'], '.hmac_key'))
    with pytest.raises(CacheError, match='.hmac_key is a symbolic link: refusing to use this token cache; remove'):
        TokenCache(dirs['run'])


# --- modes and ownership ----------------------------------------------------------------------------------------------


def test_directories_0700_and_files_0600(dirs):
    cache = TokenCache(dirs['run'], cache_dir=dirs['persist'])
    cache.get(key_for(), FakeServer(dirs['base']))
    with pytest.raises(LoginRefused):
        cache.get(key_for(password='wrong'), FakeServer(dirs['base'], fail=True))
    for directory in (cache.run_dir, cache.token_dir):
        assert file_mode(directory) == 0o700
        files = os.listdir(directory)
        assert files
        for name in files:
            assert file_mode(os.path.join(directory, name)) == 0o600, name
    assert any(name.endswith('.failed') for name in os.listdir(cache.run_dir))
    assert any(name.endswith('.json') for name in os.listdir(cache.token_dir))


def test_the_modes_do_not_depend_on_the_umask(dirs):
    old = os.umask(0)
    try:
        cache = TokenCache(dirs['run'])
        cache.get(key_for(), FakeServer(dirs['base']))
    finally:
        os.umask(old)
    assert file_mode(cache.run_dir) == 0o700
    assert {file_mode(os.path.join(cache.run_dir, name)) for name in os.listdir(cache.run_dir)} == {0o600}


def test_refuses_a_directory_others_can_read(dirs):
    os.makedirs(dirs['persist'])
    os.chmod(dirs['persist'], 0o755)
    with pytest.raises(CacheError, match='mode 0755.*chmod 700'):
        TokenCache(dirs['run'], cache_dir=dirs['persist'])


def test_refuses_a_directory_of_another_user(dirs, monkeypatch):
    ensure_private_directory(dirs['persist'])
    real_uid = os.geteuid()
    monkeypatch.setattr(os, 'geteuid', lambda: real_uid + 4242)
    with pytest.raises(CacheError, match='belongs to uid %d, not to you' % real_uid):
        ensure_private_directory(dirs['persist'])


def test_refuses_a_file_as_directory(dirs):
    path = os.path.join(dirs['base'], 'a-file')
    with open(path, 'w') as handle:
        handle.write('x')
    with pytest.raises(CacheError, match='not a directory'):
        TokenCache(dirs['run'], cache_dir=path)


def test_run_directory_is_inside_local_tmp():
    assert run_directory('/home/u/.ansible/tmp/ansible-local-42abc') == '/home/u/.ansible/tmp/ansible-local-42abc/opsauth_tokens_cache'


# --- the answers of the fast path ---------------------------------------------------------------------------------------


def test_answer_follows_the_entry_it_came_from(dirs):
    clock = Clock()
    cache = TokenCache(dirs['run'], clock=clock, min_ttl=300)
    server = FakeServer(dirs['base'], clock=clock, lifetime=3600)
    name = cache.answer_name('lookup', {'username': 'admin', 'password': PASSWORD}, 'token')
    assert PASSWORD not in name and cache.answer(name) is None
    result = cache.get(key_for(), server)
    cache.remember_answer(name, key_for(), result, 'value-1')
    assert cache.answer(name) == 'value-1'
    with open(os.path.join(cache.run_dir, name + '.json')) as handle:
        assert PASSWORD not in handle.read()
    assert file_mode(os.path.join(cache.run_dir, name + '.json')) == 0o600
    # another run's cache (other key, other run id) never sees it
    assert TokenCache(dirs['run2']).answer(name) is None
    # a stale entry: the full path decides (here: a new login), the old answer is not served
    clock.value += 3600 - 299
    assert cache.answer(name) is None
    cache.get(key_for(), server)
    assert cache.answer(name) is None


def test_answer_is_not_served_after_a_failure_or_a_drop(dirs):
    cache = TokenCache(dirs['run'])
    server = FakeServer(dirs['base'])
    name = cache.answer_name('lookup', {'username': 'admin'}, 'token')
    cache.remember_answer(name, key_for(), cache.get(key_for(), server), 'value-1')
    cache.drop(key_for())
    assert cache.answer(name) is None
    cache.remember_answer(name, key_for(), cache.get(key_for(), server), 'value-2')
    write_token_file(cache.failure_path(key_for()), {'message': 'refused'})
    assert cache.answer(name) is None


def test_answer_ignores_a_fifo_or_garbage(dirs):
    cache = TokenCache(dirs['run'])
    name = cache.answer_name('lookup', {}, 'token')
    os.mkfifo(os.path.join(cache.run_dir, name + '.json'), 0o600)
    assert cache.answer(name) is None  # returns at once: a FIFO is never opened for a blocking read
    os.unlink(os.path.join(cache.run_dir, name + '.json'))
    with open(os.path.join(cache.run_dir, name + '.json'), 'w') as handle:
        handle.write('{not json')
    assert cache.answer(name) is None


def test_answering_waits_for_the_fork_that_computes_the_answer_then_goes_on(dirs):
    import fcntl
    cache = TokenCache(dirs['run'])
    name = cache.answer_name('lookup', {}, 'token')
    with cache.answering(name):
        # Another fork holds it: a second one waits (here at most 0.2 s), then goes on without it.
        fd = os.open(os.path.join(cache.run_dir, name + '.lock'), os.O_RDWR)
        with pytest.raises(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(fd)
        started = time.monotonic()
        with cache.answering(name, timeout=0.2):
            pass
        assert 0.2 <= time.monotonic() - started < 5
    assert oct(os.stat(os.path.join(cache.run_dir, name + '.lock')).st_mode & 0o777) == oct(0o600)
    with cache.answering(name, timeout=0):  # released
        pass


def test_answering_never_follows_a_symlinked_lock(dirs, tmp_path):
    cache = TokenCache(dirs['run'])
    name = cache.answer_name('lookup', {}, 'token')
    target = tmp_path / 'elsewhere'
    os.symlink(str(target), os.path.join(cache.run_dir, name + '.lock'))
    with cache.answering(name, timeout=0):
        pass
    assert not target.exists()
