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
    description: Optional; each term is C(option=value) words that override the keyword arguments for one result.
    type: list
    elements: str
    required: false
  cache:
    description:
      - Log in once per run and identity for all tasks, hosts and forks (a refused login too is remembered);
        V(false) logs in on every evaluation and writes nothing. See C(docs/token-cache.md).
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
    description: A private directory (0700) that keeps the cached tokens for later runs.
    type: path
    env:
      - name: OPSAUTH_TOKENS_CACHE_DIR
    vars:
      - name: opsauth_tokens_cache_dir
    ini:
      - section: opsauth_tokens
        key: cache_dir
  min_ttl:
    description: Seconds a cached token must have left (at most half its lifetime) to be used.
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
    description: Confirm a cached token with the server at most every this many seconds; V(0) never checks.
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
