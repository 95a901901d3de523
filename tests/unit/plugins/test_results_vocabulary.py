# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One result vocabulary (docs/results.md, issue 18): every module's RETURN docs and real results against it.

The table of docs/results.md is read here, so the document and the test cannot drift apart. The real results come
from the real modules against the simulators (in-process, real HTTP) and the fake container runtimes of tests/harness/fakes,
in normal and check mode: a key the table names must have its type there, and a module the table lists must return it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import json
import os
import re

import pytest
import yaml

from ansible_collections.opsauth.tokens.tests.unit.plugins.conftest import FAKE_BIN

COLLECTION = os.path.join(os.path.dirname(__file__), '..', '..', '..')
# Every module there is: a new one speaks the vocabulary from its first commit.
MODULES = dict((name[:-3], importlib.import_module('ansible_collections.opsauth.tokens.plugins.modules.' + name[:-3]))
               for name in sorted(os.listdir(os.path.join(COLLECTION, 'plugins', 'modules')))
               if name.endswith('.py') and not name.startswith('_'))
deepflow_login = MODULES['deepflow_login']
deepflow_permanent_token = MODULES['deepflow_permanent_token']
RESULTS_MD = os.path.join(COLLECTION, 'docs', 'results.md')
TYPES = {'bool': bool, 'str': str, 'int': int, 'dict': dict, 'list': list}
# Names the vocabulary replaced: a result never uses them (docs/results.md, "Names that are not used").
RETIRED = ('access_token', 'access_key', 'private_token', 'access_key_id', 'access_key_secret', 'regenerated',
           'created_at', 'expired_at', 'expires', 'expiry')
# The words of one action each (docs/results.md, "One word per action").
STATES = ('present', 'rotated', 'refreshed', 'absent', 'pending', 'promoted', 'reverted')
# What Ansible adds to any result: not the module's vocabulary.
ANSIBLE_KEYS = frozenset(['changed', 'failed', 'invocation', 'warnings', 'deprecations', 'diff', 'uid', 'gid', 'owner',
                          'group', 'mode', 'state', 'size', 'secontext', 'path'])
UTC_ISO = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$')


def vocabulary():
    """{key: (type, [modules])} from the table of docs/results.md."""
    with open(RESULTS_MD) as handle:
        text = handle.read()
    table = text.split('<!-- vocabulary-table:start -->')[1].split('<!-- vocabulary-table:end -->')[0]
    rows = {}
    for line in table.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        key, kind, modules = cells[0].strip('`'), cells[2], cells[3]
        rows[key] = (kind, sorted(MODULES) if modules == 'all' else [name.strip() for name in modules.split(',')])
    return rows


VOCABULARY = vocabulary()


def for_module(name):
    """The table's keys a module returns."""
    return dict((key, kind) for key, (kind, modules) in VOCABULARY.items() if name in modules)


def test_the_table_names_only_modules_that_exist_and_known_types():
    assert set(VOCABULARY) >= {'changed', 'msg', 'reused', 'error_code', 'token', 'headers', 'expires_at', 'date_expired'}
    for key, (kind, modules) in VOCABULARY.items():
        assert kind in TYPES, key
        assert set(modules) <= set(MODULES), key


# --- the RETURN docs -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('name', sorted(MODULES))
def test_return_docs_use_the_vocabulary(name):
    returned = yaml.safe_load(MODULES[name].RETURN)
    problems = []
    for key, kind in for_module(name).items():
        if key == 'changed':
            continue  # Ansible's own, documented by no module
        if key not in returned:
            problems.append('%s is not documented' % key)
        elif returned[key]['type'] != kind:
            problems.append('%s is documented as %s, not %s' % (key, returned[key]['type'], kind))
    for key, when in (('msg', ('always',)), ('reused', ('always', 'success')), ('error_code', ('always',))):
        if key in returned and returned[key].get('returned') not in when:
            problems.append('%s is returned %r, not always' % (key, returned[key].get('returned')))
    for key, doc in returned.items():
        if key in RETIRED:
            problems.append('%s is a retired name (docs/results.md)' % key)
        if key in VOCABULARY and name not in VOCABULARY[key][1]:
            problems.append('%s is returned, but docs/results.md does not list %s for it' % (key, name))
        if key.endswith('_at') and doc['type'] != 'int':
            problems.append('%s is *_at but not an epoch (int)' % key)
        if key.startswith('date_') and doc.get('sample') and not UTC_ISO.match(str(doc['sample'])):
            problems.append('%s sample %r is not ISO 8601 UTC' % (key, doc['sample']))
    assert problems == []


@pytest.mark.parametrize('name', sorted(MODULES))
def test_state_uses_one_word_per_action(name):
    options = yaml.safe_load(MODULES[name].DOCUMENTATION).get('options') or {}
    if 'state' in options:
        assert set(options['state']['choices']) <= set(STATES)
    assert not set(options) & {'rotate', 'regenerate', 'refresh'}


# --- real results ------------------------------------------------------------------------------------------------------

def check_result(name, result):
    """The problems of one real successful result against the table."""
    assert not result.get('failed'), result.get('msg')
    documented = set(yaml.safe_load(MODULES[name].RETURN))
    problems = []
    # Every key the table lists for the module is there (runs() gives dest wherever a module takes one), with its type.
    for key, kind in for_module(name).items():
        if key not in result:
            problems.append('%s missing' % key)
        elif result[key] is not None and not isinstance(result[key], TYPES[kind]):
            problems.append('%s is %r, not %s' % (key, result[key], kind))
    if result.get('error_code') is not None:
        problems.append('error_code %r on success' % result['error_code'])
    for key, value in result.items():
        if key not in documented | ANSIBLE_KEYS:
            problems.append('%s is returned but not documented' % key)
        if key in RETIRED:
            problems.append('%s is a retired name' % key)
        if key.endswith('_at') and value is not None and not isinstance(value, int):
            problems.append('%s=%r is not an epoch' % (key, value))
        if key.startswith('date_') and value is not None and not UTC_ISO.match(value):
            problems.append('%s=%r is not ISO 8601 UTC' % (key, value))
    return problems


@pytest.fixture
def world(jms, df, fake_runtime):
    """The JumpServer core container (jms_private_token) and DeepFlow's front-end pod (deepflow_permanent_token)."""
    return fake_runtime({'containers': {'jms_core': {'status': 'running', 'jms_url': jms.url}}})


def runs(jms, df, tmp_path):
    """(module name, args) of the runs whose results are checked, each in check mode first (a first run) and then
    for real, the real run twice where a second run reuses what the first made."""
    docker = os.path.join(FAKE_BIN, 'docker')
    return [
        ('jms_token', dict(url=jms.url, username='alice', password='Alice-Pass-1', dest=str(tmp_path / 'a' / 'jms.json'))),
        ('jms_request', dict(url=jms.url, username='alice', password='Alice-Pass-1', path='/api/v1/users/profile/')),
        ('jms_info', dict(url=jms.url, username='alice', password='Alice-Pass-1')),
        ('jms_private_token', dict(runtime='docker', container='jms_core', docker_binary=docker, username='alice')),
        ('jms_access_key', dict(url=jms.url, username='alice', password='Alice-Pass-1', dest=str(tmp_path / 'b' / 'key.json'))),
        ('deepflow_login', dict(url=df.url, email='dev@yunshan.net.cn', password='dev-pwd', dest=str(tmp_path / 'c' / 'df.json'))),
        ('deepflow_permanent_token', dict(fuser_url=df.fuser_url, url=df.url, email='ops@example.com', password='Ops-Pass-1',
                                          dest=str(tmp_path / 'd' / 'key.json'))),
    ]


def test_every_module_has_a_real_run_here(jms, df, tmp_path):
    assert sorted(dict(runs(jms, df, tmp_path))) == sorted(MODULES)


@pytest.mark.parametrize('name', sorted(MODULES))
def test_real_results_use_the_vocabulary(name, jms, df, world, run_module, tmp_path):
    args = dict(runs(jms, df, tmp_path)).get(name)
    assert args is not None, 'add a run of %s to runs()' % name
    checked = run_module(MODULES[name], args, check_mode=True)
    first = run_module(MODULES[name], args)
    again = run_module(MODULES[name], args)
    problems = dict((label, check_result(name, result))
                    for label, result in (('check mode', checked), ('first run', first), ('second run', again)))
    assert problems == {'check mode': [], 'first run': [], 'second run': []}
    # (jms_request and jms_info keep nothing between runs: each run logs in again)
    assert again['reused'] is True or name in ('jms_request', 'jms_info')
    # Check mode on a first run returns the keys of a real run (placeholders), so the next task can template them;
    # jms_request in check mode sends nothing and so has no answer to show (status, json).
    if name != 'jms_request':
        assert sorted(set(first) - ANSIBLE_KEYS) == sorted(set(checked) - ANSIBLE_KEYS)


def test_old_token_files_are_read_under_todays_names(jms, df, run_module, tmp_path):
    # Files written before docs/results.md: DeepFlow's access_token and access_key, JumpServer's +08:00 date, no
    # identity record. Each module reads its own, returns it under today's names and sends no new login.

    login = run_module(deepflow_login, dict(url=df.url, email='dev@yunshan.net.cn', password='dev-pwd'))
    old = dict((key, value) for key, value in login.items() if key in ('refresh_token', 'expires_at', 'email', 'token_type'))
    old.update(access_token=login['token'], fauths_url=df.url + '/api/fauths', refresh_expires_at=login['expires_at'] + 86400)
    (tmp_path / 'df.json').write_text(json.dumps(old))
    created = run_module(deepflow_permanent_token, dict(fuser_url=df.fuser_url, email='ops@example.com', password='Ops-Pass-1'))
    old_key = dict(access_key=created['token'], lcuuid=created['lcuuid'], email='ops@example.com')
    (tmp_path / 'key.json').write_text(json.dumps(old_key))
    df.clear_log()
    reused = run_module(deepflow_login, dict(url=df.url, email='dev@yunshan.net.cn', password='dev-pwd',
                                             dest=str(tmp_path / 'df.json')))
    kept = run_module(deepflow_permanent_token, dict(fuser_url=df.fuser_url, email='ops@example.com',
                                                     dest=str(tmp_path / 'key.json')))
    assert reused['reused'] is True and reused['token'] == login['token'] and 'access_token' not in reused
    assert kept['reused'] is True and kept['token'] == created['token'] and 'access_key' not in kept
    assert [(method, path) for method, path, dummy in df.log()] == [('GET', '/v1/user/permanent_token')]
