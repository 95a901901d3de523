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
description:
  - JumpServer has no REST endpoint for permanent private tokens; they are only reachable from Django inside the
    JumpServer core container (C(jms_core) in the official installer). This module runs
    C(manage.py shell -c CODE) there once per task, with a fixed CODE that reads its input (the username) as JSON from
    standard input, and returns the user's token.
  - O(state=present) returns the user's token and creates one when the user has none; O(rotate=true) replaces it
    with a new one. O(state=absent) deletes it.
  - The container is reached with C(docker exec), C(podman exec) or C(kubectl exec) (see O(runtime)), or the command
    runs on the target host itself when O(runtime) is not set.
  - With O(url), the token is then tried against C(GET /api/v1/users/profile/) to prove it works.
extends_documentation_fragment:
  - opsauth.tokens.exec
  - opsauth.tokens.attributes
  - opsauth.tokens.attributes.actiongroup_jumpserver
attributes:
  check_mode:
    support: full
    details:
      - In check mode the code in the container only reads; an existing token is returned, a token that would be
        created or rotated is not.
  diff_mode:
    support: full
    details:
      - The diff says whether the user has a token, never the token itself.
options:
  username:
    description:
      - The JumpServer login name of the user whose token this is.
      - It reaches the code in the container only as data on standard input, so any character is safe.
    type: str
    required: true
  state:
    description:
      - V(present) returns the user's token, creating it when the user has none.
      - V(absent) deletes the user's token.
    type: str
    choices: [present, absent]
    default: present
  rotate:
    description:
      - With O(state=present), replace the token with a new one (JumpServer's C(refresh_private_token())). The old token
        stops working at once. Reports a change on every run.
    type: bool
    default: false
  apps_dir:
    description:
      - JumpServer's C(apps) directory inside the container, the one holding C(manage.py).
    type: str
    default: /opt/jumpserver/apps
  python:
    description:
      - The Python interpreter inside the container that runs JumpServer.
      - When not set, the first of C(/opt/py3/bin/python) (the official images), C(python3) and C(python) that exists
        is used, found within the same single exec.
    type: str
  url:
    description:
      - Base URL of JumpServer. When set, the token is tried with C(GET /api/v1/users/profile/) and the header
        C(Authorization) set to C(Token <token>) afterwards, and the task fails if JumpServer refuses it or it belongs
        to another user.
      - Not read from the environment on purpose, so that a run never contacts a server it was not told about.
    type: str
  validate_certs:
    description:
      - With O(url), verify the server's TLS certificate. Set to V(false) only for a test server.
      - If not set, the value of the E(JMS_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - With O(url), a CA bundle (PEM) to verify the server's certificate with.
      - If not set, the value of the E(JMS_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - With O(url), seconds to wait for the server to connect and to answer.
      - If not set, the value of the E(JMS_TIMEOUT) environment variable is used.
    type: int
    default: 30
notes:
  - This module returns a secret, the private token. Set C(no_log) to V(true) on the task and do not print the result.
    A private token never expires; keep it like a password, and rotate it with O(rotate=true) when it may have leaked.
  - Each run boots JumpServer in C(manage.py shell), which takes several seconds; the module does the whole job in one
    such run.
  - The token and the username never appear on a command line (visible to every local user in the process list);
    only the fixed code, O(apps_dir) and O(python) do.
seealso:
  - module: opsauth.tokens.jms_request
  - module: opsauth.tokens.jms_token
  - name: JumpServer API authentication
    description: JumpServer's guide to API tokens, private tokens and access keys.
    link: https://docs.jumpserver.org/zh/v4/dev/rest_api/
'''

EXAMPLES = r'''
- name: Get (or create) the private token of the automation user in the docker-compose install
  opsauth.tokens.jms_private_token:
    runtime: docker
    container: jms_core
    username: automation
    url: https://jumpserver.example.com
  register: jms_private
  no_log: true

- name: Use it
  ansible.builtin.uri:
    url: https://jumpserver.example.com/api/v1/users/users/?limit=10
    headers:
      Authorization: "Token {{ jms_private.token }}"
  no_log: true

- name: Rotate it in a Kubernetes install, finding the core pod by its labels
  opsauth.tokens.jms_private_token:
    runtime: kubectl
    namespace: jumpserver
    pod_selector: app.kubernetes.io/name=jumpserver,app.jumpserver.org/name=jms-core
    username: automation
    rotate: true
  register: jms_private
  no_log: true

- name: Delete it
  opsauth.tokens.jms_private_token:
    runtime: docker
    container: jms_core
    username: automation
    state: absent
'''

RETURN = r'''
token:
  description: The private token (40 hexadecimal characters); send it in the header C(Authorization) as C(Token <token>).
  returned: O(state=present), except in check mode when it would be created or rotated
  type: str
  sample: 937b38011acf499eb474e2fecb424ab3a1b2c3d4
username:
  description: The user the token belongs to.
  returned: always
  type: str
  sample: automation
created:
  description: Whether this run made a new token (the user had none, or O(rotate=true)).
  returned: always
  type: bool
  sample: false
existed:
  description: Whether the user had a token before this run.
  returned: always
  type: bool
  sample: true
date_created:
  description: When the returned token was created, ISO 8601.
  returned: when RV(token) is returned
  type: str
  sample: '2026-08-21T10:00:00+08:00'
verified:
  description: Whether JumpServer accepted the token at O(url).
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
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.opsauth.tokens.plugins.module_utils._exec import ExecTarget
from ansible_collections.opsauth.tokens.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._jms_private_token import (
    DEFAULT_APPS_DIR,
    PrivateTokenError,
    run_private_token_job,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver import JumpServerClient
from ansible_collections.opsauth.tokens.plugins.module_utils._options import EXEC_SPEC, JMS_CONNECTION_SPEC

ARGUMENT_SPEC = dict(
    EXEC_SPEC,
    username=dict(type='str', required=True),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    rotate=dict(type='bool', default=False),
    apps_dir=dict(type='str', default=DEFAULT_APPS_DIR),
    python=dict(type='str'),
    url=dict(type='str'),
    **dict((name, JMS_CONNECTION_SPEC[name]) for name in ('validate_certs', 'ca_path', 'timeout'))
)


def verify(params, token, username):
    """Prove the token works: GET /api/v1/users/profile/ with it, and check whose it is."""
    options = dict(url=params['url'], private_token=token, validate_certs=params['validate_certs'],
                   ca_path=params['ca_path'], timeout=params['timeout'], retries=1)
    profile = JumpServerClient.from_options(options, methods=('private_token',)).check_token()
    owner = profile.get('username') if isinstance(profile, dict) else None
    if owner != username:
        raise PrivateTokenError('%s accepted the token but says it belongs to %r, not %r' % (params['url'], owner, username))


def describe(data, params, check_mode):
    username, state = params['username'], params['state']
    if state == 'absent':
        if not data['changed']:
            return '%s has no private token' % username
        return '%s the private token of %s' % ('would delete' if check_mode else 'deleted', username)
    if params['rotate']:
        return '%s the private token of %s' % ('would rotate' if check_mode else 'rotated', username)
    if data['changed']:
        return '%s a private token for %s' % ('would create' if check_mode else 'created', username)
    return 'returned the existing private token of %s' % username


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    try:
        if params['url'] and not HAS_REQUESTS:
            module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        target = ExecTarget.from_params(params)
        target.validate()
        data = run_private_token_job(target, params['username'], state=params['state'], rotate=params['rotate'],
                                     check=module.check_mode, apps_dir=params['apps_dir'], python=params['python'])
        result = dict(changed=data['changed'], username=params['username'], created=bool(data.get('created')),
                      existed=bool(data.get('existed')), verified=False, msg=describe(data, params, module.check_mode))
        if target.runtime == 'kubectl':
            result['pod'] = target.pod_name
        if params['state'] == 'present' and data.get('token'):
            result.update(token=data['token'], date_created=data.get('date_created'))
            if params['url']:
                verify(params, data['token'], params['username'])
                result['verified'] = True
        if module._diff:
            after = params['state'] == 'present'
            result['diff'] = dict(before={'username': params['username'], 'has_private_token': result['existed']},
                                  after={'username': params['username'], 'has_private_token': after,
                                         'rotated': bool(params['rotate'] and after)})
        module.exit_json(**result)
    except OpsAuthError as exc:
        module.fail_json(msg=str(exc), username=params['username'])


if __name__ == '__main__':
    main()
