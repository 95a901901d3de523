#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: jms_info
short_description: Check a JumpServer, the credentials, the clock and TLS before anything else
version_added: 0.1.0
author: opsauth.tokens developers (@opsauth)
requirements:
  - requests >= 2.25 (Python library) on the target
  - pyhttpsig >= 1.3.0 for access keys
description:
  - Changes nothing and answers what the other modules depend on - the server's major version, the user, the
    organizations, the clock skew and the TLS certificate. Sends only C(GET) requests (after a password's login).
extends_documentation_fragment:
  - opsauth.tokens.jumpserver
  - opsauth.tokens.jumpserver.session
  - opsauth.tokens.http_layer
  - opsauth.tokens.attributes
  - opsauth.tokens.attributes.actiongroup_jumpserver
  - opsauth.tokens.run_login
attributes:
  check_mode:
    support: full
    details: Runs as in a normal run, the password login included.
  diff_mode:
    support: none
notes:
  - The major version is told from how the server answers an unknown bearer token (RV(server.detected_by)); the API
    does not publish the version. O(org_id) is sent but not checked here.
seealso:
  - module: opsauth.tokens.jms_request
'''

EXAMPLES = r'''
# jms_url, jms_username and jms_password are your own variables (a vault for the password).
- name: Check the server, the credentials, the clock and TLS
  opsauth.tokens.jms_info:
    url: "{{ jms_url }}"
    username: "{{ jms_username }}"
    password: "{{ jms_password }}"
  register: jms

- name: Say what the server answered
  ansible.builtin.debug:
    msg: >-
      JumpServer {{ jms.server.major }} as {{ jms.user.username }}, organizations
      {{ jms.orgs | map(attribute='name') | join(', ') }}, clock skew {{ jms.clock_skew }} s

- name: Stop early when the clock is too far off for access-key signatures
  ansible.builtin.assert:
    that: (jms.clock_skew | default(0, true) | abs) < 300
    fail_msg: "The local clock is {{ jms.clock_skew }} s off the server's: fix NTP first"
'''

RETURN = r'''
msg:
  description: One line that sums up the answers.
  returned: always
  type: str
  sample: "JumpServer 4 at https://jumpserver.example.com: password as admin, ..."
error_code:
  description: Stable code (docs/errors.md); null on success.
  returned: always
  type: str
  sample: null
reused:
  description: Whether the task needed no login of its own.
  returned: success
  type: bool
  sample: true
server:
  description: The server.
  returned: success
  type: dict
  contains:
    url:
      description: The base URL, as given in O(url).
      type: str
      sample: https://jumpserver.example.com
    major:
      description: The major version, V(3) or V(4); null when unknown.
      type: int
      sample: 4
    version:
      description: Always null (the API does not publish it).
      type: str
    detected_by:
      description: Which answer of the server told the major version.
      type: str
user:
  description: The C(id), C(username) and C(name) of the authenticated user.
  returned: success
  type: dict
auth:
  description: V(password), V(token), V(private_token), V(access_key) or V(session).
  returned: success
  type: str
  sample: password
orgs:
  description: The user's organizations, each with C(id) and C(name).
  returned: success
  type: list
  elements: dict
clock_skew:
  description: The server's time minus the local time, in seconds.
  returned: success
  type: int
  sample: 0
tls:
  description: The TLS connection (null fields where unknown).
  returned: success
  type: dict
  contains:
    https:
      description: Whether O(url) is C(https://).
      type: bool
    verified:
      description: Whether the certificate was verified.
      type: bool
    subject:
      description: The certificate's subject.
      type: str
      sample: CN=jumpserver.example.com
    issuer:
      description: The certificate's issuer.
      type: str
      sample: CN=Example private CA
    date_expired:
      description: Its expiry, ISO 8601 in UTC.
      type: str
      sample: "2027-03-01T12:00:00Z"
    expires_at:
      description: The same moment in epoch seconds.
      type: int
'''

from ansible_collections.opsauth.tokens.plugins.module_utils._options import (
    CACHE_SPEC,
    JMS_COMMON_SPEC,
    JMS_SESSION_SPEC,
    generate_argspec,
)

ARGUMENT_SPEC = generate_argspec(JMS_COMMON_SPEC, CACHE_SPEC, JMS_SESSION_SPEC)
ARGUMENT_RULES = {}


def main():
    # Here, not at the top: docs/architecture.md, "A module is thin".
    from ansible_collections.opsauth.tokens.plugins.module_utils._module import OpsAuthModule
    from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_info import InfoRun

    OpsAuthModule(ARGUMENT_SPEC, ARGUMENT_RULES, run_login=True).run(InfoRun)


if __name__ == '__main__':
    main()
