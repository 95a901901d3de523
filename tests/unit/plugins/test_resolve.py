# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One meaning per task: the module and its action plugin resolve a task's options with one function (_resolve.py).

Every row of the precedence table of docs/security.md ("Where each option comes from") is resolved here twice, each
source in turn: by the module itself (AnsibleModule through resolve_module, reading its os.environ) and by its action
plugin on the controller (resolve_task: the controller's environment plus the task's ``environment:`` keyword), and
both must give the value the table promises.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import os
import re
import sys

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.loader import shell_loader
from ansible.template import Templar

from ansible_collections.opsauth.tokens.plugins.module_utils._resolve import resolve_module
from ansible_collections.opsauth.tokens.tests.unit.plugins.conftest import patch_module_args
from ansible_collections.opsauth.tokens.tests.unit.plugins.imports import loaded_modules

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def plugin_names(folder):
    return tuple(sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', folder))
                        if name.endswith('.py') and not name.startswith('_')))


# Every module, and those with an action plugin (the run's login): a new module is in the table's test at once.
MODULES = plugin_names('modules')
WITH_ACTION = plugin_names('action')
# What a module needs to start at all (url is required by the JumpServer specs).
BASE = {'jms_info': {'url': 'https://jms.task'}, 'jms_token': {'url': 'https://jms.task'},
        'jms_request': {'url': 'https://jms.task', 'path': '/api/health/'},
        'jms_access_key': {'url': 'https://jms.task', 'dest': '/tmp/k.json'},
        'jms_private_token': {'username': 'u'}, 'deepflow_login': {}, 'deepflow_permanent_token': {}}


def module_of(name):
    return importlib.import_module('ansible_collections.opsauth.tokens.plugins.modules.' + name)


def table_rows():
    """(option, variable, modules) of each row of the precedence table in docs/security.md."""
    with open(os.path.join(ROOT, 'docs', 'security.md')) as handle:
        text = handle.read()
    section = text.split('## Where each option comes from', 1)[1].split('\n## ', 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        found = re.match(r'^`(\w+)`$', cells[0]) if len(cells) == 4 else None
        variable = re.match(r'^`([A-Z_]+)`$', cells[1]) if found else None
        if variable:
            patterns = [re.sub(r'\*', r'\\w*', name.strip('` ')) for name in cells[3].split(',')]
            modules = [name for name in MODULES if any(re.match('^%s$' % pattern, name) for pattern in patterns)]
            rows.append((found.group(1), variable.group(1), modules))
    return rows


def spec_env(name):
    """{(option, variable)} that a module's argument spec reads from the environment."""
    return set((option, spec['fallback'][1][0]) for option, spec in module_of(name).ARGUMENT_SPEC.items()
               if spec.get('fallback'))


def test_the_table_lists_every_environment_variable_of_every_module():
    documented = {}
    for option, variable, modules in table_rows():
        for name in modules:
            documented.setdefault(name, set()).add((option, variable))
    for name in MODULES:
        assert documented.get(name, set()) == spec_env(name), name


# What a module and its action plugin read to resolve a task: the specs, their defaults and the resolver. Issue 17:
# they import nothing but the standard library and ansible.module_utils (once, _options imported every client, so
# each module's payload shipped every platform's code, and the action plugin loaded the HTTP stack to read a spec).
SPEC_FILES = ('_options', '_defaults', '_resolve')
MODULE_UTILS = 'ansible_collections.opsauth.tokens.plugins.module_utils'


def test_the_specs_and_the_resolver_import_only_the_standard_library_and_ansible_module_utils():
    # What ansible.module_utils itself loads (its vendored or installed helpers) is the floor; beyond it, only the
    # three files and the packages that hold them may appear.
    floor = set(loaded_modules('import ansible.module_utils.basic, ansible.module_utils.common.arg_spec'))
    loaded = set(loaded_modules('from %s import %s' % (MODULE_UTILS, ', '.join(SPEC_FILES))))
    allowed = set(['%s.%s' % (MODULE_UTILS, name) for name in SPEC_FILES]) | set(
        ['ansible_collections', 'ansible_collections.opsauth', 'ansible_collections.opsauth.tokens',
         'ansible_collections.opsauth.tokens.plugins', MODULE_UTILS])
    stdlib = getattr(sys, 'stdlib_module_names', None)
    if stdlib is None:
        pytest.skip('Python before 3.10 does not list its standard library')
    extra = sorted(name for name in loaded - floor - allowed
                   if not name.startswith('ansible.module_utils.') and name.split('.')[0] not in stdlib)
    assert extra == [], 'the specs or the resolver import more than the standard library and ansible.module_utils'
    assert '%s._options' % MODULE_UTILS in loaded  # the statement did import them


@pytest.mark.parametrize('name', MODULES)
def test_a_module_file_loads_no_client_and_no_requests_until_it_runs(name):
    # An action plugin imports the module file in every task's worker to read ARGUMENT_SPEC (the run's login, one
    # resolver). The file holds the spec; the frame and the job, which load requests and the platform client, are
    # imported by main(): loading them for the spec cost every task about 60 ms of the controller's CPU.
    module = 'ansible_collections.opsauth.tokens.plugins.modules.' + name
    loaded = set(loaded_modules('import %s' % module))
    assert module in loaded  # the statement did import it
    heavy = sorted(loaded_name for loaded_name in loaded if loaded_name.split('.')[0] in ('requests', 'urllib3')
                   or loaded_name.endswith(('_job', '._module', '._jumpserver', '._deepflow', '._exec', '._http')))
    assert heavy == [], '%s loads more than its spec needs' % name


# --- the two sides ---------------------------------------------------------------------------------------------------

def module_params(name, args, process, keyword, monkeypatch):
    """What the module resolves: its os.environ is the process's plus the environment keyword (Ansible sets it)."""
    for variable in list(os.environ):
        if variable.startswith(('JMS_', 'DEEPFLOW_')):
            monkeypatch.delenv(variable)
    for variable, value in dict(process, **keyword).items():
        monkeypatch.setenv(variable, value)
    module = module_of(name)
    with patch_module_args(dict(args)):
        return resolve_module(module.ARGUMENT_SPEC, supports_check_mode=True,
                              **getattr(module, 'ARGUMENT_RULES', {})).params


class FakeConnection:
    """What ActionBase asks of a connection to compute the module's environment."""

    has_native_async = False

    def __init__(self, transport='local'):
        self.transport = transport
        self._shell = shell_loader.get('sh')


def action_plugin(name, args, keyword=None, transport='local', become=False):
    action = importlib.import_module('ansible_collections.opsauth.tokens.plugins.action.' + name)
    task = Task()
    task.action = 'opsauth.tokens.' + name
    task.args = dict(args)
    task.environment = [keyword] if keyword else []
    context = PlayContext()
    context.become = become
    context.remote_addr = 'target.example.com'
    loader = DataLoader()
    return action.ActionModule(task, FakeConnection(transport), context, loader, Templar(loader=loader), None)


def action_resolved(name, args, process, keyword, monkeypatch):
    """What the action plugin resolves on the controller, for the same task."""
    for variable in list(os.environ):
        if variable.startswith(('JMS_', 'DEEPFLOW_')):
            monkeypatch.delenv(variable)
    for variable, value in process.items():
        monkeypatch.setenv(variable, value)
    resolved, why = action_plugin(name, args, keyword).resolve_task(args)
    assert why is None
    return resolved


SAMPLES = {'str': ('from-task', 'from-keyword', 'from-process'), 'path': ('/task/ca.pem', '/keyword/ca.pem', '/process/ca.pem'),
           'int': ('11', '12', '13'), 'bool': ('false', 'true', 'false')}
CONVERT = {'str': str, 'path': str, 'int': int, 'bool': lambda value: value == 'true'}


def cases():
    for option, variable, modules in table_rows():
        for name in modules:
            for source in ('task', 'keyword', 'process', 'default'):
                yield pytest.param(name, option, variable, source, id='%s-%s-%s' % (name, option, source))


@pytest.mark.parametrize('name, option, variable, source', cases())
def test_every_row_of_the_table_is_what_the_module_and_the_action_plugin_resolve(name, option, variable, source, monkeypatch):
    spec = module_of(name).ARGUMENT_SPEC[option]
    kind = spec.get('type', 'str')
    task_value, keyword_value, process_value = SAMPLES[kind]
    args, keyword, process = dict(BASE[name]), {}, {}
    args.pop(option, None)
    # Each source is set together with every source below it, so the row's order is what decides.
    if source == 'task':
        args[option] = CONVERT[kind](task_value)
    if source in ('task', 'keyword'):
        keyword[variable] = keyword_value
    if source in ('task', 'keyword', 'process'):
        process[variable] = process_value
    expected = {'task': task_value, 'keyword': keyword_value, 'process': process_value}.get(source)
    expected = spec.get('default') if expected is None else CONVERT[kind](expected)
    if option == 'url' and source == 'default' and spec.get('required'):
        pytest.skip('url is required: no default')
    assert module_params(name, args, process, keyword, monkeypatch)[option] == expected
    if name in WITH_ACTION:
        resolved = action_resolved(name, args, process, keyword, monkeypatch)
        assert resolved.errors == []
        assert resolved.params[option] == expected


# --- the two rules, the same on both sides ---------------------------------------------------------------------------

def both(name, args, process, monkeypatch, keyword=None):
    keyword = keyword or {}
    resolved = action_resolved(name, args, process, keyword, monkeypatch)
    return module_params(name, args, process, keyword, monkeypatch), resolved


def test_a_task_url_sets_an_environment_fauths_url_aside(monkeypatch):
    args = dict(url='https://deepflow.task', email='ops@example.com', password='Ops-Pass-1')
    params, resolved = both('deepflow_login', args, {'DEEPFLOW_FAUTHS_URL': 'https://other.env/fauths'}, monkeypatch)
    assert params['fauths_url'] is None and resolved.params['fauths_url'] is None
    assert resolved.describe_ignored() == ['DEEPFLOW_FAUTHS_URL from the environment is not used: the task gives url']
    # Without a url in the task, the environment's fauths_url is the endpoint, as before.
    params, resolved = both('deepflow_login', dict(email='ops@example.com', password='Ops-Pass-1'),
                            {'DEEPFLOW_FAUTHS_URL': 'https://other.env/fauths'}, monkeypatch)
    assert params['fauths_url'] == resolved.params['fauths_url'] == 'https://other.env/fauths'


def test_a_task_password_sets_a_stale_environment_token_aside(monkeypatch):
    args = dict(BASE['jms_token'], username='admin', password='Adm1n-Pass!')
    params, resolved = both('jms_token', args, {'JMS_TOKEN': 'stale-token', 'JMS_PRIVATE_TOKEN': 'old'}, monkeypatch)
    assert params['token'] is None and resolved.params['token'] is None
    assert params['private_token'] is None and resolved.params['private_token'] is None
    assert params['password'] == resolved.params['password'] == 'Adm1n-Pass!'
    assert 'JMS_TOKEN from the environment is not used: the task gives username, another way to log in' \
        in resolved.describe_ignored()


def test_a_task_token_sets_the_environment_password_aside(monkeypatch):
    args = dict(BASE['jms_request'], token='task-token')
    process = {'JMS_USERNAME': 'admin', 'JMS_PASSWORD': 'Adm1n-Pass!', 'JMS_MFA_TOTP_SECRET': 'JBSWY3DPEHPK3PXP'}
    params, resolved = both('jms_request', args, process, monkeypatch)
    for option in ('username', 'password', 'mfa_totp_secret'):
        assert params[option] is None and resolved.params[option] is None, option
    assert params['token'] == resolved.params['token'] == 'task-token'


def test_credentials_only_in_the_environment_are_used(monkeypatch):
    process = {'JMS_URL': 'https://jms.env', 'JMS_USERNAME': 'admin', 'JMS_PASSWORD': 'Adm1n-Pass!',
               'JMS_MFA_TOTP_SECRET': 'JBSWY3DPEHPK3PXP', 'JMS_CA_PATH': '/env/ca.pem', 'JMS_VALIDATE_CERTS': 'true'}
    params, resolved = both('jms_token', {}, process, monkeypatch)
    expected = dict(url='https://jms.env', username='admin', password='Adm1n-Pass!', mfa_totp_secret='JBSWY3DPEHPK3PXP',
                    ca_path='/env/ca.pem', validate_certs=True)
    for option, value in expected.items():
        assert params[option] == resolved.params[option] == value, option
    assert resolved.ignored == []
    # The same two ways given in the same place are not the rules' business: the client refuses them by name.
    params, resolved = both('jms_token', {}, dict(process, JMS_TOKEN='t'), monkeypatch)
    assert params['token'] == resolved.params['token'] == 't'


def test_an_environment_keyword_is_part_of_what_the_module_sees(monkeypatch):
    params, resolved = both('deepflow_login', {}, {'DEEPFLOW_EMAIL': 'process@example.com'}, monkeypatch,
                            keyword={'DEEPFLOW_EMAIL': 'keyword@example.com', 'DEEPFLOW_PASSWORD': 'p'})
    assert params['email'] == resolved.params['email'] == 'keyword@example.com'


def test_an_unknown_option_is_refused_before_any_login(monkeypatch):
    args = dict(BASE['jms_request'], username='admin', password='Adm1n-Pass!', ca_cert='/tmp/ca.pem')
    resolved = action_resolved('jms_request', args, {}, {}, monkeypatch)
    assert any('ca_cert' in message for message in resolved.errors)

    reached = []
    plugin = action_plugin('jms_request', args)
    monkeypatch.setattr(plugin, '_cache', reached.append)
    assert plugin._shared_login(args, {}) == (None, None)
    assert reached == []  # the cache (and a login) is never reached


@pytest.mark.parametrize('transport, become', [('ssh', False), ('local', True)])
def test_a_remote_target_is_not_logged_in_for(transport, become, monkeypatch):
    args = dict(BASE['jms_request'], username='admin', password='Adm1n-Pass!')
    plugin = action_plugin('jms_request', args, transport=transport, become=become)
    resolved, why = plugin.resolve_task(args)
    assert resolved is None
    assert ('target.example.com over ssh' in why) if transport == 'ssh' else ('become' in why)
    lines = []
    monkeypatch.setattr('ansible_collections.opsauth.tokens.plugins.plugin_utils._run_login_action.display.v', lines.append)
    assert plugin._shared_login(args, {}) == (None, None)
    assert lines and "the run's login is not used" in lines[0]
