# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The retired access keys of a rotation with a grace period: kept inactive, each deleted once its own time is up.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

The key file's ``previous`` (the key the last rotation retired) and ``retired`` (older ones, when rotations came
within a grace period) are described in _jms_access_key_steps.py, whose KeySteps uses these steps.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils import _time

__all__ = ('RetiredKeys',)


class RetiredKeys:
    """The retirement steps of KeySteps: they use its ``api``, ``record`` (the key file), ``delete``, ``patch``,
    ``drop`` and ``save`` (each counts what changed), and set its ``previous`` result."""

    @staticmethod
    def due(entry):
        """Whether a retired key's grace period has passed (no delete_after: at once)."""
        return _time.now() >= (_time.epoch_from_iso(entry.get('delete_after')) or 0)

    def retired_entries(self):
        """The retired keys dest records, previous first: [{id, delete_after, ...}]."""
        return ([self.record['previous']] if self.record.get('previous') else []) + list(self.record.get('retired') or [])

    def in_grace(self):
        """The retired keys of dest (previous first) whose grace period has not passed: [{id, delete_after}]."""
        return [dict(id=entry['id'], delete_after=entry.get('delete_after'))
                for entry in self.retired_entries() if not self.due(entry)]

    def retire_previous(self):
        """Deactivate the retired keys (previous and the older ones), and delete each once its grace period passed."""
        self.retire_older()
        self.retire_newest()

    def retire_older(self):
        """The older retired keys: each deleted once its own delete_after has passed, deactivated until then."""
        retired = self.record.get('retired')
        if not retired:
            return
        kept = [entry for entry in retired if self._retire(entry) == 'kept']
        if kept != retired:
            if kept:
                self.record['retired'] = kept
            else:
                self.record.pop('retired')
            self.save()

    def retire_newest(self):
        """Deactivate the previous key, and delete it once its grace period has passed."""
        prev = self.record.get('previous')
        if not prev:
            return
        # Reported before the step: a deletion that fails still tells which key is left.
        self.previous = dict(id=prev['id'], is_active=False, delete_after=prev.get('delete_after'))
        outcome = self._retire(prev)
        if outcome == 'gone':
            self.previous = None  # someone else deleted it: nothing of ours to report
        if outcome != 'kept':
            self.drop('previous')

    def _retire(self, entry):
        """One retired key: deleted once its delete_after has passed ('deleted'), else deactivated ('kept'); 'gone'
        when it no longer exists."""
        key = self.api.get(entry['id'])
        if key is None:
            return 'gone'
        if self.due(entry):
            self.delete(entry['id'])
            return 'deleted'
        if key.get('is_active'):
            self.patch(key, dict(is_active=False))
        return 'kept'
