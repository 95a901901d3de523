# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The DeepFlow options shared by the modules, declared in plugins/module_utils/_options.py
    # (DEEPFLOW_FAUTHS_SPEC and DEEPFLOW_FUSER_SPEC). Keep both in step.

    # fauths (short-lived tokens): connection, TLS and account.
    DOCUMENTATION = r'''
options:
  url:
    description:
      - The DeepFlow controller, for example V(https://deepflow.example.com).
      - The login-free page URLs are built on it, and fauths is reached at C(<url>/api/fauths) unless O(fauths_url) is set.
      - If not set, the value of the E(DEEPFLOW_URL) environment variable is used.
    type: str
  fauths_url:
    description:
      - Base URL of fauths, the DeepFlow token service, when it is not reached through the controller.
      - Inside the cluster V(http://fauths:20822); on an rpm install, on the controller host, V(http://127.0.0.1:20822).
      - Defaults to C(<url>/api/fauths). One of O(url) and O(fauths_url) is needed to log in, refresh or log out.
      - If not set, the value of the E(DEEPFLOW_FAUTHS_URL) environment variable is used.
    type: str
  email:
    description:
      - The e-mail address of the DeepFlow account.
      - If not set, the value of the E(DEEPFLOW_EMAIL) environment variable is used.
    type: str
  password:
    description:
      - The password of the DeepFlow account.
      - A failed password login is never retried, because DeepFlow locks accounts after repeated failures.
      - If not set, the value of the E(DEEPFLOW_PASSWORD) environment variable is used.
    type: str
  account_type:
    description:
      - The C(account_type) sent with a password login.
    type: str
    default: deepflow
  validate_certs:
    description:
      - Verify the server's TLS certificate. Set to V(false) only for a test server.
      - 'Which certificates are trusted, first match wins: O(validate_certs=false) (no check) > O(ca_path) > the bundle
        named by the E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) environment variable > the default CA store. The
        choice is passed on every request, so these environment variables never override O(ca_path) or
        O(validate_certs=false).'
      - If not set, the value of the E(DEEPFLOW_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle (PEM) to verify the server's certificate with, for a private CA. It wins over E(REQUESTS_CA_BUNDLE)
        and E(CURL_CA_BUNDLE); O(validate_certs=false) wins over it.
      - If not set, the value of the E(DEEPFLOW_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds one request may take, from connecting to the last byte of the answer; also the longest wait for
        any single read. A server that keeps sending (an endless body) fails the request after this time.
      - If not set, the value of the E(DEEPFLOW_TIMEOUT) environment variable is used.
    type: int
    default: 30
  retries:
    description:
      - Extra tries after a connection error or an HTTP 429, 502, 503 or 504, with exponential backoff.
      - Only requests that are safe to repeat are retried; a login, a refresh, a logout or a permanent token creation
        is tried again only when it never reached the server.
      - If not set, the value of the E(DEEPFLOW_RETRIES) environment variable is used.
    type: int
    default: 3
  max_response_size:
    description:
      - The largest answer, in bytes, a request may return; a larger one fails the task with a clear message and is
        never held in memory whole. Raise it for a list endpoint with unusually large pages.
      - If not set, the value of the E(DEEPFLOW_MAX_RESPONSE_SIZE) environment variable is used.
    type: int
    default: 8388608
'''

    # fuser (permanent tokens): internal only, trusts the identity headers.
    FUSER = r'''
options:
  fuser_url:
    description:
      - Base URL of fuser, the DeepFlow user service that manages permanent tokens.
      - fuser is reachable only inside the DeepFlow cluster (DeepFlow's own documentation runs these calls inside the
        C(front-end) pod).
      - If not set, the value of the E(DEEPFLOW_FUSER_URL) environment variable is used.
    type: str
    default: http://fuser:20824
  user_id:
    description:
      - Sent to fuser as the C(X-User-Id) identity header (V(1) is the super administrator).
      - Only fuser, an internal service, receives the identity headers; fauths never does.
    type: int
    default: 1
  user_type:
    description:
      - Sent to fuser as the C(X-User-Type) identity header (V(1) is the super administrator).
    type: int
    default: 1
'''

    # The lookup variant of the fauths options: where a lookup plugin also reads each option from (after its terms
    # and keyword arguments, which win). Use with DOCUMENTATION: opsauth.tokens.deepflow + opsauth.tokens.deepflow.plugins.
    # The environment variables are those of _options.DEEPFLOW_FAUTHS_SPEC; account_type has one only in lookups.
    PLUGINS = r'''
options:
  url:
    env:
      - name: DEEPFLOW_URL
    vars:
      - name: ansible_deepflow_url
    ini:
      - section: opsauth_tokens_deepflow
        key: url
  fauths_url:
    env:
      - name: DEEPFLOW_FAUTHS_URL
    vars:
      - name: ansible_deepflow_fauths_url
    ini:
      - section: opsauth_tokens_deepflow
        key: fauths_url
  email:
    env:
      - name: DEEPFLOW_EMAIL
    vars:
      - name: ansible_deepflow_email
    ini:
      - section: opsauth_tokens_deepflow
        key: email
  password:
    env:
      - name: DEEPFLOW_PASSWORD
    vars:
      - name: ansible_deepflow_password
    ini:
      - section: opsauth_tokens_deepflow
        key: password
  account_type:
    env:
      - name: DEEPFLOW_ACCOUNT_TYPE
    vars:
      - name: ansible_deepflow_account_type
    ini:
      - section: opsauth_tokens_deepflow
        key: account_type
  validate_certs:
    env:
      - name: DEEPFLOW_VALIDATE_CERTS
    vars:
      - name: ansible_deepflow_validate_certs
    ini:
      - section: opsauth_tokens_deepflow
        key: validate_certs
  ca_path:
    env:
      - name: DEEPFLOW_CA_PATH
    vars:
      - name: ansible_deepflow_ca_path
    ini:
      - section: opsauth_tokens_deepflow
        key: ca_path
  timeout:
    env:
      - name: DEEPFLOW_TIMEOUT
    vars:
      - name: ansible_deepflow_timeout
    ini:
      - section: opsauth_tokens_deepflow
        key: timeout
  retries:
    env:
      - name: DEEPFLOW_RETRIES
    vars:
      - name: ansible_deepflow_retries
    ini:
      - section: opsauth_tokens_deepflow
        key: retries
  max_response_size:
    env:
      - name: DEEPFLOW_MAX_RESPONSE_SIZE
    vars:
      - name: ansible_deepflow_max_response_size
    ini:
      - section: opsauth_tokens_deepflow
        key: max_response_size
'''
