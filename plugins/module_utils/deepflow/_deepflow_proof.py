# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""DeepFlow: the password of an account proved with a fauths login before its permanent token is deleted.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow import (
    DEFAULT_FUSER_URL,
    DeepFlowClient,
    fauths_base_url,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_errors import DeepFlowOptionError, PasswordNotProved
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError

# fauths inside the cluster, beside fuser (api-notes: internal http://fauths:20822, fuser http://fuser:20824).
INTERNAL_FAUTHS_URL = 'http://fauths:20822'


def proof_fauths_url(options, over_exec=False):
    """fauths_url; over exec, else fauths in the cluster; direct, else url's, else (beside the default fuser) the cluster's."""
    if options.get('fauths_url'):
        return options['fauths_url'].strip().rstrip('/')
    if over_exec:
        return INTERNAL_FAUTHS_URL
    if options.get('url'):
        return fauths_base_url(options)
    if (options.get('fuser_url') or DEFAULT_FUSER_URL).strip().rstrip('/') == DEFAULT_FUSER_URL:
        return INTERNAL_FAUTHS_URL
    raise DeepFlowOptionError('state=rotated proves the password with a fauths login before it deletes the permanent '
                              'token: set url (the DeepFlow controller) or fauths_url')


def prove_password(options, curl=None):
    """Log in to fauths with the account's email and password, and log out again; PasswordNotProved otherwise.

    fuser checks the password only in its create, which DeepFlow accepts only once the old token is deleted: a wrong
    password there left the account with no permanent token (issue 17). ``curl``: the fuser CurlTransport, whose pod
    sends the login too (no logout: a bearer header would be on curl's command line; the token expires by itself).
    """
    try:
        if curl is None:
            client = DeepFlowClient.from_options(dict(options, fauths_url=proof_fauths_url(options)))
        else:
            client = DeepFlowClient(curl.sibling(proof_fauths_url(options, over_exec=True)), email=options.get('email'),
                                    account_type=options.get('account_type'), password=options.get('password'))
        tokens = client.login()
    except DeepFlowOptionError:
        raise
    except OpsAuthError as exc:
        raise PasswordNotProved(options.get('email'), exc)
    if curl is None:
        try:
            client.logout(tokens['token'])
        except OpsAuthError:
            pass  # the proof stands; the session ends by itself within expires_in
