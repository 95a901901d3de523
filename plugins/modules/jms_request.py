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

from ansible_collections.opsauth.tokens.plugins.module_utils._defaults import DEFAULT_MAX_ITEMS, DEFAULT_MAX_PAGES
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
    # Here, not at the top: docs/architecture.md, "A module is thin".
    from ansible_collections.opsauth.tokens.plugins.module_utils._module import OpsAuthModule
    from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_request_job import RequestRun

    OpsAuthModule(ARGUMENT_SPEC, ARGUMENT_RULES, run_login=True).run(RequestRun)


if __name__ == '__main__':
    main()
