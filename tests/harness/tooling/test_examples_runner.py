# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/harness/make/examples.py (make examples) finds every example by itself, and refuses what it cannot run.

Needs the staged collection (make stage): the option check imports the modules' argument specs from build/.
"""
from __future__ import annotations

import glob
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
sys.path[:0] = [os.path.join(ROOT, 'tests', 'harness', 'make'), os.path.join(ROOT, 'build')]
import examples  # noqa: E402  pylint: disable=wrong-import-position,import-error


def test_every_plugin_and_every_yaml_block_is_found():
    found = examples.blocks(ROOT)
    sources = set(block.source for block in found)
    for folder, ext in (('modules', 'py'), ('lookup', 'py'), ('filter', 'yml')):
        for path in glob.glob(os.path.join(ROOT, 'plugins', folder, '*.' + ext)):
            if not os.path.basename(path).startswith('_'):
                assert os.path.relpath(path, ROOT) in sources
    for pattern in ('README.md', 'docs/*.md', 'roles/*/README.md'):
        for path in glob.glob(os.path.join(ROOT, pattern)):
            fences = len(re.findall(r'^```ya?ml$', open(path, encoding='utf-8').read(), re.M))
            assert len([b for b in found if b.source == os.path.relpath(path, ROOT)]) == fences, path


def test_every_block_is_run_except_a_short_explicit_list():
    kinds = dict((block.name, block.kind()) for block in examples.blocks(ROOT))
    assert set(kinds.values()) <= {'plays', 'tasks', 'vars', 'parse-only', 'external'}, kinds
    assert len(examples.PARSE_ONLY) <= 3 and all(reason for reason in examples.PARSE_ONLY.values())


def test_every_example_gives_only_options_the_modules_have():
    problems = [p for block in examples.blocks(ROOT) for p in examples.check_options(block)]
    assert problems == []


def test_a_misspelt_option_and_a_snippet_that_is_no_playbook_are_refused():
    block = examples.Block('x.md', 1, '- opsauth.tokens.jms_token:\n    url: u\n    ca_cert: /x\n')
    assert examples.check_options(block) == ['x.md #1: opsauth.tokens.jms_token has no option ca_cert']
    assert examples.Block('x.md', 2, 'injectors:\n  env: {}\n').kind() == 'unknown'
    assert examples.Block('x.md', 3, '- name: [unclosed\n').kind() == 'invalid'
