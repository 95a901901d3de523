# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the access-key tests share (test_jms_access_keys.py, test_jms_access_key_steps.py): the API and the job against a
simulator, the key file a job wrote, and whether a key signs.

The tests import the helpers (ansible-test imports this file as
ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.jumpserver.conftest, so the import finds the same module).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_key_job import AccessKeyJob
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_access_keys import AccessKeyApi
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver import JumpServerClient
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import CredentialRejected


def api_for(server, **options):
    options.setdefault('username', 'alice')
    options.setdefault('password', 'Alice-Pass-1')
    return AccessKeyApi(dict(options, url=server.url, retries=0))


def job_for(server, tmp_path, state_options=None, **options):
    return AccessKeyJob(api_for(server, **options), dest=str(tmp_path / 'key.json'), **(state_options or {}))


def stored(tmp_path):
    with open(str(tmp_path / 'key.json')) as handle:
        return json.load(handle)


def signs(server, key_id, secret):
    client = JumpServerClient.from_options(dict(url=server.url, access_key_id=key_id, access_key_secret=secret, retries=0))
    try:
        return client.check_token()['username']
    except CredentialRejected:
        return None
