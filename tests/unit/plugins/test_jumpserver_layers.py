# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The JumpServer files import one way: client (_jumpserver) -> auth methods (_jumpserver_auth) -> errors
(_jumpserver_errors), never back, so there is no import cycle between them (issue 12)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver import _jumpserver_auth, _jumpserver_errors
from ansible_collections.opsauth.tokens.tests.unit.plugins.imports import loaded_modules

PACKAGE = 'ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver'
# Each file, and the JumpServer files it must never import (at import time or inside a function).
BELOW = {
    '_jumpserver_errors': ('_jumpserver', '_jumpserver_auth'),
    '_jumpserver_auth': ('_jumpserver',),
}


def imported_modules(path):
    """Every module an import statement anywhere in the file names (relative imports are not used here)."""
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module)
            names.update('%s.%s' % (node.module, alias.name) for alias in node.names)
    return names


@pytest.mark.parametrize('module', [_jumpserver_errors, _jumpserver_auth], ids=lambda module: module.__name__.rsplit('.', maxsplit=1)[-1])
def test_no_import_of_a_file_above(module):
    name = module.__name__.rsplit('.', maxsplit=1)[-1]
    names = imported_modules(module.__file__)
    assert names, 'the import scan found nothing in %s' % module.__file__
    wrong = sorted(other for other in BELOW[name] if '%s.%s' % (PACKAGE, other) in names)
    assert wrong == [], '%s imports %s, which sits above it' % (name, ', '.join(wrong))


@pytest.mark.parametrize('name', sorted(BELOW))
def test_imported_alone_in_a_fresh_interpreter(name):
    # A fresh interpreter, so that what other tests imported does not hide a cycle or a missing import.
    loaded = [module.rsplit('.', maxsplit=1)[-1] for module in loaded_modules('import %s.%s' % (PACKAGE, name))
              if module.startswith(PACKAGE + '._jumpserver')]
    assert name in loaded
    assert [other for other in BELOW[name] if other in loaded] == []
