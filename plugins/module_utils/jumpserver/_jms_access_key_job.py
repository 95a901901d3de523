# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""What the jms_access_key module does in each state, with the steps of _jms_access_key_steps.py.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Every state but absent first finishes what an earlier run left: it retires the previous and the older retired keys
(each deleted once its own grace period has passed), and (but reverted) resumes a pending key (promoted when it still
signs a request, deleted when not; state=pending keeps it pending). Then: present keeps a working key; rotated rotates
a key older than max_age (every run without it); pending makes a new key and proves it, leaving the current one
current; promoted makes the pending key current; reverted deletes the pending key and says whether the current one
works; absent deletes them all (the current, pending, previous and retired keys).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import AccessKeyError
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_key_steps import KeySteps
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_keys import AccessKeyApi, key_view
from ansible_collections.opsauth.tokens.plugins.module_utils._time import parse_duration
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import remove_token_file

__all__ = ('AccessKeyJob', 'AccessKeyRun')


class AccessKeyJob(KeySteps):
    """One run of the jms_access_key module: ``run(state)`` returns the result dict (``secret`` where one is returned)."""

    # --- states --------------------------------------------------------------------------------------------------
    def run(self, state):
        self.record = self.read() if self.dest else {}
        if self.record:
            self.check_owner()
        if state == 'absent':
            return self.absent()
        old, secret = self.current()
        self.before = key_view(old) if old else {}
        self.retire_previous()
        resumed = self.resume_pending() if state != 'reverted' else None
        if resumed and state != 'pending':
            return self.promote(resumed[0], resumed[1], resumed[2], old)
        return getattr(self, state)(old, secret, resumed)

    def present(self, key, secret, resumed):
        usable = key is not None and (key.get('is_active') or self.want.get('is_active') is not None)
        if usable:
            # Settings first, then the signed test: it then tells whether the key works as it now is.
            changes = self.differences(key)
            if changes:
                key = self.patch(key, changes)
            self.verified = self.verify(key, secret)
            if self.verified is not False:
                if changes:
                    self.record.update(self.file_data(key, secret))
                    self.save()
                what = 'updated %s of' % ' and '.join(sorted(changes)) if changes else 'kept'
                return self.result(key, secret, msg='%s%s access key %s' % (
                    'would have ' if self.check and changes else '', what, key['id']))
        reason = 'missing' if key is None else 'inactive' if not key.get('is_active') else 'rejected'
        return self.rotate(reason, key)

    def rotate(self, reason, old):
        if self.check:
            return self.would_create(reason, old)
        new, secret = self.create(reason, old)
        return self.promote(new, secret, reason, old)

    def rotated(self, key, secret, resumed):
        reason = self.reason(key, secret, forced=True)
        if reason is None:
            return self.result(key, secret, msg='kept access key %s (younger than max_age)' % key['id'])
        return self.rotate(reason, key)

    def pending(self, key, secret, resumed):
        if resumed:
            new, new_secret, reason = resumed
            self.verified = True
        else:
            reason = self.reason(key, secret, forced=True)
            if reason is None:
                return self.result(key, secret, msg='kept access key %s (younger than max_age)' % key['id'])
            if self.check:
                return self.would_create(reason, key, promote=False)
            new, new_secret = self.create(reason, key)
            self.verified = True
        if key is not None:
            self.previous = dict(id=key['id'], is_active=key.get('is_active'), delete_after=None)
        return self.result(new, new_secret, rotated=True, reason=reason, msg='access key %s is pending (reason: %s)%s' % (
            new['id'], reason, ', made by an earlier run' if resumed else ''))

    def promoted(self, key, secret, resumed):
        # run() promoted a pending key that works; one that did not was deleted and is in deleted_ids.
        if self.pending_lost and not self.check:
            raise AccessKeyError('the pending access key %s no longer signs a request and was deleted; nothing was '
                                 'promoted, access key %s is still current: put it back where the pending one was '
                                 'stored' % (self.pending_lost, self.record.get('id')), code='pending_key_lost')
        self.verified = self.verify(key, secret) if key else False
        return self.result(key, secret, msg='no pending access key to promote')

    def reverted(self, key, secret, resumed):
        pend = self.record.get('pending')
        if pend:
            if self.api.get(pend['id']) is not None:
                self.delete(pend['id'])
            self.drop('pending')
        self.verified = self.verify(key, secret) if key else False
        return self.result(key, secret, msg='%s; current access key %s %s' % (
            'deleted the pending access key %s' % pend['id'] if pend else 'no pending access key',
            key['id'] if key else None, 'works' if self.verified else 'could not be proven to work'))

    def absent(self):
        self.before = {}
        ids = [self.key_id] if self.key_id else [self.record.get('id'), (self.record.get('pending') or {}).get('id')] + [
            entry['id'] for entry in self.retired_entries()]
        for key_id in [key_id for key_id in ids if key_id]:
            key = self.api.get(key_id)
            if key is not None:
                self.before = self.before or key_view(key)
                self.delete(key_id)
        held = self.dest and (self.record or self.foreign)
        if held:
            self.changed = True
            if not self.check:
                remove_token_file(self.dest)
        done = 'would delete' if self.check else 'deleted'
        parts = (['%s access key %s' % (done, ', '.join(self.deleted_ids))] if self.deleted_ids else []) + (
            ['%s %s' % ('would remove' if self.check else 'removed', self.dest)] if held else [])
        return self.result(None, msg=' and '.join(parts) if parts else 'no such access key%s' % (
            ' (id %s)' % self.key_id if self.key_id else ''))


def durations(params):
    """max_age and grace_period in seconds (None when not set); a value that is no duration fails before any request."""
    try:
        return [None if params[name] is None else parse_duration(params[name]) for name in ('max_age', 'grace_period')]
    except ValueError as exc:
        raise OpsAuthError('%s' % exc)


class AccessKeyRun:
    """One run of jms_access_key in the module frame (``module``: _module.OpsAuthModule)."""

    def __init__(self, module):
        self.module = module
        self.job = None

    def run(self):
        module, params = self.module, self.module.params
        module.require_requests()
        max_age, grace_period = durations(params)
        api = AccessKeyApi(params, confirm_password=params['confirm_password'])
        self.job = AccessKeyJob(api, dest=params['dest'], key_id=params['id'], ip_group=params['ip_group'],
                                is_active=params['is_active'], prune_inactive=params['prune_inactive'],
                                max_age=max_age, grace_period=grace_period, force=params['force'],
                                check=module.check_mode)
        result = self.job.run(params['state'])
        for message in self.job.warnings:
            module.warn(message)
        result['changed'] = result['changed'] or bool(self.job.warnings)  # dest's mode was narrowed to 0600
        if not module.diff:
            result.pop('diff', None)
        return result

    def failure(self, exc):
        # OldKeyLeft: the new key is current, in dest and in the failure (this result is as no_log'd as a success).
        job = self.job
        result = exc.failure(changed=bool(job and job.changed), deleted_ids=job.deleted_ids if job else [])
        result.pop('diff', None)
        return result
