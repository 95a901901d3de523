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
      - Optional. Each term is a string of C(option=value) words that override the keyword arguments for one result;
        without terms, the lookup returns one result from the keyword arguments and the other sources.
    type: list
    elements: str
    required: false
  cache:
    description:
      - Reuse one token per O(url) and identity for the whole C(ansible-playbook) run, across tasks, hosts and forks,
        instead of logging in on every evaluation of the lookup.
      - The tokens are kept in files of mode 0600 in a directory of mode 0700 inside Ansible's per-run local temporary
        directory (C(local_tmp), by default C(~/.ansible/tmp/ansible-local-<pid><random>/opsauth_tokens_cache)),
        which Ansible removes when the run ends; with O(cache_dir), in that directory instead.
      - A login the server refuses (wrong password, blocked user, MFA failure) is remembered for the rest of the run;
        every later evaluation for the same credentials fails at once with the same message and sends no request, so
        a wrong password cannot lock the account. It is never remembered beyond the run.
      - Set to V(false) to log in on every evaluation and write nothing to disk.
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
      - Keep the cached tokens in this directory, so that later runs reuse them too.
      - It is created with mode 0700 if missing. A directory that belongs to another user, or that others can read
        (mode wider than 0700), is refused.
      - A token from an earlier run is checked once per run before use (JumpServer - C(GET /api/v1/users/profile/);
        DeepFlow - a refresh); when the server rejects it, the lookup logs in once and goes on with the new token.
      - Failed logins are never kept here; only in the run's own directory.
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
      - A cached token is used only while it has more than this many seconds left; then a new one is obtained (by a
        refresh where the platform has one, else by a login).
      - Set it longer than the longest task that uses the token. When it is more than half the token's lifetime, half
        the lifetime is used, so that a short-lived token is not replaced on every evaluation.
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
      - Confirm a cached token with the server at most every this many seconds, so that a long run survives a server
        that dropped every token (a restart of JumpServer's Redis does) - JumpServer with C(GET /api/v1/users/profile/),
        DeepFlow with a refresh (fauths has no call that only checks a token). When the server rejects the token
        (HTTP 401, or a refused refresh token), it is dropped and the lookup logs in once; a refused password is never
        tried again.
      - One fork checks for all of them, so a check costs one request per identity and interval, whatever the number
        of hosts and forks. Between two checks a dropped token is still returned; the tasks that use it fail until
        the next check.
      - V(0) never checks a token the run obtained (it is used until O(min_ttl) before its expiry).
      - See C(docs/token-cache.md) of the collection for the trade-off between requests and freshness.
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
