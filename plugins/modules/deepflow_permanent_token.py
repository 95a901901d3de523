#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: deepflow_permanent_token
short_description: Manage the permanent token of a DeepFlow account
version_added: 0.1.0
author: opsauth.tokens developers (@opsauth)
requirements:
  - requests >= 2.25 (Python library) on the target
  - C(docker), C(podman) or C(kubectl) on that host with O(runtime)
description:
  - Creates, replaces or deletes the permanent token of a DeepFlow 6.6+ account through fuser, the in-cluster user
    service, directly or (O(runtime)) with C(curl) in a pod. The key is shown once; O(dest) keeps it.
extends_documentation_fragment:
  - opsauth.tokens.run_login.no_run_login
  - opsauth.tokens.deepflow
  - opsauth.tokens.deepflow.fuser
  - opsauth.tokens.exec
  - opsauth.tokens.token_file
  - opsauth.tokens.token_file.identity
  - opsauth.tokens.http_layer
  - opsauth.tokens.attributes
  - opsauth.tokens.attributes.actiongroup_deepflow
attributes:
  check_mode:
    support: full
    details: Only the C(GET) is sent; a token that would be made is a placeholder (docs/results.md).
  diff_mode:
    support: none
options:
  state:
    description:
      - V(present) creates a token when the account has none; V(rotated) replaces it on every run, after proving
        O(password) with a fauths login; V(absent) deletes it and removes O(dest). See C(docs/deepflow-tokens.md).
    type: str
    choices: [present, rotated, absent]
    default: present
  api_path:
    description: The path of the permanent token API on fuser.
    type: str
    default: /v1/user/permanent_token
notes:
  - 'RV(token), RV(headers) and RV(pages) are secret and never expire; use C(no_log: true).'
seealso:
  - module: opsauth.tokens.deepflow_login
'''

EXAMPLES = r'''
- name: Make sure the portal account has a permanent token, and keep the key
  opsauth.tokens.deepflow_permanent_token:
    fuser_url: "{{ deepflow_fuser_url }}"  # http://fuser:20824 inside the cluster
    url: "{{ deepflow_url }}"
    email: "{{ deepflow_email }}"
    password: "{{ deepflow_password }}"
    dest: "{{ token_dir }}/deepflow-permanent.json"
  register: permanent
  no_log: true

- name: Replace the key (the old one stops working; the password is proven by a login at url first)
  opsauth.tokens.deepflow_permanent_token:
    fuser_url: "{{ deepflow_fuser_url }}"
    url: "{{ deepflow_url }}"
    email: "{{ deepflow_email }}"
    password: "{{ deepflow_password }}"
    dest: "{{ token_dir }}/deepflow-permanent.json"
    state: rotated
  no_log: true

- name: Delete the account's permanent token
  opsauth.tokens.deepflow_permanent_token:
    fuser_url: "{{ deepflow_fuser_url }}"
    email: "{{ deepflow_email }}"
    dest: "{{ token_dir }}/deepflow-permanent.json"
    state: absent
'''

RETURN = r'''
token:
  description: The permanent key; null when the account has one that O(dest) does not hold (a warning says so).
  returned: when O(state) is V(present) or V(rotated)
  type: str
  sample: gAAAAABnGhcHkqB...
headers:
  description: The C(Authorization) header with the key; empty when it is not known.
  returned: when O(state) is V(present) or V(rotated)
  type: dict
  sample: {"Authorization": "Bearer gAAAAABnGhcHkqB..."}
lcuuid:
  description: The C(LCUUID) of the token.
  returned: when O(state) is V(present) or V(rotated)
  type: str
  sample: 1d036a4e-9b2f-5c6d-8e7f-0a1b2c3d4e5f
date_created:
  description: When the key was created, ISO 8601 in UTC, as recorded in O(dest); null when unknown.
  returned: when O(state) is V(present) or V(rotated)
  type: str
  sample: '2026-08-21T02:00:00+00:00'
reused:
  description: Whether the account's existing token was kept.
  returned: always
  type: bool
  sample: true
dest:
  description: The key file.
  returned: O(dest) is set and O(state) is V(present) or V(rotated)
  type: str
  sample: /var/lib/portal/deepflow-permanent.json
created_dirs:
  description: The folders created for O(dest), outermost first.
  returned: O(dest) is set and O(state) is V(present) or V(rotated)
  type: list
  elements: str
msg:
  description: What the module did or, in check mode, would do.
  returned: always
  type: str
  sample: created the permanent token of portal@example.com
deleted:
  description: The C(LCUUID)s of the tokens deleted.
  returned: always
  type: list
  elements: str
pod:
  description: The pod the requests ran in.
  returned: O(runtime=kubectl) and the module reached the pod
  type: str
  sample: front-end-6c9d7b8f5-abcde
pages:
  description: Login-free URLs of the C(views), C(applications) and C(network) pages; empty without O(url).
  returned: when O(state) is V(present) or V(rotated)
  type: dict
error_code:
  description: Stable code (docs/errors.md); null on success.
  returned: always
  type: str
  sample: password_not_proved
status:
  description: The HTTP status of the answer that failed the task.
  returned: failure
  type: int
json:
  description: C(OPT_STATUS) and C(DESCRIPTION) of fuser's failed answer.
  returned: failure
  type: raw
  sample: {"OPT_STATUS": "RESOURCE_ALREADY_EXIST"}
'''

from ansible_collections.opsauth.tokens.plugins.module_utils._defaults import PERMANENT_TOKEN_PATH
from ansible_collections.opsauth.tokens.plugins.module_utils._options import (
    CACHE_SPEC,
    DEEPFLOW_COMMON_SPEC,
    EXEC_SPEC,
    TOKEN_FILE_SPEC,
    TOKEN_OWNER_SPEC,
    generate_argspec,
)

ARGUMENT_SPEC = generate_argspec(
    DEEPFLOW_COMMON_SPEC, CACHE_SPEC, EXEC_SPEC, TOKEN_FILE_SPEC, TOKEN_OWNER_SPEC,
    state=dict(type='str', default='present', choices=['present', 'rotated', 'absent']),
    api_path=dict(type='str', default=PERMANENT_TOKEN_PATH),
)
ARGUMENT_RULES = {}


def main():
    # Here, not at the top: docs/architecture.md, "A module is thin".
    from ansible_collections.opsauth.tokens.plugins.module_utils._module import OpsAuthModule
    from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_permanent_token_job import PermanentTokenRun

    OpsAuthModule(ARGUMENT_SPEC, ARGUMENT_RULES).run(PermanentTokenRun)


if __name__ == '__main__':
    main()
