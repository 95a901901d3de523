# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a cache hit imports, and that the shortcut behind it never changes an answer.

Each evaluation runs in a fresh Python process (tests/harness/target_helpers/lookup_once.py), as Ansible evaluates a lookup in a fresh
worker for every task and host; two processes given the same run directory share one run's cache, like two forks.
These are behaviour tests: they check which modules are loaded, never how long anything took (benchmarks/ does that).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.opsauth.tokens.plugins.plugin_utils import _token_cache

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
COLLECTIONS_PATH = os.path.abspath(os.path.join(COLLECTION, '..', '..', '..'))
SCRIPT = os.path.join(COLLECTION, 'tests', 'harness', 'target_helpers', 'lookup_once.py')
# What a cache hit must not load: the HTTP stack and the platform clients.
HEAVY = ('requests', 'urllib3', 'httpsig', 'ssl',
         'ansible_collections.opsauth.tokens.plugins.module_utils.http._http',
         'ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver',
         'ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow')


@pytest.fixture
def run_dir(tmp_path):
    path = tmp_path / 'ansible-local-test'
    path.mkdir(mode=0o700)
    _token_cache._HMAC_KEYS.clear()
    return str(path)


def evaluate(run_dir, name, environment=None, **options):
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith(('JMS_', 'DEEPFLOW_', 'OPSAUTH_')))
    env.update(environment or {})
    words = ['%s=%s' % item for item in sorted(options.items())]
    out = subprocess.run([sys.executable, SCRIPT, COLLECTIONS_PATH, run_dir, name] + words, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def heavy(modules):
    return sorted(name for name in modules if name.split('.')[0] in HEAVY or name in HEAVY)


JMS = dict(username='admin', password='Adm1n-Pass!')
DEEPFLOW = dict(email='ops@example.com', password='Ops-Pass-1')


@pytest.mark.parametrize('output', ['token', 'headers'])
def test_jms_token_cache_hit_loads_neither_requests_nor_the_client(jms, run_dir, output):
    first = evaluate(run_dir, 'opsauth.tokens.jms_token', url=jms.url, output=output, **JMS)
    second = evaluate(run_dir, 'opsauth.tokens.jms_token', url=jms.url, output=output, **JMS)
    # The first evaluation logs in, with the client: the check below would see it.
    assert 'requests' in first['modules'] and heavy(first['modules'])
    assert heavy(second['modules']) == []
    assert second['length'] == first['length']
    assert len(jms.logins()) == 1


@pytest.mark.parametrize('output', ['token', 'pages'])
def test_deepflow_token_cache_hit_loads_neither_requests_nor_the_client(df, run_dir, output):
    options = dict(DEEPFLOW, fauths_url=df.url + '/api/fauths' if output == 'pages' else df.url, output=output)
    first = evaluate(run_dir, 'opsauth.tokens.deepflow_token', **options)
    second = evaluate(run_dir, 'opsauth.tokens.deepflow_token', **options)
    assert 'requests' in first['modules']
    assert heavy(second['modules']) == []
    assert second['length'] == first['length']


def test_other_options_take_the_full_path_and_their_checks(jms, run_dir):
    evaluate(run_dir, 'opsauth.tokens.jms_token', url=jms.url, **JMS)
    # Same identity, so the same cache entry, but options never checked in this run: the client checks them (and
    # refuses the second credential) exactly as without the shortcut.
    out = subprocess.run([sys.executable, SCRIPT, COLLECTIONS_PATH, run_dir, 'opsauth.tokens.jms_token',
                          'url=' + jms.url, 'username=admin', 'password=Adm1n-Pass!', 'token=abc'],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode != 0 and 'give either password or token, not both' in out.stderr
    # output=full depends on the clock (expires_in): full path, still no login.
    full = evaluate(run_dir, 'opsauth.tokens.jms_token', url=jms.url, output='full', **JMS)
    assert 'requests' in full['modules']
    assert len(jms.logins()) == 1


def test_a_dropped_entry_is_not_served_by_the_shortcut(jms, run_dir):
    first = evaluate(run_dir, 'opsauth.tokens.jms_token', url=jms.url, **JMS)
    cache_dir = os.path.join(run_dir, 'opsauth_tokens_cache')
    for name in os.listdir(cache_dir):
        if name.startswith('jms-') and name.endswith('.json'):
            os.unlink(os.path.join(cache_dir, name))
    again = evaluate(run_dir, 'opsauth.tokens.jms_token', url=jms.url, **JMS)
    assert 'requests' in again['modules'] and again['length'] == first['length']
    assert len(jms.logins()) == 2


def test_later_workers_reuse_the_parsed_option_definitions(jms, run_dir):
    first = evaluate(run_dir, 'opsauth.tokens.jms_token', url=jms.url, **JMS)
    # The options now come from the environment: only right option definitions (env names included) find them.
    second = evaluate(run_dir, 'opsauth.tokens.jms_token',
                      environment={'JMS_URL': jms.url, 'JMS_USERNAME': 'admin', 'JMS_PASSWORD': 'Adm1n-Pass!'})
    fragments = 'ansible_collections.opsauth.tokens.plugins.doc_fragments'
    assert any(name.startswith(fragments) for name in first['modules'])  # parsed from the documentation
    assert not any(name.startswith(fragments) for name in second['modules'])  # loaded from the run's cache
    assert heavy(second['modules']) == [] and second['length'] == first['length']
    assert len(jms.logins()) == 1


def test_python_keeps_the_bytecode_of_the_loader(jms, run_dir, tmp_path):
    # Python's default (bytecode written), with __pycache__ in tmp_path rather than in the collection.
    environment = {'PYTHONDONTWRITEBYTECODE': '', 'PYTHONPYCACHEPREFIX': str(tmp_path / 'pycache')}
    first = evaluate(run_dir, 'opsauth.tokens.jms_token', environment=environment, url=jms.url, **JMS)
    second = evaluate(run_dir, 'opsauth.tokens.jms_token', environment=environment, url=jms.url, **JMS)
    kept = [name for dummy, dummy, names in os.walk(str(tmp_path / 'pycache')) for name in names]
    # The plugin itself (Ansible's plugin loader) and _bytecode, the one module of ours a cache hit compiles otherwise.
    assert any(name.startswith('jms_token.') for name in kept) and any(name.startswith('_bytecode.') for name in kept)
    # Not through the collection loader: the plugin_utils package is never imported by a cache hit.
    assert 'ansible_collections.opsauth.tokens.plugins.plugin_utils' not in second['modules']
    assert heavy(second['modules']) == [] and second['length'] == first['length']
    assert len(jms.logins()) == 1
