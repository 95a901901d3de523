# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action groups that are safe: every module of a group takes every option the group's module_defaults carry.

meta/runtime.yml names the modules of each group; _options.GROUP_OPTIONS what each group carries; docs/security.md
("Action groups") shows both in one table. A module in a group that refused one of the options (``Unsupported
parameters``) or declared it otherwise (another meaning, another environment variable) would break or change a play
that sets the group's module_defaults.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import os
import re

import pytest
import yaml

from ansible_collections.opsauth.tokens.plugins.module_utils import _options

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def groups():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as handle:
        return yaml.safe_load(handle)['action_groups']


def module_spec(name):
    return importlib.import_module('ansible_collections.opsauth.tokens.plugins.modules.' + name).ARGUMENT_SPEC


def test_every_group_says_what_it_carries():
    assert sorted(groups()) == sorted(_options.GROUP_OPTIONS)


@pytest.mark.parametrize('group, name', [(group, name) for group, names in sorted(groups().items()) for name in names])
def test_every_module_of_a_group_takes_every_option_the_group_carries_with_one_declaration(group, name):
    spec = module_spec(name)
    reference = module_spec(groups()[group][0])
    for option in _options.GROUP_OPTIONS[group]:
        assert option in spec, '%s does not take %s, which group/opsauth.tokens.%s carries' % (name, option, group)
        assert spec[option] == reference[option], '%s declares %s otherwise than the group' % (name, option)


def test_the_docs_table_is_the_groups():
    with open(os.path.join(ROOT, 'docs', 'security.md')) as handle:
        section = handle.read().split('### Action groups', 1)[1].split('\n## ', 1)[0]
    table = {}
    for line in section.splitlines():
        found = re.match(r'^\| `group/opsauth\.tokens\.(\w+)` \| (.*?) \| (.*?) \|$', line)
        if found:
            table[found.group(1)] = (re.findall(r'`(\w+)`', found.group(2)), re.findall(r'`(\w+)`', found.group(3)))
    assert sorted(table) == sorted(groups())
    for group, names in groups().items():
        assert sorted(table[group][0]) == sorted(names), group
        assert sorted(table[group][1]) == sorted(_options.GROUP_OPTIONS[group]), group
