# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Token files: read, written and removed so that a token is never half written, never lost, never too visible.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

A token file is one JSON object, mode 0600, replaced atomically (write a temporary file in the same
directory, fsync, rename), so a reader never sees half a token and a crash never leaves one behind.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import json
import os
import stat
import tempfile

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError


class TokenFileError(OpsAuthError):
    """A token file cannot be read or written."""


class TokenNotStored(TokenFileError):
    """A credential was issued (the server's state changed) but could not be written to its file.

    ``result`` holds what the module returns with the failure, the credential included (modules return it no_log),
    so that the new key is not lost as well: the message says where it is.
    """

    def __init__(self, message, result):
        super(TokenNotStored, self).__init__(message)
        self.result = result


FILE_MODE = 0o600
# A token file holds a few hundred bytes; anything much bigger is not ours, and reading it whole would cost memory.
MAX_TOKEN_FILE_SIZE = 1024 * 1024

_KINDS = ((stat.S_ISDIR, 'a directory'), (stat.S_ISFIFO, 'a FIFO (named pipe)'), (stat.S_ISSOCK, 'a socket'),
          (stat.S_ISCHR, 'a character device'), (stat.S_ISBLK, 'a block device'))


def _kind(mode):
    for test, name in _KINDS:
        if test(mode):
            return name
    return 'not a regular file'


def _not_regular(path, mode):
    return TokenFileError('token file %s is %s, not a regular file; point dest at a file (or remove what is there)'
                          % (path, _kind(mode)))


def _os_error(what, path, exc):
    return TokenFileError('cannot %s token file %s: %s' % (what, path, exc.strerror or exc))


def read_token_file(path, report=None):
    """Return the stored dict, or None when there is no token: no file, or an empty one (``file: state=touch``).

    Refused with one line: a directory, FIFO, device or socket (also behind a symlink), a file over
    MAX_TOKEN_FILE_SIZE, bytes that are not a JSON object. Nothing here can block: the type is checked before the
    open, and the open is non-blocking, so a FIFO swapped in between is seen by fstat, not waited on.
    A file readable by others is narrowed to 0600 on the spot; ``report(message)`` (a module's warn) is told so.
    """
    try:
        before = os.stat(path)
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None  # no file, or a symlink to nothing: no token
        raise _os_error('read', path, exc)
    if not stat.S_ISREG(before.st_mode):
        raise _not_regular(path, before.st_mode)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, 'O_NOCTTY', 0) | getattr(os, 'O_CLOEXEC', 0))
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise _os_error('read', path, exc)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(path, info.st_mode)
        if info.st_size > MAX_TOKEN_FILE_SIZE:
            raise TokenFileError('token file %s is %d bytes, more than a token file can be (%d); point dest at the '
                                 'token file' % (path, info.st_size, MAX_TOKEN_FILE_SIZE))
        if stat.S_IMODE(info.st_mode) & 0o077:
            _narrow_mode(fd, path, info, report)
        chunks, size = [], 0
        while size <= MAX_TOKEN_FILE_SIZE:  # the file may grow after fstat: read at most one byte past the cap
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        raw = b''.join(chunks)
    except (IOError, OSError) as exc:
        raise _os_error('read', path, exc)
    finally:
        os.close(fd)
    if len(raw) > MAX_TOKEN_FILE_SIZE:
        raise TokenFileError('token file %s grew past %d bytes while it was read; point dest at the token file'
                             % (path, MAX_TOKEN_FILE_SIZE))
    if not raw.strip():
        return None
    try:
        data = json.loads(raw.decode('utf-8'))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; deep nesting ([[[[...) a RecursionError
        raise TokenFileError('token file %s is not valid JSON; remove it (state=absent) or point dest elsewhere' % path)
    if not isinstance(data, dict):
        raise TokenFileError('token file %s does not hold a JSON object; remove it or point dest elsewhere' % path)
    return data


def _narrow_mode(fd, path, info, report):
    """Fix a token file other users may read to 0600, through the open descriptor (no race with a rename)."""
    old = stat.S_IMODE(info.st_mode)
    try:
        os.fchmod(fd, FILE_MODE)
    except (IOError, OSError) as exc:
        raise TokenFileError('token file %s has mode %04o, readable by other users, and its mode cannot be fixed (%s): '
                             'run chmod 600 on it, and replace the token if others may have read it'
                             % (path, old, exc.strerror or exc))
    if report is not None:
        report('token file %s had mode %04o, readable by other users; changed it to 0600. Replace the token if others '
               'may have read it' % (path, old))


DIR_MODE = 0o700


def missing_dirs(path):
    """The folders above ``path`` that do not exist yet, outermost first (what writing it creates, mode 0700)."""
    missing = []
    directory = os.path.dirname(os.path.abspath(path))
    while not os.path.isdir(directory):
        if os.path.lexists(directory):  # a file, or a symlink to nothing, where a folder should be
            raise TokenFileError('cannot write token file %s: %s is not a directory' % (path, directory))
        missing.insert(0, directory)
        directory = os.path.dirname(directory)
    return missing


def make_dirs(path):
    """Create the missing folders above ``path`` with mode 0700 (not the umask's); return the ones created."""
    created = []
    for directory in missing_dirs(path):
        try:
            os.mkdir(directory, DIR_MODE)
        except (IOError, OSError) as exc:
            if exc.errno == errno.EEXIST and os.path.isdir(directory):
                continue  # another process made it in between
            raise TokenFileError('cannot create the directory %s of token file %s: %s'
                                 % (directory, path, exc.strerror or exc))
        os.chmod(directory, DIR_MODE)
        created.append(directory)
    return created


def check_token_dest(path, probe=True):
    """Raise TokenFileError unless ``path`` can be written as a token file; return the folders writing it would create.

    Called before any request that destroys or creates a credential, so that a key is never made only to be lost
    for want of a folder. Missing folders are created by the write (mode 0700), not here: the nearest folder that
    exists must be writable; what is at ``path`` (followed if a symlink) must be a regular file, which is replaced.
    With ``probe`` a temporary file is created and removed in that folder: it also catches a read-only file system
    or a full quota that os.access does not see. Nothing is left behind.
    """
    missing = missing_dirs(path)
    directory = os.path.dirname(missing[0]) if missing else os.path.dirname(os.path.abspath(path))
    try:
        info = os.stat(path)
    except (IOError, OSError):
        info = None  # nothing there yet (or a dangling symlink, which the rename replaces)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise _not_regular(path, info.st_mode)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise TokenFileError('cannot write token file %s: its directory %s is not writable by this user'
                             % (path, directory))
    if probe:
        try:
            fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.probe', dir=directory)
        except (IOError, OSError) as exc:
            raise _os_error('write', path, exc)
        os.close(fd)
        os.unlink(tmp)
    return missing


def write_token_file(path, data):
    """Write ``data`` as JSON to ``path`` atomically with mode 0600; return the folders created for it (mode 0700).

    A temporary file in the same directory, 0600 from its creation, fsync'ed, then renamed over ``path``: a crash
    at any point leaves either the old file or the new one, never half of one.
    """
    check_token_dest(path, probe=False)
    created = make_dirs(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = None, None
    try:
        # mkstemp creates the file with 0600 from the start: the token is never readable by others, not even briefly.
        fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
        with os.fdopen(fd, 'w') as handle:
            fd = None
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write('\n')
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
        tmp = None
        _fsync_directory(directory)
    except (IOError, OSError) as exc:
        raise _os_error('write', path, exc)
    finally:
        if fd is not None:
            os.close(fd)
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return created


def write_issued_token(path, data, what, result):
    """write_token_file for a credential just issued (the folders it created returned): a failure raises
    TokenNotStored carrying ``result``.

    ``what`` says what happened on the server ("DeepFlow created a new permanent token for x").
    """
    try:
        return write_token_file(path, data)
    except TokenFileError as exc:
        raise TokenNotStored('%s, but %s; the new credential is in this failed result only (no_log): save it now or '
                             'it is lost' % (what, exc), result)


def _fsync_directory(directory):
    # The rename is durable only once the directory entry is on disk; not every platform lets us open a directory.
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except (IOError, OSError):
        return
    try:
        os.fsync(dir_fd)
    except (IOError, OSError):
        pass
    finally:
        os.close(dir_fd)


def remove_token_file(path):
    """Remove the file; return True when there was one."""
    try:
        os.unlink(path)
        return True
    except (IOError, OSError) as exc:
        if not os.path.exists(path):
            return False
        raise TokenFileError('cannot remove token file %s: %s' % (path, exc.strerror or exc))
