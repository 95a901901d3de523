# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The JumpServer connection and auth options, documented once. They match _options.JMS_COMMON_SPEC exactly.
    DOCUMENTATION = r'''
options:
  url:
    description: Base URL of JumpServer, without C(/api/v1). Environment variable E(JMS_URL).
    type: str
    required: true
  org_id:
    description: Organization to act in (C(X-JMS-ORG)), by id or exact name. Environment variable E(JMS_ORG_ID).
    type: str
    default: 00000000-0000-0000-0000-000000000002
  language:
    description: Language of the server's messages (C(Accept-Language)). Environment variable E(JMS_LANGUAGE).
    type: str
    default: en
  validate_certs:
    description: Verify the server's TLS certificate. Environment variable E(JMS_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description: CA bundle (PEM) to verify the server's certificate with. Environment variable E(JMS_CA_PATH).
    type: path
  timeout:
    description: Seconds one request may take. Environment variable E(JMS_TIMEOUT).
    type: int
    default: 30
  retries:
    description: Extra tries of a request that is safe to repeat. Environment variable E(JMS_RETRIES).
    type: int
    default: 3
  max_response_size:
    description: Largest answer in bytes. Environment variable E(JMS_MAX_RESPONSE_SIZE).
    type: int
    default: 8388608
  username:
    description: User to log in as. Environment variable E(JMS_USERNAME).
    type: str
  password:
    description: Password of O(username). Environment variable E(JMS_PASSWORD).
    type: str
  token:
    description: A bearer token. Environment variable E(JMS_TOKEN).
    type: str
  private_token:
    description: A private token. Environment variable E(JMS_PRIVATE_TOKEN).
    type: str
  access_key_id:
    description: Id of an access key to sign with. Environment variable E(JMS_ACCESS_KEY_ID).
    type: str
  access_key_secret:
    description: The secret of O(access_key_id). Environment variable E(JMS_ACCESS_KEY_SECRET).
    type: str
  mfa_code:
    description: A one-time MFA code; not with O(mfa_totp_secret).
    type: str
  mfa_totp_secret:
    description: Base32 TOTP secret to compute MFA codes with. Environment variable E(JMS_MFA_TOTP_SECRET).
    type: str
  login_confirm_timeout:
    description: Seconds to wait for a login confirmation; V(0) fails at once, naming the ticket.
    type: int
    default: 0
'''

    # A web-login session (_options.JMS_SESSION_SPEC): the modules that only read or send one request take one.
    SESSION = r'''
options:
  session_id:
    description: The C(jms_sessionid) cookie of a web login. Environment variable E(JMS_SESSION_ID).
    type: str
  csrf_token:
    description: The C(jms_csrftoken) cookie, needed for writes. Environment variable E(JMS_CSRF_TOKEN).
    type: str
'''

    # The lookup variant: where a lookup plugin also reads each option from (after its terms and keyword arguments,
    # which win). Use with the DOCUMENTATION fragment: opsauth.tokens.jumpserver + opsauth.tokens.jumpserver.plugins.
    # The environment variables are those of _options.JMS_COMMON_SPEC; mfa_code and login_confirm_timeout have one
    # only in lookups (a module reads them from its arguments).
    PLUGINS = r'''
options:
  url:
    env:
      - name: JMS_URL
    vars:
      - name: ansible_jms_url
    ini:
      - section: opsauth_tokens_jumpserver
        key: url
  org_id:
    env:
      - name: JMS_ORG_ID
    vars:
      - name: ansible_jms_org_id
    ini:
      - section: opsauth_tokens_jumpserver
        key: org_id
  language:
    env:
      - name: JMS_LANGUAGE
    vars:
      - name: ansible_jms_language
    ini:
      - section: opsauth_tokens_jumpserver
        key: language
  validate_certs:
    env:
      - name: JMS_VALIDATE_CERTS
    vars:
      - name: ansible_jms_validate_certs
    ini:
      - section: opsauth_tokens_jumpserver
        key: validate_certs
  ca_path:
    env:
      - name: JMS_CA_PATH
    vars:
      - name: ansible_jms_ca_path
    ini:
      - section: opsauth_tokens_jumpserver
        key: ca_path
  timeout:
    env:
      - name: JMS_TIMEOUT
    vars:
      - name: ansible_jms_timeout
    ini:
      - section: opsauth_tokens_jumpserver
        key: timeout
  retries:
    env:
      - name: JMS_RETRIES
    vars:
      - name: ansible_jms_retries
    ini:
      - section: opsauth_tokens_jumpserver
        key: retries
  max_response_size:
    env:
      - name: JMS_MAX_RESPONSE_SIZE
    vars:
      - name: ansible_jms_max_response_size
    ini:
      - section: opsauth_tokens_jumpserver
        key: max_response_size
  username:
    env:
      - name: JMS_USERNAME
    vars:
      - name: ansible_jms_username
    ini:
      - section: opsauth_tokens_jumpserver
        key: username
  password:
    env:
      - name: JMS_PASSWORD
    vars:
      - name: ansible_jms_password
    ini:
      - section: opsauth_tokens_jumpserver
        key: password
  token:
    env:
      - name: JMS_TOKEN
    vars:
      - name: ansible_jms_token
    ini:
      - section: opsauth_tokens_jumpserver
        key: token
  private_token:
    env:
      - name: JMS_PRIVATE_TOKEN
    vars:
      - name: ansible_jms_private_token
    ini:
      - section: opsauth_tokens_jumpserver
        key: private_token
  access_key_id:
    env:
      - name: JMS_ACCESS_KEY_ID
    vars:
      - name: ansible_jms_access_key_id
    ini:
      - section: opsauth_tokens_jumpserver
        key: access_key_id
  access_key_secret:
    env:
      - name: JMS_ACCESS_KEY_SECRET
    vars:
      - name: ansible_jms_access_key_secret
    ini:
      - section: opsauth_tokens_jumpserver
        key: access_key_secret
  mfa_code:
    env:
      - name: JMS_MFA_CODE
    vars:
      - name: ansible_jms_mfa_code
    ini:
      - section: opsauth_tokens_jumpserver
        key: mfa_code
  mfa_totp_secret:
    env:
      - name: JMS_MFA_TOTP_SECRET
    vars:
      - name: ansible_jms_mfa_totp_secret
    ini:
      - section: opsauth_tokens_jumpserver
        key: mfa_totp_secret
  login_confirm_timeout:
    env:
      - name: JMS_LOGIN_CONFIRM_TIMEOUT
    vars:
      - name: ansible_jms_login_confirm_timeout
    ini:
      - section: opsauth_tokens_jumpserver
        key: login_confirm_timeout
'''
