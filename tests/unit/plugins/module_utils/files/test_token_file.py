# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import signal
import stat
import threading

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.files import _token_file
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import (
    MAX_TOKEN_FILE_SIZE,
    TokenFileError,
    check_token_dest,
    read_token_file,
    remove_token_file,
    write_token_file,
)


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_written_with_mode_0600_whatever_the_umask(tmp_path):
    path = str(tmp_path / 'token.json')
    old = os.umask(0)
    try:
        write_token_file(path, {'token': 'secret'})
    finally:
        os.umask(old)
    assert mode_of(path) == 0o600
    assert read_token_file(path) == {'token': 'secret'}


def test_rewrite_narrows_a_wider_mode(tmp_path):
    path = tmp_path / 'token.json'
    path.write_text('{}')
    os.chmod(str(path), 0o644)
    write_token_file(str(path), {'token': 'new'})
    assert mode_of(str(path)) == 0o600


def test_replaced_not_rewritten_in_place(tmp_path):
    # A reader that opened the old file keeps reading a whole old token: the new one is a new inode renamed over it.
    path = str(tmp_path / 'token.json')
    write_token_file(path, {'token': 'old'})
    with open(path) as reader:
        old_inode = os.fstat(reader.fileno()).st_ino
        write_token_file(path, {'token': 'new'})
        assert '"old"' in reader.read()
    assert os.stat(path).st_ino != old_inode
    assert read_token_file(path) == {'token': 'new'}


def test_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path):
    path = str(tmp_path / 'token.json')
    write_token_file(path, {'token': 'old'})
    with pytest.raises(TypeError):
        write_token_file(path, {'token': object()})  # not JSON serialisable: fails half way through the dump
    assert read_token_file(path) == {'token': 'old'}
    assert os.listdir(str(tmp_path)) == ['token.json']


def test_missing_folders_are_created_0700_and_returned(tmp_path):
    # Issue 18: the README's first dest (~/.cache/opsauth/...) did not exist and the modules refused it.
    old = os.umask(0o022)  # 0700 whatever the umask would give
    try:
        created = write_token_file(str(tmp_path / 'a' / 'b' / 'token.json'), {'token': 't'})
    finally:
        os.umask(old)
    assert created == [str(tmp_path / 'a'), str(tmp_path / 'a' / 'b')]
    assert [stat.S_IMODE(os.stat(path).st_mode) for path in created] == [0o700, 0o700]
    assert stat.S_IMODE(os.stat(str(tmp_path / 'a' / 'b' / 'token.json')).st_mode) == 0o600
    assert write_token_file(str(tmp_path / 'a' / 'b' / 'token.json'), {}) == []


def test_a_file_where_a_folder_should_be_is_a_clear_error(tmp_path):
    (tmp_path / 'file').write_text('')
    with pytest.raises(TokenFileError, match='file is not a directory'):
        write_token_file(str(tmp_path / 'file' / 'sub' / 'token.json'), {})


def test_read_missing_is_none_and_garbage_is_an_error(tmp_path):
    assert read_token_file(str(tmp_path / 'absent.json')) is None
    bad = tmp_path / 'bad.json'
    bad.write_text('{"token": ')
    with pytest.raises(TokenFileError, match='not valid JSON'):
        read_token_file(str(bad))
    bad.write_text('[1, 2]')
    with pytest.raises(TokenFileError, match='JSON object'):
        read_token_file(str(bad))


def test_remove_says_whether_there_was_a_file(tmp_path):
    path = str(tmp_path / 'token.json')
    write_token_file(path, {})
    assert remove_token_file(path) is True
    assert remove_token_file(path) is False
    assert not os.path.exists(path)


# --- hostile token files (issue 8, defect 7) ---------------------------------------------------------------------------

def read_within(path, seconds=5):
    """read_token_file in a thread: a read that blocks (a FIFO without a writer) fails the test instead of hanging it."""
    outcome = {}

    def target():
        try:
            outcome['value'] = read_token_file(path)
        except Exception as exc:  # the test looks at what was raised
            outcome['error'] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), 'read_token_file(%s) blocked' % path
    if 'error' in outcome:
        raise outcome['error']
    return outcome['value']


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = str(tmp_path / 'token.json')
    os.mkfifo(fifo)
    with pytest.raises(TokenFileError, match='is a FIFO'):
        read_within(fifo)


def test_a_symlink_to_a_fifo_or_a_directory_is_refused(tmp_path):
    fifo = str(tmp_path / 'pipe')
    os.mkfifo(fifo)
    os.symlink(fifo, str(tmp_path / 'to-fifo.json'))
    os.symlink(str(tmp_path), str(tmp_path / 'to-dir.json'))
    with pytest.raises(TokenFileError, match='is a symbolic link'):
        read_within(str(tmp_path / 'to-fifo.json'))
    with pytest.raises(TokenFileError, match='is a symbolic link'):
        read_within(str(tmp_path / 'to-dir.json'))


def test_a_directory_and_a_device_are_refused(tmp_path):
    with pytest.raises(TokenFileError, match='is a directory, not a regular file'):
        read_within(str(tmp_path))
    with pytest.raises(TokenFileError, match='is a character device'):
        read_within('/dev/zero')  # read whole, /dev/zero would never end


# --- issue 17: a symbolic link is never followed: not read, not written through, not chmod-ed --------------------

def link_to_a_foreign_file(tmp_path, mode=0o644):
    target = tmp_path / 'someone-elses.conf'
    target.write_text('{"token": "t"}')
    os.chmod(str(target), mode)
    os.symlink(str(target), str(tmp_path / 'link.json'))
    return str(target), str(tmp_path / 'link.json')


@pytest.mark.parametrize('check', [False, True])
def test_a_symlink_is_refused_and_its_target_keeps_its_mode(tmp_path, check):
    target, link = link_to_a_foreign_file(tmp_path)
    reports = []
    with pytest.raises(TokenFileError) as caught:
        read_token_file(link, report=reports.append, check=check)
    message = str(caught.value)
    assert 'is a symbolic link (to %s)' % target in message and 'point dest at the file itself' in message
    assert '\n' not in message and reports == []
    assert mode_of(target) == 0o644


def test_nothing_is_written_or_removed_through_a_symlink(tmp_path):
    target, link = link_to_a_foreign_file(tmp_path)
    for call in (lambda: write_token_file(link, {'token': 'new'}), lambda: check_token_dest(link),
                 lambda: remove_token_file(link)):
        with pytest.raises(TokenFileError, match='is a symbolic link'):
            call()
    assert os.path.islink(link) and mode_of(target) == 0o644
    with open(target) as handle:
        assert json.load(handle) == {'token': 't'}


def test_a_dangling_symlink_is_refused_too(tmp_path):
    os.symlink(str(tmp_path / 'nowhere'), str(tmp_path / 'link.json'))
    for call in (lambda: read_token_file(str(tmp_path / 'link.json')),
                 lambda: write_token_file(str(tmp_path / 'link.json'), {'token': 'new'})):
        with pytest.raises(TokenFileError, match='is a symbolic link'):
            call()
    assert not os.path.exists(str(tmp_path / 'nowhere'))


def test_a_symlink_swapped_in_after_the_check_is_not_followed(tmp_path, monkeypatch):
    """The open itself is O_NOFOLLOW: a link put in place between the lstat and the open is refused, not read."""
    target, link = link_to_a_foreign_file(tmp_path)
    regular = os.lstat(target)
    real_lstat = os.lstat
    monkeypatch.setattr(_token_file.os, 'lstat', lambda path: regular if path == link else real_lstat(path))
    with pytest.raises(TokenFileError, match='is a symbolic link'):
        read_token_file(link, report=[].append)
    assert mode_of(target) == 0o644


def test_check_mode_reports_a_wide_mode_without_changing_it(tmp_path):
    path = tmp_path / 'token.json'
    path.write_text('{"token": "t"}')
    os.chmod(str(path), 0o644)
    reports = []
    assert read_token_file(str(path), report=reports.append, check=True) == {'token': 't'}
    assert mode_of(str(path)) == 0o644
    assert len(reports) == 1 and 'would be changed to 0600 (check mode: not changed)' in reports[0]


def test_without_report_the_mode_is_left_alone(tmp_path):
    path = tmp_path / 'token.json'
    path.write_text('{"token": "t"}')
    os.chmod(str(path), 0o644)
    assert read_token_file(str(path)) == {'token': 't'} and mode_of(str(path)) == 0o644


def test_a_folder_every_user_may_write_is_refused_unless_sticky(tmp_path):
    shared = tmp_path / 'shared'
    shared.mkdir()
    os.chmod(str(shared), 0o777)
    for call in (lambda: read_token_file(str(shared / 'token.json')),
                 lambda: write_token_file(str(shared / 'token.json'), {'token': 't'})):
        with pytest.raises(TokenFileError, match='is writable by every user: anyone could replace the file'):
            call()
    os.chmod(str(shared), 0o1777)  # like /tmp: only a file's owner may rename or remove it
    write_token_file(str(shared / 'token.json'), {'token': 't'})
    assert read_token_file(str(shared / 'token.json')) == {'token': 't'}


def test_a_symlink_in_the_folder_path_is_followed(tmp_path):
    real = tmp_path / 'real-folder'
    real.mkdir()
    os.symlink(str(real), str(tmp_path / 'folder-link'))
    write_token_file(str(tmp_path / 'folder-link' / 'token.json'), {'token': 't'})
    assert read_token_file(str(tmp_path / 'folder-link' / 'token.json')) == {'token': 't'}
    assert os.path.isfile(str(real / 'token.json'))


def test_an_empty_file_is_no_token(tmp_path):
    empty = tmp_path / 'token.json'
    empty.write_text('')  # what "file: state=touch" leaves
    assert read_within(str(empty)) is None
    empty.write_text(' \n')
    assert read_within(str(empty)) is None


def test_an_oversized_file_is_refused(tmp_path):
    big = tmp_path / 'token.json'
    big.write_text('{"token": "%s"}' % ('x' * MAX_TOKEN_FILE_SIZE))
    os.chmod(str(big), 0o600)
    with pytest.raises(TokenFileError, match='more than a token file can be'):
        read_within(str(big))


def test_a_world_readable_file_is_narrowed_to_0600_and_reported(tmp_path):
    path = tmp_path / 'token.json'
    path.write_text('{"token": "t"}')
    os.chmod(str(path), 0o644)
    reports = []
    assert read_token_file(str(path), report=reports.append) == {'token': 't'}
    assert mode_of(str(path)) == 0o600
    assert len(reports) == 1 and 'had mode 0644' in reports[0] and str(path) in reports[0]
    # Once fixed, nothing more to say.
    read_token_file(str(path), report=reports.append)
    assert len(reports) == 1


def test_a_mode_that_cannot_be_fixed_is_refused(tmp_path, monkeypatch):
    path = tmp_path / 'token.json'
    path.write_text('{"token": "t"}')
    os.chmod(str(path), 0o640)

    def not_owner(fd, mode):
        raise PermissionError(1, 'Operation not permitted')
    # fchmod fails like this when another user owns the file (the tests run as root, who may chmod anything).
    monkeypatch.setattr(_token_file.os, 'fchmod', not_owner)
    with pytest.raises(TokenFileError, match='mode 0640, readable by other users, and its mode cannot be fixed'):
        read_token_file(str(path), report=[].append)


@pytest.mark.parametrize('content, words', [
    (b'\xff\xfe garbage', 'not valid JSON'),
    (b'PK\x03\x04 a zip file', 'not valid JSON'),
    (b'"a string"', 'does not hold a JSON object'),
])
def test_corrupt_or_foreign_files_give_one_line(tmp_path, content, words):
    path = tmp_path / 'token.json'
    path.write_bytes(content)
    with pytest.raises(TokenFileError) as info:
        read_token_file(str(path))
    assert words in str(info.value) and '\n' not in str(info.value)


def test_writing_over_a_fifo_or_a_directory_is_refused(tmp_path):
    os.mkfifo(str(tmp_path / 'pipe.json'))
    os.mkdir(str(tmp_path / 'dir.json'))
    for name, kind in (('pipe.json', 'FIFO'), ('dir.json', 'directory')):
        with pytest.raises(TokenFileError, match=kind):
            write_token_file(str(tmp_path / name), {'token': 't'})
    assert stat.S_ISFIFO(os.lstat(str(tmp_path / 'pipe.json')).st_mode)


def test_check_token_dest_leaves_nothing_behind(tmp_path):
    check_token_dest(str(tmp_path / 'token.json'))
    assert os.listdir(str(tmp_path)) == []
    # Missing folders are what writing would create; checking creates nothing.
    assert check_token_dest(str(tmp_path / 'missing' / 'token.json')) == [str(tmp_path / 'missing')]
    assert os.listdir(str(tmp_path)) == []
    (tmp_path / 'file').write_text('')
    with pytest.raises(TokenFileError, match='is not a directory'):
        check_token_dest(str(tmp_path / 'file' / 'token.json'))


def test_check_token_dest_probes_the_folder(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(30, 'Read-only file system')
    monkeypatch.setattr(_token_file.tempfile, 'mkstemp', read_only)
    with pytest.raises(TokenFileError, match='Read-only file system'):
        check_token_dest(str(tmp_path / 'token.json'))
    check_token_dest(str(tmp_path / 'token.json'), probe=False)


def test_an_exception_between_write_and_rename_keeps_the_old_file(tmp_path, monkeypatch):
    path = str(tmp_path / 'token.json')
    write_token_file(path, {'token': 'old'})

    def disk_full(src, dst):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(_token_file.os, 'replace', disk_full)
    with pytest.raises(TokenFileError, match='No space left on device'):
        write_token_file(path, {'token': 'new'})
    assert read_token_file(path) == {'token': 'old'}
    assert os.listdir(str(tmp_path)) == ['token.json']


def test_a_crash_between_write_and_rename_keeps_the_old_file(tmp_path):
    """A process killed (SIGKILL: no finally, no cleanup) after the new token is written but before the rename."""
    path = str(tmp_path / 'token.json')
    write_token_file(path, {'token': 'old'})
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child dies before coverage could be saved
        _token_file.os.replace = lambda src, dst: os.kill(os.getpid(), signal.SIGKILL)
        try:
            write_token_file(path, {'token': 'new'})
        finally:
            os._exit(3)  # never reached when the kill works
    dummy, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert read_token_file(path) == {'token': 'old'}
    assert mode_of(path) == 0o600
    # The new token was complete in its temporary file, never in token.json; the leftover is private too.
    leftovers = [name for name in os.listdir(str(tmp_path)) if name != 'token.json']
    assert len(leftovers) == 1 and leftovers[0].startswith('.token.json.')
    leftover = str(tmp_path / leftovers[0])
    assert mode_of(leftover) == 0o600
    with open(leftover) as handle:
        assert json.load(handle) == {'token': 'new'}
