# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/architecture.md draws the code as it is: one line per file, who imports whom; and the code keeps its shape."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible_collections.opsauth.tokens.tests.unit.plugins.architecture_doc import (
    PLUGINS,
    documented_map,
    holds,
    imports_of,
    plugin_files,
    render,
)

# A module_utils file is shipped to every target and read by reviewers: past this it holds more than one job.
MAX_MODULE_UTILS_LINES = 350
# tests/unit/plugins/ mirrors plugins/: tests/unit/plugins/<folder>/[<package>/]test_<name>.py tests
# plugins/<folder>/[<package>/]_<name>.py (module_utils, plugin_utils) or <name>.py (modules, lookup, filter, action).
# Tests that cut across files live at the top level, beside this file.
UNIT_TESTS = os.path.dirname(os.path.abspath(__file__))


@pytest.mark.parametrize('name', plugin_files())
def test_every_file_says_what_it_holds(name):
    assert holds(name), '%s: give it a module docstring whose first paragraph says what it holds' % name


def test_the_documented_map_is_the_code():
    table = documented_map()
    assert table is not None, 'docs/architecture.md has no import map: run tests/unit/plugins/architecture_doc.py --write'
    assert table == render(), 'docs/architecture.md is out of date: run tests/unit/plugins/architecture_doc.py --write'


def test_module_utils_never_import_controller_code():
    # module_utils run on targets; plugin_utils, action and lookup plugins exist only on the controller.
    for name in plugin_files():
        if name.startswith('module_utils/'):
            assert [target for target in imports_of(name) if not target.startswith('module_utils/')] == [], name


def test_no_import_cycle():
    graph = dict((name, imports_of(name, top_level_only=True)) for name in plugin_files())
    done, path = set(), []

    def visit(name):
        assert name not in path, 'import cycle: ' + ' -> '.join(path[path.index(name):] + [name])
        if name in done:
            return
        path.append(name)
        for target in graph[name]:
            visit(target)
        path.pop()
        done.add(name)

    for name in graph:
        visit(name)


def test_module_utils_files_stay_small():
    checked = 0
    for root, dummy, files in os.walk(os.path.join(PLUGINS, 'module_utils')):  # the layer packages too
        for entry in files:
            if entry.endswith('.py'):
                with open(os.path.join(root, entry)) as handle:
                    count = sum(1 for _line in handle)
                checked += 1
                assert count <= MAX_MODULE_UTILS_LINES, '%s has %d lines: split it by job' % (os.path.join(root, entry), count)
    assert checked > 30


def unmirrored_tests(tests=UNIT_TESTS, plugins=PLUGINS):
    """Every test file under a folder of ``tests`` that names no source file at the mirrored path under ``plugins``."""
    wrong = []
    for root, dirs, files in os.walk(tests):
        dirs[:] = [name for name in dirs if name != '__pycache__']
        rel = os.path.relpath(root, tests)
        if rel == os.curdir:
            continue  # the top level: cross-cutting tests (this one, test_error_codes, test_fault_matrix...)
        for name in files:
            if name.startswith('test_') and name.endswith('.py'):
                stem = name[len('test_'):]
                folder = os.path.join(plugins, rel)
                if not (os.path.isfile(os.path.join(folder, '_' + stem)) or os.path.isfile(os.path.join(folder, stem))):
                    wrong.append(os.path.join(rel, name))
    return sorted(wrong)


def test_every_test_file_names_the_source_file_it_tests():
    wrong = unmirrored_tests()
    assert wrong == [], ('these test files name no source file at the mirrored path under plugins/ (test_<name>.py '
                         'tests _<name>.py or <name>.py there; cross-cutting tests go to tests/unit/plugins/): %s'
                         % ', '.join(wrong))


def test_the_mirror_check_finds_a_misnamed_test(tmp_path):
    for path in ('plugins/module_utils/jumpserver/_jumpserver.py', 'plugins/modules/jms_token.py',
                 'tests/module_utils/jumpserver/test_jumpserver.py', 'tests/modules/test_jms_token.py',
                 'tests/module_utils/jumpserver/test_jumpserver_v3.py', 'tests/module_utils/test_jumpserver.py',
                 'tests/test_cross_cutting.py', 'tests/module_utils/jumpserver/conftest.py'):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(u'')
    assert unmirrored_tests(str(tmp_path / 'tests'), str(tmp_path / 'plugins')) == [
        os.path.join('module_utils', 'jumpserver', 'test_jumpserver_v3.py'), os.path.join('module_utils', 'test_jumpserver.py')]
