# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The errors of the DeepFlow layer (_deepflow*.py): the base class, bad options, API refusals, page URLs, the proof.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Their own file, below every DeepFlow file: the client, the token data, the page URLs, the proof and the jobs raise
them, and the callers (the token cache, the filter, the modules) catch them without needing the code that raises them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import STATUS_CODES, OpsAuthError


class DeepFlowError(OpsAuthError):
    """Base of the DeepFlow errors."""

    code = 'api_error'


class DeepFlowOptionError(DeepFlowError):
    """The options cannot work (missing URL, missing credentials); raised before any request."""

    code = 'invalid_option'


class DeepFlowApiError(DeepFlowError):
    """DeepFlow answered, but not with HTTP 2xx and OPT_STATUS SUCCESS; ``server_code`` is the OPT_STATUS (None
    without the envelope) and ``body`` the envelope without DATA (the answer to a login may hold a token even when it fails)."""

    def __init__(self, action, status, opt_status, description, body=None):
        self.action = action
        self.status = status
        self.server_code = opt_status
        self.description = description
        self.body = body
        message = '%s failed: HTTP %s, OPT_STATUS %s' % (action, status, opt_status or '(no DeepFlow envelope)')
        if description:
            message += ': %s' % description
        super(DeepFlowApiError, self).__init__(message, code=STATUS_CODES.get(status))


class PasswordNotProved(DeepFlowError):
    """The password could not be proved with a fauths login, so nothing was deleted."""

    code = 'password_not_proved'

    def __init__(self, email, cause):
        super(PasswordNotProved, self).__init__(
            'state=rotated: the password of %s must be proved with a fauths login before its only permanent token is '
            'deleted, and that failed (%s); nothing was deleted' % (email, str(cause).rstrip('.')))
        self.server_code, self.status = getattr(cause, 'server_code', None), getattr(cause, 'status', None)


class PageUrlError(DeepFlowError):
    """A login-free page URL cannot be built from the given input."""

    code = 'invalid_option'
