# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Import a module of this collection with its bytecode kept for the run.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice. Controller only.

Why: Ansible's collection loader compiles a module's source on every import (and Ansible turns Python's own bytecode
cache off: ``sys.dont_write_bytecode``), while a lookup is imported again in a fresh worker process for every task
and host. For the two modules a cache hit needs (``_lookup_base``, ``_cache_core``), compiling cost as much as all
the rest of the hit (docs/token-cache.md, "What a cache hit costs"). So the first worker of a run keeps their code
objects (``marshal``) in the run's private cache directory, and later workers execute those instead of compiling.
The file is named after the module, its source file's size and time and the Python version, so an edited source or
another Python compiles again; a directory that is not private to us, or any read error, compiles as before.
The module is the same module object under the same name, whichever loader got there first.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import importlib.util
import marshal
import os
import stat
import sys
import tempfile

from ansible import constants as C

# The run's cache directory, _cache_core.run_directory(C.DEFAULT_LOCAL_TMP): _cache_core is one of the modules loaded
# here, so it cannot be asked (tests/unit/plugins/plugin_utils/test_token_cache.py checks that the two agree).
RUN_SUBDIR = 'opsauth_tokens_cache'


def load(name):
    """The module ``name`` (``ansible_collections.opsauth.tokens.plugins...``), imported if need be; its code is kept
    in (and read from) the run's cache directory when that exists and is private to this user."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    package_name, dummy, leaf = name.rpartition('.')
    package = importlib.import_module(package_name)
    path = None
    for directory in getattr(package, '__path__', None) or []:
        if os.path.isfile(os.path.join(directory, leaf + '.py')):
            path = os.path.join(directory, leaf + '.py')
            break
    if path is None:
        return importlib.import_module(name)  # not a plain file: the collection loader knows best
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    cache_dir = os.path.join(C.DEFAULT_LOCAL_TMP, RUN_SUBDIR)
    code = _code(name, path, cache_dir if _private(cache_dir) else None)
    sys.modules[name] = module  # as the import machinery does, so that a circular import finds it
    try:
        exec(code, module.__dict__)  # pylint: disable=exec-used
    except BaseException:
        del sys.modules[name]
        raise
    setattr(package, leaf, module)
    return module


def _private(directory):
    try:
        info = os.stat(directory)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o077


def _code(name, path, cache_dir):
    info = os.stat(path)
    kept = None
    if cache_dir:
        stamp = '%s:%s:%d:%d:%s' % (name, path, info.st_mtime_ns, info.st_size, importlib.util.MAGIC_NUMBER.hex())
        kept = os.path.join(cache_dir, 'bytecode-%s.bin' % hashlib.sha256(stamp.encode('utf-8')).hexdigest()[:40])
        try:
            with open(kept, 'rb') as handle:
                return marshal.loads(handle.read())
        except (OSError, EOFError, ValueError, TypeError):
            pass
    with open(path, 'rb') as handle:
        code = compile(handle.read(), path, 'exec', dont_inherit=True)
    if kept:
        try:
            fd, tmp = tempfile.mkstemp(prefix='.bytecode-', dir=cache_dir)  # 0600
            with os.fdopen(fd, 'wb') as handle:
                handle.write(marshal.dumps(code))
            os.rename(tmp, kept)  # atomic: a reader sees all of it or nothing
        except OSError:
            pass  # only the shortcut is lost
    return code
