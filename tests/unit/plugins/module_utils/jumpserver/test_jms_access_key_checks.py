# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What an access key id must be before it enters a path, and what an answer must be to be a key
(module_utils/jumpserver/_jms_access_key_checks.py). test_jms_access_keys.py proves the same against the simulator."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_key_checks import (
    KEYS_PATH,
    a_key,
    key_id_or_fail,
    key_path,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import AccessKeyError

KEY_ID = '0A1B2C3D-4E5F-6789-ABCD-EF0123456789'


def test_a_uuid_is_given_back_in_canonical_lower_case():
    assert key_id_or_fail(KEY_ID) == KEY_ID.lower()
    assert key_path(KEY_ID) == KEYS_PATH + KEY_ID.lower() + '/'


@pytest.mark.parametrize('key_id', ['../../users/profile', KEY_ID + '/', KEY_ID + '\n', KEY_ID + '?x=1', ' ' + KEY_ID,
                                    KEY_ID.replace('-', ''), '', None, 42, [KEY_ID]])
def test_anything_else_is_refused_without_quoting_it(key_id):
    with pytest.raises(AccessKeyError) as caught:
        key_path(key_id)
    assert caught.value.code == 'invalid_option'
    assert 'from the id option must be a UUID' in str(caught.value) and 'nothing was sent' in str(caught.value)
    assert '../' not in str(caught.value)


def test_the_message_names_where_the_id_came_from():
    with pytest.raises(AccessKeyError, match='the access key id from dest must be a UUID'):
        key_id_or_fail('x', source='dest')


def test_a_key_is_an_object_with_an_id():
    key = {'id': KEY_ID, 'secret': 's'}
    assert a_key(key, 'POST') is key


@pytest.mark.parametrize('data, shape', [
    ({}, 'a JSON object without an id'), ({'id': ''}, 'a JSON object without an id'), (None, 'an empty body'),
    ([{'id': KEY_ID}], 'a JSON list'), (True, 'a JSON boolean'), ('key', 'a JSON string'), (3, 'a JSON number'),
])
def test_an_answer_of_another_shape_is_one_line_naming_it(data, shape):
    with pytest.raises(AccessKeyError) as caught:
        a_key(data, 'POST /api/v1/authentication/access-keys/')
    assert str(caught.value).startswith('POST /api/v1/authentication/access-keys/ answered %s, not an access key' % shape)
    assert caught.value.code == 'invalid_response'
