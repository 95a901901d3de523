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
  - requests >= 2.25 (Python library) on the host that runs the module
  - C(docker), C(podman) or C(kubectl) on that host with O(runtime)
description:
  - Creates, replaces or deletes the permanent token (C(ACCESS_KEY)) of a DeepFlow account through fuser, the
    internal DeepFlow user service, sending the identity headers C(X-User-Id) and C(X-User-Type).
  - DeepFlow allows at most one permanent token per account and shows its key only once, when it is created.
    With O(dest), the key is written to a JSON file (mode 0600) and returned from there on later runs.
  - Needs DeepFlow 6.6 or later. fuser is reachable only inside the DeepFlow cluster.
  - With O(runtime), every request to fuser runs as C(curl) inside a container or pod of the cluster, as DeepFlow's own
    documentation does in the C(front-end) pod (C(kubectl -n deepflow exec -i POD -- curl ...)); the request body, with
    the password, reaches curl on its standard input. Without O(runtime), the module connects to O(fuser_url) itself.
extends_documentation_fragment:
  - opsauth.tokens.run_login.no_run_login
  - opsauth.tokens.deepflow
  - opsauth.tokens.deepflow.fuser
  - opsauth.tokens.exec
  - opsauth.tokens.token_file
  - opsauth.tokens.http_layer
  - opsauth.tokens.attributes
  - opsauth.tokens.attributes.actiongroup_deepflow
attributes:
  check_mode:
    support: full
    details:
      - In check mode only the lookup (C(GET)) is sent; nothing is created or deleted and O(dest) is not written.
  diff_mode:
    support: none
options:
  state:
    description:
      - V(present) makes sure the account has a permanent token, creating one (which needs O(password)) when it has none.
      - V(absent) deletes every permanent token of the account and removes O(dest).
    type: str
    choices: [present, absent]
    default: present
  regenerate:
    description:
      - With O(state=present), delete the account's permanent token and create a new one, even if it has one.
      - Whatever still uses the old key stops working.
      - DeepFlow checks the password only when it creates a token, and accepts a new one only after the old one is
        deleted. So the module first proves O(password) with a fauths login (and logs out again) and deletes nothing
        when that fails. The login goes to O(fauths_url); without it, over O(runtime) to C(http://fauths:20822) from
        inside the pod, else to O(url) + C(/api/fauths), else (with the default O(fuser_url)) to
        C(http://fauths:20822).
    type: bool
    default: false
  api_path:
    description:
      - The path of the permanent token API on fuser. DeepFlow 6.6 moved it once; change it only if your version differs.
    type: str
    default: /v1/user/permanent_token
notes:
  - O(dest) keeps the key and its C(lcuuid), written when a token is created. With O(regenerate=true), O(dest) is
    checked and the password proved (a fauths login) before the old token is deleted. Over O(runtime) that login is
    not logged out (its bearer token would be on curl's command line in the pod); it expires by itself.
  - This module returns a secret - the permanent key, which never expires, and the page URLs built with it.
    Use C(no_log=true) on the task and keep O(dest) safe.
  - O(email) is required. O(password) is required only when a token is created.
  - When the account already has a token and O(dest) does not hold its key, the module returns RV(access_key=null) with
    a warning, because DeepFlow can never show the key again. Use O(regenerate=true) (with O(dest)) to get a new one.
  - O(url) is used to build the RV(pages) URLs and, with O(regenerate=true), to prove the password (see O(regenerate)).
  - With O(runtime), the container or pod needs C(curl), and C(requests) is not needed on the host. O(retries) is not
    used there (each request is sent once); O(ca_path) is a path inside the pod, passed as C(--cacert), and without it
    curl checks TLS with the pod's own C(CURL_CA_BUNDLE) or CA certificates; O(validate_certs=false) becomes C(-k).
seealso:
  - module: opsauth.tokens.deepflow_login
  - plugin: opsauth.tokens.deepflow_page_url
    plugin_type: filter
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

- name: The same from outside the cluster, with curl in DeepFlow's front-end pod
  opsauth.tokens.deepflow_permanent_token:
    runtime: kubectl
    kubectl_binary: "{{ kubectl_binary | default('kubectl') }}"
    namespace: deepflow
    pod_selector: app=front-end
    email: "{{ deepflow_email }}"
    password: "{{ deepflow_password }}"
    dest: "{{ token_dir }}/deepflow-permanent.json"
  no_log: true

- name: Replace the key (the old one stops working; the password is proven by a login at url first)
  opsauth.tokens.deepflow_permanent_token:
    fuser_url: "{{ deepflow_fuser_url }}"
    url: "{{ deepflow_url }}"
    email: "{{ deepflow_email }}"
    password: "{{ deepflow_password }}"
    dest: "{{ token_dir }}/deepflow-permanent.json"
    regenerate: true
  no_log: true

- name: Delete the account's permanent token
  opsauth.tokens.deepflow_permanent_token:
    fuser_url: "{{ deepflow_fuser_url }}"
    email: "{{ deepflow_email }}"
    dest: "{{ token_dir }}/deepflow-permanent.json"
    state: absent
'''

RETURN = r'''
access_key:
  description:
    - The permanent key (C(ACCESS_KEY)), a token that never expires.
    - V(null) when the account already had a token and O(dest) does not hold its key (a warning says how to rotate),
      and in check mode when a token would be created.
  returned: when O(state=present)
  type: str
  sample: gAAAAABnGhcHkqB...
lcuuid:
  description: The C(LCUUID) of the account's permanent token; V(null) in check mode when one would be created.
  returned: when O(state=present)
  type: str
  sample: 1d036a4e-9b2f-5c6d-8e7f-0a1b2c3d4e5f
deleted:
  description: The C(LCUUID)s of the tokens deleted (or that would be deleted, in check mode).
  returned: always
  type: list
  elements: str
  sample: [1d036a4e-9b2f-5c6d-8e7f-0a1b2c3d4e5f]
pod:
  description: The pod the requests ran in.
  returned: O(runtime=kubectl) and the module reached the pod
  type: str
  sample: front-end-6c9d7b8f5-abcde
pages:
  description:
    - The login-free URLs of the documented pages with the permanent key, by name (no C(refreshToken)).
    - Empty when O(url) is not set or the key is not known.
  returned: when O(state=present)
  type: dict
  contains:
    views:
      description: The views page, C(/monitor/list).
      type: str
      sample: https://deepflow.example.com/monitor/list?token=gAAAA...
    applications:
      description: The applications page, C(/appPerformance/instance/index).
      type: str
      sample: https://deepflow.example.com/appPerformance/instance/index?token=gAAAA...
    network:
      description: The network page, C(/platformOverview/instance/index).
      type: str
      sample: https://deepflow.example.com/platformOverview/instance/index?token=gAAAA...
error_code:
  description: fuser's C(OPT_STATUS) of the failed answer; null without one.
  returned: failure
  type: str
  sample: RESOURCE_ALREADY_EXIST
status:
  description: The HTTP status of the answer that failed the task; null when no answer came.
  returned: failure
  type: int
  sample: 400
json:
  description: C(OPT_STATUS) and C(DESCRIPTION) of fuser's failed answer (never its C(DATA)); null when there is none.
  returned: failure
  type: raw
  sample: {"OPT_STATUS": "RESOURCE_ALREADY_EXIST", "DESCRIPTION": "permanent token exists"}
'''

import os

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._exec import ExecTarget
from ansible_collections.opsauth.tokens.plugins.module_utils._exec_curl import CurlTransport
from ansible_collections.opsauth.tokens.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.opsauth.tokens.plugins.module_utils._options import (
    CACHE_SPEC,
    DEEPFLOW_COMMON_SPEC,
    EXEC_SPEC,
    TOKEN_FILE_SPEC,
    generate_argspec,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._resolve import resolve_module
from ansible_collections.opsauth.tokens.plugins.module_utils._time import iso_from_epoch, now
from ansible_collections.opsauth.tokens.plugins.module_utils._tls import warn_insecure
from ansible_collections.opsauth.tokens.plugins.module_utils._token_file import (
    TokenFileError,
    check_token_dest,
    read_token_file,
    remove_token_file,
    write_issued_token,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._deepflow import (
    PERMANENT_TOKEN_PATH,
    PermanentTokenClient,
    controller_url,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._deepflow_pages import page_urls
from ansible_collections.opsauth.tokens.plugins.module_utils._deepflow_proof import prove_password

ARGUMENT_SPEC = generate_argspec(
    DEEPFLOW_COMMON_SPEC, CACHE_SPEC, EXEC_SPEC, TOKEN_FILE_SPEC,
    state=dict(type='str', default='present', choices=['present', 'absent']),
    regenerate=dict(type='bool', default=False),
    api_path=dict(type='str', default=PERMANENT_TOKEN_PATH),
)


def fuser_transport(params):
    """None (direct HTTP to fuser_url) without runtime; with it, curl inside the container or pod.

    Only the transport differs: PermanentTokenRun sends the same requests through either.
    """
    target = ExecTarget.from_params(params)
    target.validate()  # also refuses exec options given without runtime, instead of silently going direct
    if target.runtime is None:
        return None
    return CurlTransport(target, params['fuser_url'], timeout=params['timeout'], validate_certs=params['validate_certs'],
                         ca_path=params['ca_path'], max_response_size=params['max_response_size'])


def stored_key(dest, email, lcuuids, report=None, check=False):
    """The key kept in dest for one of the account's current tokens, else None (never a stale or foreign key)."""
    if not dest:
        return None
    try:
        stored = read_token_file(dest, report=report, check=check) or {}
    except TokenFileError as exc:
        if report is not None:
            report('dest is not usable: %s' % exc)
        return None
    if stored.get('email') == email and stored.get('lcuuid') in lcuuids and stored.get('access_key'):
        return stored['access_key']
    return None


class PermanentTokenRun:
    """One run of the module. ``changed`` and ``deleted`` say what really happened, also when a later step fails."""

    def __init__(self, module, client, curl=None):
        self.module = module
        self.client = client
        self.curl = curl  # the CurlTransport to fuser over exec, else None
        self.email = module.params['email']
        self.dest = module.params['dest']
        self.changed = False
        self.deleted = []  # in check mode: what would be deleted

    def report(self, message):
        """A token file that had to be narrowed to 0600 (a change on disk) or cannot be used: a warning."""
        self.module.warn(message)
        if 'changed it to 0600' in message or 'would be changed to 0600' in message:  # check mode: what would change
            self.changed = True

    def delete_all(self, lcuuids):
        for lcuuid in lcuuids:
            if self.module.check_mode or self.client.delete(lcuuid):
                self.deleted.append(lcuuid)
                self.changed = True

    def absent(self):
        self.delete_all(self.client.find(self.email))
        if self.dest and os.path.lexists(self.dest):
            self.changed = True
            if not self.module.check_mode:
                remove_token_file(self.dest)
        return {}

    def present(self):
        lcuuids = self.client.find(self.email)
        if lcuuids and not self.module.params['regenerate']:
            access_key = stored_key(self.dest, self.email, lcuuids, report=self.report, check=self.module.check_mode)
            if not access_key:
                self.module.warn('The DeepFlow account %s already has a permanent token (lcuuid %s), but DeepFlow shows '
                                 'its key only when it is created and dest does not hold it, so access_key is null. To get '
                                 'a usable key, run again with regenerate=true and dest set: this deletes the existing '
                                 'token, and whatever uses it stops working.' % (self.email, lcuuids[0]))
            return dict(access_key=access_key, lcuuid=lcuuids[0])
        # Check the password before deleting anything: regenerate must never leave the account without a token for that.
        if not self.module.params['password']:
            self.module.fail_json(msg='creating a permanent token for %s needs password (or DEEPFLOW_PASSWORD)' % self.email)
        # The old key dies with the delete and the new one is shown once: dest must be writable before either.
        if self.dest:
            check_token_dest(self.dest, probe=not self.module.check_mode)
        # One token per account: the old one must go before DeepFlow accepts a new one, and fuser checks the password
        # only in the create: prove it first (a fauths login), or a wrong one leaves the account without any token.
        if lcuuids and not self.module.check_mode:
            prove_password(self.module.params, curl=self.curl)
        self.delete_all(lcuuids)
        if self.module.check_mode:
            self.changed = True
            return dict(access_key=None, lcuuid=None)
        created = self.client.create(self.email, self.module.params['password'])
        self.changed = True
        if self.dest:
            write_issued_token(self.dest, dict(created, email=self.email, date_created=iso_from_epoch(now())),
                               'DeepFlow created a new permanent token for %s (lcuuid %s)' % (self.email, created['lcuuid']),
                               dict(created, deleted=self.deleted))
        return created


def main():
    module = resolve_module(ARGUMENT_SPEC, supports_check_mode=True)
    warn_insecure(module)
    params = module.params
    if not params['email']:
        module.fail_json(msg='email is required: the account whose permanent token to manage (or DEEPFLOW_EMAIL)')
    if not params['runtime'] and not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    run = transport = None
    try:
        transport = fuser_transport(params)
        run = PermanentTokenRun(module, PermanentTokenClient.from_options(params, transport=transport, path=params['api_path']),
                                curl=transport)
        token = getattr(run, params['state'])()
    except OpsAuthError as exc:
        # TokenNotStored: the new key is in the failure, it exists nowhere else now.
        result = exc.failure(changed=bool(run and run.changed), deleted=run.deleted if run else [])
        if exc.code == 'RESOURCE_ALREADY_EXIST':
            result['msg'] += ' (the account already has a permanent token: use regenerate=true to replace it)'
        module.fail_json(**result)
    result = dict(changed=run.changed, deleted=run.deleted)
    if transport is not None and transport.target.pod_name:
        result['pod'] = transport.target.pod_name
    if params['state'] == 'present':
        result.update(token, pages=page_urls(controller_url(params), token['access_key']))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
