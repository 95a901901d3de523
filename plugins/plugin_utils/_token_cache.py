# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lookups' token cache: one login per ansible-playbook run, shared by every fork and host.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice. Controller only.

Why a cache on disk: Ansible templates a lookup again every time a variable that holds it is used, each time in a
fresh worker process (one per task and host, ``forks`` at a time). Memory does not survive from one evaluation to the
next, so the only place the forks share is the file system. docs/token-cache.md is the user-facing description.

Where (see ``run_directory``): ``<local_tmp>/opsauth_tokens_cache``, where ``local_tmp`` is the per-process directory
that ansible-playbook creates at start-up (``ansible-local-<pid><random>``, mode 0700) and removes when it exits.
Worker processes are forked from ansible-playbook, so they all see the same path: it *is* the run id, with no PID
arithmetic, no /proc (macOS controllers have none) and no environment variable that a lookup could only set after the
forks exist. ansible-core keeps its own per-run cache of built modules (``ansiballz_cache``) there for the same reason.

Layout of a cache directory (0700, owned by the user; files 0600 written atomically by ``_token_file.write_token_file``):
  .hmac_key               random key that names the entries (so a file name reveals nothing about the credentials)
  <service>-<name>.json   one token entry: the client's login answer plus where and when it was obtained
  <service>-<name>.lock   flock()ed while one process logs in, so that concurrent forks log in once
  <service>-<name>.failed (run directory only) a login the server refused in this run; never persisted in cache_dir
  answer-<name>.json      (run directory only) what a lookup returned for one exact set of options, and the entry it
                          came from: the fast path (``TokenCache.answer``) that serves a cache hit with the standard
                          library alone

The directory rules, the entry names and when a token is trusted are in ``_cache_core``, which serves a cache hit on
its own; this module adds what a miss needs: the lock, the login, refresh and check, the writes. Neither imports
``requests`` or a platform client: the ``TokenSource`` a caller hands in does.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import shutil
import stat
import time

from ansible.utils.display import Display

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._time import now
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import (
    FILE_MODE,
    TokenFileError,
    remove_token_file,
    write_token_file,
)
from ansible_collections.opsauth.tokens.plugins.plugin_utils import _cache_core
from ansible_collections.opsauth.tokens.plugins.plugin_utils._cache_core import (  # noqa: F401 pylint: disable=unused-import
    _HMAC_KEYS,
    DEFAULT_MIN_TTL,
    CacheError,
    RunCache,
    _digest,
    _hmac_key,
    ensure_private_directory,
    parse_json,
    read_private,
    run_directory,
    valid_entry,
)

display = Display()

# How often a token the run trusts is confirmed with the server (docs/token-cache.md, "Checking a cached token").
DEFAULT_RECHECK_INTERVAL = 600
# A login takes well under a second; a stuck one ends with the client's own timeout and retries. This bound only
# turns a lock that is never released (a hung process) into an error instead of a silent hang.
DEFAULT_LOCK_TIMEOUT = 300
_LOCK_POLL = 0.02


class CachedLoginFailure(OpsAuthError):
    """A login for this identity already failed earlier in this run; no request was sent this time.

    ``code``, ``server_code`` and ``status`` are those of that login's failure, as a module reports them.
    """

    code = 'login_failed'


class CachedCheckFailure(CachedLoginFailure):
    """A check (``TokenCache.once_per_run``) already failed earlier in this run; no request was sent this time."""


class TokenRejected(OpsAuthError):
    """The server rejected a cached token or refresh token (HTTP 401): drop it and log in again, once."""

    code = 'credential_rejected'


class CacheKey:
    """Who a token belongs to and what it is good for: service, url, the identity's fields, the TLS trust it was
    obtained under (``tls``: requests' ``verify``, False, True or a CA bundle) and a hash of the secrets. Holds no
    secret itself.

    The entry name is an HMAC of these fields as JSON (``_digest``), never of a string built from them: two
    identities cannot share an entry (issue 17: ``email (account_type)`` could), and a token obtained without
    verification is never served to a task that verifies. ``identity`` is only the label messages show.
    ``name_in(directory)`` is the entry's base name in that directory (each directory has its own HMAC key).
    """

    def __init__(self, service, url, identity, secret_digest, fields=None, tls=True):
        self.service = service
        self.url = url
        self.identity = identity
        self.fields = dict(fields) if fields else {'identity': identity}
        self.tls = tls
        self._secret_digest = secret_digest
        self._names = {}

    def name_in(self, directory):
        if directory not in self._names:
            digest = _digest(_hmac_key(directory), 'key/2', self.service, self.url, self.fields, self.tls,
                             self._secret_digest)
            self._names[directory] = '%s-%s' % (self.service, digest[:40])
        return self._names[directory]

    def describe(self):
        """What a cache entry says about its owner, in clear: nothing secret."""
        return {'service': self.service, 'url': self.url, 'identity': self.fields, 'tls': self.tls}


def normalize_url(url):
    return (url or '').strip().rstrip('/')


class TokenSource:
    """What the cache needs from a platform client; a lookup subclasses it around its client.

    ``login()`` -> dict: a new token with the password (the only call that counts toward a lockout); by default the
    client's own ``login()``.
    ``refresh(data)`` -> dict: a new token from the refresh token in ``data``; raise TokenRejected when the server
    refuses the refresh token. Only when ``can_refresh``.
    ``verify(data)`` -> bool: whether the server still accepts the token in ``data`` (False on HTTP 401). Only when
    ``can_verify``; used once per run for a token that an earlier run obtained (cache_dir).
    ``remember(exc)`` -> bool: whether a login error is a refusal of these credentials (remembered for the run),
    as opposed to a transient fault (a connection error, a throttle) that a later evaluation may retry.
    ``expiry(data)`` -> (expires_at, refresh_expires_at): epochs or None.
    """

    can_refresh = False
    can_verify = False

    def __init__(self, client=None):
        self.client = client

    def login(self):
        return self.client.login()

    def refresh(self, data):
        raise NotImplementedError

    def verify(self, data):
        raise NotImplementedError

    def remember(self, exc):
        return False

    def expiry(self, data):
        return data.get('expires_at'), data.get('refresh_expires_at')


class CacheResult:
    """The token data a TokenSource returned, and how it was obtained this time (``obtained_by``): 'cache' (an entry
    reused), 'login' or 'refresh' (the source asked the server)."""

    # How each way reads in a -vvv line; {token} names the token ("the cached token", "the run's token").
    _DESCRIPTIONS = {'cache': 'reused {token}', 'login': 'logged in', 'refresh': 'refreshed {token}'}

    def __init__(self, data, obtained_by, expires_at=None, obtained_at=None):
        self.data = data
        self.obtained_by = obtained_by
        self.expires_at = expires_at
        self.obtained_at = obtained_at

    @property
    def hit(self):
        return self.obtained_by == 'cache'

    def describe(self, token='the cached token'):
        """How the token was obtained, for the lookups' and the action plugins' -vvv line."""
        return self._DESCRIPTIONS[self.obtained_by].format(token=token)


class TokenCache(RunCache):
    """Reuse one token per identity across evaluations, forks and hosts of a run (and across runs with cache_dir).

    ``run_dir``: the per-run directory (``run_directory(C.DEFAULT_LOCAL_TMP)``); failures are remembered only there.
    ``cache_dir``: optional persistent directory for the tokens themselves; None keeps them in ``run_dir``, so they
    disappear with the run.
    """

    def __init__(self, run_dir, cache_dir=None, min_ttl=DEFAULT_MIN_TTL, lock_timeout=DEFAULT_LOCK_TIMEOUT, clock=None,
                 recheck_interval=0):
        super(TokenCache, self).__init__(run_dir, cache_dir=cache_dir, min_ttl=min_ttl, clock=clock or now,
                                         recheck_interval=recheck_interval)
        self.lock_timeout = lock_timeout
        sweep_dead_runs(self.run_dir)

    # --- keys --------------------------------------------------------------------------------------------------------

    @staticmethod
    def key(service, url, identity, secrets=(), fields=None, tls=True):
        """The cache key for ``identity`` at ``url``; ``secrets`` (password, TOTP seed, ...) only enter as a hash,
        so a changed password is a different entry and a wrong one never shadows the right one. ``fields``: the
        identity as separate values (default: ``identity`` alone); ``tls``: the ``verify`` the token is obtained
        under (see CacheKey)."""
        hashed = hashlib.sha256()
        for secret in secrets:
            hashed.update(hashlib.sha256((secret or '').encode('utf-8')).digest())
        return CacheKey(service, normalize_url(url), identity, hashed.hexdigest(), fields=fields, tls=tls)

    def entry_path(self, key):
        return os.path.join(self.token_dir, key.name_in(self.token_dir) + '.json')

    def failure_path(self, key):
        return os.path.join(self.run_dir, key.name_in(self.run_dir) + '.failed')

    def lock_path(self, key):
        return os.path.join(self.token_dir, key.name_in(self.token_dir) + '.lock')

    # --- the one public operation ------------------------------------------------------------------------------------

    def get(self, key, source):
        """Return a CacheResult for ``key``, asking ``source`` (a TokenSource) only when no usable token is cached.

        Order: a failure remembered in this run -> CachedLoginFailure, no request; a fresh token obtained or checked
        in this run -> returned, no request, no lock; else, under the key's lock (so that concurrent forks do this
        once): a fresh token of an earlier run is verified (or refreshed), a stale one refreshed when its refresh
        token lives, and only then a login. A token the server rejects is dropped and replaced once; the
        replacement is trusted for the rest of the run, so a server that rejects everything costs one login per
        run, never a loop.
        """
        self._raise_remembered_failure(key)
        entry = self._read_entry(key)
        if entry is not None and self._trusted(entry):
            return self._result(entry, 'cache')

        with self._locked(key):
            # Another fork may have logged in (or failed) while we waited for the lock: look again.
            self._raise_remembered_failure(key)
            entry = self._read_entry(key)
            refreshable = entry is not None and source.can_refresh and self._refreshable(entry)
            if entry is not None and self._fresh(entry):
                if self._trusted(entry):
                    return self._result(entry, 'cache')
                # A token of an earlier run (cache_dir), or one whose periodic check (recheck_interval) is due.
                if source.can_verify:
                    if source.verify(entry['data']):
                        return self._result(self._write_entry(key, entry['data'], source, entry['obtained_at']), 'cache')
                    self.drop(key)
                    entry, refreshable = None, False
                elif not refreshable:
                    # Nothing to check it with: its expiry is all we know, and it is fine.
                    return self._result(self._write_entry(key, entry['data'], source, entry['obtained_at']), 'cache')

            if refreshable:
                try:
                    data = source.refresh(entry['data'])
                    return self._result(self._write_entry(key, data, source), 'refresh')
                except TokenRejected:
                    self.drop(key)
            try:
                data = source.login()
            except Exception as exc:
                if source.remember(exc):
                    self._remember_failure(key, exc)
                raise
            return self._result(self._write_entry(key, data, source), 'login')

    def once_per_run(self, what, parts, check, remember=lambda exc: False):
        """``check()``'s value for ``parts`` (a URL and an org id, say), asked once per run and kept in the run directory.

        A failure ``remember(exc)`` accepts (a verdict of the server, such as an unknown organisation) is kept too and
        raised again without a request, as CachedCheckFailure with the same message; any other is raised as it is and
        asked again next time. Forks that ask at the same moment may each ask once: a check is a read, not a login.
        """
        path = os.path.join(self.run_dir, 'checked-%s.json' % _digest(_hmac_key(self.run_dir), what, *parts)[:40])
        kept = self.read_entry_file(path)
        if kept and 'error' in kept:
            raise CachedCheckFailure(kept['error'], code=kept.get('code'), server_code=kept.get('server_code'),
                                     status=kept.get('status'))
        if kept and 'value' in kept:
            return kept['value']
        try:
            value = check()
        except OpsAuthError as exc:
            if remember(exc):
                self._keep(path, dict(error=str(exc), code=exc.code, server_code=exc.server_code, status=exc.status))
            raise
        self._keep(path, dict(value=value))
        return value

    def _keep(self, path, data):
        try:
            write_token_file(path, dict(data, what='a check of this run', at=self._clock()))
        except TokenFileError:
            pass  # the next evaluation asks again

    def drop(self, key):
        try:
            remove_token_file(self.entry_path(key))
        except TokenFileError as exc:
            raise CacheError(str(exc))

    def reject(self, key, data):
        """The server answered HTTP 401 to the token in ``data``, which this cache handed out: drop the entry if it
        still holds that token, so that the next ``get`` logs in once. An entry another fork has already replaced is
        kept: N forks that see the same 401 cost one login, not N."""
        with self._locked(key):
            entry = self._read_entry(key)
            if entry is not None and entry['data'] == data:
                self.drop(key)

    def remember_answer(self, name, key, result, value):
        """Keep ``value``, what the options named ``name`` made of ``result`` (from get() for ``key``), for answer()."""
        if result.obtained_at is None:
            return
        try:
            write_token_file(os.path.join(self.run_dir, name + '.json'),
                             dict(entry=self.entry_path(key), failure=self.failure_path(key),
                                  obtained_at=result.obtained_at, value=value))
        except TokenFileError:
            pass  # only the shortcut is lost: the next evaluation takes the full path

    # --- internals ---------------------------------------------------------------------------------------------------

    def _refreshable(self, entry):
        if not entry['data'].get('refresh_token'):
            return False
        refresh_expires_at = entry.get('refresh_expires_at')
        return refresh_expires_at is None or float(refresh_expires_at) - self._clock() > 60

    def _result(self, entry, obtained_by):
        return CacheResult(dict(entry['data']), obtained_by, entry.get('expires_at'), entry['obtained_at'])

    def _read_entry(self, key):
        return self._read_path(self.entry_path(key))

    def _read_path(self, path):
        # A damaged entry (writes are atomic, so only a person can make one) is worth a login, not a failed task;
        # the next write replaces it.
        return valid_entry(self.read_entry_file(path))

    def read_entry_file(self, path):
        """The JSON object in the cache file ``path``, or None: none there, damaged, or unsafe.

        Unsafe (a symbolic link, not a regular file, another user's, readable or writable by others: read_private
        says which) is never read: a warning names it, it is removed (unlink removes a link, not what it points
        to), and the caller goes on as without it, so the token is obtained again and the run keeps working.
        """
        raw, problem = read_private(path)
        if problem:
            self._discard(path, problem)
            return None
        return None if raw is None else parse_json(raw)

    @staticmethod
    def _discard(path, problem):
        display.warning('opsauth.tokens: the token cache file %s %s: it is not used but removed, and its token is '
                        'obtained again; if you did not make it so, someone else may have, and tokens in that '
                        'cache may have leaked' % (path, problem))
        try:
            os.unlink(path)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise CacheError('the token cache file %s %s and cannot be removed (%s): remove it'
                                 % (path, problem, exc.strerror or exc))

    def _write_entry(self, key, data, source, obtained_at=None):
        expires_at, refresh_expires_at = source.expiry(data)
        checked_at = self._clock()
        entry = dict(key.describe(), version=_cache_core.ENTRY_VERSION, run=self.run_id, data=data,
                     obtained_at=obtained_at if obtained_at is not None else checked_at, checked_at=checked_at,
                     expires_at=expires_at, refresh_expires_at=refresh_expires_at)
        try:
            write_token_file(self.entry_path(key), entry)
        except TokenFileError as exc:
            raise CacheError(str(exc))
        return entry

    def _remember_failure(self, key, exc):
        try:
            write_token_file(self.failure_path(key), dict(key.describe(), message=str(exc), kind=type(exc).__name__,
                                                          code=getattr(exc, 'code', None),
                                                          server_code=getattr(exc, 'server_code', None),
                                                          status=getattr(exc, 'status', None), failed_at=self._clock()))
        except TokenFileError:
            pass  # the original error is what the user needs to see

    def _raise_remembered_failure(self, key):
        failure = self.read_entry_file(self.failure_path(key))
        if failure:
            raise CachedLoginFailure('%s (an earlier login in this run failed; not tried again until the next run, so '
                                     'that a wrong password cannot lock the account)' % failure.get('message'),
                                     code=failure.get('code'), server_code=failure.get('server_code'),
                                     status=failure.get('status'))

    def _open_lock(self, path):
        """The lock file, opened without following a link and checked to be ours; an unsafe one is replaced once."""
        for attempt in (1, 2):
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | getattr(os, 'O_CLOEXEC', 0), FILE_MODE)
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.EMLINK) or attempt == 2:
                    raise CacheError('cannot open lock file %s: %s' % (path, exc.strerror or exc))
                self._discard(path, 'is a symbolic link')
                continue
            info = os.fstat(fd)
            if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
                return fd
            os.close(fd)
            if attempt == 2:
                raise CacheError('lock file %s is not a regular file of yours: remove it' % path)
            self._discard(path, 'is not a regular file of yours')

    @contextlib.contextmanager
    def _locked(self, key):
        path = self.lock_path(key)
        fd = self._open_lock(path)
        try:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except (IOError, OSError) as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        raise CacheError('cannot lock %s: %s' % (path, exc.strerror or exc))
                if time.monotonic() > deadline:
                    raise CacheError('waited %ds for another process to finish logging in (lock %s); if no '
                                     'ansible-playbook is running, remove that file' % (self.lock_timeout, path))
                time.sleep(_LOCK_POLL)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the flock


# --- runs that ended without cleaning up ------------------------------------------------------------------------------

_NOFOLLOW = getattr(os, 'O_NOFOLLOW', 0)
# ansible-core names its per-run directory tempfile.mkdtemp(prefix='ansible-local-%d' % os.getpid()): the pid of
# ansible-playbook, then mkdtemp's 8 random characters.
_RUN_DIR_NAME = re.compile(r'ansible-local-(\d+)[a-z0-9_]{8}\Z')
_SWEPT = '.swept'


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno != errno.ESRCH  # EPERM: another user's process, alive
    return True


def sweep_dead_runs(run_dir):
    """Remove the token caches of earlier runs whose ansible-playbook is gone (killed with SIGKILL, a crashed
    controller): Ansible removes its per-run directory at exit, but a killed run leaves it behind, with tokens.

    Once per run (a ``.swept`` marker in this run's directory), and only ``opsauth_tokens_cache`` directories of
    ours, beside ours, in a directory named after a pid that no process has (never a link; rmtree does not follow
    links). A pid reused by another process keeps its directory until a later run finds that pid gone too.
    """
    marker = os.path.join(run_dir, _SWEPT)
    if os.path.lexists(marker):
        return []
    swept = []
    own = os.path.dirname(os.path.abspath(run_dir))
    parent = os.path.dirname(own)
    try:
        names = os.listdir(parent)
    except OSError:
        names = []
    for name in names:
        match = _RUN_DIR_NAME.match(name)
        if not match or os.path.join(parent, name) == own or _alive(int(match.group(1))):
            continue
        victim = os.path.join(parent, name, os.path.basename(run_dir))
        try:
            info = os.lstat(victim)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid():
            shutil.rmtree(victim, ignore_errors=True)
            swept.append(victim)
    try:
        os.close(os.open(marker, os.O_WRONLY | os.O_CREAT | _NOFOLLOW, FILE_MODE))
    except OSError:
        pass  # the next evaluation sweeps again: costs a directory listing, no more
    return swept
