# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: deepflow_token
short_description: A DeepFlow access token, logging in once per playbook run
version_added: 0.1.0
author: opsauth.tokens developers (@opsauth)
requirements:
  - requests >= 2.25 (Python library) on the controller
description:
  - Returns a DeepFlow access token for O(email) and O(password) from fauths, or the login-free page URLs for it,
    logging in once per run for all tasks, hosts and forks and refreshing the token near its expiry (see O(cache)).
  - Every option can also be a C(option=value) word of a term, a keyword argument, a variable, an environment variable
    or an C(ansible.cfg) entry, in this order of precedence.
options:
  output:
    description:
      - V(token) returns the access token; V(headers) the C(Authorization) header; V(pages) the login-free page URLs
        by name (they need O(url)); V(full) what M(opsauth.tokens.deepflow_login) returns, and RV(_raw[].reused).
    type: str
    choices: [token, headers, pages, full]
    default: token
extends_documentation_fragment:
  - opsauth.tokens.deepflow
  - opsauth.tokens.deepflow.plugins
  - opsauth.tokens.token_cache
  - opsauth.tokens.http_layer
notes:
  - 'This lookup returns secrets (tokens, page URLs); use C(no_log: true) on tasks that print them or pass them on.'
seealso:
  - module: opsauth.tokens.deepflow_login
  - plugin: opsauth.tokens.deepflow_page_url
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Call DeepFlow with a token the whole run shares
  ansible.builtin.uri:
    url: "{{ deepflow_url }}/api/fauths/user"
    headers:
      Authorization: "Bearer {{ lookup('opsauth.tokens.deepflow_token', url=deepflow_url, email=deepflow_email,
                                      password=deepflow_password) }}"
  no_log: true

- name: Configure the connection with variables (in group_vars, say) and build the login-free page URLs
  ansible.builtin.set_fact:
    deepflow_pages: "{{ lookup('opsauth.tokens.deepflow_token', output='pages') }}"
  vars:
    ansible_deepflow_url: "{{ deepflow_url }}"
    ansible_deepflow_email: "{{ deepflow_email }}"
    ansible_deepflow_password: "{{ deepflow_password }}"
  no_log: true

- name: Inside the cluster, talk to fauths directly (DEEPFLOW_FAUTHS_URL works too)
  ansible.builtin.set_fact:
    deepflow_token: "{{ lookup('opsauth.tokens.deepflow_token', fauths_url=deepflow_fauths_url) }}"
  no_log: true
'''

RETURN = r'''
_raw:
  description: The token, the headers, the pages, or with O(output=full) a dictionary with the keys below.
  type: list
  elements: raw
  contains:
    token:
      description: The access token (a JWT).
      type: str
    refresh_token:
      description: The refresh token.
      type: str
    expires_in:
      description: Seconds the access token has left.
      type: int
    expires_at:
      description: When the access token expires, in epoch seconds.
      type: int
    date_expired:
      description: When the access token expires, ISO 8601 in UTC.
      type: str
    token_type:
      description: How it was issued, V(password) or V(refresh_token).
      type: str
    email:
      description: The account the token belongs to.
      type: str
    license:
      description: The C(license) flag of the login answer.
      type: bool
    headers:
      description: The C(Authorization) header.
      type: dict
    pages:
      description: The login-free page URLs; empty when the controller URL is unknown.
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
OpsAuthError = _lookup_base.OpsAuthError  # module_utils/_errors, loaded by _lookup_base
_lookup_base.preload_definitions(__name__, __file__)


class LookupModule(_lookup_base.OpsAuthLookupBase):

    STABLE_OUTPUTS = ('token', 'headers', 'pages')
    SOURCE = 'deepflow'

    def check_output(self, options, output):
        from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow import controller_url

        if output == 'pages' and not controller_url(options):
            # Say it before logging in: the login would be wasted.
            raise OpsAuthError('output=pages needs url, the DeepFlow controller the pages live under (fauths_url '
                               'alone names the token service, not the web UI)')

    def render(self, result, options, output):
        from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow import controller_url, token_set_result
        from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_pages import page_urls
        from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_tokens import deepflow_headers, with_dates

        data = with_dates(result.data)  # today's names, also for an entry a cache_dir kept from before docs/results.md
        if output == 'token':
            return data['token']
        if output == 'headers':
            return deepflow_headers(data['token'])
        pages_base = controller_url(options)
        if output == 'pages':
            return page_urls(pages_base, data['token'], data.get('refresh_token'))
        return dict(token_set_result(data, pages_base), reused=result.hit)
