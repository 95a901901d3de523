# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The steps of an access-key rotation: each writes dest before it acts on the server, and each can fail without harm.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

The key file (dest) is the job's memory between runs, and every step writes it before it acts on the server:
  id, secret, is_active, ip_group, date_created, ...   the current key, the one clients use
  pending   {id, secret, date_created, reason, ...}    a new key, made and proven by a signed request, not yet current
                                                     (state=pending, or a rotation killed before it finished); one
  previous  {id, secret, delete_after}               the key the last rotation retired: inactive until delete_after
                                                     (the grace period), then deleted by whichever run comes next
  retired   [{id, delete_after}, ...]                older retired keys (a rotation came within their grace period):
                                                     inactive, each deleted by a run after its own delete_after
So a run killed at any point leaves a file the next run finishes from: a pending key is promoted when it still signs
a request and deleted when it does not; a retired key is deactivated, and deleted once its grace period has passed,
never before (at JumpServer's limit of 10 keys the job fails rather than delete one early). Nothing old is retired
before the new key is proven and written, and no key this job did not make is ever deleted (except by the explicit
prune_inactive, which spares the retired keys still in their grace period). ``AccessKeyJob`` takes an AccessKeyApi
and plain values, so it is unit-tested against the simulator without Ansible.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils import _time
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_key_checks import key_id_or_fail
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_key_retirement import RetiredKeys
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_keys import KEY_FIELDS, MAX_KEYS, diff_view, key_view
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import AccessKeyError, JumpServerError, KeyLimitReached, OldKeyLeft
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_identity import (
    IDENTITY_KEY,
    check_owner,
    identity_of,
    replaced_warning,
    token_identity,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import (
    check_token_dest,
    missing_dirs,
    read_token_file,
    write_token_file,
)

__all__ = ('KeySteps',)

# The fields of the file that describe the current key (the rest: pending, previous, and what others record there).
_CURRENT_FIELDS = KEY_FIELDS + ('secret', 'url', IDENTITY_KEY)
# Whose key a file written before its identity record holds: its own url (_token_identity).
LEGACY_IDENTITY = dict(server='url')


class KeySteps(RetiredKeys):
    """The steps (create into pending, promote, retire the previous key, resume a pending one) and the result shape;
    the states that order them are AccessKeyJob's (_jms_access_key_job.py). ``max_age``, ``grace_period``: seconds.
    """

    def __init__(self, api, dest=None, key_id=None, ip_group=None, is_active=None, prune_inactive=False,
                 max_age=None, grace_period=None, force=False, check=False):
        self.api = api
        self.dest = dest
        self.key_id = None if key_id is None else key_id_or_fail(key_id)  # before any request, the login included
        self.want = dict((name, value) for name, value in (('ip_group', ip_group), ('is_active', is_active))
                         if value is not None)
        self.prune_inactive = prune_inactive
        self.max_age = max_age
        self.grace_period = grace_period or 0
        self.force = force
        self.check = check
        self.identity = None  # whose keys these are (_token_identity), known once check_owner() ran
        self.foreign = False  # dest held another identity's key and force=true lets this run replace it
        self.record = {}
        self.changed = False
        self.verified = False
        self.previous = None  # RV(previous): the key retired (or to be retired) by the rotation
        self.deleted_ids = []
        self.created_dirs = []  # RV(created_dirs): the folders made for dest (mode 0700), or in check mode to be made
        self.pending_lost = None  # the id of a pending key that no longer worked and was deleted
        self.warnings = []  # what reading dest fixed (a mode wider than 0600) or a key deleted to make room

    # --- the file and the server, every change counted -----------------------------------------------------------
    def read(self):
        data = read_token_file(self.dest, report=self.warnings.append, check=self.check) if self.dest else None
        if data is not None and not (data.get('id') and data.get('secret')) and not isinstance(data.get('pending'), dict):
            raise AccessKeyError('%s holds no access key (id and secret); point dest at another file or remove it'
                                 % self.dest)
        data = dict(data or {})
        # Every id of dest goes into a URL path (issue 17): a UUID or nothing is sent.
        if data.get('id'):
            data['id'] = key_id_or_fail(data['id'], source=self.dest)
        for slot in ('pending', 'previous'):
            if isinstance(data.get(slot), dict):
                data[slot]['id'] = key_id_or_fail(data[slot].get('id'), source='%s (%s)' % (self.dest, slot))
        if data.get('retired') is not None:
            if not isinstance(data['retired'], list) or not all(isinstance(entry, dict) for entry in data['retired']):
                raise AccessKeyError('%s: retired must be a list of {id, delete_after}; point dest at another file or '
                                     'remove it' % self.dest)
            for entry in data['retired']:
                entry['id'] = key_id_or_fail(entry.get('id'), source='%s (retired)' % self.dest)
        return data

    def check_owner(self):
        """Refuse, before anything changes, a dest that holds another identity's key (unless force=true).

        Keys are per user: with another user's key in dest, every step would act on ids this user cannot see, and the
        new key would overwrite the only copy of the other user's secret. The username comes from the task (password)
        or, when the file names a user, from one GET of the profile.
        """
        stored = identity_of(self.record, LEGACY_IDENTITY)
        user = self.api.username() if stored.get('user') else None
        self.identity = token_identity(self.api.client.base_url, user, 'jms_access_key')
        replaced = check_owner(self.dest, self.record, self.identity, self.force, LEGACY_IDENTITY)
        if replaced:
            self.warnings.append(replaced_warning(self.dest, replaced))
            self.foreign = True
            self.record = {}  # none of its ids are ours to resume, retire or delete

    def save(self):
        self.changed = True
        if not self.check:
            self.created_dirs += write_token_file(self.dest, self.record)

    def drop(self, slot):
        if self.record.pop(slot, None) is not None:
            self.save()

    def delete(self, key_id):
        self.changed = True
        if self.check or self.api.delete(key_id):
            self.deleted_ids.append(key_id)

    def patch(self, key, changes):
        self.changed = True
        return dict(key, **changes) if self.check else self.api.patch(key['id'], changes)

    def differences(self, key, want=None):
        want = self.want if want is None else want
        return dict((name, value) for name, value in want.items() if key.get(name) != value)

    def owner(self):
        """The identity record dest gets with a key (the user learnt once, at the first write)."""
        if self.identity is None or self.identity.get('user') is None:
            self.identity = token_identity(self.api.client.base_url, self.api.username(), 'jms_access_key')
        return self.identity

    def file_data(self, key, secret):
        return dict(key_view(key), secret=secret, url=self.api.client.base_url, **{IDENTITY_KEY: self.owner()})

    def current(self):
        """(the current key as the server has it, or None; its secret from dest)."""
        key_id = self.record.get('id')
        return (self.api.get(key_id) if key_id else None), self.record.get('secret')

    def verify(self, key, secret):
        """True/False whether the secret signs; None when it cannot be told (inactive, or limited to some IPs)."""
        if not key or not key.get('is_active'):
            return None
        if self.api.signs(key['id'], secret):
            return True
        # Refused: a wrong secret, or this host is outside the key's ip_group; the server tells them apart only in a
        # translated message, so a limited key is kept rather than replaced on every run.
        return None if list(key.get('ip_group') or ['*']) != ['*'] else False

    def reason(self, key, secret, forced):
        """Why the current key must be rotated (issue 19's words), or None to keep it."""
        if key is None:
            return 'missing'
        if not key.get('is_active'):
            return 'inactive'
        if forced and self.max_age is None:
            return 'forced'  # replaced whatever it does: no signed test of a key about to go
        self.verified = self.verify(key, secret)
        if self.verified is False:
            return 'rejected'
        if self.max_age is not None:
            created = _time.epoch_from_iso(key.get('date_created'))
            return 'age' if created is None or _time.now() - created >= self.max_age else None
        return None

    # --- the steps -----------------------------------------------------------------------------------------------
    def resume_pending(self):
        """(key, secret, reason) of the pending key when it still works; a pending key that does not is deleted."""
        pend = self.record.get('pending')
        if not pend:
            return None
        key = self.api.get(pend['id'])
        if key is not None and key.get('is_active') and self.verify(key, pend['secret']) is not False:
            return key, pend['secret'], pend.get('reason')
        if key is not None:
            self.delete(pend['id'])
        self.pending_lost = pend['id']
        self.drop('pending')
        return None

    def prune(self):
        if self.prune_inactive:
            graced = set(entry['id'] for entry in self.in_grace())  # retired keys wait for their grace period
            for key in self.api.list():
                if not key.get('is_active') and key['id'] not in graced:
                    self.delete(key['id'])

    def _create_within_the_limit(self):
        """The new key; at the limit, a failure that names this job's keys still in their grace period."""
        try:
            return self.api.create()
        except KeyLimitReached as exc:
            graced = self.in_grace()
            if not graced:
                raise
            # Retired keys are deleted after their grace period, never before (issue 19): no room is made early.
            raise KeyLimitReached(
                'the user has the %d access keys JumpServer allows and %d of them are keys this module retired, kept '
                'inactive until their grace period ends (%s); nothing was created or deleted: run again after %s, '
                'rotate less often than grace_period, or delete one with state=absent and id' % (
                    MAX_KEYS, len(graced), ', '.join('%s until %s' % (entry['id'], entry['delete_after'])
                                                     for entry in graced),
                    min(entry['delete_after'] for entry in graced)),
                status=exc.status, body=exc.body)

    def create(self, reason, old=None):
        """A new key in the pending slot of dest, carrying the wanted (else the old key's) settings, proven to sign.

        dest records it before anything else is done, so a run killed from then on leaves it where the next run
        finds it; when a step fails here, the new key is deleted again and dest is as it was.
        """
        check_token_dest(self.dest)  # before anything is created: a key that cannot be kept is not made
        self.prune()
        new = self._create_within_the_limit()
        secret = new.pop('secret')
        self.changed = True
        try:
            self.record[IDENTITY_KEY] = self.owner()
            self.record['pending'] = dict(key_view(new), secret=secret, reason=reason)
            self.save()
            if not self.api.signs(new['id'], secret):
                raise AccessKeyError('JumpServer refused a request signed with the new access key (HTTP 401)',
                                     code='credential_rejected', status=401)
            want = dict(((name, old[name]) for name in ('ip_group', 'is_active')) if old else (), **self.want)
            want['is_active'] = True  # a pending key is made to be used
            changes = self.differences(new, want)
            if changes:
                new = self.api.patch(new['id'], changes)
                self.record['pending'] = dict(key_view(new), secret=secret, reason=reason)
                self.save()
        except OpsAuthError as exc:
            self._forget(new['id'])
            raise AccessKeyError('%s; the new access key %s was deleted again, dest and any old key are unchanged'
                                 % (str(exc).rstrip('.'), new['id']), code=exc.code, server_code=exc.server_code,
                                 status=exc.status, body=exc.body)
        except Exception:
            self._forget(new['id'])
            raise
        return new, secret

    def _forget(self, key_id):
        try:
            self.api.delete(key_id)
            self.record.pop('pending', None)
            write_token_file(self.dest, self.record)
        except OpsAuthError:
            pass  # the first error is the one to report; what is left, the next run finds in dest or the web UI

    def promote(self, new, secret, reason, old):
        """Make the proven key current in dest, then retire the old one (deactivate it for the grace period)."""
        retired = list(self.record.get('retired') or [])
        if old is not None and self.record.get('previous'):
            # The older previous key (inactive already: run() retired it) joins the retired list until its own
            # delete_after; one whose time is up goes now.
            prev = self.record['previous']
            if self.due(prev):
                self.delete(prev['id'])
            else:
                retired.append(dict(id=prev['id'], delete_after=prev.get('delete_after')))
        others = dict((name, value) for name, value in self.record.items()
                      if name not in _CURRENT_FIELDS + ('pending', 'previous', 'retired'))
        record = dict(others, **self.file_data(new, secret))
        if retired:
            record['retired'] = retired
        if old is not None:
            record['previous'] = dict(id=old['id'], secret=self.record.get('secret'),
                                      delete_after=_time.iso_from_epoch(_time.now() + self.grace_period))
        elif self.record.get('previous'):
            record['previous'] = self.record['previous']
        self.record = record
        self.save()
        self.verified = True
        result = self.result(new, secret, rotated=True, reason=reason, msg='access key %s is current' % new['id'])
        try:
            self.retire_newest()  # the older retired keys were seen to by run(), before the rotation
        except JumpServerError as exc:
            result.update(changed=True, previous=self.previous)
            raise OldKeyLeft(exc, result)
        return self.result(new, secret, rotated=True, reason=reason, msg=self.describe(new, reason))

    def describe(self, new, reason):
        what = 'would make a new access key current' if self.check else 'access key %s is current' % new['id']
        if self.previous:
            retired = 'deleted' if self.previous['id'] in self.deleted_ids else 'deactivated until %s' % (
                self.previous['delete_after'])
            what += ', %s %s' % (self.previous['id'], retired if not self.check else 'would be ' + retired)
        older = self.record.get('retired')
        if older:
            what += '; kept inactive: %s' % ', '.join('%s until %s' % (entry['id'], entry.get('delete_after'))
                                                      for entry in older)
        return '%s (reason: %s)' % (what, reason)

    def would_create(self, reason, old, promote=True):
        """Check mode: what a rotation would do, with the ids it would deactivate or delete (the new one is unknown)."""
        self.changed = True
        if old is not None and promote:
            prev = self.record.get('previous')
            if prev and self.due(prev):  # one in its grace period would join the retired list, not go
                self.deleted_ids.append(prev['id'])
            delete_after = _time.iso_from_epoch(_time.now() + self.grace_period)
            self.previous = dict(id=old['id'], is_active=False, delete_after=delete_after)
            if not self.grace_period:
                self.deleted_ids.append(old['id'])
        elif old is not None:
            self.previous = dict(id=old['id'], is_active=old.get('is_active'), delete_after=None)
        if self.dest:
            self.created_dirs = missing_dirs(self.dest)
        shown = dict((old or {}), id=None, **self.want)
        return self.result(shown, None, rotated=True, reason=reason,
                           msg='would create a new access key (reason: %s)%s' % (
                               reason, ' and retire %s' % old['id'] if old is not None and promote else ''))

    def result(self, key, secret=None, rotated=False, reason=None, msg=''):
        result = dict(key_view(key), changed=self.changed, msg=msg, secret=secret, rotated=rotated, reason=reason,
                      reused=bool(key and key.get('id')) and not rotated, verified=bool(self.verified),
                      previous=self.previous, deleted_ids=self.deleted_ids)
        if self.dest:
            result.update(dest=self.dest, created_dirs=self.created_dirs)
            if self.created_dirs:
                result['msg'] += ' (%s %s)' % ('would create' if self.check else 'created', ', '.join(self.created_dirs))
        result['diff'] = dict(before=diff_view(self.before), after=diff_view(key if key and key.get('id') else None))
        return result
