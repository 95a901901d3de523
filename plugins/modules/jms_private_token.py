#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: jms_private_token
short_description: Get, rotate or delete a JumpServer user's permanent private token inside the core container
version_added: 0.1.0
author: opsauth.tokens developers (@opsauth)
requirements:
  - C(docker), C(podman) or C(kubectl) on the target, per O(runtime)
  - requests >= 2.25 (Python library) when O(url) is set
description:
  - Gets, creates, rotates or deletes the private token of O(username) or O(usernames) with one run of
    C(manage.py shell) in the JumpServer core container (there is no REST endpoint for it).
extends_documentation_fragment:
  - opsauth.tokens.exec
  - opsauth.tokens.attributes
attributes:
  check_mode:
    support: full
    details: Only reads; a token that would be made is V(check-mode-placeholder) (docs/results.md).
  diff_mode:
    support: full
    details: The diff says whether the user has a token, never the token.
options:
  username:
    description: The user whose token this is. Give this or O(usernames).
    type: str
  usernames:
    description: Several users, in one run (one boot of JumpServer).
    type: list
    elements: str
  state:
    description:
      - V(present) returns the token, creating one when there is none; V(rotated) replaces it (the old one stops
        working at once); V(absent) deletes it.
    type: str
    choices: [present, rotated, absent]
    default: present
  apps_dir:
    description: JumpServer's C(apps) directory (with C(manage.py)).
    type: str
    default: /opt/jumpserver/apps
  python:
    description: The container's Python; the first of C(/opt/py3/bin/python), C(python3) and C(python) when not set.
    type: str
  url:
    description:
      - Base URL of JumpServer, to prove the token with C(GET /api/v1/users/profile/). Never read from the
        environment.
    type: str
  validate_certs:
    description: With O(url), verify the server's TLS certificate. Environment variable E(JMS_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description: With O(url), a CA bundle (PEM) to verify it with. Environment variable E(JMS_CA_PATH).
    type: path
  timeout:
    description: With O(url), seconds a request may take. Environment variable E(JMS_TIMEOUT).
    type: int
    default: 30
  language:
    description: With O(url), the language of the server's messages. Environment variable E(JMS_LANGUAGE).
    type: str
    default: en
notes:
  - 'This module returns a secret, the private token, which never expires. Use C(no_log: true) on the task.'
  - No token or username is put on a command line.
seealso:
  - module: opsauth.tokens.jms_request
'''

EXAMPLES = r'''
- name: Get (or create) a user's private token in the docker-compose install (on the JumpServer host)
  opsauth.tokens.jms_private_token:
    runtime: docker
    docker_binary: "{{ docker_binary | default('docker') }}"
    container: jms_core
    username: "{{ jms_username }}"
    url: "{{ jms_url }}"  # optional: check the token with one API call
  register: jms_private
  no_log: true

- name: Rotate it in a Kubernetes install, finding the core pod by its labels (in the context's namespace)
  opsauth.tokens.jms_private_token:
    runtime: kubectl
    kubectl_binary: "{{ kubectl_binary | default('kubectl') }}"
    pod_selector: app.kubernetes.io/name=jumpserver,app.jumpserver.org/name=jms-core
    username: "{{ jms_username }}"
    state: rotated
  register: jms_private
  no_log: true

- name: Delete it
  opsauth.tokens.jms_private_token:
    runtime: docker
    docker_binary: "{{ docker_binary | default('docker') }}"
    container: jms_core
    username: "{{ jms_username }}"
    state: absent

- name: The tokens of several service accounts, in one boot of JumpServer
  opsauth.tokens.jms_private_token:
    runtime: docker
    docker_binary: "{{ docker_binary | default('docker') }}"
    container: jms_core
    usernames: [alice, ops-viewer]
  register: service_tokens
  no_log: true
'''

RETURN = r'''
tokens:
  description: With O(usernames), the tokens by username (null when deleted).
  returned: O(usernames) is given
  type: dict
  sample: {backup-bot: 937b38011acf499eb474e2fecb424ab3a1b2c3d4}
users:
  description: With O(usernames), C(changed), C(created), C(existed), C(date_created), C(verified) by user.
  returned: O(usernames) is given
  type: dict
token:
  description: The private token, sent as C(Token <token>) (RV(headers)).
  returned: O(username) and O(state) is V(present) or V(rotated)
  type: str
  sample: 937b38011acf499eb474e2fecb424ab3a1b2c3d4
headers:
  description: The C(Authorization) header with the token.
  returned: when RV(token) is returned
  type: dict
  sample: {"Authorization": "Token 937b38011acf499eb474e2fecb424ab3a1b2c3d4"}
reused:
  description: Whether the existing token was returned unchanged.
  returned: always
  type: bool
  sample: true
username:
  description: The user the token belongs to.
  returned: O(username) is given
  type: str
  sample: automation
created:
  description: Whether this run made a new token.
  returned: O(username) is given
  type: bool
  sample: false
existed:
  description: Whether the user had a token before this run.
  returned: O(username) is given
  type: bool
  sample: true
date_created:
  description: When the token was created, ISO 8601 in UTC.
  returned: when RV(token) is returned
  type: str
  sample: '2026-08-21T02:00:00+00:00'
verified:
  description: Whether JumpServer accepted the token(s) at O(url).
  returned: always
  type: bool
  sample: true
pod:
  description: The pod the job ran in.
  returned: O(runtime=kubectl)
  type: str
  sample: jms-core-7d9f8b6c5-x2x4q
msg:
  description: What the module did or, in check mode, would do.
  returned: always
  type: str
  sample: created a private token for automation
error_code:
  description: Stable code (docs/errors.md); null on success.
  returned: always
  type: str
status:
  description: The HTTP status that failed the task.
  returned: failure
  type: int
json:
  description: The answer that failed the task; null when there is none.
  returned: failure
  type: raw
'''

from ansible_collections.opsauth.tokens.plugins.module_utils._defaults import DEFAULT_APPS_DIR
from ansible_collections.opsauth.tokens.plugins.module_utils._options import EXEC_SPEC, JMS_CONNECTION_SPEC, generate_argspec

ARGUMENT_SPEC = generate_argspec(
    EXEC_SPEC,
    dict((name, JMS_CONNECTION_SPEC[name]) for name in ('validate_certs', 'ca_path', 'timeout', 'language')),
    username=dict(type='str'),
    usernames=dict(type='list', elements='str'),
    state=dict(type='str', default='present', choices=['present', 'rotated', 'absent']),
    apps_dir=dict(type='str', default=DEFAULT_APPS_DIR),
    python=dict(type='str'),
    url=dict(type='str'),
)
ARGUMENT_RULES = dict(mutually_exclusive=[('username', 'usernames')], required_one_of=[('username', 'usernames')])


def main():
    # Here, not at the top: docs/architecture.md, "A module is thin".
    from ansible_collections.opsauth.tokens.plugins.module_utils._module import OpsAuthModule
    from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_private_token_job import PrivateTokenRun

    OpsAuthModule(ARGUMENT_SPEC, ARGUMENT_RULES).run(PrivateTokenRun)


if __name__ == '__main__':
    main()
