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
  - Returns a JumpServer bearer token for O(username) and O(password), logging in with C(POST /api/v1/authentication/auth/)
    and answering an MFA challenge with a code computed from O(mfa_totp_secret) (or given in O(mfa_code)).
  - Ansible evaluates a lookup again every time a variable that holds it is used, in every task and for every host.
    With O(cache=true) (the default) the lookup logs in once per run for each O(url) and O(username), and every other
    evaluation, in any fork, reuses that token until it comes within O(min_ttl) of its expiry.
    See O(cache) for what is stored where, and the guide C(docs/token-cache.md) of the collection.
  - Every option can also be given as an C(option=value) word in a term, as a keyword argument, as a variable
    (C(ansible_jms_<option>)), as an environment variable (C(JMS_<OPTION>)) or in C(ansible.cfg) (section
    C([opsauth_tokens_jumpserver])), in this order of precedence; the cache options in section C([opsauth_tokens]).
options:
  output:
    description:
      - V(token) returns the token as a string.
      - V(headers) returns the C(Authorization) and C(X-JMS-ORG) headers for the O(ansible.builtin.uri#module:headers)
        option of M(ansible.builtin.uri).
      - V(full) returns what M(opsauth.tokens.jms_token) returns - RV(_raw[].token), RV(_raw[].keyword),
        RV(_raw[].date_expired), RV(_raw[].expires_in), RV(_raw[].user), RV(_raw[].headers) - and RV(_raw[].reused), true when
        the token came from the cache.
    type: str
    choices: [token, headers, full]
    default: token
extends_documentation_fragment:
  - opsauth.tokens.jumpserver
  - opsauth.tokens.jumpserver.plugins
  - opsauth.tokens.token_cache
  - opsauth.tokens.http_layer
notes:
  - This lookup returns a secret. Set C(no_log) to V(true) on tasks that print it or pass it to a module; for example
    M(ansible.builtin.uri) shows its O(ansible.builtin.uri#module:headers) at C(-v) and more.
  - Only the password login gives a bearer token; O(token), O(private_token) and access keys are refused.
  - A password login is sent at most once per run for each identity and never retried once the server answered it,
    because JumpServer blocks a user after 7 failed logins in 30 minutes. With the cache, a refused login (wrong
    password, blocked or inactive user, MFA failure, login confirmation rejected) fails every later evaluation in the
    run at once with the same message and without a request.
  - With O(cache_dir), a token from an earlier run is checked once per run with C(GET /api/v1/users/profile/); when the
    server rejects it (HTTP 401), the lookup logs in once and uses the new token for the rest of the run.
  - A login from the same address returns the same token as the previous login, with a fresh lifetime.
seealso:
  - module: opsauth.tokens.jms_token
  - module: opsauth.tokens.jms_request
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

- name: Keep the token between runs, in a private directory
  ansible.builtin.set_fact:
    jms_token: "{{ lookup('opsauth.tokens.jms_token', cache_dir=token_dir ~ '/cache') }}"
  no_log: true

- name: Log in on every evaluation, with nothing written to disk
  ansible.builtin.set_fact:
    jms: "{{ lookup('opsauth.tokens.jms_token', cache=false, output='full') }}"
  no_log: true
'''

RETURN = r'''
_raw:
  description:
    - With O(output=token), the bearer token.
    - With O(output=headers), a dictionary of the C(Authorization) and C(X-JMS-ORG) headers.
    - With O(output=full), a dictionary with the keys below.
  type: list
  elements: raw
  contains:
    token:
      description: The bearer token.
      type: str
      sample: 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d
    keyword:
      description: The C(Authorization) scheme of the token.
      type: str
      sample: Bearer
    date_expired:
      description: When the token expires, ISO 8601 in UTC (converted from the server's time zone).
      type: str
      sample: '2026-08-22T02:00:00+00:00'
    expires_at:
      description: When the token expires, in seconds since the epoch.
      type: int
      sample: 1787364000
    expires_in:
      description: Seconds the token has left.
      type: int
      sample: 86399
    user:
      description: The user the token belongs to - C(id), C(username), C(name).
      type: dict
    headers:
      description: The C(Authorization) and C(X-JMS-ORG) headers.
      type: dict
      sample: {"Authorization": "Bearer 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "X-JMS-ORG": "00000000-0000-0000-0000-000000000002"}
    reused:
      description: Whether the token came from the cache rather than from a login in this evaluation.
      type: bool
      sample: true
'''

# Only what a cache hit needs is imported here: the client (and requests) is imported by token_source() and
# render(), when the cache cannot answer alone (docs/token-cache.md, "What a cache hit costs").
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
        from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver_errors import UnknownOrganization

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
        from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver import bearer_token_result

        full = bearer_token_result(result.data, options.get('org_id'))
        if output == 'headers':
            return full['headers']
        return dict(full, reused=result.hit)
