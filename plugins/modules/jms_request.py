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
description:
  - Sends one request to the JumpServer API and returns the status and the JSON answer.
  - Authenticates with a password (a login first), a bearer token, a private token, an access key (HTTP signature)
    or a web session (O(session_id) and O(csrf_token)). Give exactly one of them.
  - With O(paginate=true), fetches every page of a list endpoint with C(limit)/C(offset) at the server's largest page
    size (1000) and returns all the items.
extends_documentation_fragment:
  - opsauth.tokens.jumpserver
  - opsauth.tokens.attributes
  - opsauth.tokens.attributes.actiongroup_jumpserver
  - opsauth.tokens.run_login
attributes:
  check_mode:
    support: partial
    details:
      - In check mode only C(GET), C(HEAD) and C(OPTIONS) requests are sent; other methods are reported as changed
        and not sent.
      - With a password, nothing is sent in check mode, since a login is a C(POST) that counts toward the lockout.
  diff_mode:
    support: none
options:
  method:
    description: The HTTP method.
    type: str
    choices: [GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS]
    default: GET
  path:
    description:
      - The API path, for example V(/api/v1/users/users/). A query string may be part of it, or given in O(query).
    type: str
    required: true
  query:
    description: Query parameters.
    type: dict
  body:
    description:
      - The JSON body (a dict or a list; a string is parsed as JSON).
    type: raw
  status_code:
    description: The statuses that count as success; any other fails the task.
    type: list
    elements: int
    default: [200, 201, 204]
  paginate:
    description:
      - Fetch all pages of a list endpoint (only with O(method=GET)) and return the items in RV(results).
      - C(limit) and C(offset) in O(query) are replaced.
    type: bool
    default: false
  session_id:
    description:
      - The C(jms_sessionid) cookie of a web login session.
      - If not set, the value of the E(JMS_SESSION_ID) environment variable is used.
    type: str
  csrf_token:
    description:
      - The C(jms_csrftoken) cookie of the same session; needed for methods other than C(GET), C(HEAD) and C(OPTIONS).
      - If not set, the value of the E(JMS_CSRF_TOKEN) environment variable is used.
    type: str
notes:
  - A C(GET), C(HEAD) or C(OPTIONS) request reports C(changed=false); any other method reports C(changed=true).
  - Requests that are safe to repeat are retried after connection errors and HTTP 429, 502, 503 and 504; C(POST) and
    C(PATCH) are retried only when they never reached the server.
  - JumpServer treats an unknown O(org_id) as the Default organization, without an error.
  - With O(username) and O(password) given as task arguments or through C(module_defaults), the module uses the run's
    login - the same per-run token cache as the P(opsauth.tokens.jms_token#lookup) lookup - so a play of many hosts
    logs in once, a refused password is sent once per run, and when the server answers HTTP 401 for that token the
    whole play logs in again once and the request is sent again. C(cache=false) (E(OPSAUTH_TOKENS_CACHE)) turns this
    off. See C(docs/token-cache.md) of the collection.
seealso:
  - module: opsauth.tokens.jms_token
'''

EXAMPLES = r'''
- name: List every user, page by page
  opsauth.tokens.jms_request:
    url: https://jumpserver.example.com
    token: "{{ jms.token }}"
    path: /api/v1/users/users/
    paginate: true
  register: users

- name: Read the profile with an access key
  opsauth.tokens.jms_request:
    url: https://jumpserver.example.com
    access_key_id: "{{ jms_access_key_id }}"
    access_key_secret: "{{ vault_jms_access_key_secret }}"
    path: /api/v1/users/profile/

- name: Create an asset node in another organization
  opsauth.tokens.jms_request:
    url: https://jumpserver.example.com
    private_token: "{{ vault_jms_private_token }}"
    org_id: 7c4e9a1b-0000-4000-8000-000000000010
    method: POST
    path: /api/v1/assets/nodes/
    body:
      value: web
    status_code: [201]
'''

RETURN = r'''
status:
  description: The HTTP status of the answer (of the last page with O(paginate=true)).
  returned: when a request was sent
  type: int
  sample: 200
json:
  description: The JSON answer; null when the body was empty.
  returned: when a request was sent and O(paginate=false)
  type: raw
  sample: {"id": "8a3e0d6c-0000-4000-8000-000000000001", "username": "admin"}
results:
  description: Every item of the list endpoint.
  returned: O(paginate=true) and a request was sent
  type: list
  elements: raw
  sample: [{"id": "8a3e0d6c-0000-4000-8000-000000000001", "username": "admin"}]
msg:
  description: What was sent or, in check mode, what would be.
  returned: always
  type: str
  sample: GET /api/v1/users/profile/ answered 200
'''

import json

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.opsauth.tokens.plugins.module_utils._http import HAS_REQUESTS, OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver import (
    SAFE_METHODS,
    CredentialRejected,
    JumpServerClient,
    PasswordAuth,
    error_details,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._options import (
    JMS_COMMON_SPEC,
    JMS_SESSION_SPEC,
    RUN_LOGIN_REJECTED,
    RUN_LOGIN_SPEC,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._run_login import handed_over

ARGUMENT_SPEC = dict(
    JMS_COMMON_SPEC,
    method=dict(type='str', default='GET', choices=['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']),
    path=dict(type='str', required=True),
    query=dict(type='dict'),
    body=dict(type='raw'),
    status_code=dict(type='list', elements='int', default=[200, 201, 204]),
    paginate=dict(type='bool', default=False),
    **dict(JMS_SESSION_SPEC, **RUN_LOGIN_SPEC)
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
    body = json_body(params['body'])
    if module.check_mode and changed:
        return dict(changed=True, msg='would send %s %s (check mode sends only GET, HEAD and OPTIONS)' % (method, path))
    if module.check_mode and isinstance(client.auth, PasswordAuth):
        return dict(changed=False, msg='would log in and send %s %s (check mode sends no login)' % (method, path))

    if params['paginate']:
        results = client.paginate(path, params['query'])
        return dict(changed=False, status=200, results=results,
                    msg='GET %s returned %d item(s)' % (path, len(results)))
    resp = client.request(method, path, query=params['query'], body=body)
    client.check(resp, expected=params['status_code'], method=method)
    return dict(changed=changed, status=resp.status, json=resp.json, msg='%s %s answered %d' % (method, path, resp.status))


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'))
    # The run's login, handed over by the action plugin (plugins/action/jms_request.py) instead of a login per host.
    run_login = handed_over(module)
    try:
        client = JumpServerClient.from_options(module.params)
        if run_login:
            client.adopt_login(run_login[0])
        module.exit_json(**send(module, client))
    except OpsAuthError as exc:
        details = error_details(exc, body=True)
        if run_login and isinstance(exc, CredentialRejected):
            details[RUN_LOGIN_REJECTED] = True  # the action plugin logs in again once for the run, and retries
        module.fail_json(msg=str(exc), **details)


if __name__ == '__main__':
    main()
