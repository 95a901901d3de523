#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: jms_request
short_description: Call any JumpServer API with any of its authentication methods
version_added: 0.1.0
author: opsauth.tokens developers (@opsauth)
requirements:
  - requests >= 2.25 (Python library) on the target
  - pyhttpsig >= 1.3.0 for access keys
description:
  - Sends one request to the JumpServer API and returns the status and the JSON answer, or with O(paginate=true)
    every item of a list endpoint.
  - Authenticates with exactly one of a password, a bearer token, a private token, an access key or a web session.
extends_documentation_fragment:
  - opsauth.tokens.jumpserver
  - opsauth.tokens.http_layer
  - opsauth.tokens.jumpserver.session
  - opsauth.tokens.attributes
  - opsauth.tokens.attributes.actiongroup_jumpserver
  - opsauth.tokens.run_login
attributes:
  check_mode:
    support: partial
    details: Only C(GET), C(HEAD) and C(OPTIONS) are sent, and nothing with a password (the login is a C(POST)).
  diff_mode:
    support: none
options:
  method:
    description: The HTTP method; any but C(GET), C(HEAD) and C(OPTIONS) reports C(changed=true).
    type: str
    choices: [GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS]
    default: GET
  path:
    description: The API path (V(/api/v1/users/users/)) or a URL on the origin of O(url); redirects are not followed.
    type: str
    required: true
  query:
    description: Query parameters.
    type: dict
  body:
    description: The JSON body, a dict, a list or a JSON string.
    type: raw
  status_code:
    description: The statuses that count as success.
    type: list
    elements: int
    default: [200, 201, 204]
  paginate:
    description: Fetch all pages of a list (C(GET) only) into RV(results).
    type: bool
    default: false
  max_pages:
    description: The most page requests of O(paginate) (1000 items each).
    type: int
    default: 100
  max_items:
    description: The most items O(paginate) may return.
    type: int
    default: 100000
notes:
  - After an HTTP 401 to a password login's token (a server restart), the module logs in again once and repeats the
    request when that is safe; see C(docs/security.md), "Organisations and long runs".
seealso:
  - module: opsauth.tokens.jms_token
'''

EXAMPLES = r'''
- name: List every organization, page by page (a password login is the run's login, shared by all hosts)
  opsauth.tokens.jms_request:
    url: "{{ jms_url }}"
    username: "{{ jms_username }}"
    password: "{{ jms_password }}"
    path: /api/v1/orgs/orgs/
    paginate: true
  register: orgs

- name: Read the profile with an access key
  opsauth.tokens.jms_request:
    url: "{{ jms_url }}"
    access_key_id: "{{ jms_access_key_id }}"
    access_key_secret: "{{ jms_access_key_secret }}"
    path: /api/v1/users/profile/

- name: Create a user in another organization (by name), with a private token
  opsauth.tokens.jms_request:
    url: "{{ jms_url }}"
    private_token: "{{ jms_private_token }}"
    org_id: Ops
    method: POST
    path: /api/v1/users/users/
    body:
      username: report-bot
      name: Report bot
      email: report-bot@example.com
    status_code: [201]
'''

RETURN = r'''
status:
  description: The HTTP status (of the last page with O(paginate=true); on failure, of the failed answer).
  returned: when a request was sent, and on failure
  type: int
  sample: 200
json:
  description: The JSON answer (on failure, the server's error answer); null when there is none.
  returned: when O(paginate=false), and on failure
  type: raw
  sample: {"username": "admin"}
error_code:
  description: Stable code (docs/errors.md); null on success.
  returned: always
  type: str
  sample: unknown_organization
results:
  description: Every item of the list endpoint.
  returned: O(paginate=true) and a request was sent
  type: list
  elements: raw
  sample: [{"username": "admin"}]
reused:
  description: Whether no login of this task was needed (a credential given, or the run's login).
  returned: always
  type: bool
  sample: true
msg:
  description: What was sent or, in check mode, what would be.
  returned: always
  type: str
  sample: GET /api/v1/users/profile/ answered 200
'''

import json

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver import (
    DEFAULT_MAX_ITEMS,
    DEFAULT_MAX_PAGES,
    JumpServerClient,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver_auth import SAFE_METHODS, PasswordAuth
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver_errors import CredentialRejected
from ansible_collections.opsauth.tokens.plugins.module_utils._options import (
    CACHE_SPEC,
    JMS_COMMON_SPEC,
    JMS_SESSION_SPEC,
    generate_argspec,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._resolve import resolve_module
from ansible_collections.opsauth.tokens.plugins.module_utils._results import succeeded
from ansible_collections.opsauth.tokens.plugins.module_utils._run_login import RUN_LOGIN_REJECTED, RunLoginModule, handed_over
from ansible_collections.opsauth.tokens.plugins.module_utils._tls import warn_insecure

ARGUMENT_SPEC = generate_argspec(
    JMS_COMMON_SPEC, CACHE_SPEC, JMS_SESSION_SPEC,
    method=dict(type='str', default='GET', choices=['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']),
    path=dict(type='str', required=True),
    query=dict(type='dict'),
    body=dict(type='raw'),
    status_code=dict(type='list', elements='int', default=[200, 201, 204]),
    paginate=dict(type='bool', default=False),
    max_pages=dict(type='int', default=DEFAULT_MAX_PAGES),
    max_items=dict(type='int', default=DEFAULT_MAX_ITEMS),
)


def json_body(body):
    if body is None or not isinstance(body, str):
        return body
    try:
        return json.loads(body)
    except ValueError:
        raise OpsAuthError('body must be JSON: a dict, a list, or a string holding JSON')


def send(module, client):
    params = module.params
    method, path = params['method'], params['path']
    changed = method not in SAFE_METHODS
    if params['paginate'] and method != 'GET':
        raise OpsAuthError('paginate works with method GET only')
    for cap in ('max_pages', 'max_items'):
        if params[cap] < 1:
            raise OpsAuthError('%s must be 1 or more, got %d' % (cap, params[cap]))
    body = json_body(params['body'])
    if module.check_mode and isinstance(client.auth, PasswordAuth):
        return dict(changed=changed, msg='would log in and send %s %s (check mode sends no login)' % (method, path))
    # Once per task, before the request: with an unknown org the server would act on the Default org.
    client.check_org()
    if module.check_mode and changed:
        return dict(changed=True, msg='would send %s %s (check mode sends only GET, HEAD and OPTIONS)' % (method, path))
    if params['paginate']:
        results = client.paginate(path, params['query'], max_pages=params['max_pages'], max_items=params['max_items'])
        return dict(changed=False, status=200, results=results,
                    msg='GET %s returned %d item(s)' % (path, len(results)))
    resp = client.request(method, path, query=params['query'], body=body)
    client.check(resp, expected=params['status_code'], method=method)
    return dict(changed=changed, status=resp.status, json=resp.json, msg='%s %s answered %d' % (method, path, resp.status))


def main():
    module = resolve_module(ARGUMENT_SPEC, module_class=RunLoginModule, supports_check_mode=True)
    warn_insecure(module)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), error_code='missing_library', exception=REQUESTS_IMPORT_ERROR)
    # The run's login, handed over by the action plugin (plugins/action/jms_request.py) instead of a login per host.
    run_login = handed_over(module)
    try:
        # The module logs in again after a 401 only for its own login; the run's is the action plugin's to renew.
        client = JumpServerClient.from_options(module.params, relogin=not run_login)
        if run_login:
            client.adopt_login(run_login[0])
        # reused: no login of this task (a token, key or session given, or the run's login that another task made).
        reused = bool(run_login[1]) if run_login else not isinstance(client.auth, PasswordAuth)
        module.exit_json(**succeeded(send(module, client), reused=reused))
    except OpsAuthError as exc:
        details = exc.failure()
        # The action plugin logs in again once for the run and sends the request again: only when that is safe, as
        # for the module's own login (a method that changes nothing, or a 401 of the authentication, before the view).
        if run_login and isinstance(exc, CredentialRejected) and (
                module.params['method'] in SAFE_METHODS or exc.server_code in ('not_authenticated', 'authentication_failed')):
            details[RUN_LOGIN_REJECTED] = True
        module.fail_json(**details)


if __name__ == '__main__':
    main()
