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

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.opsauth.tokens.plugins.module_utils._exec import ExecTarget
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.opsauth.tokens.plugins.module_utils._jms_private_token import (
    DEFAULT_APPS_DIR,
    FailedMidway,
    PrivateTokenError,
    run_private_tokens_job,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver import JumpServerClient
from ansible_collections.opsauth.tokens.plugins.module_utils._options import EXEC_SPEC, JMS_CONNECTION_SPEC, generate_argspec
from ansible_collections.opsauth.tokens.plugins.module_utils._resolve import resolve_module
from ansible_collections.opsauth.tokens.plugins.module_utils._results import PLACEHOLDER, succeeded
from ansible_collections.opsauth.tokens.plugins.module_utils._time import iso_from_epoch, iso_utc, now
from ansible_collections.opsauth.tokens.plugins.module_utils._tls import warn_insecure

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


# What RV(users) says about each user (nothing secret).
USER_FIELDS = ('changed', 'created', 'existed', 'date_created', 'verified')


def verify(params, token, username):
    """Prove the token works: GET /api/v1/users/profile/ with it, and check whose it is."""
    options = dict(url=params['url'], private_token=token, validate_certs=params['validate_certs'],
                   ca_path=params['ca_path'], timeout=params['timeout'], language=params['language'], retries=1)
    profile = JumpServerClient.from_options(options, methods=('private_token',)).check_token()
    owner = profile.get('username') if isinstance(profile, dict) else None
    if owner != username:
        raise PrivateTokenError('%s accepted the token but says it belongs to %r, not %r' % (params['url'], owner, username))


def describe(data, username, params, check_mode):
    state = params['state']
    if state == 'absent':
        if not data['changed']:
            return '%s has no private token' % username
        return '%s the private token of %s' % ('would delete' if check_mode else 'deleted', username)
    if state == 'rotated':
        return '%s the private token of %s' % ('would rotate' if check_mode else 'rotated', username)
    if data['changed']:
        return '%s a private token for %s' % ('would create' if check_mode else 'created', username)
    return 'returned the existing private token of %s' % username


def user_result(data, username, params, check_mode):
    """What the module says about one user (its token only where the job returned one; in check mode, where one would
    be made, the placeholder: the keys of a real run, docs/results.md)."""
    result = dict(changed=bool(data['changed']), created=bool(data.get('created')), existed=bool(data.get('existed')),
                  verified=False, msg=describe(data, username, params, check_mode))
    if params['state'] == 'absent':
        return result
    if data.get('token'):
        result.update(token=data['token'], date_created=iso_utc(data.get('date_created')))
    elif check_mode and data['changed']:
        result.update(token=PLACEHOLDER, date_created=iso_from_epoch(now()))
    if result.get('token'):
        result['headers'] = {'Authorization': 'Token %s' % result['token']}
    result['reused'] = not result['changed']
    return result


def verify_all(params, results):
    """Check every returned token against url; the users whose check failed, with why (never a token)."""
    failures = []
    for username, result in results.items():
        if not result.get('token'):
            continue
        try:
            verify(params, result['token'], username)
            result['verified'] = True
        except OpsAuthError as exc:
            failures.append('%s: %s' % (username, exc))
    return failures


def combine(results, params, check_mode, pod):
    """The module's result: one user's fields (username), or tokens and users by name (usernames)."""
    changed = any(item['changed'] for item in results.values())
    if params['username'] is not None:
        result = dict(results[params['username']], username=params['username'])
    else:
        tokens = dict((name, item.get('token')) for name, item in results.items())
        users = dict((name, dict((key, item.get(key)) for key in USER_FIELDS)) for name, item in results.items())
        done = sorted(name for name, item in results.items() if item['changed'])
        what = '%s for %s' % ('would change' if check_mode else 'changed', ', '.join(done)) if done else 'nothing to change'
        result = dict(tokens=tokens, users=users, verified=all(item['verified'] for item in results.values()),
                      msg='%d user(s), %s' % (len(results), what))
    result['changed'] = changed
    if pod:
        result['pod'] = pod
    return result


def diff(results, params):
    """Whether each user has a token before and after (never the token); one user's without nesting."""
    present = params['state'] != 'absent'
    before = dict((name, {'username': name, 'has_private_token': item['existed']}) for name, item in results.items())
    after = dict((name, {'username': name, 'has_private_token': present, 'rotated': params['state'] == 'rotated'})
                 for name in results)
    if params['username'] is not None:
        return dict(before=before[params['username']], after=after[params['username']])
    return dict(before=before, after=after)


def main():
    module = resolve_module(ARGUMENT_SPEC, supports_check_mode=True,
                            mutually_exclusive=[('username', 'usernames')], required_one_of=[('username', 'usernames')])
    warn_insecure(module)
    params = module.params
    names = [params['username']] if params['username'] is not None else params['usernames']
    who = dict(username=params['username']) if params['username'] is not None else dict(usernames=names)
    try:
        if params['url'] and not HAS_REQUESTS:
            module.fail_json(msg=missing_required_lib('requests'), error_code='missing_library', exception=REQUESTS_IMPORT_ERROR)
        target = ExecTarget.from_params(params)
        target.validate()
        try:
            rotate = params['state'] == 'rotated'
            data = run_private_tokens_job(target, names, state='present' if rotate else params['state'], rotate=rotate,
                                          check=module.check_mode, apps_dir=params['apps_dir'], python=params['python'])
        except FailedMidway as exc:
            # Tokens made before the failure exist now: return them (as no_log'd as a success) with the failure.
            done = dict((name, user_result(item, name, params, module.check_mode)) for name, item in exc.results.items())
            module.fail_json(**exc.failure(**combine(done, dict(params, username=None), module.check_mode, None)))
        results = dict((name, user_result(data[name], name, params, module.check_mode)) for name in names)
        pod = target.pod_name if target.runtime == 'kubectl' else None
        failures = verify_all(params, results) if params['url'] else []
        result = combine(results, params, module.check_mode, pod)
        if module._diff:
            result['diff'] = diff(results, params)
        if failures:
            # The job is done: a created or rotated token replaced the old one, so the change is reported and the new
            # token returned (issue 8, 6b); a token that was there before stays where it was and is not returned.
            for name, item in results.items():
                if not item['changed']:
                    item.pop('token', None)
            result = dict(combine(results, params, module.check_mode, pod), diff=result.get('diff'))
            result['msg'] = '%s, but the check against %s failed for %s' % (result['msg'], params['url'], '; '.join(failures))
            module.fail_json(**result)
        module.exit_json(**succeeded(result, reused=not result['changed']))
    except OpsAuthError as exc:
        module.fail_json(**exc.failure(**who))


if __name__ == '__main__':
    main()
