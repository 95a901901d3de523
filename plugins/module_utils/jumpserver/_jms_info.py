# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""What a JumpServer says about itself and the caller: major version, user, organisations, clock skew, TLS.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

The job of the jms_info module, on top of a JumpServerClient: GET requests only, after the login the auth method
needs (a password login is a POST; the run's login, handed over by the action plugin, needs none).

JumpServer's API does not publish its version, so the major version is read from the server's behaviour (api-notes,
"v3.10 differences", seen on real v4.10.16 and v3.10.23 servers): an unknown bearer token is answered 401
``not_authenticated`` by v4 and ``authentication_failed`` ("Invalid token or cache refreshed.") by v3.10, whose
AccessTokenAuthentication raises AuthenticationFailed when the token is not in its cache. One GET of the profile with a
random bearer token tells them apart: it carries no credential of the user, changes nothing, and is answered by DRF's
authentication before any view. Only v4 throttles, so a 429 also means v4.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math
import time
import uuid
from email.utils import parsedate_tz, mktime_tz

from ansible_collections.opsauth.tokens.plugins.module_utils.http._http import bearer_auth
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver import ORGS_PATH, PROFILE_PATH, JumpServerClient
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_auth import PasswordAuth
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import CredentialRejected
from ansible_collections.opsauth.tokens.plugins.module_utils.http._tls import describe_certificate
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import origin

# UserProfileSerializer's lists of the orgs a user sees in each view (v3.10 and v4; UserOrgSerializer items).
PROFILE_ORG_FIELDS = ('console_orgs', 'audit_orgs', 'workbench_orgs')
# What the answer to the probe (a random bearer token) says about the major version.
PROBE_CODES = {
    'not_authenticated': (4, 'an unknown bearer token is answered HTTP 401 not_authenticated (JumpServer v4; v3.10 '
                             'answers authentication_failed)'),
    'authentication_failed': (3, 'an unknown bearer token is answered HTTP 401 authentication_failed "Invalid token or '
                                 'cache refreshed." (JumpServer v3.10; v4 answers not_authenticated)'),
}


def detect_server(client, clock=time.time):
    """``(server dict, clock skew in seconds or None)`` from one GET of the profile with a random bearer token.

    Sent first, before any login, so that no cookie of a login rides along. The skew is the server's ``Date`` minus
    the local time halfway through the request; ``Date`` has a resolution of one second, hence the half second added.
    """
    started = clock()
    resp = client.http.request('GET', PROFILE_PATH, auth=bearer_auth(str(uuid.uuid4())), expect_json=False)
    ended = clock()
    code = resp.json.get('code') if isinstance(resp.json, dict) else None
    major, detected_by = None, None
    if resp.status == 401 and code in PROBE_CODES:
        major, detected_by = PROBE_CODES[code]
    elif resp.status == 429:
        major, detected_by = 4, 'the server throttles (HTTP 429): JumpServer v4 does, v3.10 never'
    else:
        detected_by = ('not detected: an unknown bearer token was answered HTTP %d%s, neither v4 nor v3.10 behaviour'
                       % (resp.status, ' %s' % code if code else ''))
    server = dict(url=client.base_url, major=major, version=None, detected_by=detected_by)
    return server, clock_skew(resp.headers.get('Date'), (started + ended) / 2.0)


def clock_skew(date_header, local):
    """Server time minus ``local`` in whole seconds, from an RFC 7231 ``Date``; None without a usable one."""
    parsed = parsedate_tz(date_header or '') if date_header else None
    if not parsed:
        return None
    return int(math.floor(mktime_tz(parsed) + 0.5 - local + 0.5))


def visible_orgs(client, profile):
    """``[{id, name}]`` of every org the user sees: the profile's lists, or GET /api/v1/orgs/orgs/ without them."""
    if any(isinstance(profile.get(field), list) for field in PROFILE_ORG_FIELDS):
        found = [org for field in PROFILE_ORG_FIELDS for org in profile.get(field) or [] if isinstance(org, dict)]
    else:
        found = client.paginate(ORGS_PATH)
    orgs, seen = [], set()
    for org in found:
        if org.get('id') and org['id'] not in seen:
            seen.add(org['id'])
            orgs.append(dict(id=org['id'], name=org.get('name')))
    return orgs


def tls_facts(client):
    """``{https, verified, subject, issuer, date_expired, expires_at}`` of the connection the answers came on."""
    https = client.base_url.lower().startswith('https://')
    facts = dict(https=https, verified=https and client.http.verify is not False)
    facts.update(describe_certificate(client.http.peer_certificate if https else None))
    return facts


def server_info(client, reused=None):
    """Everything jms_info returns (without ``changed``): server, user, auth, orgs, clock_skew, tls, reused, msg.

    ``reused``: whether the run's login was a cached one (the action plugin knows); None when the module authenticates
    itself: then it is false only when this task logs in with the password.
    """
    server, skew = detect_server(client)
    if reused is None:
        reused = not (isinstance(client.auth, PasswordAuth) and client.auth.result is None)
    profile = client.check(client.request('GET', PROFILE_PATH)).json or {}
    user = dict(id=profile.get('id'), username=profile.get('username'), name=profile.get('name'))
    orgs = visible_orgs(client, profile)
    tls = tls_facts(client)
    version = 'JumpServer %s' % (server['major'] or '(version not detected)')
    msg = '%s at %s: %s as %s, %d organisation(s), clock skew %s s, TLS %s' % (
        version, origin(client.base_url), client.auth.NAME, user['username'], len(orgs),
        '?' if skew is None else skew, ('verified' if tls['verified'] else 'not verified') if tls['https'] else 'off')
    return dict(server=server, user=user, auth=client.auth.NAME, orgs=orgs, clock_skew=skew, tls=tls,
                reused=bool(reused), msg=msg, error_code=None)


class InfoRun:
    """One run of jms_info in the module frame (``module``: _module.OpsAuthModule); it never changes anything."""

    def __init__(self, module):
        self.module = module

    def run(self):
        self.module.require_requests()
        # The run's login, handed over by the action plugin (plugins/action/jms_info.py) instead of a login per host.
        run_login = self.module.handed_over()
        client = JumpServerClient.from_options(self.module.params)
        reused = None
        if run_login:
            client.adopt_login(run_login[0])
            reused = run_login[1]
        return dict(server_info(client, reused), changed=False)

    @staticmethod
    def failure(exc):
        return exc.failure(changed=False)

    @staticmethod
    def run_login_rejected(exc):
        # Only GETs: the action plugin may log in again once for the run and run the module again.
        return isinstance(exc, CredentialRejected)
