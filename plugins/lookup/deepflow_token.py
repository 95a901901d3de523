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
  - Returns a DeepFlow access token for O(email) and O(password), from DeepFlow's token service (fauths,
    C(POST /login)), or the login-free URLs of DeepFlow's pages for it.
  - Ansible evaluates a lookup again every time a variable that holds it is used, in every task and for every host.
    With O(cache=true) (the default) the lookup logs in once per run for each fauths URL and O(email), and every
    other evaluation, in any fork, reuses that token. When it comes within O(min_ttl) of its expiry, the lookup
    refreshes it with the cached refresh token (C(POST /refresh_token), no password sent) while that one is valid,
    and logs in again only when it is not. See O(cache) for what is stored where, and the guide
    C(docs/token-cache.md) of the collection.
  - Every option can also be given as an C(option=value) word in a term, as a keyword argument, as a variable
    (C(ansible_deepflow_<option>)), as an environment variable (C(DEEPFLOW_<OPTION>)) or in C(ansible.cfg) (section
    C([opsauth_tokens_deepflow])), in this order of precedence; the cache options in section C([opsauth_tokens]).
options:
  output:
    description:
      - V(token) returns the access token as a string, for an C(Authorization) header with the C(Bearer) scheme.
      - V(headers) returns the C(Authorization) header for the O(ansible.builtin.uri#module:headers) option of
        M(ansible.builtin.uri).
      - V(pages) returns the login-free URLs of the documented pages by name (C(views), C(applications), C(network));
        they need O(url), the controller the pages live under.
      - V(full) returns what M(opsauth.tokens.deepflow_login) returns - the tokens, their expiry, RV(_raw[].pages) - and
        RV(_raw[].reused), true when the token came from the cache.
    type: str
    choices: [token, headers, pages, full]
    default: token
extends_documentation_fragment:
  - opsauth.tokens.deepflow
  - opsauth.tokens.deepflow.plugins
  - opsauth.tokens.token_cache
  - opsauth.tokens.http_layer
notes:
  - This lookup returns secrets - the access token, and with O(output=pages) or O(output=full) the refresh token and
    page URLs that log in anyone who holds them. Set C(no_log) to V(true) on tasks that print them or pass them to a module.
  - A password login is sent at most once per run for each identity and never retried once the server answered it,
    because DeepFlow locks accounts after repeated failed logins. With the cache, a refused login (wrong password,
    locked account) fails every later evaluation in the run at once with the same message and without a request.
  - With O(cache_dir), a token from an earlier run is refreshed once per run before use (fauths has no call that only
    checks a token); when the server rejects the refresh token, the lookup logs in once.
  - DeepFlow rotates the refresh token on every refresh; page URLs built before a refresh carry the old one, so they
    stop renewing themselves once their access token expires.
seealso:
  - module: opsauth.tokens.deepflow_login
  - plugin: opsauth.tokens.deepflow_page_url
    plugin_type: filter
  - plugin: opsauth.tokens.jms_token
    plugin_type: lookup
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

- name: Keep the tokens between runs, in a private directory
  ansible.builtin.set_fact:
    deepflow: "{{ lookup('opsauth.tokens.deepflow_token', cache_dir=token_dir ~ '/cache', output='full') }}"
  no_log: true
'''

RETURN = r'''
_raw:
  description:
    - With O(output=token), the access token.
    - With O(output=headers), a dictionary with the C(Authorization) header.
    - With O(output=pages), a dictionary of page name to login-free URL.
    - With O(output=full), a dictionary with the keys below.
  type: list
  elements: raw
  contains:
    token:
      description: The access token (a JWT).
      type: str
    refresh_token:
      description: The refresh token; it renews the access token without the password.
      type: str
    expires_in:
      description: Seconds the access token has left.
      type: int
      sample: 3599
    expires_at:
      description: When the access token expires, in seconds since the epoch (C(*_at) is an epoch across the collection).
      type: int
      sample: 1738324800
    date_expired:
      description: When the access token expires, ISO 8601 in UTC (the same time as C(expires_at)).
      type: str
      sample: '2025-01-31T12:00:00+00:00'
    token_type:
      description: What issued the token, as DeepFlow says it (V(password) after a login, V(refresh_token) after a refresh).
      type: str
      sample: password
    email:
      description: The account the token belongs to.
      type: str
      sample: ops@example.com
    license:
      description: The C(license) flag of the login answer.
      type: bool
    headers:
      description: The C(Authorization) header (C(Bearer) and the token), ready for the O(ansible.builtin.uri#module:headers) option.
      type: dict
      sample: {"Authorization": "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9..."}
    pages:
      description: The login-free URLs of the documented pages; empty when the controller URL is unknown.
      type: dict
      sample: {"views": "https://deepflow.example.com/monitor/list?token=eyJ...&refreshToken=eyJ..."}
    reused:
      description: Whether the token came from the cache rather than from a login or refresh in this evaluation.
      type: bool
      sample: true
'''

# Only what a cache hit needs is imported here: the client (and requests) is imported by token_source() and
# render(), when the cache cannot answer alone (docs/token-cache.md, "What a cache hit costs").
from ansible_collections.opsauth.tokens.plugins.plugin_utils._bytecode import load

# With its bytecode kept for the run, in the run's cache directory: see plugin_utils/_bytecode.py.
_lookup_base = load('ansible_collections.opsauth.tokens.plugins.plugin_utils._lookup_base')
OpsAuthError = _lookup_base.OpsAuthError  # module_utils/_errors, loaded by _lookup_base
_lookup_base.preload_definitions(__name__, __file__)


class LookupModule(_lookup_base.OpsAuthLookupBase):

    STABLE_OUTPUTS = ('token', 'headers', 'pages')
    SOURCE = 'deepflow'

    def check_output(self, options, output):
        from ansible_collections.opsauth.tokens.plugins.module_utils._deepflow import controller_url

        if output == 'pages' and not controller_url(options):
            # Say it before logging in: the login would be wasted.
            raise OpsAuthError('output=pages needs url, the DeepFlow controller the pages live under (fauths_url '
                               'alone names the token service, not the web UI)')

    def render(self, result, options, output):
        from ansible_collections.opsauth.tokens.plugins.module_utils._deepflow import controller_url, token_set_result
        from ansible_collections.opsauth.tokens.plugins.module_utils._deepflow_pages import page_urls
        from ansible_collections.opsauth.tokens.plugins.module_utils._deepflow_tokens import deepflow_headers, with_dates

        data = with_dates(result.data)  # today's names, also for an entry a cache_dir kept from before docs/results.md
        if output == 'token':
            return data['token']
        if output == 'headers':
            return deepflow_headers(data['token'])
        pages_base = controller_url(options)
        if output == 'pages':
            return page_urls(pages_base, data['token'], data.get('refresh_token'))
        return dict(token_set_result(data, pages_base), reused=result.hit)
