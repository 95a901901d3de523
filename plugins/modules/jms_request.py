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
  - requests >= 2.25 (Python library) on the host that runs the module
  - pyhttpsig >= 1.3.0 (imported as C(httpsig)) for access keys
description:
  - Sends one request to the JumpServer API and returns the status and the JSON answer.
  - Authenticates with a password (a login first), a bearer token, a private token, an access key (HTTP signature)
    or a web session (O(session_id) and O(csrf_token)). Give exactly one of them.
  - With O(paginate=true), fetches every page of a list endpoint with C(limit)/C(offset) at the server's largest page
    size (1000) and returns all the items.
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
      - An absolute URL is accepted only on the scheme, host and port of O(url); any other origin, and a
        protocol-relative V(//host/x), is refused before anything is sent, so that credentials go only to O(url).
      - Redirects are not followed; a redirect answer fails the task and names its C(Location) (often a missing
        trailing slash, or C(http) where the server wants C(https)).
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
      - A C(429) answer is retried after the server's C(Retry-After) (up to O(retries) times for each page).
    type: bool
    default: false
  max_pages:
    description:
      - With O(paginate=true), fail with one line instead of sending more than this many page requests (1000 items
        a page). A list that long is usually a wrong O(path) or a missing filter in O(query).
    type: int
    default: 100
  max_items:
    description:
      - With O(paginate=true), fail with one line when the list has more than this many items.
    type: int
    default: 100000
notes:
  - A C(GET), C(HEAD) or C(OPTIONS) request reports C(changed=false); any other method reports C(changed=true).
  - JumpServer treats an unknown O(org_id) as the Default organization, without an error; the module checks O(org_id)
    once before its request (see O(org_id)).
  - With a password, the module logs in once; if the server later forgets that token (a restart of JumpServer's Redis
    drops every bearer token) and answers HTTP 401, the module logs in again once and repeats the request when that
    is safe (a method that may be repeated, or a 401 from the server's authentication, which proves the request was
    not processed). Never for a token, key or session given in the options, never twice, never after a failed login.
  - With the run's login (see below), the new login after an HTTP 401 is one for the whole play, under the same rules.
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
  description:
    - The HTTP status of the answer (of the last page with O(paginate=true)).
    - On failure, the status of the answer that failed the task; null when no answer came.
  returned: when a request was sent, and on failure
  type: int
  sample: 200
json:
  description:
    - The JSON answer; null when the body was empty.
    - On failure, the server's error answer; null when there is none.
  returned: when O(paginate=false), and on failure
  type: raw
  sample: {"id": "8a3e0d6c-0000-4000-8000-000000000001", "username": "admin"}
error_code:
  description: The server's error code (its C(error) or C(code)); null on success and when the failure has none.
  returned: always
  type: str
  sample: object_does_not_exist
results:
  description: Every item of the list endpoint.
  returned: O(paginate=true) and a request was sent
  type: list
  elements: raw
  sample: [{"id": "8a3e0d6c-0000-4000-8000-000000000001", "username": "admin"}]
reused:
  description:
    - Whether the request went without a login of this task - with a token, private token, access key or session
      given, or with the run's login that an earlier task or host made (see C(docs/token-cache.md)).
  returned: always
  type: bool
  sample: true
msg:
  description: What was sent or, in check mode, what would be.
  returned: always
  type: str
  sample: GET /api/v1/users/profile/ answered 200
'''

from ansible_collections.opsauth.tokens.plugins.module_utils._jms_request_job import RequestRun
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver import DEFAULT_MAX_ITEMS, DEFAULT_MAX_PAGES
from ansible_collections.opsauth.tokens.plugins.module_utils._module import OpsAuthModule
from ansible_collections.opsauth.tokens.plugins.module_utils._options import (
    CACHE_SPEC,
    JMS_COMMON_SPEC,
    JMS_SESSION_SPEC,
    generate_argspec,
)

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
ARGUMENT_RULES = {}


def main():
    OpsAuthModule(ARGUMENT_SPEC, ARGUMENT_RULES, run_login=True).run(RequestRun)


if __name__ == '__main__':
    main()
