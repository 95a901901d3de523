# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The deepflow_token lookup (plugins/lookup/deepflow_token.py), loaded by Ansible's lookup loader, against the
DeepFlow simulator served in-process on 127.0.0.1: outputs, pages, refresh."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import time

import pytest

from ansible import constants as C
from ansible.errors import AnsibleError

from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import read_token_file
from ansible_collections.opsauth.tokens.plugins.plugin_utils import _token_cache
from ansible_collections.opsauth.tokens.tests.unit.plugins.lookup.conftest import deepflow_vars, run_lookup


def test_deepflow_token_outputs_share_one_login(sims):
    token = run_lookup('opsauth.tokens.deepflow_token', deepflow_vars(sims))[0]
    pages = run_lookup('opsauth.tokens.deepflow_token', deepflow_vars(sims), output='pages')[0]
    full = run_lookup('opsauth.tokens.deepflow_token', deepflow_vars(sims), output='full')[0]
    assert token.count('.') == 2  # a JWT
    assert sorted(pages) == ['applications', 'network', 'views']
    assert pages['views'].startswith(sims['deepflow'].url + '/monitor/list?token=' + token + '&refreshToken=')
    assert full['token'] == token and full['reused'] is True and full['email'] == 'ops@example.com'
    assert full['pages'] == pages and 3000 < full['expires_in'] <= 3600
    assert [r['path'] for r in sims['deepflow'].requests('POST')] == ['/api/fauths/login']


def test_deepflow_pages_need_the_controller_url(sims):
    variables = deepflow_vars(sims, ansible_deepflow_fauths_url=sims['deepflow'].url)
    del variables['ansible_deepflow_url']
    with pytest.raises(AnsibleError, match='output=pages needs url'):
        run_lookup('opsauth.tokens.deepflow_token', variables, output='pages')
    assert sims['deepflow'].requests('POST') == []  # said before logging in


def test_deepflow_token_near_expiry_is_refreshed_not_logged_in(sims):
    first = run_lookup('opsauth.tokens.deepflow_token', deepflow_vars(sims, opsauth_tokens_min_ttl=3590))[0]
    # min_ttl is capped at half the token's life: the token is still reused
    assert run_lookup('opsauth.tokens.deepflow_token', deepflow_vars(sims, opsauth_tokens_min_ttl=3590))[0] == first
    cache_dir = os.path.join(C.DEFAULT_LOCAL_TMP, 'opsauth_tokens_cache')
    entry_name = [name for name in os.listdir(cache_dir) if name.startswith('deepflow-') and name.endswith('.json')][0]
    entry = read_token_file(os.path.join(cache_dir, entry_name))
    entry['obtained_at'], entry['expires_at'] = time.time() - 3500, time.time() + 100  # within min_ttl (300) of expiry
    _token_cache.write_token_file(os.path.join(cache_dir, entry_name), entry)
    second = run_lookup('opsauth.tokens.deepflow_token', deepflow_vars(sims), output='full')[0]
    assert second['token'] != first and second['token_type'] == 'refresh_token' and second['reused'] is False
    assert [r['path'] for r in sims['deepflow'].requests('POST')] == ['/api/fauths/login', '/api/fauths/refresh_token']
