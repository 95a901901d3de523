# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""JumpServer access keys: what an id must be before it enters a URL path, and what an answer must be to be a key.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Issue 17: an ``id`` went into ``/api/v1/authentication/access-keys/<id>/`` as given, so ``../`` reached other
endpoints with the user's credentials, and an answer that was a list crashed the module with a traceback.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import AccessKeyError

KEYS_PATH = '/api/v1/authentication/access-keys/'


# JumpServer's key ids are UUIDs in the canonical 8-4-4-4-12 form. Nothing else may go into a path: ``../`` would
# reach other endpoints with the user's credentials, ``?``/``#`` would change the request.
_UUID = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z')


def key_id_or_fail(key_id, source='the id option'):
    """The id in canonical (lower-case) form, or AccessKeyError; the value itself is not quoted."""
    if not isinstance(key_id, str) or not _UUID.match(key_id):
        raise AccessKeyError('the access key id from %s must be a UUID (8-4-4-4-12 hex digits, as JumpServer shows '
                             'it): an id goes into the URL path, so nothing was sent with it' % source, code='invalid_option')
    return key_id.lower()


def key_path(key_id):
    return '%s%s/' % (KEYS_PATH, key_id_or_fail(key_id))


def a_key(data, what):
    """``data`` when it is an access key (a JSON object with an id), else AccessKeyError naming ``what``."""
    if isinstance(data, dict) and data.get('id'):
        return data
    shape = ('a JSON object without an id' if isinstance(data, dict) else 'an empty body' if data is None else
             'a JSON %s' % {list: 'list', bool: 'boolean', str: 'string'}.get(type(data), 'number'))
    raise AccessKeyError("%s answered %s, not an access key (a JSON object with an id): check that url points at "
                         "JumpServer's API" % (what, shape), code='invalid_response')
