# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 17: the cache directory. Every file is opened with O_NOFOLLOW and its owner and mode are checked; an unsafe
entry is never used (a warning, it is removed, the token obtained again); a killed run's directory is swept.

Real files, real processes; the server is the counting FakeServer of test_token_cache.py.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat
import subprocess
import sys

import pytest

from ansible_collections.opsauth.tokens.plugins.plugin_utils import _cache_core, _token_cache
from ansible_collections.opsauth.tokens.plugins.plugin_utils._token_cache import CacheError, TokenCache
from ansible_collections.opsauth.tokens.tests.unit.plugins.plugin_utils.test_token_cache import (  # noqa: F401 pylint: disable=unused-import
    FakeServer,
    dirs,
    forget_hmac_keys,
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


# --- a killed run's directory is swept -------------------------------------------------------------------------------

def dead_pid():
    child = subprocess.Popen([sys.executable, '-c', 'pass'])
    child.wait()
    return child.pid


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
