# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: jms_token
short_description: A JumpServer bearer token, logging in once per playbook run
version_added: 0.1.0
author: opsauth.tokens developers (@opsauth)
requirements:
  - requests >= 2.25 (Python library) on the controller
description:
  - Returns a JumpServer bearer token for O(username) and O(password) (with MFA by O(mfa_totp_secret) or
    O(mfa_code)), logging in once per run for all tasks, hosts and forks (see O(cache)).
  - Every option can also be a C(option=value) word of a term, a keyword argument, a variable, an environment variable
    or an C(ansible.cfg) entry, in this order of precedence.
options:
  output:
    description:
      - V(token) returns the token; V(headers) the C(Authorization) and C(X-JMS-ORG) headers; V(full) what
        M(opsauth.tokens.jms_token) returns, and RV(_raw[].reused).
    type: str
    choices: [token, headers, full]
    default: token
extends_documentation_fragment:
  - opsauth.tokens.jumpserver
  - opsauth.tokens.jumpserver.plugins
  - opsauth.tokens.token_cache
  - opsauth.tokens.http_layer
notes:
  - 'This lookup returns a secret; use C(no_log: true) on tasks that print it or pass it to a module.'
  - Only a password login gives a bearer token; O(token), O(private_token) and access keys are refused.
seealso:
  - module: opsauth.tokens.jms_token
  - plugin: opsauth.tokens.deepflow_token
    plugin_type: lookup
'''

EXAMPLES = r'''
- name: Call the JumpServer API with a token the whole run shares
  ansible.builtin.uri:
    url: "{{ jms_url }}/api/v1/users/users/?limit=10"
    headers: "{{ lookup('opsauth.tokens.jms_token', url=jms_url, username=jms_username, password=jms_password,
                 output='headers') }}"
  no_log: true

- name: Configure the connection with variables (in group_vars, say); every host and task reuses one login
  ansible.builtin.uri:
    url: "{{ ansible_jms_url }}/api/v1/users/users/?limit=10"
    headers: "{{ lookup('opsauth.tokens.jms_token', output='headers') }}"
  vars:
    ansible_jms_url: "{{ jms_url }}"
    ansible_jms_username: "{{ jms_username }}"
    ansible_jms_password: "{{ jms_password }}"
    ansible_jms_mfa_totp_secret: "{{ jms_totp_secret }}"
  no_log: true
'''

RETURN = r'''
_raw:
  description: The token, the headers, or with O(output=full) a dictionary with the keys below.
  type: list
  elements: raw
  contains:
    token:
      description: The bearer token.
      type: str
    keyword:
      description: The C(Authorization) scheme.
      type: str
    date_expired:
      description: When the token expires, ISO 8601 in UTC.
      type: str
    expires_at:
      description: When the token expires, in epoch seconds.
      type: int
    expires_in:
      description: Seconds the token has left.
      type: int
    user:
      description: The C(id), C(username) and C(name) of the token's user.
      type: dict
    headers:
      description: The C(Authorization) and C(X-JMS-ORG) headers.
      type: dict
    reused:
      description: Whether the token came from the cache.
      type: bool
'''

import importlib.util
import os
import sys

# Only what a cache hit needs is imported here: the client (and requests) is imported by token_source() and
# render(), when the cache cannot answer alone (docs/token-cache.md, "What a cache hit costs").
# _bytecode is loaded from its file, as Ansible loads this plugin, so that Python keeps its bytecode where it may write
# it; the collection loader would compile it in every worker (benchmarks/README.md, "Bytecode where Python may keep
# it").
_BYTECODE_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'plugin_utils', '_bytecode.py')
if 'ansible_collections.opsauth.tokens.plugins.plugin_utils._bytecode' not in sys.modules and os.path.isfile(_BYTECODE_PATH):
    _spec = importlib.util.spec_from_file_location('ansible_collections.opsauth.tokens.plugins.plugin_utils._bytecode', _BYTECODE_PATH)
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    sys.modules[_spec.name] = _module
from ansible_collections.opsauth.tokens.plugins.plugin_utils._bytecode import load

# With its bytecode kept for the run, in the run's cache directory: see plugin_utils/_bytecode.py.
_lookup_base = load('ansible_collections.opsauth.tokens.plugins.plugin_utils._lookup_base')
_lookup_base.preload_definitions(__name__, __file__)


class LookupModule(_lookup_base.OpsAuthLookupBase):

    STABLE_OUTPUTS = ('token', 'headers')
    SOURCE = 'jumpserver'

    def after_login(self, cache, source, result, options):
        # JumpServer acts on the Default org for an org it does not know: check it, once per run for each URL and org
        # (an unknown org is remembered for the run; a connection error is not).
        from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import UnknownOrganization

        client = source.client

        def check():
            return client.check_org(token=result.data['token'], keyword=result.data.get('keyword'))

        if cache is None:
            check()
        else:
            cache.once_per_run('org', (client.base_url, client.org_id), check,
                               remember=lambda exc: isinstance(exc, UnknownOrganization))

    def render(self, result, options, output):
        if output == 'token':
            return result.data['token']
        from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver import bearer_token_result

        full = bearer_token_result(result.data, options.get('org_id'))
        if output == 'headers':
            return full['headers']
        return dict(full, reused=result.hit)
