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
    description:
      - Base URL of JumpServer, for example V(https://jumpserver.example.com).
      - If not set, the value of the E(JMS_URL) environment variable is used.
    type: str
    required: true
  org_id:
    description:
      - Organization the requests act in, sent as the C(X-JMS-ORG) header on every request.
      - JumpServer silently treats an unknown organization as the Default organization, so an O(org_id) that is not
        a built-in id (C(...0000), C(...0002), C(...0004)) or word (C(default), C(root), C(system), C(GLOBAL)) is
        checked once per task with C(GET /api/v1/orgs/orgs/<id>/), and an unknown one fails the task. An organization
        name is accepted too, matched exactly (case-sensitive) as the server does; the check needs a user allowed to
        read organizations.
      - If not set, the value of the E(JMS_ORG_ID) environment variable is used.
    type: str
    default: 00000000-0000-0000-0000-000000000002
  language:
    description:
      - Language of the server's messages, sent as the C(Accept-Language) header on every request, for example
        V(en) or V(zh-hans). JumpServer v3.10 answers in Chinese unless asked otherwise, v4 in English.
      - The collection recognises errors by the server's error codes, never by these messages; the language only
        decides how the server's own words read when a message quotes them.
      - If not set, the value of the E(JMS_LANGUAGE) environment variable is used.
    type: str
    default: en
  validate_certs:
    description:
      - Verify the server's TLS certificate. Set to V(false) only for a test server.
      - 'Which certificates are trusted, first match wins: O(validate_certs=false) (no check) > O(ca_path) > the bundle
        named by the E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) environment variable > the default CA store. The
        choice is passed on every request, so these environment variables never override O(ca_path) or
        O(validate_certs=false).'
      - If not set, the value of the E(JMS_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle (PEM) to verify the server's certificate with, for a private CA. It wins over E(REQUESTS_CA_BUNDLE)
        and E(CURL_CA_BUNDLE); O(validate_certs=false) wins over it.
      - If not set, the value of the E(JMS_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds one request may take, from connecting to the last byte of the answer; also the longest wait for
        any single read. A server that keeps sending (an endless body) fails the request after this time.
      - If not set, the value of the E(JMS_TIMEOUT) environment variable is used.
    type: int
    default: 30
  retries:
    description:
      - How many times to retry a request that is safe to repeat after a connection error, HTTP 429, 502, 503 or 504,
        with jittered exponential backoff; a C(Retry-After) header from the server is honoured.
      - A password login is retried only when it never reached the server, since every failed login counts toward
        JumpServer's lockout.
      - If not set, the value of the E(JMS_RETRIES) environment variable is used.
    type: int
    default: 3
  max_response_size:
    description:
      - The largest answer, in bytes, a request may return; a larger one fails the task with a clear message and is
        never held in memory whole. Raise it for a list endpoint with unusually large pages.
      - If not set, the value of the E(JMS_MAX_RESPONSE_SIZE) environment variable is used.
    type: int
    default: 8388608
  username:
    description:
      - User to log in as, with O(password).
      - If not set, the value of the E(JMS_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username). A password login returns a bearer token.
      - Give exactly one of O(password), O(token), O(private_token) or O(access_key_id) and O(access_key_secret).
      - If not set, the value of the E(JMS_PASSWORD) environment variable is used.
    type: str
  token:
    description:
      - A bearer token from an earlier login, for example from M(opsauth.tokens.jms_token).
      - If not set, the value of the E(JMS_TOKEN) environment variable is used.
      - Surrounding white space (the trailing newline of a vaulted string) is removed; a control character inside the
        value is refused with a message that names the option, never the value.
    type: str
  private_token:
    description:
      - 'A permanent private token, sent as C(Authorization: Token ...).'
      - If not set, the value of the E(JMS_PRIVATE_TOKEN) environment variable is used.
      - Surrounding white space (the trailing newline of a vaulted string) is removed; a control character inside the
        value is refused with a message that names the option, never the value.
    type: str
  access_key_id:
    description:
      - The id (a UUID) of an access key; requests are signed with O(access_key_secret) (HTTP Signature, hmac-sha256
        over the request target and the C(Accept) and C(Date) headers). Needs the Python library C(pyhttpsig)
        (imported as C(httpsig)).
      - If not set, the value of the E(JMS_ACCESS_KEY_ID) environment variable is used.
      - Surrounding white space (the trailing newline of a vaulted string) is removed; a control character inside the
        value is refused with a message that names the option, never the value.
    type: str
  access_key_secret:
    description:
      - The secret of the access key O(access_key_id).
      - If not set, the value of the E(JMS_ACCESS_KEY_SECRET) environment variable is used.
      - Surrounding white space (the trailing newline of a vaulted string) is removed; a control character inside the
        value is refused with a message that names the option, never the value.
    type: str
  mfa_code:
    description:
      - A one-time code (OTP) to answer the server's MFA challenge during a password login.
      - Mutually exclusive with O(mfa_totp_secret).
      - Surrounding white space (the trailing newline of a vaulted string) is removed; a control character inside the
        value is refused with a message that names the option, never the value.
    type: str
  mfa_totp_secret:
    description:
      - The base32 TOTP secret of the user's MFA device; the module computes the current code (RFC 6238, SHA1, 30 s,
        6 digits) when the server asks for MFA. The clock of the host running the task must be right.
      - If not set, the value of the E(JMS_MFA_TOTP_SECRET) environment variable is used.
      - Surrounding white space (the trailing newline of a vaulted string) is removed; a control character inside the
        value is refused with a message that names the option, never the value.
    type: str
  login_confirm_timeout:
    description:
      - When the login needs an administrator's approval (login confirm), how many seconds to wait for it.
      - With V(0), fail at once and name the ticket to approve.
    type: int
    default: 0
'''

    # A web-login session (_options.JMS_SESSION_SPEC): the modules that only read or send one request take one.
    SESSION = r'''
options:
  session_id:
    description:
      - The C(jms_sessionid) cookie of a web login session.
      - If not set, the value of the E(JMS_SESSION_ID) environment variable is used.
      - Surrounding white space (the trailing newline of a vaulted string) is removed; a control character inside the
        value is refused with a message that names the option, never the value.
    type: str
  csrf_token:
    description:
      - The C(jms_csrftoken) cookie of the same session; needed for methods other than C(GET), C(HEAD) and C(OPTIONS).
      - If not set, the value of the E(JMS_CSRF_TOKEN) environment variable is used.
      - Surrounding white space (the trailing newline of a vaulted string) is removed; a control character inside the
        value is refused with a message that names the option, never the value.
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
