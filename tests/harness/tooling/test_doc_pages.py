# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ansible-doc pages a user reads: every plugin says its requirements, no page runs long, no paragraph is written
twice in the doc fragments, and the hidden run-login arguments are on no page.

Needs the staged collection (make stage): ansible-doc reads the plugins from build/ansible_collections. Pages are
rendered 80 columns wide without colour, as `ansible-doc opsauth.tokens.<name> | wc -l` in a terminal of that size.
"""
from __future__ import annotations

import functools
import glob
import importlib
import json
import os
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
BUILD = os.path.join(ROOT, 'build')
COLLECTION = os.path.join(BUILD, 'ansible_collections', 'opsauth', 'tokens')
sys.path.insert(0, BUILD)
ANSIBLE_DOC = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')
LIMIT = 250
# Pages still longer than LIMIT (issue 18, item 7), each with the length it may not exceed: a page may only shrink,
# and one that fits under LIMIT must leave this list. What keeps these over it is the options themselves, not their
# prose: every option costs at least four lines (name and description, default, type, blank), and a lookup option
# eight more for its env/ini/vars (set_via), which are its configuration and cannot be left out. jms_access_key (28
# options, 18 return keys) and deepflow_permanent_token (30 options: the exec fragment) stay over 250 even with one
# line a description and two or three examples (the others are in docs/rotation.md, docs/deepflow-tokens.md and
# docs/token-cache.md, where make examples runs them); so do the lookups (23 and 16 options with set_via).
OVER_LIMIT = {
    'module opsauth.tokens.jms_access_key': 317,
    'module opsauth.tokens.deepflow_permanent_token': 284,
    'lookup opsauth.tokens.jms_token': 364,
    'lookup opsauth.tokens.deepflow_token': 294,
}


def plugins():
    """(type, FQCN) of every plugin the collection ships (its modules, lookups and filters)."""
    found = []
    for kind, folder in (('module', 'modules'), ('lookup', 'lookup'), ('filter', 'filter')):
        for path in sorted(glob.glob(os.path.join(ROOT, 'plugins', folder, '*.py'))):
            name = os.path.basename(path)[:-3]
            if not name.startswith('_') and name != '__init__':
                found.append((kind, 'opsauth.tokens.' + name))
    return found


def ansible_doc(kind, name, *args):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=BUILD, COLUMNS='80', ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               PAGER='cat')
    return subprocess.run([ANSIBLE_DOC, '-t', kind] + list(args) + [name], capture_output=True, text=True, check=True,
                          env=env).stdout


@functools.lru_cache(maxsize=None)
def doc(kind, name):
    return json.loads(ansible_doc(kind, name, '--json'))[name]['doc']


PLUGINS = plugins()


def test_every_plugin_is_checked():
    kinds = set(kind for kind, _name in PLUGINS)
    assert kinds == {'module', 'lookup', 'filter'} and len(PLUGINS) >= 9


@pytest.mark.parametrize('kind, name', PLUGINS, ids=['%s %s' % p for p in PLUGINS])
def test_a_page_says_what_the_plugin_needs(kind, name):
    requirements = doc(kind, name).get('requirements')
    assert requirements and all(isinstance(line, str) and line.strip() for line in requirements), \
        '%s %s has no requirements: section' % (kind, name)


@pytest.mark.parametrize('kind, name', PLUGINS, ids=['%s %s' % p for p in PLUGINS])
def test_a_page_is_short(kind, name):
    lines = len(ansible_doc(kind, name).splitlines())
    key = '%s %s' % (kind, name)
    if key in OVER_LIMIT:
        assert LIMIT < lines <= OVER_LIMIT[key], '%s: %d lines (ceiling %d; under %d: drop it from OVER_LIMIT)' % (
            key, lines, OVER_LIMIT[key], LIMIT)
    else:
        assert lines <= LIMIT, '%s: %d lines, more than %d' % (key, lines, LIMIT)


MODULES = [p for p in PLUGINS if p[0] == 'module']


@pytest.mark.parametrize('kind, name', MODULES, ids=[name for _kind, name in MODULES])
def test_no_hidden_option_on_a_page(kind, name):
    options = doc(kind, name).get('options') or {}
    assert not [option for option in options if option.startswith('_')]
    assert '_run_login' not in ansible_doc(kind, name)


def fragment_paragraphs():
    """[(fragment.VARIANT, paragraph)] of every description and note in plugins/doc_fragments/."""
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, 'plugins', 'doc_fragments', '*.py'))):
        name = os.path.basename(path)[:-3]
        module = importlib.import_module('ansible_collections.opsauth.tokens.plugins.doc_fragments.' + name)
        for variant in [v for v in vars(module.ModuleDocFragment) if v.isupper()]:
            data = yaml.safe_load(getattr(module.ModuleDocFragment, variant)) or {}
            texts = list(data.get('notes') or [])
            for section in ('options', 'attributes'):
                for entry in (data.get(section) or {}).values():
                    description = (entry or {}).get('description') or []
                    texts.extend(description if isinstance(description, list) else [description])
            found.extend(('%s.%s' % (name, variant), ' '.join(text.split())) for text in texts)
    return found


def test_no_paragraph_is_written_twice_in_the_fragments():
    seen = {}
    for where, paragraph in fragment_paragraphs():
        if len(paragraph) < 100:
            continue  # one short sentence (each platform's "CA bundle (PEM) of a private CA ...") may recur
        assert paragraph not in seen, '%r is in %s and %s' % (paragraph[:70], seen.get(paragraph), where)
        seen[paragraph] = where
