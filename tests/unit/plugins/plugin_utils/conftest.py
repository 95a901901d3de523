# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The plugin_utils tests' shared parts: a TokenSource that counts its calls in a file (so that the count
survives across processes), the run and cache directories, and a fresh HMAC key per test."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import multiprocessing
import os
import stat
import time

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.plugin_utils import _token_cache
from ansible_collections.opsauth.tokens.plugins.plugin_utils._token_cache import TokenCache, TokenRejected, TokenSource


URL = 'http://127.0.0.1:8080'


PASSWORD = 'S3cret-Passw0rd!'


# forks are what the cache is for: use them even where the platform's default start method is spawn
FORK = multiprocessing.get_context('fork')


class LoginRefused(OpsAuthError):
    pass


class FakeServer(TokenSource):
    """A TokenSource that counts its calls in a file, so that the count survives across processes."""

    def __init__(self, directory, lifetime=3600, delay=0.0, fail=False, clock=time.time, refresh=None, verify=None):
        self.log = os.path.join(str(directory), 'calls.log')
        self.lifetime = lifetime
        self.delay = delay
        self.fail = fail
        self.clock = clock
        self.refresh_answer = refresh    # None: cannot refresh; 'ok' or 'reject'
        self.verify_answer = verify      # None: cannot verify; True or False (401)
        self.can_refresh = refresh is not None
        self.can_verify = verify is not None
        self.counter = 0

    def _record(self, what):
        with open(self.log, 'a') as handle:
            handle.write('%s %d\n' % (what, os.getpid()))

    def calls(self, what=None):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as handle:
            lines = [line.split()[0] for line in handle if line.strip()]
        return [line for line in lines if what is None or line == what]

    def login(self):
        self._record('login')
        time.sleep(self.delay)
        if self.fail:
            raise LoginRefused('password_failed: the username or password is wrong')
        self.counter += 1
        return {'token': 'tok-%d-%d-%f' % (os.getpid(), self.counter, time.time()),
                'expires_at': self.clock() + self.lifetime, 'refresh_token': 'refresh-1'}

    def refresh(self, data):
        self._record('refresh')
        if self.refresh_answer == 'reject':
            raise TokenRejected('refresh token expired')
        self.counter += 1
        return {'token': 'refreshed-%d' % self.counter, 'expires_at': self.clock() + self.lifetime,
                'refresh_token': 'refresh-2'}

    def verify(self, data):
        self._record('verify')
        return self.verify_answer

    def remember(self, exc):
        return isinstance(exc, LoginRefused)


class Clock:
    def __init__(self):
        self.value = time.time()

    def __call__(self):
        return self.value


@pytest.fixture
def dirs(tmp_path):
    os.chmod(str(tmp_path), 0o700)
    return {'run': str(tmp_path / 'local_tmp' / 'run1'), 'run2': str(tmp_path / 'local_tmp' / 'run2'),
            'persist': str(tmp_path / 'persist'), 'base': str(tmp_path)}


@pytest.fixture(autouse=True)
def forget_hmac_keys():
    _token_cache._HMAC_KEYS.clear()
    yield
    _token_cache._HMAC_KEYS.clear()


def key_for(username='admin', password=PASSWORD, url=URL, service='jms'):
    return TokenCache.key(service, url, username, [password])


def file_mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)
