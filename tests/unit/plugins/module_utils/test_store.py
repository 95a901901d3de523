# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils._store import (
    TokenFileError,
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


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(TokenFileError, match='does not exist'):
        write_token_file(str(tmp_path / 'nope' / 'token.json'), {})


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
