# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The import map in docs/architecture.md (one line per file: what it holds, what it imports), and the code it maps.

  python tests/unit/plugins/architecture_doc.py          # print the map as the code has it
  python tests/unit/plugins/architecture_doc.py --write  # rewrite it between the markers in docs/architecture.md

What a file holds is said once, by the file: the first paragraph of its docstring (a plugin without one: the
short_description of its DOCUMENTATION, in the file or in the .yml beside it). test_architecture.py fails when the map in docs/architecture.md is not exactly
what this renders, and when a file does not say what it holds.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import os
import sys

import yaml

try:
    from ansible_collections.opsauth.tokens.tests.unit.plugins.generated_doc import read_part, write_part
except ImportError:  # run as a script from a checkout (--write), where the collection is not importable
    from generated_doc import read_part, write_part

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
PLUGINS = os.path.join(ROOT, 'plugins')
ARCHITECTURE_DOC = os.path.join(ROOT, 'docs', 'architecture.md')
PREFIX = 'ansible_collections.opsauth.tokens.plugins.'
# Doc fragments are documentation only: they import nothing and nothing imports them in Python.
MAPPED_FOLDERS = ('module_utils', 'plugin_utils', 'modules', 'action', 'lookup', 'filter')
BEGIN = '<!-- import map: checked by tests/unit/plugins/test_architecture.py, rewritten by architecture_doc.py --write -->'
END = '<!-- end of the import map -->'
PLACEHOLDER = '(says nothing: give the file a docstring)'
HEADER = ['| File | Holds | Imports from the collection |', '|---|---|---|']


def plugin_files():
    """Every mapped Python file, as 'folder/name' (or 'folder/package/name') without '.py', in a stable order: a
    folder's own files first, then its packages (module_utils/jumpserver/, ...)."""
    names = []
    for folder in MAPPED_FOLDERS:
        for root, dirs, files in os.walk(os.path.join(PLUGINS, folder)):
            dirs[:] = sorted(name for name in dirs if name != '__pycache__')
            rel = os.path.relpath(root, PLUGINS).replace(os.sep, '/')
            names.extend('%s/%s' % (rel, entry[:-3]) for entry in sorted(files)
                         if entry.endswith('.py') and entry != '__init__.py')
    return names


def _targets(module, names):
    rel = module[len(PREFIX):].replace('.', '/')
    if os.path.isdir(os.path.join(PLUGINS, rel)):  # from ...plugins.module_utils(.jumpserver) import _options
        return ['%s/%s' % (rel, name) for name in names]
    return [rel]


def _loaded(node):
    """``load('ansible_collections.opsauth.tokens.plugins.X.Y')`` (plugin_utils/_bytecode.py): an import too."""
    func = getattr(node, 'func', None)
    name = getattr(func, 'id', None) or getattr(func, 'attr', None)
    if isinstance(node, ast.Call) and name == 'load' and node.args and isinstance(node.args[0], ast.Constant):
        value = node.args[0].value
        if isinstance(value, str) and value.startswith(PREFIX):
            return [value[len(PREFIX):].replace('.', '/')]
    return []


def _imported(node):
    if isinstance(node, ast.Call):
        return _loaded(node)
    if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
        return _targets(node.module, [alias.name for alias in node.names])
    if isinstance(node, ast.Import):
        return [alias.name[len(PREFIX):].replace('.', '/') for alias in node.names if alias.name.startswith(PREFIX)]
    return []


def imports_of(name, top_level_only=False):
    """The collection files ``name`` imports (anywhere in the file, or only at module level)."""
    with open(os.path.join(PLUGINS, name + '.py')) as handle:
        tree = ast.parse(handle.read())
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if top_level_only and isinstance(node, ast.Try):  # try: import ... except ImportError: still module level
            nodes_in = [inner for block in [node.body] + [h.body for h in node.handlers] for inner in block]
        elif top_level_only and isinstance(node, (ast.Assign, ast.Expr)):  # x = load('...'), at module level
            nodes_in = [inner for inner in ast.walk(node) if isinstance(inner, ast.Call)]
        else:
            nodes_in = [node]
        for inner in nodes_in:
            found.update(_imported(inner))
    known = set(plugin_files())
    return sorted(target for target in found if target in known and target != name)


def holds(name):
    """What ``name`` says it holds, on one line; None when it says nothing."""
    with open(os.path.join(PLUGINS, name + '.py')) as handle:
        tree = ast.parse(handle.read())
    summary = ast.get_docstring(tree)
    for node in tree.body if not summary else ():
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ['DOCUMENTATION']:
            summary = (yaml.safe_load(node.value.value) or {}).get('short_description')
    sidecar = os.path.join(PLUGINS, name + '.yml')  # a filter's documentation lives beside it
    if not summary and os.path.exists(sidecar):
        with open(sidecar) as handle:
            summary = ((yaml.safe_load(handle) or {}).get('DOCUMENTATION') or {}).get('short_description')
    return ' '.join(summary.split('\n\n')[0].split()).replace('|', '\\|') if summary else None


def render():
    lines = list(HEADER)
    for name in plugin_files():
        imports = ', '.join('`%s`' % target for target in imports_of(name)) or '-'
        lines.append('| `%s` | %s | %s |' % (name, holds(name) or PLACEHOLDER, imports))
    return '\n'.join(lines) + '\n'


def documented_map(path=ARCHITECTURE_DOC):
    return read_part(path, BEGIN, END)


def write(path=ARCHITECTURE_DOC):
    write_part(path, BEGIN, END, render())


if __name__ == '__main__':
    if sys.argv[1:] == ['--write']:
        write()
    else:
        sys.stdout.write(render())
