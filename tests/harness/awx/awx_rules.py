# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What AWX / Automation Controller does with a custom credential type, mirrored for our tests.

- validate(): the checks AWX runs when a credential type is saved (awx/main/fields.py: CredentialTypeInputField and
  CredentialTypeInjectorField): the inputs and injectors JSON schemas, unique field ids, "tower" reserved, defaults
  of the field's type, choices/multiline/format/secret only on strings, no ANSIBLE_* or blocklisted (ENV_BLOCKLIST,
  awx/main/constants.py) environment variables, and every injector template rendered in an
  ImmutableSandboxedEnvironment with StrictUndefined from a namespace of the defined fields.
- inject(): what a job gets (awx/main/models/credential.py, CredentialType.inject_credential): a namespace of the
  credential's non-empty inputs (booleans always, missing booleans False); each file injector rendered into a file
  of mode 0600 in the private data dir's env/ (always, even when it renders empty), its path in
  ``tower.filename`` (``template``) or ``tower.filename.<name>`` (``template.<name>``); each env injector rendered in
  an ImmutableSandboxedEnvironment, extra_vars injectors too.
- write_private_data_dir(): the ansible-runner private data dir AWX hands to ansible-runner: env/envvars,
  env/extravars, env/passwords (the prompts of a job without a machine credential), env/settings, inventory/hosts,
  project/.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile

from jinja2 import StrictUndefined, sandbox
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jsonschema import Draft4Validator

# awx/main/constants.py
ENV_BLOCKLIST = frozenset((
    'VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID', 'INVENTORY_UPDATE_ID',
    'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES', 'CALLBACK_QUEUE', 'CALLBACK_CONNECTION',
    'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS', 'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH',
))

NAME = '^[a-zA-Z_]+[a-zA-Z0-9_]*$'
INPUTS_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'required': {'type': 'array', 'items': {'type': 'string'}},
        'fields': {
            'type': 'array',
            'items': {
                'type': 'object',
                'properties': {
                    'type': {'enum': ['string', 'boolean']},
                    'format': {'enum': ['ssh_private_key', 'url']},
                    'choices': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}, 'uniqueItems': True},
                    'id': {'type': 'string', 'pattern': NAME},
                    'label': {'type': 'string'},
                    'help_text': {'type': 'string'},
                    'multiline': {'type': 'boolean'},
                    'secret': {'type': 'boolean'},
                    'ask_at_runtime': {'type': 'boolean'},
                    'default': {},
                },
                'additionalProperties': False,
                'required': ['id', 'label'],
            },
        },
    },
}
INJECTORS_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'file': {'type': 'object', 'patternProperties': {r'^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$': {'type': 'string'}},
                 'additionalProperties': False},
        'env': {'type': 'object',
                'patternProperties': {NAME: {'type': 'string', 'pattern': '^[\x00-\x7F]*$'}},
                'additionalProperties': False},
        'extra_vars': {'type': 'object', 'patternProperties': {NAME: {'type': 'string'}},
                       'additionalProperties': False},
    },
}
# The prompts AWX answers for a job (awx/main/tasks: build_passwords/get_password_prompts) with no machine credential.
JOB_PASSWORD_PROMPTS = {
    r'Enter passphrase for .*:\s*?$': '',
    r'Bad passphrase, try again for .*:\s*?$': '',
    r'^SSH [pP]assword:\s*?$': '',
    r'^BECOME [pP]assword:\s*?$': '',
    r'Vault password:\s*?$': '',
}


class Invalid(Exception):
    """AWX would refuse to save the credential type."""


def validate(credential_type):
    """Raise Invalid with AWX's reason when AWX would refuse this credential type."""
    inputs, injectors = credential_type.get('inputs', {}), credential_type.get('injectors', {})
    if credential_type.get('kind') not in ('cloud', 'net'):
        raise Invalid('custom credential types must be of kind cloud or net, not %r' % credential_type.get('kind'))
    for error in Draft4Validator(INPUTS_SCHEMA).iter_errors(inputs):
        raise Invalid('inputs: %s' % error.message)
    if 'dependencies' in inputs:
        raise Invalid("'dependencies' is not supported for custom credentials.")
    ids = set()
    for field in inputs.get('fields', []):
        if field['id'] == 'tower':
            raise Invalid('"tower" is a reserved field name')
        if field['id'] in ids:
            raise Invalid('field IDs must be unique (%s)' % field['id'])
        ids.add(field['id'])
        kind = field.get('type', 'string')
        if 'default' in field and not isinstance(field['default'], {'string': str, 'boolean': bool}[kind]):
            raise Invalid('%s is not a %s' % (field['default'], kind))
        for key in ('choices', 'multiline', 'format', 'secret'):
            if key in field and kind != 'string':
                raise Invalid('%s not allowed for %s type (%s)' % (key, kind, field['id']))
    for error in Draft4Validator(INJECTORS_SCHEMA).iter_errors(injectors):
        raise Invalid('injectors: %s' % error.message)
    namespace = dict((field_id, 'EXAMPLE') for field_id in ids)
    namespace['tower'] = _validation_tower(injectors)
    for kind, injector in injectors.items():
        if kind == 'env':
            for name in injector:
                if name.startswith('ANSIBLE_'):
                    raise Invalid('Environment variable %s may affect Ansible configuration so its use is not allowed '
                                  'in credentials.' % name)
                if name in ENV_BLOCKLIST:
                    raise Invalid('Environment variable %s is not allowed to be used in credentials.' % name)
        for key, template in injector.items():
            try:
                sandbox.ImmutableSandboxedEnvironment(undefined=StrictUndefined).from_string(template).render(namespace)
            except UndefinedError as exc:
                raise Invalid('%s uses an undefined field (%s)' % (key, exc))
            except SecurityError as exc:
                raise Invalid('Encountered unsafe code execution: %s' % exc)
            except TemplateSyntaxError as exc:
                raise Invalid('Syntax error rendering template for %s inside of %s (%s)' % (key, kind, exc))


class _Exploding:
    """AWX's stand-in for tower.filename when the type has no (unnamed) file injector."""

    def __str__(self):
        raise UndefinedError('Must define unnamed file injector in order to reference `tower.filename`.')


class _Tower:
    def __init__(self):
        self.filename = _Exploding()

    def __str__(self):
        raise UndefinedError('Cannot directly reference reserved `tower` namespace container.')


def _validation_tower(injectors):
    """The ``tower`` namespace AWX validates templates with: EXAMPLE_FILENAME for each file injector."""
    tower = _Tower()
    names = [name for name in injectors.get('file', {}) if name.startswith('template')]
    if 'template' in names:
        if len(names) > 1:
            raise Invalid('Must use multi-file syntax when injecting multiple files')
        tower.filename = 'EXAMPLE_FILENAME'
    for name in names:
        if name != 'template':
            setattr(tower.filename, name.split('.')[1], 'EXAMPLE_FILENAME')
    return tower


def inject(credential_type, inputs, private_data_dir=None):
    """(env, extra_vars) that AWX gives a job with a credential of this type and these inputs; a type with file
    injectors writes its files into private_data_dir/env."""
    fields = credential_type['inputs'].get('fields', [])
    namespace = {}
    for name, value in inputs.items():
        if isinstance(value, bool) or len(value):
            namespace[name] = value
    for field in fields:
        if field.get('type', 'string') == 'boolean' and field['id'] not in inputs:
            namespace[field['id']] = False
    environment = sandbox.ImmutableSandboxedEnvironment()
    injectors = credential_type.get('injectors', {})
    tower = type('TowerNamespace', (), {})()
    namespace['tower'] = tower
    for label, template in injectors.get('file', {}).items():
        if private_data_dir is None:
            raise ValueError('a credential type with file injectors needs a private data dir')
        os.makedirs(os.path.join(private_data_dir, 'env'), mode=0o700, exist_ok=True)
        handle, path = tempfile.mkstemp(dir=os.path.join(private_data_dir, 'env'))
        with os.fdopen(handle, 'w') as out:
            out.write(environment.from_string(template).render(**namespace))
        os.chmod(path, 0o600)
        if '.' not in label:
            tower.filename = path
        else:
            if not hasattr(tower, 'filename'):
                tower.filename = type('TowerNamespace', (), {})()
            setattr(tower.filename, label.split('.')[1], path)
    env = dict((name, environment.from_string(template).render(**namespace))
               for name, template in injectors.get('env', {}).items())
    extra_vars = dict((name, environment.from_string(template).render(**namespace))
                      for name, template in injectors.get('extra_vars', {}).items())
    return env, extra_vars


def secret_values(credential_type, inputs):
    secret = set(f['id'] for f in credential_type['inputs'].get('fields', []) if f.get('secret'))
    return [value for name, value in inputs.items() if name in secret and value]


def _write(path, data, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, 'w') as handle:
        handle.write(data)


def write_private_data_dir(path, project_dir, env, extra_vars, inventory, keep_env_files=False):
    """An ansible-runner private data dir laid out as AWX lays it out for a job. keep_env_files: the files that
    inject() already wrote into env/ (a credential's file injectors) stay, as AWX writes them in the same dir."""
    if not keep_env_files:
        shutil.rmtree(path, ignore_errors=True)
    os.makedirs(os.path.join(path, 'env'), mode=0o700, exist_ok=True)
    os.makedirs(os.path.join(path, 'inventory'), exist_ok=True)
    if not os.path.isdir(os.path.join(path, 'project')):
        shutil.copytree(project_dir, os.path.join(path, 'project'))
    _write(os.path.join(path, 'env', 'envvars'), json.dumps(env))
    _write(os.path.join(path, 'env', 'extravars'), json.dumps(extra_vars))
    _write(os.path.join(path, 'env', 'passwords'), json.dumps(JOB_PASSWORD_PROMPTS))
    _write(os.path.join(path, 'env', 'settings'), json.dumps({'suppress_ansible_output': True, 'job_timeout': 600}))
    _write(os.path.join(path, 'inventory', 'hosts'), inventory)


def _fields(template):
    """The input fields a template names: {{ field }} and {% if field %}."""
    found = re.findall(r'\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}', template)
    found += re.findall(r'\{%\s*if\s+([a-zA-Z_][a-zA-Z0-9_]*)\s*%\}', template)
    return sorted(set(found))


def injected_names(credential_type):
    """The environment variable names of the env injectors, and the input fields each one renders (through the
    file injector it names with tower.filename too)."""
    injectors = credential_type.get('injectors', {})
    files = dict((label.split('.')[-1] if '.' in label else '', _fields(template))
                 for label, template in injectors.get('file', {}).items())
    names = {}
    for name, template in injectors.get('env', {}).items():
        fields = set(_fields(template))
        for label in re.findall(r'tower\.filename(?:\.([a-zA-Z_][a-zA-Z0-9_]*))?', template):
            fields.update(files.get(label, []))
        names[name] = sorted(fields)
    return names
