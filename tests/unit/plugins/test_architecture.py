# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/architecture.md draws the code as it is: one line per file, who imports whom; and the code keeps its shape."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

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


# The folders where Ansible makes the plugin's name the file name: an action plugin carries its module's name, and a
# lookup may carry the name of the module it mirrors. Everywhere else (module_utils, plugin_utils) a name is ours.
PLUGIN_NAME_FOLDERS = ('action', 'modules', 'lookup', 'filter', 'doc_fragments')


def shared_file_names(plugins=PLUGINS):
    """Every file name under ``plugins`` that two files share, but __init__.py and a plugin's name in its type's folder."""
    where = {}
    for root, dirs, files in os.walk(plugins):
        dirs[:] = [name for name in dirs if name != '__pycache__']
        for name in files:
            if name != '__init__.py':
                where.setdefault(name, []).append(os.path.relpath(os.path.join(root, name), plugins))
    shared = []
    for name, paths in sorted(where.items()):
        folders = [path.split(os.sep)[0] for path in paths if os.path.dirname(path) in PLUGIN_NAME_FOLDERS]
        if len(paths) > 1 and not (len(folders) == len(paths) == len(set(folders))):
            shared.append('%s (%s)' % (name, ', '.join(sorted(paths))))
    return shared


def shipped_with(name):
    """Every collection file ``name`` imports, directly or through another (what Ansible ships with a module)."""
    seen, todo = set(), [name]
    while todo:
        for target in imports_of(todo.pop()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


# The platform packages of module_utils, and the modules of each (by name): a module ships its own platform only.
PLATFORM_OF = (('jms_', 'module_utils/jumpserver/'), ('deepflow_', 'module_utils/deepflow/'))


def foreign_code(name, shipped):
    """The files of ``shipped`` that belong to a platform other than module ``name``'s."""
    own = [package for prefix, package in PLATFORM_OF if name.startswith(prefix)]
    return sorted(target for target in shipped
                  if any(target.startswith(package) for dummy, package in PLATFORM_OF) and not target.startswith(tuple(own)))


@pytest.mark.parametrize('name', [name[len('modules/'):] for name in plugin_files() if name.startswith('modules/')])
def test_a_module_ships_no_code_of_the_other_platform(name):
    # Issue 17: when _options imported every client, each module's payload carried every platform's code.
    assert any(name.startswith(prefix) for prefix, dummy in PLATFORM_OF), '%s: which platform is it?' % name
    assert foreign_code(name, shipped_with('modules/' + name)) == []


def test_the_platform_check_finds_foreign_code():
    shipped = set(['module_utils/_options', 'module_utils/deepflow/_deepflow', 'module_utils/jumpserver/_jumpserver'])
    assert foreign_code('jms_token', shipped) == ['module_utils/deepflow/_deepflow']
    assert foreign_code('deepflow_login', shipped) == ['module_utils/jumpserver/_jumpserver']


def test_no_two_files_under_plugins_share_a_name():
    shared = shared_file_names()
    assert shared == [], ('these file names are used twice under plugins/: a name must say which file it is without its '
                          'folder (__init__.py and a plugin named after its module in action/ or lookup/ aside): %s'
                          % '; '.join(shared))


def test_the_name_check_finds_a_shared_name(tmp_path):
    for path in ('module_utils/jumpserver/__init__.py', 'module_utils/deepflow/__init__.py', 'modules/jms_token.py',
                 'action/jms_token.py', 'lookup/jms_token.py', 'module_utils/jumpserver/_errors.py',
                 'module_utils/deepflow/_errors.py', 'module_utils/_time.py', 'plugin_utils/_time.py',
                 'module_utils/_jms_token.py', 'module_utils/jumpserver/_jms_token.py', 'modules/_private.py',
                 'module_utils/_private.py'):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(u'')
    assert shared_file_names(str(tmp_path)) == [
        '_errors.py (%s, %s)' % (os.path.join('module_utils', 'deepflow', '_errors.py'),
                                 os.path.join('module_utils', 'jumpserver', '_errors.py')),
        '_jms_token.py (%s, %s)' % (os.path.join('module_utils', '_jms_token.py'),
                                    os.path.join('module_utils', 'jumpserver', '_jms_token.py')),
        '_private.py (%s, %s)' % (os.path.join('module_utils', '_private.py'), os.path.join('modules', '_private.py')),
        '_time.py (%s, %s)' % (os.path.join('module_utils', '_time.py'), os.path.join('plugin_utils', '_time.py')),
    ]


def files_importing_tests(tests=UNIT_TESTS):
    """Every file under ``tests`` that imports a test file (test_*.py): what tests share goes to a conftest.py or a helper
    module (error_table.py, loopback.py), so that a test file is only ever run, never imported."""
    importing = []
    for root, dirs, files in os.walk(tests):
        dirs[:] = [name for name in dirs if name != '__pycache__']
        for name in files:
            if name.endswith('.py'):
                with open(os.path.join(root, name)) as handle:
                    source = handle.read()
                if re.search(r'^\s*(from\s+\S*\.test_\w+\s+import|from\s+\S+\s+import\s+test_\w+|import\s+\S*\btest_\w+)',
                             source, re.M):
                    importing.append(os.path.relpath(os.path.join(root, name), tests))
    return sorted(importing)


def test_no_test_file_is_imported():
    importing = files_importing_tests()
    assert importing == [], ('these files import a test file; move what they share into the folder\'s conftest.py or a '
                             'helper module: %s' % ', '.join(importing))


def test_the_import_check_finds_a_test_file_imported(tmp_path):
    files = {
        'module_utils/jumpserver/test_a.py': u'from ansible_collections.x.y.tests.unit.plugins.module_utils.jumpserver.test_b import job\n',
        'module_utils/jumpserver/test_b.py': u'from ansible_collections.x.y.tests.unit.plugins.module_utils.jumpserver.conftest import job\n',
        'module_utils/test_c.py': u'from ansible_collections.x.y.tests.unit.plugins.module_utils import test_b\n',
        'module_utils/test_d.py': u'import ansible_collections.x.y.tests.unit.plugins.test_e\n',
        'test_f.py': u'from ansible_collections.x.y.tests.unit.plugins.error_table import raises_code\n',
        'test_g.py': u'def test_imports():\n    assert "from x.test_y import z"\n',
    }
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    assert files_importing_tests(str(tmp_path)) == [
        os.path.join('module_utils', 'jumpserver', 'test_a.py'), os.path.join('module_utils', 'test_c.py'),
        os.path.join('module_utils', 'test_d.py')]
