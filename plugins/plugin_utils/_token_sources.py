# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The token cache's view of each platform: who a password login belongs to, and how to log in, refresh and check.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice. Controller only.

Shared by the lookups and the modules' action plugins, so that both use the same cache entry for the same identity:
a play that mixes ``lookup('opsauth.tokens.jms_token')`` and ``opsauth.tokens.jms_request`` logs in once.
This module imports the platform clients (and so ``requests``): import it only when the cache cannot answer alone.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow import DeepFlowClient
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_tokens import is_refusal, with_dates
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_errors import DeepFlowApiError
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver import JumpServerClient
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import CredentialRejected, LoginFailed
from ansible_collections.opsauth.tokens.plugins.plugin_utils._token_cache import TokenCache, TokenRejected, TokenSource


class JumpServerTokenSource(TokenSource):
    """Password login (with MFA), and the profile call that proves a cached token still works."""

    can_verify = True

    def verify(self, data):
        try:
            self.client.check_token(data['token'], data.get('keyword'))
        except CredentialRejected:
            return False
        return True

    def remember(self, exc):
        # A throttled login (HTTP 429) is the server's load, not a verdict on the credentials.
        return isinstance(exc, LoginFailed) and exc.code != 'throttled'


class DeepFlowTokenSource(TokenSource):
    """Password login and refresh against fauths."""

    can_refresh = True

    def refresh(self, data):
        try:
            return self.client.refresh(data['refresh_token'], previous=data)
        except DeepFlowApiError as exc:
            if is_refusal(exc):
                raise TokenRejected(str(exc), server_code=exc.server_code, status=exc.status)
            raise

    def remember(self, exc):
        # A refused password login (wrong credentials, a locked account) is remembered; a 429 or a 5xx is not.
        return is_refusal(exc)

    def expiry(self, data):
        # Epochs, as the cache wants them; an entry written before the naming rule held ISO 8601 strings.
        data = with_dates(data)
        return data.get('expires_at'), data.get('refresh_expires_at')


def jumpserver(options):
    """(cache key, source) for the password login ``options`` describe; checks them first (no network)."""
    client = JumpServerClient.from_options(options, methods=('password',))
    # The TOTP seed is part of the identity like the password: fixing either is a new entry, not a cached failure.
    # The TLS trust is part of the key: a token obtained without verification is never served to a task that
    # verifies. The org is not: a bearer token is the user's in every org (X-JMS-ORG goes with each request, and
    # check_org is cached per URL and org on its own).
    key = TokenCache.key('jms', client.base_url, options['username'],
                         [options['password'], options.get('mfa_totp_secret') or ''],
                         fields={'username': options['username']}, tls=client.http.verify)
    return key, JumpServerTokenSource(client)


def deepflow(options):
    """(cache key, source) for the password login ``options`` describe; checks them first (no network)."""
    client = DeepFlowClient.from_options(options)
    client.validate_login()
    # The label is for messages only; the key holds email and account type apart (issue 17: as one string
    # "email (account_type)", two identities could share an entry), and the fauths URL the token came from.
    identity = options['email'] if client.account_type == 'deepflow' else '%s (%s)' % (
        options['email'], client.account_type)
    key = TokenCache.key('deepflow', client.http.base_url, identity, [options['password']],
                         fields={'email': options['email'], 'account_type': client.account_type},
                         tls=client.http.verify)
    return key, DeepFlowTokenSource(client)
