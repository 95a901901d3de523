# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""What the deepflow_permanent_token module does: the account's one permanent token, kept, created, rotated, deleted.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

PermanentTokenRun is run by the module frame (_module.py), which hands it the task's options. fuser is reached
directly, or with curl inside its container or pod (_exec_curl.py).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow import (
    PermanentTokenClient,
    controller_url,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_pages import page_urls
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_proof import prove_password
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_tokens import deepflow_headers
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec import ExecTarget
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_curl import CurlTransport
from ansible_collections.opsauth.tokens.plugins.module_utils._results import PLACEHOLDER
from ansible_collections.opsauth.tokens.plugins.module_utils._time import iso_from_epoch, now
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import (
    TokenFileError,
    check_token_dest,
    read_token_file,
    remove_token_file,
    write_issued_token,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_identity import (
    check_owner,
    differing_fields,
    other_identity,
    replaced_warning,
    token_identity,
)

# Whose key a file written before its identity record holds: its own email (_token_identity).
LEGACY_IDENTITY = dict(user='email')


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
    """One run of deepflow_permanent_token in the module frame (``module``: _module.OpsAuthModule).

    ``changed`` and ``deleted`` say what really happened, also when a later step fails.
    """

    def __init__(self, module):
        self.module = module
        self.email = module.params['email']
        self.dest = module.params['dest']
        self.client = self.curl = self.identity = self.replaced = self.lcuuids = None
        self.stored = {}
        self.changed = False
        self.deleted = []  # in check mode: what would be deleted

    def run(self):
        params = self.module.params
        if not self.email:
            raise OpsAuthError('email is required: the account whose permanent token to manage (or DEEPFLOW_EMAIL)')
        if not params['runtime']:
            self.module.require_requests()
        self.curl = fuser_transport(params)  # the CurlTransport to fuser over exec, else None
        self.client = PermanentTokenClient.from_options(params, transport=self.curl, path=params['api_path'])
        self.identity = token_identity(params['fuser_url'], self.email, 'deepflow_permanent_token')
        self.stored = read_stored(self.dest, report=self.report, check=self.module.check_mode)
        self.replaced = self.check_file_owner() if self.dest else None
        token = self.absent() if params['state'] == 'absent' else self.present()
        result = dict(token, changed=self.changed, deleted=self.deleted)
        if self.curl is not None and self.curl.target.pod_name:
            result['pod'] = self.curl.target.pod_name
        if params['state'] != 'absent':
            known = result['token']
            result.update(headers=deepflow_headers(known) if known else {}, pages=page_urls(controller_url(params), known))
            if params['dest']:
                result.update(dest=params['dest'], created_dirs=result.get('created_dirs') or [])
        return result

    def failure(self, exc):
        # TokenNotStored: the new key is in the failure, it exists nowhere else now.
        result = exc.failure(changed=self.changed, deleted=self.deleted)
        if exc.server_code == 'RESOURCE_ALREADY_EXIST':
            result['msg'] += ' (the account already has a permanent token: use state=rotated to replace it)'
        return result

    def report(self, message):
        """A token file that had to be narrowed to 0600 (a change on disk) or cannot be used: a warning."""
        self.module.warn(message)
        if 'changed it to 0600' in message or 'would be changed to 0600' in message:  # check mode: what would change
            self.changed = True

    def listed(self):
        """The account's permanent tokens (lcuuids): one read-only listing, however many steps ask."""
        if self.lcuuids is None:
            self.lcuuids = self.client.find(self.email)
        return self.lcuuids

    def check_file_owner(self):
        """Refuse (other_identity) a dest that holds another identity's key before anything changes; with force, the
        identity it holds (the run warns when it replaces it).

        Another account's file is refused before any request (issue 18): every state would replace or remove it. The
        same account's file recorded through another address of fuser is not another identity when fuser lists its
        lcuuid: a direct URL inside the cluster and the in-cluster one curl uses over kubectl exec reach one server
        (the example playbooks share one file that way). That needs the listing, so its refusal says so.
        """
        theirs = other_identity(self.stored, self.identity, LEGACY_IDENTITY)
        if theirs is None:
            return None
        done = 'nothing was sent'
        if differing_fields(theirs, self.identity) == ['server']:
            if self.stored.get('lcuuid') in self.listed():
                return None
            done = 'only its permanent tokens were listed, nothing was changed'
        return check_owner(self.dest, self.stored, self.identity, self.module.params['force'], LEGACY_IDENTITY, done)

    def delete_all(self, lcuuids):
        for lcuuid in lcuuids:
            if self.module.check_mode or self.client.delete(lcuuid):
                self.deleted.append(lcuuid)
                self.changed = True

    def absent(self):
        self.delete_all(self.listed())
        removed = bool(self.dest) and os.path.lexists(self.dest)
        if removed:
            self.changed = True
            if self.replaced:
                self.module.warn(replaced_warning(self.dest, self.replaced))
            if not self.module.check_mode:
                remove_token_file(self.dest)
        would = 'would ' if self.module.check_mode else ''
        done = ['%sdelete %d permanent token(s) of %s' % (would, len(self.deleted), self.email)] if self.deleted else []
        done += ['%sremove %s' % (would, self.dest)] if removed else []
        return dict(msg=' and '.join(done) if done else '%s has no permanent token' % self.email)

    def present(self):
        lcuuids = self.listed()
        rotate = self.module.params['state'] == 'rotated'
        stored = self.stored
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
            raise OpsAuthError('creating a permanent token for %s needs password (or DEEPFLOW_PASSWORD)' % self.email)
        # The old key dies with the delete and the new one is shown once: dest must be writable (and ours) before either.
        created_dirs = []
        if self.dest:
            if self.replaced:
                self.module.warn(replaced_warning(self.dest, self.replaced))
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
