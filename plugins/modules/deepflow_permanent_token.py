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
    TOKEN_OWNER_SPEC,
    generate_argspec,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._resolve import resolve_module
from ansible_collections.opsauth.tokens.plugins.module_utils._results import PLACEHOLDER, succeeded
from ansible_collections.opsauth.tokens.plugins.module_utils._time import iso_from_epoch, now
from ansible_collections.opsauth.tokens.plugins.module_utils._tls import warn_insecure
from ansible_collections.opsauth.tokens.plugins.module_utils._token_file import (
    TokenFileError,
    check_token_dest,
    read_token_file,
    remove_token_file,
    write_issued_token,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._token_identity import (
    check_owner,
    replaced_warning,
    token_identity,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._deepflow import (
    PERMANENT_TOKEN_PATH,
    PermanentTokenClient,
    controller_url,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._deepflow_pages import page_urls
from ansible_collections.opsauth.tokens.plugins.module_utils._deepflow_proof import prove_password
from ansible_collections.opsauth.tokens.plugins.module_utils._deepflow_tokens import deepflow_headers

ARGUMENT_SPEC = generate_argspec(
    DEEPFLOW_COMMON_SPEC, CACHE_SPEC, EXEC_SPEC, TOKEN_FILE_SPEC, TOKEN_OWNER_SPEC,
    state=dict(type='str', default='present', choices=['present', 'rotated', 'absent']),
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


# Whose key a file written before its identity record holds: its own email (_token_identity).
LEGACY_IDENTITY = dict(user='email')


def read_stored(dest, report=None, check=False):
    """What dest holds, under today's names (``token`` was ``access_key`` before docs/results.md); {} when unusable."""
    if not dest:
        return {}
    try:
        stored = read_token_file(dest, report=report, check=check) or {}
    except TokenFileError as exc:
        if report is not None:
            report('dest is not usable: %s' % exc)
        return {}
    if 'access_key' in stored:
        stored.setdefault('token', stored.pop('access_key'))
    return stored


def stored_key(stored, email, lcuuids):
    """The key and its date_created kept in dest for one of the account's current tokens (never a stale or foreign
    key), else (None, None)."""
    if stored.get('email') == email and stored.get('lcuuid') in lcuuids and stored.get('token'):
        return stored['token'], stored.get('date_created')
    return None, None


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
        self.identity = token_identity(module.params['fuser_url'], self.email, 'deepflow_permanent_token')

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
        removed = bool(self.dest) and os.path.lexists(self.dest)
        if removed:
            self.changed = True
            if not self.module.check_mode:
                remove_token_file(self.dest)
        would = 'would ' if self.module.check_mode else ''
        done = ['%sdelete %d permanent token(s) of %s' % (would, len(self.deleted), self.email)] if self.deleted else []
        done += ['%sremove %s' % (would, self.dest)] if removed else []
        return dict(msg=' and '.join(done) if done else '%s has no permanent token' % self.email)

    def present(self):
        lcuuids = self.client.find(self.email)
        rotate = self.module.params['state'] == 'rotated'
        stored = read_stored(self.dest, report=self.report, check=self.module.check_mode)
        if lcuuids and not rotate:
            token, date_created = stored_key(stored, self.email, lcuuids)
            if not token:
                self.module.warn('The DeepFlow account %s already has a permanent token (lcuuid %s), but DeepFlow shows '
                                 'its key only when it is created and dest does not hold it, so token is null. To get '
                                 'a usable key, run again with state=rotated and dest set: this deletes the existing '
                                 'token, and whatever uses it stops working.' % (self.email, lcuuids[0]))
            where = ' from %s' % self.dest if token else ' (its key is unknown)'
            return dict(token=token, lcuuid=lcuuids[0], date_created=date_created, reused=True,
                        msg='%s the permanent token of %s%s' % ('kept' if token else 'found', self.email, where))
        # Check the password before deleting anything: rotating must never leave the account without a token for that.
        if not self.module.params['password']:
            self.module.fail_json(msg='creating a permanent token for %s needs password (or DEEPFLOW_PASSWORD)' % self.email,
                                  error_code='invalid_option')
        # The old key dies with the delete and the new one is shown once: dest must be writable (and ours) before either.
        created_dirs = []
        if self.dest:
            replaced = check_owner(self.dest, stored, self.identity, self.module.params['force'], LEGACY_IDENTITY)
            if replaced:
                self.module.warn(replaced_warning(self.dest, replaced))
            created_dirs = check_token_dest(self.dest, probe=not self.module.check_mode)
        # One token per account: the old one must go before DeepFlow accepts a new one.
        # fuser checks the password only in the create: prove it first (a fauths login), or a wrong one leaves the
        # account without any token.
        if lcuuids and not self.module.check_mode:
            prove_password(self.module.params, curl=self.curl)
        self.delete_all(lcuuids)
        verb, what = ('rotate', 'rotated') if lcuuids else ('create', 'created')
        if self.module.check_mode:
            self.changed = True
            # The keys of a real run, placeholder values (docs/results.md): the tasks after it can be templated.
            return dict(token=PLACEHOLDER, lcuuid=None, date_created=iso_from_epoch(now()), reused=False,
                        created_dirs=created_dirs, msg='would %s the permanent token of %s' % (verb, self.email))
        created = self.client.create(self.email, self.module.params['password'])
        self.changed = True
        created['date_created'] = iso_from_epoch(now())
        if self.dest:
            created_dirs = write_issued_token(
                self.dest, dict(created, email=self.email, identity=self.identity),
                'DeepFlow created a new permanent token for %s (lcuuid %s)' % (self.email, created['lcuuid']),
                dict(created, deleted=self.deleted))
        what = '%s the permanent token of %s' % (what, self.email) + (' and wrote %s' % self.dest if self.dest else '')
        return dict(created, reused=False, created_dirs=created_dirs, msg=what)


def main():
    module = resolve_module(ARGUMENT_SPEC, supports_check_mode=True)
    warn_insecure(module)
    params = module.params
    if not params['email']:
        module.fail_json(msg='email is required: the account whose permanent token to manage (or DEEPFLOW_EMAIL)',
                         error_code='invalid_option')
    if not params['runtime'] and not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), error_code='missing_library', exception=REQUESTS_IMPORT_ERROR)
    run = transport = None
    try:
        transport = fuser_transport(params)
        run = PermanentTokenRun(module, PermanentTokenClient.from_options(params, transport=transport, path=params['api_path']),
                                curl=transport)
        token = run.absent() if params['state'] == 'absent' else run.present()
    except OpsAuthError as exc:
        # TokenNotStored: the new key is in the failure, it exists nowhere else now.
        result = exc.failure(changed=bool(run and run.changed), deleted=run.deleted if run else [])
        if exc.server_code == 'RESOURCE_ALREADY_EXIST':
            result['msg'] += ' (the account already has a permanent token: use state=rotated to replace it)'
        module.fail_json(**result)
    result = dict(token, changed=run.changed, deleted=run.deleted)
    if transport is not None and transport.target.pod_name:
        result['pod'] = transport.target.pod_name
    if params['state'] != 'absent':
        known = result['token']
        result.update(headers=deepflow_headers(known) if known else {}, pages=page_urls(controller_url(params), known))
        if params['dest']:
            result.update(dest=params['dest'], created_dirs=result.get('created_dirs') or [])
    module.exit_json(**succeeded(result))


if __name__ == '__main__':
    main()
