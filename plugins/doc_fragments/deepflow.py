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
      - The DeepFlow controller (page URLs, and fauths at C(<url>/api/fauths)). Environment variable E(DEEPFLOW_URL).
    type: str
  fauths_url:
    description: Base URL of fauths, the token service, if not via O(url). Environment variable E(DEEPFLOW_FAUTHS_URL).
    type: str
  email:
    description: The e-mail address of the account. Environment variable E(DEEPFLOW_EMAIL).
    type: str
  password:
    description: The account's password; a failed login is never retried. Environment variable E(DEEPFLOW_PASSWORD).
    type: str
  account_type:
    description: The C(account_type) sent with a password login.
    type: str
    default: deepflow
  validate_certs:
    description: Verify the server's TLS certificate. Environment variable E(DEEPFLOW_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description: CA bundle (PEM) to verify the server's certificate with. Environment variable E(DEEPFLOW_CA_PATH).
    type: path
  timeout:
    description: Seconds one request may take. Environment variable E(DEEPFLOW_TIMEOUT).
    type: int
    default: 30
  retries:
    description: Extra tries of a request that is safe to repeat. Environment variable E(DEEPFLOW_RETRIES).
    type: int
    default: 3
  max_response_size:
    description: Largest answer in bytes. Environment variable E(DEEPFLOW_MAX_RESPONSE_SIZE).
    type: int
    default: 8388608
'''

    # fuser (permanent tokens): internal only, trusts the identity headers.
    FUSER = r'''
options:
  fuser_url:
    description: Base URL of fuser, the user service, inside the cluster. Environment variable E(DEEPFLOW_FUSER_URL).
    type: str
    default: http://fuser:20824
  user_id:
    description: Sent to fuser as C(X-User-Id) (V(1) is the super administrator).
    type: int
    default: 1
  user_type:
    description: Sent to fuser as C(X-User-Type) (V(1) is the super administrator).
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
