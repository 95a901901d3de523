# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The result vocabulary every module shares (docs/results.md): the keys of a success, and check mode's placeholders.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Check mode on a first run issues nothing, yet the tasks after it template the result (``{{ jms.headers }}``): so it
returns the keys of a real run, with PLACEHOLDER where a credential would be and the expiry a new credential would
get by the server's default lifetime. A placeholder never reaches a server: check mode sends no login and no write.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils._time import iso_from_epoch, now

# What check mode returns in place of a credential that a real run would issue (a token, a secret, a refresh token).
PLACEHOLDER = 'check-mode-placeholder'


def succeeded(result, reused=False):
    """``result`` with the keys every module returns on success: ``error_code`` null, and ``reused``."""
    result.setdefault('reused', reused)
    result.setdefault('error_code', None)
    return result


def placeholder_expiry(lifetime):
    """``expires_at``, ``date_expired`` and ``expires_in`` of a credential issued now with the server's default
    ``lifetime`` (seconds): what check mode says a first run would get."""
    expires_at = int(now()) + int(lifetime)
    return dict(expires_at=expires_at, date_expired=iso_from_epoch(expires_at), expires_in=int(lifetime))
