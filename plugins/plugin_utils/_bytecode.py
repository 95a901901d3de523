# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Import a module of this collection with its bytecode kept for the run.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice. Controller only.

Why: Ansible evaluates a lookup in a fresh worker process for every task and host, and Ansible's collection loader
compiles a module's source on every import (it keeps no ``.pyc``). For the modules a cache hit needs
(``_lookup_base``, ``_cache_core``, ``_errors``), compiling them and going through the collection loader cost as much
as all the rest of the hit (benchmarks/README.md, ``lookup_cost``: the profile of one evaluation). So the first
worker of a run keeps their code objects (``marshal``) in the run's private cache directory, and later workers
execute those instead of compiling. A module is found beside this file, by its name (``plugins/<folder>/<name>.py``
of this collection), without importing its package through the collection loader.

The lookups load this module itself from its file (``spec_from_file_location``, as Ansible's plugin loader loads a
plugin), not through the collection loader, so that Python keeps its bytecode where it may write it (checked against
the file's time and size, as Python checks every plugin's).

Never stale: the kept code is named after a SHA-256 of the source file's bytes (read on every load), the module's
name and path and the Python bytecode version, so a changed source, wherever and however it was changed, compiles
again (tests/unit/plugins/plugin_utils/test_bytecode.py). A directory that is not private to us, or any read error,
compiles as before. The module is the same module object under the same name, whichever loader got there first.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import importlib
import importlib.util
import marshal
import os
import stat
import sys
import tempfile

from ansible import constants as C

# The run's cache directory, _cache_core.run_directory(C.DEFAULT_LOCAL_TMP): _cache_core is one of the modules loaded
# here, so it cannot be asked (tests/unit/plugins/plugin_utils/test_bytecode.py checks that the two agree).
RUN_SUBDIR = 'opsauth_tokens_cache'
PREFIX = 'ansible_collections.opsauth.tokens.'
# The collection this file belongs to: plugins/plugin_utils/_bytecode.py is three levels below it.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def source_path(name):
    """The source file of the module ``name`` of this collection, or None (another name, or not a plain file)."""
    if not name.startswith(PREFIX):
        return None
    path = os.path.join(ROOT, *name[len(PREFIX):].split('.')) + '.py'
    return path if os.path.isfile(path) else None


def load(name):
    """The module ``name`` (``ansible_collections.opsauth.tokens.plugins...``), imported if need be; its code is kept
    in (and read from) the run's cache directory when that exists and is private to this user."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    path = source_path(name)
    if path is None:
        return importlib.import_module(name)  # not a plain file of ours: the collection loader knows best
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
    package_name, dummy, leaf = name.rpartition('.')
    package = sys.modules.get(package_name)
    if package is not None:  # imported already: give it the attribute the import machinery would have set
        setattr(package, leaf, module)
    return module


def _private(directory):
    try:
        info = os.stat(directory)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o077


def kept_path(name, path, source, cache_dir):
    """Where the code compiled from ``source`` (the bytes of ``path``) is kept in ``cache_dir``."""
    digest = hashlib.sha256(source).hexdigest()
    stamp = '%s:%s:%s:%s' % (name, path, digest, importlib.util.MAGIC_NUMBER.hex())
    return os.path.join(cache_dir, 'bytecode-%s.bin' % hashlib.sha256(stamp.encode('utf-8')).hexdigest()[:40])


def _code(name, path, cache_dir):
    with open(path, 'rb') as handle:
        source = handle.read()
    kept = None
    if cache_dir:
        kept = kept_path(name, path, source, cache_dir)
        try:
            with open(kept, 'rb') as handle:
                return marshal.loads(handle.read())
        except (OSError, EOFError, ValueError, TypeError):
            pass
    code = compile(source, path, 'exec', dont_inherit=True)
    if kept:
        try:
            fd, tmp = tempfile.mkstemp(prefix='.bytecode-', dir=cache_dir)  # 0600
            with os.fdopen(fd, 'wb') as handle:
                handle.write(marshal.dumps(code))
            os.rename(tmp, kept)  # atomic: a reader sees all of it or nothing
        except OSError:
            pass  # only the shortcut is lost
    return code
