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
    folder = os.path.join(PLUGINS, 'module_utils')
    for entry in os.listdir(folder):
        if entry.endswith('.py'):
            with open(os.path.join(folder, entry)) as handle:
                count = sum(1 for _line in handle)
            assert count <= MAX_MODULE_UTILS_LINES, '%s has %d lines: split it by job' % (entry, count)
