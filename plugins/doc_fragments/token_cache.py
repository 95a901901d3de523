# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # What OpsAuthLookupBase (plugins/plugin_utils/_lookup_base.py) gives every token lookup: terms of option=value
    # words, and the token cache (plugins/plugin_utils/_token_cache.py; the guide is docs/token-cache.md).
    DOCUMENTATION = r'''
options:
  _terms:
    description:
      - Optional. Each term is C(option=value) words that override the keyword arguments for one result.
    type: list
    elements: str
    required: false
  cache:
    description:
      - Log in once per O(url) and identity for the whole run (all tasks, hosts and forks), keeping the token in
        files of mode 0600 in Ansible's per-run C(local_tmp) (removed when the run ends) or in O(cache_dir).
      - A refused login is remembered for the rest of the run, so a wrong password is sent once.
      - V(false) logs in on every evaluation and writes nothing to disk.
    type: bool
    default: true
    env:
      - name: OPSAUTH_TOKENS_CACHE
    vars:
      - name: opsauth_tokens_cache
    ini:
      - section: opsauth_tokens
        key: cache
  cache_dir:
    description:
      - Keep the cached tokens in this directory (created 0700; refused when another user's or wider), so that
        later runs reuse them after one check each. Failed logins are never kept here.
    type: path
    env:
      - name: OPSAUTH_TOKENS_CACHE_DIR
    vars:
      - name: opsauth_tokens_cache_dir
    ini:
      - section: opsauth_tokens
        key: cache_dir
  min_ttl:
    description:
      - Use a cached token only while it has more than this many seconds left (at most half its lifetime); then
        refresh it or log in again.
    type: int
    default: 300
    env:
      - name: OPSAUTH_TOKENS_MIN_TTL
    vars:
      - name: opsauth_tokens_min_ttl
    ini:
      - section: opsauth_tokens
        key: min_ttl
  recheck_interval:
    description:
      - Confirm a cached token with the server at most every this many seconds (one request per identity for all
        hosts and forks), so that a long run survives a server that dropped its tokens. V(0) never checks.
      - C(docs/token-cache.md) of the collection explains the cache and this trade-off.
    type: int
    default: 600
    env:
      - name: OPSAUTH_TOKENS_RECHECK_INTERVAL
    vars:
      - name: opsauth_tokens_recheck_interval
    ini:
      - section: opsauth_tokens
        key: recheck_interval
'''
