# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The part of the token cache that a cache hit needs: the directory rules, the entry names, when a token is trusted.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice. Controller only.

Why a module of its own: Ansible evaluates a lookup in a fresh worker process for every task and host, and compiles
the plugin's Python source there each time (the collection loader keeps no bytecode). A cache hit is served by this
module alone (standard library only); the rest of the cache (``_token_cache``: locks, logins, refreshes, writes) and
the platform clients are loaded only when the cache cannot answer. The rules below are the cache's only copy.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import errno
import fcntl
import hashlib
import hmac
import json
import os
import stat
import time

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError

DIR_MODE = 0o700
RUN_SUBDIR = 'opsauth_tokens_cache'  # also in _bytecode, which loads this module
DEFAULT_MIN_TTL = 300
ENTRY_VERSION = 1
_KEY_FILE = '.hmac_key'
_FILE_MODE = 0o600
# An answer or entry file is a few hundred bytes; anything much larger is not ours.
_MAX_JSON = 1024 * 1024
# How long an evaluation waits for another fork's answer to the same options before it takes the full path itself.
ANSWER_WAIT = 300
_ANSWER_POLL = 0.01

# HMAC keys already read in this process, by directory: a worker that evaluates a lookup in a loop reads each once.
_HMAC_KEYS = {}


class CacheError(OpsAuthError):
    """The cache directory is unsafe or unusable; the message says what to do."""

    code = 'cache_error'


def run_directory(local_tmp):
    """The per-run cache directory inside ansible's per-process ``local_tmp`` (``C.DEFAULT_LOCAL_TMP``)."""
    return os.path.join(local_tmp, RUN_SUBDIR)


def ensure_private_directory(path):
    """Create ``path`` with mode 0700 if needed; refuse one that is not ours or that others can enter.

    Refusing, rather than fixing the mode, is deliberate: tokens written into a directory that others could read may
    already have leaked, and the user should know. A directory we create ourselves is always right.
    """
    path = os.path.abspath(os.path.expanduser(path))
    try:
        os.makedirs(path, DIR_MODE)
        os.chmod(path, DIR_MODE)  # makedirs' mode is filtered by the umask; make it exact
    except OSError as exc:
        if exc.errno != errno.EEXIST:
            raise CacheError('cannot create the token cache directory %s: %s' % (path, exc.strerror or exc))
    try:
        info = os.stat(path)
    except OSError as exc:
        raise CacheError('cannot use the token cache directory %s: %s' % (path, exc.strerror or exc))
    if not stat.S_ISDIR(info.st_mode):
        raise CacheError('the token cache path %s is not a directory; point cache_dir at a directory' % path)
    if info.st_uid != os.geteuid():
        raise CacheError('the token cache directory %s belongs to uid %d, not to you (uid %d): refusing to keep tokens '
                         'there; point cache_dir at a directory of your own' % (path, info.st_uid, os.geteuid()))
    if info.st_mode & 0o077:
        raise CacheError('the token cache directory %s has mode %04o, so others can read it: tokens may only be kept in '
                         'a private directory; run "chmod 700 %s" (and consider revoking what it holds)'
                         % (path, stat.S_IMODE(info.st_mode), path))
    return path


def _hmac_key(directory):
    """The directory's random naming key, created once by whichever process gets there first."""
    if directory in _HMAC_KEYS:
        return _HMAC_KEYS[directory]
    path = os.path.join(directory, _KEY_FILE)
    raw, problem = read_private(path)
    if problem:
        # The key names every entry: one we did not write could point our tokens at names someone else chose.
        raise CacheError('%s %s: refusing to use this token cache; remove that file (the entries it names are then '
                         'ignored)' % (path, problem))
    key = (raw or b'').decode('utf-8', 'replace').strip() if raw is not None else _create_hmac_key(directory, path)
    if len(key) < 32:
        raise CacheError('%s is damaged; remove it (the cache entries it names are then ignored)' % path)
    _HMAC_KEYS[directory] = key
    return key


def _create_hmac_key(directory, path):
    candidate = hashlib.sha256(os.urandom(32)).hexdigest()
    tmp = path + '.%d.tmp' % os.getpid()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, _FILE_MODE)
    try:
        with os.fdopen(fd, 'w') as handle:
            handle.write(candidate + '\n')
            handle.flush()
            os.fsync(handle.fileno())
        # link() is atomic and fails when the name exists: of two forks racing here, exactly one key wins, and a
        # reader never sees a half-written one.
        os.link(tmp, path)
        return candidate
    except OSError as exc:
        if exc.errno != errno.EEXIST:
            raise CacheError('cannot create %s: %s' % (path, exc.strerror or exc))
        raw, problem = read_private(path)
        if problem or raw is None:
            raise CacheError('%s %s: refusing to use this token cache; remove that file' % (path, problem or 'vanished'))
        return raw.decode('utf-8', 'replace').strip()
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


_NOFOLLOW = getattr(os, 'O_NOFOLLOW', 0)


def read_private(path):
    """(bytes, None) for our own private regular file at ``path``; (None, None) when there is none; (None, problem)
    when what is there must not be trusted: a symbolic link, not a regular file, another user's, readable or writable
    by others, too large. Opened with O_NOFOLLOW and O_NONBLOCK and checked with fstat on the open descriptor, so
    nothing is followed, waited on, or swapped in between the check and the read. Never raises.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW | getattr(os, 'O_CLOEXEC', 0))
    except (OSError, ValueError, TypeError) as exc:
        if getattr(exc, 'errno', None) == errno.ENOENT or not path:
            return None, None
        if getattr(exc, 'errno', None) in (errno.ELOOP, errno.EMLINK):
            return None, 'is a symbolic link'
        return None, 'cannot be opened (%s)' % (getattr(exc, 'strerror', None) or exc)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, 'is not a regular file'
        if info.st_uid != os.geteuid():
            return None, 'belongs to uid %d, not to you (uid %d)' % (info.st_uid, os.geteuid())
        if stat.S_IMODE(info.st_mode) & 0o077:
            return None, 'has mode %04o, not 0600' % stat.S_IMODE(info.st_mode)
        chunks, size = [], 0
        while size <= _MAX_JSON:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > _MAX_JSON:
            return None, 'is larger than a cache file can be'
        return b''.join(chunks), None
    except OSError as exc:
        return None, 'cannot be read (%s)' % (exc.strerror or exc)
    finally:
        os.close(fd)


def _open_private(path):
    """A descriptor of our own private regular file ``path`` (created 0600 if missing), or None: never follows a link."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | getattr(os, 'O_CLOEXEC', 0), _FILE_MODE)
    except (OSError, ValueError, TypeError):
        return None
    try:
        info = os.fstat(fd)
    except OSError:
        info = None
    if info is None or not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077:
        os.close(fd)
        return None
    return fd


def parse_json(raw):
    """The JSON object in ``raw`` (bytes), or None."""
    try:
        data = json.loads(raw.decode('utf-8'))
    except (AttributeError, ValueError, UnicodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _digest(key, *parts):
    material = json.dumps(parts, sort_keys=True, separators=(',', ':'), default=str)
    return hmac.new(key.encode('utf-8'), material.encode('utf-8'), hashlib.sha256).hexdigest()


def read_json(path):
    """The JSON object in our own private regular file ``path``, or None on any doubt (read_private): never raises,
    never follows a link, never waits on a FIFO.

    Only for the fast path, where None means "take the full path", which reads the same files and deals with what
    is wrong (_token_cache.TokenCache.read_entry_file).
    """
    raw, problem = read_private(path)
    return None if problem or raw is None else parse_json(raw)


def valid_entry(entry):
    """``entry`` (a parsed entry file, or None) if it has the shape this version writes, else None."""
    if (entry is None or entry.get('version') != ENTRY_VERSION or not isinstance(entry.get('data'), dict)
            or not isinstance(entry.get('obtained_at'), (int, float))):
        return None
    return entry


class RunCache:
    """Where the run's tokens are and when one is trusted; answers a cache hit (``answer``) without any other module.

    ``run_dir``: the per-run directory (``run_directory(C.DEFAULT_LOCAL_TMP)``); failures and answers live only there.
    ``cache_dir``: optional persistent directory for the tokens themselves; None keeps them in ``run_dir``, so they
    disappear with the run.
    """

    def __init__(self, run_dir, cache_dir=None, min_ttl=DEFAULT_MIN_TTL, clock=None, recheck_interval=0):
        self.run_dir = ensure_private_directory(run_dir)
        self.token_dir = ensure_private_directory(cache_dir) if cache_dir else self.run_dir
        self.min_ttl = max(0, int(min_ttl if min_ttl is not None else DEFAULT_MIN_TTL))
        # 0: a token obtained or checked in this run is trusted until min_ttl before its expiry.
        self.recheck_interval = max(0, int(recheck_interval or 0))
        self._clock = clock or time.time
        # Entries record the run that last obtained or checked them: a token from an earlier run (cache_dir) is
        # checked once with the server before this run trusts it, since the server may have dropped it meanwhile.
        self.run_id = hashlib.sha256(('run:' + _hmac_key(self.run_dir)).encode('utf-8')).hexdigest()[:16]

    # --- the fast path: a cache hit with the standard library alone --------------------------------------------------

    def answer_name(self, *parts):
        """The name of the answer file for one exact set of options (``parts``: the lookup, its options, its output).

        An HMAC under the run directory's key, like the entry names: the options hold the password.
        """
        return 'answer-' + _digest(_hmac_key(self.run_dir), self.token_dir, self.min_ttl, self.recheck_interval,
                                   *parts)[:40]

    def answer(self, name):
        """What a lookup returned for the options named ``name``, when get() would return the same entry now as a
        cache hit (fresh, trusted in this run, no remembered failure); else None.

        Why it may skip the option checks and the platform client: an answer file is written only after those options
        passed the checks and their token came from get(), in this run, and the checks need no network, so they would
        pass again. Any doubt - a missing or damaged file, a replaced, stale or unchecked entry - returns None, and the
        caller takes the full path, which behaves exactly as without this shortcut.
        """
        found = self.answer_entry(name)
        return None if found is None else found[0]

    def answer_entry(self, name):
        """(the answer ``name``, the cache entry it came from) when answer() would return it; else None.

        The action plugins keep as answer only what their -vvv line names (identity, URL) and hand the module the
        entry's token, read here under the same checks.
        """
        answer = read_json(os.path.join(self.run_dir, name + '.json'))
        if not answer or 'value' not in answer or os.path.exists(answer.get('failure') or ''):
            return None
        entry = self._read_path(answer.get('entry') or '')
        if entry is None or entry.get('obtained_at') != answer.get('obtained_at') or not self._trusted(entry):
            return None
        return answer['value'], entry

    @contextlib.contextmanager
    def answering(self, name, timeout=ANSWER_WAIT):
        """Held while one evaluation computes the answer ``name`` (answer_name) on the full path.

        Forks that ask for the same options at the same moment wait here, then find its answer: the first task of a
        run, on ``forks`` hosts at once, loads the platform client once instead of ``forks`` times. Only a shortcut:
        with a lock file that is not a private regular file of ours, any error, or after ``timeout`` seconds, the
        caller goes on without the lock, exactly as without this (the entry's own lock still makes one login).
        """
        fd = _open_private(os.path.join(self.run_dir, name + '.lock'))
        try:
            deadline = time.monotonic() + timeout
            while fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK) or time.monotonic() > deadline:
                        break
                time.sleep(_ANSWER_POLL)
            yield
        finally:
            if fd is not None:
                os.close(fd)  # releases the flock

    def _trusted(self, entry):
        """A token this run obtained or checked, fresh, and not due for its periodic check: used without a request."""
        if entry.get('run') != self.run_id or not self._fresh(entry):
            return False
        if self.recheck_interval:
            checked_at = entry.get('checked_at', entry['obtained_at'])
            return self._clock() - float(checked_at) < self.recheck_interval
        return True

    def _fresh(self, entry):
        expires_at = entry.get('expires_at')
        if expires_at is None:
            # Unknown expiry: good for the run that obtained it; an earlier run's token gets verified first.
            return True
        margin = self.min_ttl
        # A min_ttl longer than half the token's life would log in on every evaluation: cap it.
        margin = min(margin, max(0.0, (float(expires_at) - float(entry['obtained_at'])) / 2.0))
        return float(expires_at) - self._clock() > margin

    def _read_path(self, path):
        return valid_entry(read_json(path))
