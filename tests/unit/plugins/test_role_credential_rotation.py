# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role credential_rotation passes an item's options to its kind's module: every option the module has (but the
few the role owns), and refuses the rest (vars/main.yml) before anything changes, instead of ignoring them.

Issue 19: an item holds "the options of that kind's module"; an option the role did not pass (fauths_url,
account_type, ...) was silently dropped, so a password proof went to the default fauths instead of the one given.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import os
import re

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
ROLE = os.path.join(ROOT, 'roles', 'credential_rotation')
# The task files that call each kind's module, and the module options the role sets itself (an item's own keys:
# state, dest, max_age, grace_period; force and cache make no sense for a dest the role owns; an access key by id
# and is_active are not rotation; jms_private_token's usernames come from username or alternate_users).
KINDS = {
    'jms_access_key': (('access_key_step.yml',), ('state', 'dest', 'max_age', 'grace_period', 'force', 'cache', 'id',
                                                  'is_active')),
    'jms_private_token': (('private_token_step.yml', 'private_token.yml'), ('state', 'usernames')),
    'deepflow_permanent_token': (('deepflow_permanent_token.yml', 'deepflow_step.yml'), ('state', 'dest', 'force', 'cache')),
}


def passed(files):
    """The item options the task files read (``_credential_rotation_options.NAME``)."""
    found = set()
    for name in files:
        with open(os.path.join(ROLE, 'tasks', name)) as handle:
            found.update(re.findall(r'_credential_rotation_options\.(\w+)', handle.read()))
    return found


def accepted():
    with open(os.path.join(ROLE, 'vars', 'main.yml')) as handle:
        return yaml.safe_load(handle)['_credential_rotation_kind_options']


@pytest.mark.parametrize('kind', sorted(KINDS))
def test_every_option_of_the_module_is_passed_and_accepted(kind):
    files, owned = KINDS[kind]
    spec = importlib.import_module('ansible_collections.opsauth.tokens.plugins.modules.' + kind).ARGUMENT_SPEC
    assert sorted(passed(files)) == sorted(set(spec) - set(owned)), kind
    assert sorted(accepted()[kind]) == sorted(passed(files)), kind


def test_the_kinds_are_the_roles_kinds():
    with open(os.path.join(ROLE, 'meta', 'argument_specs.yml')) as handle:
        specs = yaml.safe_load(handle)
    item = specs['argument_specs']['main']['options']['credential_rotation_items']['options']
    assert sorted(item['kind']['choices']) == sorted(KINDS) == sorted(accepted())


def test_one_call_of_each_module():
    """The accept_gap path and alternate_users of a DeepFlow item call the module through deepflow_step.yml only, so
    an option is passed (and checked above) the same way for both."""
    calls = {}
    for name in os.listdir(os.path.join(ROLE, 'tasks')):
        with open(os.path.join(ROLE, 'tasks', name)) as handle:
            for module in re.findall(r'^\s+opsauth\.tokens\.(\w+):', handle.read(), re.M):
                calls.setdefault(module, []).append(name)
    assert calls['deepflow_permanent_token'] == ['deepflow_step.yml']


def test_alternate_users_in_the_spec():
    """alternate_users: user names for a private token, e-mails or dicts (an account's own options) for DeepFlow;
    prove_url proves a DeepFlow account's new key. Entries may hold a password."""
    with open(os.path.join(ROLE, 'meta', 'argument_specs.yml')) as handle:
        item = yaml.safe_load(handle)['argument_specs']['main']['options']['credential_rotation_items']['options']
    assert item['alternate_users']['type'] == 'list' and item['alternate_users']['elements'] == 'raw'
    assert item['alternate_users']['no_log'] is True
    assert item['prove_url']['type'] == 'str'
