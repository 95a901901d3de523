# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Token files: read, written and removed so that a token is never half written, never lost, never too visible.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

A token file is one JSON object, mode 0600, replaced atomically (write a temporary file in the same
directory, fsync, rename), so a reader never sees half a token and a crash never leaves one behind. A token file
that is a symbolic link is refused, never followed: not read, not written through, not chmod-ed.
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

    code = 'token_file_error'


class TokenNotStored(TokenFileError):
    """A credential was issued (the server's state changed) but could not be written to its file.

    ``result`` holds what the module returns with the failure, the credential included (modules return it no_log),
    so that the new key is not lost as well: the message says where it is.
    """

    code = 'token_not_stored'

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


def _symlink(path):
    try:
        target = os.readlink(path)
    except (IOError, OSError):
        target = 'somewhere else'
    return TokenFileError('token file %s is a symbolic link (to %s): a token file is never read, written or chmod-ed '
                          'through a link; point dest at the file itself' % (path, target))


def _os_error(what, path, exc):
    return TokenFileError('cannot %s token file %s: %s' % (what, path, exc.strerror or exc))


_NOFOLLOW = getattr(os, 'O_NOFOLLOW', 0)
_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, 'O_NOCTTY', 0) | getattr(os, 'O_CLOEXEC', 0) | _NOFOLLOW


def check_folder(path):
    """Raise TokenFileError when the folder of ``path`` lets other users swap the file: writable by every user
    without the sticky bit (/tmp has it: there only the owner may rename or remove a file). Symbolic links in the
    folder's own path are followed (/var/run, macOS's /tmp): they are the system's or the user's choice, not the
    file's. Returns the folder's stat, or None when it does not exist."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        info = os.stat(directory)
    except (IOError, OSError):
        return None
    if stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_IWOTH and not info.st_mode & stat.S_ISVTX:
        raise TokenFileError('the folder of token file %s (%s) is writable by every user: anyone could replace the '
                             'file; keep token files in a private folder (mode 0700)' % (path, directory))
    return info


def _lstat(path, what):
    """The file's own lstat (None when there is none); a symbolic link, even one to nothing, is refused."""
    try:
        info = os.lstat(path)
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise _os_error(what, path, exc)
    if stat.S_ISLNK(info.st_mode):
        raise _symlink(path)
    return info


def read_token_file(path, report=None, check=False):
    """Return the stored dict, or None when there is no token: no file, or an empty one (``file: state=touch``).

    Refused with one line: a symbolic link (issue 17: reading followed it and chmod-ed its target), a directory,
    FIFO, device or socket, a file over MAX_TOKEN_FILE_SIZE, bytes that are not a JSON object. Nothing here can
    block: the type is checked before the open, and the open is non-blocking and O_NOFOLLOW, so a FIFO or a link
    swapped in between is seen by fstat or refused by the open, never waited on or followed.
    A file readable by others is narrowed to 0600 through the open descriptor when the caller passes ``report``
    (a module's warn), which is told so; with ``check`` (check mode) nothing is changed and ``report`` is told
    what would be. Without ``report`` the mode is left as it is (the caller removes the file, or checks the mode).
    """
    check_folder(path)
    before = _lstat(path, 'read')
    if before is None:
        return None
    if not stat.S_ISREG(before.st_mode):
        raise _not_regular(path, before.st_mode)
    try:
        fd = os.open(path, _READ_FLAGS)
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None
        if exc.errno in (errno.ELOOP, errno.EMLINK):  # O_NOFOLLOW met a link swapped in after the lstat
            raise _symlink(path)
        raise _os_error('read', path, exc)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(path, info.st_mode)
        if info.st_size > MAX_TOKEN_FILE_SIZE:
            raise TokenFileError('token file %s is %d bytes, more than a token file can be (%d); point dest at the '
                                 'token file' % (path, info.st_size, MAX_TOKEN_FILE_SIZE))
        if stat.S_IMODE(info.st_mode) & 0o077 and report is not None:
            _narrow_mode(fd, path, info, report, check)
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


def _narrow_mode(fd, path, info, report, check):
    """Fix a token file other users may read to 0600, through the open descriptor (no race with a rename)."""
    old = stat.S_IMODE(info.st_mode)
    if check:
        report('token file %s has mode %04o, readable by other users; it would be changed to 0600 (check mode: not '
               'changed). Replace the token if others may have read it' % (path, old))
        return
    try:
        os.fchmod(fd, FILE_MODE)
    except (IOError, OSError) as exc:
        raise TokenFileError('token file %s has mode %04o, readable by other users, and its mode cannot be fixed (%s): '
                             'run chmod 600 on it, and replace the token if others may have read it'
                             % (path, old, exc.strerror or exc))
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
    exists must be writable and not let other users swap the file (check_folder); what is at ``path`` must be a
    regular file, which is replaced (a symbolic link is refused, not followed). With ``probe`` a temporary file is
    created and removed in that folder: it also catches a read-only file system or a full quota that os.access does
    not see. Nothing is left behind.
    """
    missing = missing_dirs(path)
    directory = os.path.dirname(missing[0]) if missing else os.path.dirname(os.path.abspath(path))
    check_folder(os.path.join(directory, os.path.basename(path)))  # the folder that exists: the file's, or the nearest
    info = _lstat(path, 'write') if not missing else None
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
            os.fchmod(handle.fileno(), FILE_MODE)  # through the descriptor: the name could be swapped meanwhile
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
    """Remove the file; return True when there was one. A symbolic link is refused like everywhere else."""
    _lstat(path, 'remove')
    try:
        os.unlink(path)
        return True
    except (IOError, OSError) as exc:
        if not os.path.exists(path):
            return False
        raise TokenFileError('cannot remove token file %s: %s' % (path, exc.strerror or exc))
