# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugin_utils/_bytecode.py: kept code is reused within a run, and a changed source is never served stale."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

import pytest

from ansible_collections.opsauth.tokens.plugins.plugin_utils import _bytecode, _cache_core

NAME = 'ansible_collections.opsauth.tokens.plugins.plugin_utils._bytecode_probe'


@pytest.fixture
def probe(tmp_path, monkeypatch):
    """A module of a collection in tmp_path (plugins/plugin_utils/_bytecode_probe.py) and a run's local_tmp."""
    root = tmp_path / 'collection'
    (root / 'plugins' / 'plugin_utils').mkdir(parents=True)
    local_tmp = tmp_path / 'ansible-local-1'
    (local_tmp / _cache_core.RUN_SUBDIR).mkdir(parents=True, mode=0o700)
    os.chmod(str(local_tmp / _cache_core.RUN_SUBDIR), 0o700)
    monkeypatch.setattr(_bytecode, 'ROOT', str(root))
    monkeypatch.setattr(_bytecode.C, 'DEFAULT_LOCAL_TMP', str(local_tmp))
    path = str(root / 'plugins' / 'plugin_utils' / '_bytecode_probe.py')
    yield dict(path=path, cache=str(local_tmp / _cache_core.RUN_SUBDIR))
    sys.modules.pop(NAME, None)


def write(path, text, times=None):
    with open(path, 'w') as handle:
        handle.write(text)
    if times is not None:
        os.utime(path, ns=times)


def fresh_load():
    """load() as a new worker process does it: the module is not imported yet."""
    sys.modules.pop(NAME, None)
    return _bytecode.load(NAME)


def kept_files(directory):
    return sorted(name for name in os.listdir(directory) if name.startswith('bytecode-'))


def test_the_run_directory_is_the_cache_core_one():
    assert _bytecode.RUN_SUBDIR == _cache_core.RUN_SUBDIR


def test_code_is_kept_for_the_run_and_reused(probe, monkeypatch):
    write(probe['path'], 'VALUE = 1\n')
    assert fresh_load().VALUE == 1
    kept = kept_files(probe['cache'])
    assert len(kept) == 1
    assert os.stat(os.path.join(probe['cache'], kept[0])).st_mode & 0o077 == 0

    def no_compile(*args, **kwargs):
        raise AssertionError('compiled again although the code was kept')

    monkeypatch.setattr(_bytecode, 'compile', no_compile, raising=False)
    module = fresh_load()
    assert module.VALUE == 1 and module.__file__ == probe['path'] and sys.modules[NAME] is module


def test_a_changed_source_is_never_served_stale(probe):
    write(probe['path'], 'VALUE = 1\n')
    times = (os.stat(probe['path']).st_atime_ns, os.stat(probe['path']).st_mtime_ns)
    assert fresh_load().VALUE == 1
    # Same size, same modification time (as a copy that keeps times, or an edit within the clock's resolution, leaves
    # it): only the content says it changed.
    write(probe['path'], 'VALUE = 2\n', times)
    assert os.stat(probe['path']).st_mtime_ns == times[1]
    assert fresh_load().VALUE == 2
    write(probe['path'], 'VALUE = 1\n', times)
    assert fresh_load().VALUE == 1
    assert len(kept_files(probe['cache'])) == 2  # one per content


def test_damaged_kept_code_compiles_again(probe):
    write(probe['path'], 'VALUE = 3\n')
    fresh_load()
    for name in kept_files(probe['cache']):
        with open(os.path.join(probe['cache'], name), 'wb') as handle:
            handle.write(b'\x00garbage')
    assert fresh_load().VALUE == 3


def test_a_directory_others_can_enter_is_not_used(probe):
    os.chmod(probe['cache'], 0o755)
    write(probe['path'], 'VALUE = 4\n')
    assert fresh_load().VALUE == 4
    assert kept_files(probe['cache']) == []


def test_a_module_that_fails_is_not_left_half_imported(probe):
    write(probe['path'], 'raise RuntimeError("broken")\n')
    with pytest.raises(RuntimeError):
        fresh_load()
    assert NAME not in sys.modules


def test_a_name_outside_the_collection_is_imported_as_usual():
    assert _bytecode.source_path('json') is None
    assert _bytecode.load('json') is sys.modules['json']
