# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Whose credential a token file holds, and the rule that a module never replaces another identity's file silently.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

A module that writes a token file records, under ``identity``, the server, the user (username or e-mail), the
account type where the platform has one, and the kind of credential (the module that wrote it). Before it sends
anything that would end in writing the file, it compares that record with its own task: a file that holds another
identity's credential is refused with one line, unless the task says ``force: true`` (the way ``ansible.builtin.copy``
and ``get_url`` replace what is there). Losing a credential that the server shows only once (an access key, a
permanent token) is not something a typo in ``dest`` should do.

A file written before the record (no ``identity``) says who it belongs to with its own fields (``url``/``username``,
``fauths_url``/``email``, ``email``): those are compared; a file that says nothing keeps working as before.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import TokenFileError

IDENTITY_KEY = 'identity'
FIELDS = ('server', 'user', 'account_type', 'credential')


def token_identity(server, user, credential, account_type=None):
    """The record a module writes into its token file under IDENTITY_KEY."""
    return dict(server=(server or '').rstrip('/') or None, user=user or None, account_type=account_type,
                credential=credential)


def identity_of(stored, legacy=None):
    """The identity a stored file records; for a file without the record, what ``legacy`` (identity field -> the
    file's own key) finds in it. {} when the file says nothing about whose credential it holds."""
    if not isinstance(stored, dict):
        return {}
    record = stored.get(IDENTITY_KEY)
    if isinstance(record, dict):
        return dict((name, record.get(name)) for name in FIELDS if record.get(name) is not None)
    found = dict((name, stored.get(key)) for name, key in (legacy or {}).items() if stored.get(key))
    if 'server' in found:
        found['server'] = str(found['server']).rstrip('/')
    return found


def describe(identity):
    """'the jms_token credential of alice at https://jms.example.com', from what is known."""
    text = 'the %s credential' % identity.get('credential') if identity.get('credential') else 'a credential'
    if identity.get('user'):
        text += ' of %s' % identity['user']
        if identity.get('account_type') and identity['account_type'] != 'deepflow':
            text += ' (account type %s)' % identity['account_type']
    if identity.get('server'):
        text += ' at %s' % identity['server']
    return text


def differing_fields(theirs, mine):
    """The identity fields that both know and that differ."""
    return [name for name in FIELDS
            if theirs.get(name) is not None and mine.get(name) is not None and theirs[name] != mine[name]]


def other_identity(stored, mine, legacy=None):
    """The identity ``stored`` holds when it is not ``mine`` (a field both know differs); else None."""
    theirs = identity_of(stored, legacy)
    return theirs if differing_fields(theirs, mine) else None


def check_owner(path, stored, mine, force=False, legacy=None, done='nothing was sent'):
    """Refuse (error_code other_identity) to replace a file that holds another identity's credential, unless ``force``.

    Returns the other identity when ``force`` lets the module replace it (the module warns), else None. ``done`` says
    what the module did before it checked.
    """
    theirs = other_identity(stored, mine, legacy)
    if theirs is None:
        return None
    if not force:
        raise TokenFileError('token file %s holds %s, not %s: %s. Point dest at another file, or set force=true to '
                             'replace it (what it holds is then lost)' % (path, describe(theirs), describe(mine), done),
                             code='other_identity')
    return theirs


def replaced_warning(path, theirs):
    """The warning of a forced replacement (force=true): the file held another identity's credential."""
    return 'force=true: token file %s held %s, which is replaced' % (path, describe(theirs))
