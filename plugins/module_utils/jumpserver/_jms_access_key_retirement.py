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

    def in_grace(self):
        """The retired keys of dest (previous first) whose grace period has not passed: [{id, delete_after}]."""
        entries = ([self.record['previous']] if self.record.get('previous') else []) + list(
            self.record.get('retired') or [])
        return [dict(id=entry['id'], delete_after=entry.get('delete_after'))
                for entry in entries if not self.due(entry)]

    def retire_previous(self):
        """Deactivate the retired keys (previous and the older ones), and delete each once its grace period passed."""
        self.retire_older()
        self.retire_newest()

    def retire_older(self):
        """The older retired keys: each deleted once its own delete_after has passed, deactivated until then."""
        retired = self.record.get('retired')
        if not retired:
            return
        kept = []
        for entry in retired:
            key = self.api.get(entry['id'])
            if key is None:
                continue  # someone else deleted it: nothing of ours to report
            if self.due(entry):
                self.delete(entry['id'])
                continue
            if key.get('is_active'):
                self.patch(key, dict(is_active=False))
            kept.append(entry)
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
        key = self.api.get(prev['id'])
        due = self.due(prev)
        self.previous = dict(id=prev['id'], is_active=False, delete_after=prev.get('delete_after'))
        if key is None or due:
            if key is not None:
                self.delete(prev['id'])
            else:
                self.previous = None  # someone else deleted it: nothing of ours to report
            self.drop('previous')
        elif key.get('is_active'):
            self.patch(key, dict(is_active=False))
