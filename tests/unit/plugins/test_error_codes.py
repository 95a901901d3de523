# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One table of error codes (docs/errors.md, issue 20): every error class and every failure has a code from it.

The table is read here, so the document and the code cannot drift apart: every OpsAuthError subclass of every
module_utils and plugin_utils file has a code of the table, every code a raise or a module passes is in it, every code
of the table is raised somewhere, and every failure a module, lookup or filter writes itself names its code.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import os
import re

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import FAILURE_FIELDS, STATUS_CODES, OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_curl import _CURL_CODES
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import LOGIN_ERROR_HINTS, login_code
from ansible_collections.opsauth.tokens.tests.unit.plugins.error_table import ERROR_CODES

COLLECTION = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
PLUGINS = os.path.join(COLLECTION, 'plugins')
# A code a raise passes (code='...'), or a module's own failure (error_code='...').
PASSED_CODE = re.compile(r"\b(?:error_)?code='([a-z_]+)'")
CODE = re.compile(r'^[a-z][a-z_]*[a-z]$')


TABLE = ERROR_CODES


def sources(*folders):
    """{path relative to plugins/: text} of every .py file under the folders, their packages included."""
    found = {}
    for folder in folders:
        for root, dummy, files in os.walk(os.path.join(PLUGINS, folder)):
            for name in sorted(files):
                if name.endswith('.py') and name != '__init__.py':
                    with open(os.path.join(root, name)) as handle:
                        found[os.path.relpath(os.path.join(root, name), PLUGINS).replace(os.sep, '/')] = handle.read()
    return found


def import_all():
    """Import every module_utils and plugin_utils file, so that every error class is defined."""
    for path in sources('module_utils', 'plugin_utils'):
        importlib.import_module('ansible_collections.opsauth.tokens.plugins.%s' % path[:-3].replace('/', '.'))


def error_classes():
    import_all()
    found, todo = [], [OpsAuthError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    # Only the collection's own classes (a test may define a subclass of its own).
    return sorted(set(cls for cls in found if cls.__module__.startswith('ansible_collections.opsauth.tokens.plugins.')),
                  key=lambda cls: cls.__name__)


def passed_codes():
    """Every code a raise passes: literally, or by the HTTP status (STATUS_CODES) or curl's exit code."""
    literal = set(code for text in sources('module_utils', 'plugin_utils', 'modules', 'action', 'lookup', 'filter').values()
                  for code in PASSED_CODE.findall(text))
    return literal | set(STATUS_CODES.values()) | set(_CURL_CODES.values())


def test_the_table_is_well_formed():
    assert len(TABLE) >= 40
    for code, layer in TABLE.items():
        assert CODE.match(code), code
        assert layer, code


@pytest.mark.parametrize('cls', error_classes(), ids=lambda cls: cls.__name__)
def test_every_error_class_has_a_documented_code(cls):
    assert cls.code in TABLE, '%s.code %r is not in docs/errors.md' % (cls.__name__, cls.code)


def test_every_code_a_raise_passes_is_documented():
    assert sorted(passed_codes() - set(TABLE)) == []


def test_jumpservers_login_codes_that_stay_error_codes_are_documented():
    assert sorted(set(LOGIN_ERROR_HINTS) - set(TABLE)) == []
    assert login_code('password_failed') == 'password_failed'
    assert login_code('some_new_code') == 'login_failed'


def test_every_code_of_the_table_is_used():
    used = set(cls.code for cls in error_classes()) | passed_codes() | set(LOGIN_ERROR_HINTS)
    assert sorted(set(TABLE) - used) == []


def test_a_failure_always_has_a_code_and_keeps_the_servers_apart():
    failure = OpsAuthError('no', server_code='OPT_X', status=400).failure()
    assert failure['error_code'] == 'invalid_option' and failure['server_error_code'] == 'OPT_X'
    assert set(FAILURE_FIELDS) <= set(failure)
    for cls in error_classes():
        assert cls.code is not None


def calls(text, name):
    """The argument text of every call of ``name(...)`` in ``text`` (parentheses balanced, strings ignored)."""
    found = []
    for match in re.finditer(r'(?<!def )\b%s\(' % re.escape(name), text):  # a definition is not a call
        depth, i, quote = 1, match.end(), None
        while depth and i < len(text):
            char = text[i]
            if quote:
                if char == '\\':
                    i += 1
                elif char == quote:
                    quote = None
            elif char in '\'"':
                quote = char
            elif char == '(':
                depth += 1
            elif char == ')':
                depth -= 1
            i += 1
        found.append(text[match.end():i - 1])
    return found


@pytest.mark.parametrize('path', sorted(sources('modules', 'action', 'plugin_utils', 'module_utils')))
def test_every_failure_a_module_writes_itself_has_a_code(path):
    # fail_json(**exc.failure()) carries the error's code; a literal failure names its own.
    text = re.sub(r'(?m)^\s*#[^\n]*', '', sources('modules', 'action', 'plugin_utils', 'module_utils')[path])
    for args in calls(text, 'fail_json'):
        assert 'error_code=' in args or args.startswith('**'), '%s: fail_json(%s) has no error_code' % (path, args)


@pytest.mark.parametrize('path', sorted(sources('lookup', 'filter', 'plugin_utils')))
def test_every_error_a_lookup_or_filter_raises_names_its_code(path):
    text = sources('lookup', 'filter', 'plugin_utils')[path]
    for name in ('AnsibleLookupError', 'AnsibleFilterError', 'AnsibleError'):
        for args in calls(text, name):
            assert re.search(r'\[(%s|[a-z_]+)\]' % re.escape('%s'), args), (
                '%s: %s(%s) names no [code]' % (path, name, args))
