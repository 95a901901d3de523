# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX credential types of extensions/awx/credential_types/ against AWX's own rules and against our options.

Needs the staged collection (make stage): the modules' argument specs are imported from build/ansible_collections,
and ansible-doc reads the lookups' documented environment variables from there.
"""
from __future__ import annotations

import copy
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
sys.path.insert(0, os.path.join(ROOT, 'tests', 'harness', 'awx'))
sys.path.insert(0, BUILD)
import awx_rules  # noqa: E402  pylint: disable=wrong-import-position

MODULES = ('jms_token', 'jms_request', 'jms_private_token', 'deepflow_login', 'deepflow_permanent_token')
LOOKUP_OF = {'JMS_': 'opsauth.tokens.jms_token', 'DEEPFLOW_': 'opsauth.tokens.deepflow_token'}


def load_types():
    types = {}
    for path in sorted(glob.glob(os.path.join(ROOT, 'extensions', 'awx', 'credential_types', '*.yml'))):
        with open(path, encoding='utf-8') as handle:
            types[os.path.basename(path)] = yaml.safe_load(handle)
    return types


TYPES = load_types()


@functools.lru_cache(maxsize=None)
def module_env_options():
    """{ENV_NAME: [(module, option, no_log)]} from every module's argument spec (env_fallback)."""
    found = {}
    for name in MODULES:
        module = importlib.import_module('ansible_collections.opsauth.tokens.plugins.modules.' + name)
        for option, spec in module.ARGUMENT_SPEC.items():
            fallback = spec.get('fallback')
            if fallback and fallback[0].__name__ == 'env_fallback':
                for env_name in fallback[1]:
                    found.setdefault(env_name, []).append((name, option, bool(spec.get('no_log'))))
    return found


@functools.lru_cache(maxsize=None)
def lookup_env_names(lookup):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=BUILD)
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-doc'), '-t', 'lookup', '--json',
                          lookup], capture_output=True, text=True, check=True, env=env).stdout
    options = json.loads(out)[lookup]['doc']['options']
    return dict((entry['name'], option) for option, spec in options.items() for entry in spec.get('env', []))


def test_both_types_are_there():
    assert sorted(TYPES) == ['deepflow.yml', 'jumpserver.yml']


@pytest.mark.parametrize('name', sorted(TYPES))
def test_awx_would_accept_the_type(name):
    awx_rules.validate(TYPES[name])


BREAKAGES = [
    ('an ANSIBLE_ variable', lambda t: t['injectors']['env'].update(ANSIBLE_CONFIG='{{ url }}'), 'may affect Ansible'),
    ('a blocklisted variable', lambda t: t['injectors']['env'].update(PATH='{{ url }}'), 'not allowed'),
    ('an undefined field', lambda t: t['injectors']['env'].update(X_URL='{{ nope }}'), 'undefined field'),
    ('a template syntax error', lambda t: t['injectors']['env'].update(X_URL='{{ url '), 'Syntax error'),
    ('unsafe code', lambda t: t['injectors']['env'].update(X='{{ url.__class__.__mro__ }}'), 'unsafe'),
    ('a bad variable name', lambda t: t['injectors']['env'].update({'1X': '{{ url }}'}), 'injectors'),
    ('a non-ASCII value', lambda t: t['injectors']['env'].update(X='é{{ url }}'), 'injectors'),
    ('secret on a boolean', lambda t: t['inputs']['fields'].append(
        {'id': 'b', 'label': 'B', 'type': 'boolean', 'secret': True}), 'not allowed for boolean'),
    ('a default of another type', lambda t: t['inputs']['fields'].append(
        {'id': 'b', 'label': 'B', 'type': 'boolean', 'default': 'yes'}), 'is not a boolean'),
    ('a duplicate id', lambda t: t['inputs']['fields'].append(dict(t['inputs']['fields'][0])), 'unique'),
    ('the reserved id tower', lambda t: t['inputs']['fields'].append({'id': 'tower', 'label': 'T'}), 'reserved'),
    ('a field without label', lambda t: t['inputs']['fields'].append({'id': 'nolabel'}), 'inputs'),
    ('dependencies', lambda t: t['inputs'].update(dependencies={'a': ['b']}), 'dependencies'),
    ('an unknown injector kind', lambda t: t['injectors'].update(files={}), 'injectors'),
    ('a file name no file injector defines', lambda t: t['injectors']['env'].update(X='{{ tower.filename.nope }}'),
     'undefined field'),
    ('tower.filename without an unnamed file injector', lambda t: t['injectors']['env'].update(
        X='{{ tower.filename }}'), 'unnamed file injector'),
    ('both file syntaxes at once', lambda t: t['injectors']['file'].update(template='{{ url }}'), 'multi-file'),
]


@pytest.mark.parametrize('what, breakage, reason', BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_the_mirror_refuses_what_awx_refuses(what, breakage, reason):
    broken = copy.deepcopy(TYPES['jumpserver.yml'])
    breakage(broken)
    with pytest.raises(awx_rules.Invalid, match=reason):
        awx_rules.validate(broken)


@pytest.mark.parametrize('name', sorted(TYPES))
def test_every_injected_name_is_read_by_a_module_option_and_the_lookup(name):
    modules = module_env_options()
    for env_name in awx_rules.injected_names(TYPES[name]):
        assert env_name in modules, '%s is injected but no module option reads it' % env_name
        lookup = [lookup for prefix, lookup in LOOKUP_OF.items() if env_name.startswith(prefix)][0]
        assert env_name in lookup_env_names(lookup), '%s is injected but %s does not read it' % (env_name, lookup)


@pytest.mark.parametrize('name', sorted(TYPES))
def test_an_input_is_secret_exactly_when_the_options_it_sets_are_no_log(name):
    credential_type = TYPES[name]
    secret = dict((f['id'], bool(f.get('secret'))) for f in credential_type['inputs']['fields'])
    modules = module_env_options()
    for env_name, field_ids in awx_rules.injected_names(credential_type).items():
        assert len(field_ids) == 1, '%s renders %s: one input per variable' % (env_name, field_ids)
        no_log = set(flag for _module, _option, flag in modules[env_name])
        assert no_log == {secret[field_ids[0]]}, '%s: input %s secret=%s, options %s' % (
            env_name, field_ids[0], secret[field_ids[0]], modules[env_name])


@pytest.mark.parametrize('name', sorted(TYPES))
def test_every_input_is_injected_and_required_inputs_exist(name):
    credential_type = TYPES[name]
    ids = [f['id'] for f in credential_type['inputs']['fields']]
    rendered = set(i for fields in awx_rules.injected_names(credential_type).values() for i in fields)
    assert rendered == set(ids)
    assert set(credential_type['inputs'].get('required', [])) <= set(ids)


def test_inject_renders_like_awx(tmp_path):
    env, extra_vars = awx_rules.inject(TYPES['jumpserver.yml'], {'url': 'https://j.example.com', 'password': 'p'},
                                       str(tmp_path))
    # an input left out renders empty; a boolean left out is False; no extra_vars injectors
    assert env['JMS_URL'] == 'https://j.example.com' and env['JMS_PASSWORD'] == 'p'
    assert env['JMS_USERNAME'] == '' and env['JMS_VALIDATE_CERTS'] == 'False' and extra_vars == {}
    # no CA certificate: AWX still writes the (empty) file, and the variable stays empty: not set for the collection
    assert env['JMS_CA_PATH'] == ''


PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUZXhhbXBsZQ==\n-----END CERTIFICATE-----\n'


@pytest.mark.parametrize('name, variable', [('jumpserver.yml', 'JMS_CA_PATH'), ('deepflow.yml', 'DEEPFLOW_CA_PATH')])
def test_a_ca_certificate_reaches_the_job_as_a_private_file(tmp_path, name, variable):
    inputs = {'url': 'https://x.example.com', 'email': 'e', 'password': 'p', 'ca_cert': PEM}
    env, _extra_vars = awx_rules.inject(TYPES[name], inputs, str(tmp_path))
    path = env[variable]
    # a file of the job's private data dir (env/), readable by the job's user only, holding the PEM as given
    assert os.path.dirname(path) == str(tmp_path / 'env')
    assert os.stat(path).st_mode & 0o777 == 0o600
    with open(path, encoding='utf-8') as handle:
        assert handle.read() == PEM
    # the collection reads the variable as ca_path, an option that is not a secret (nor is the input)
    assert [option for _module, option, _no_log in module_env_options()[variable]] == \
        ['ca_path'] * len(module_env_options()[variable])
    assert lookup_env_names(LOOKUP_OF[variable.split('_')[0] + '_'])[variable] == 'ca_path'
