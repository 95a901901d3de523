# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The collection's base error, the errors every transport raises, and what a failed task returns.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Standard library only: the token files, the TOTP code, the token cache and the lookups need an error class, not the
HTTP layer (a lookup answering from the cache must not import ``requests``). Errors of one platform or component stay
with it (JumpServerError, DeepFlowError, ExecError, TokenFileError) and derive from ``OpsAuthError``.

Errors are raised as exceptions and turned into a task failure only at the edge, in one way:
``module.fail_json(**exc.failure())`` in a module, ``exc.failure()`` in an action plugin, ``str(exc)`` in a lookup.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


# The fields every failed module returns beside msg (documented in docs/errors.md and docs/results.md):
# error_code         the collection's own code, one of the table of docs/errors.md: never None on a failure
# server_error_code  the server's own error code (JumpServer's "error"/"code", DeepFlow's OPT_STATUS), None when none
# status             the HTTP status of the answer that failed the task, None when unknown
# json               the server's (error) answer, decoded, None when unknown
FAILURE_FIELDS = ('error_code', 'server_error_code', 'status', 'json')


# The codes an HTTP status means whatever the request: the server's state, not a verdict on the task.
STATUS_CODES = {429: 'throttled', 502: 'server_unavailable', 503: 'server_unavailable', 504: 'server_unavailable'}


class OpsAuthError(Exception):
    """Base of every error the collection raises; the message is one line meant for the user.

    ``code`` is the stable code of docs/errors.md: each class sets its own, and a raise passes ``code=`` where one
    class covers failures a user must tell apart. ``server_code``, ``status`` and ``body`` are what the server
    answered (its own error code, the HTTP status, the decoded answer); ``result`` holds what a module must still
    return although it fails (a new token that could not be stored exists nowhere else). Raised as itself, it means
    options that cannot work, found before anything was sent.
    """

    code = 'invalid_option'
    server_code = None
    status = None
    body = None
    result = None

    def __init__(self, message, code=None, server_code=None, status=None, body=None):
        super(OpsAuthError, self).__init__(message)
        if code is not None:
            self.code = code
        if server_code is not None:
            self.server_code = server_code
        if status is not None:
            self.status = status
        if body is not None:
            self.body = body

    def failure(self, **context):
        """What a module returns when this error fails it: ``context`` (what the module knows, e.g. ``changed``), the
        FAILURE_FIELDS, this error's ``result`` and ``msg``; the same keys for every module."""
        fields = dict(context)
        fields.update(error_details(self))
        fields.update(self.result or {})
        fields['msg'] = str(self)
        return fields


def error_details(exc):
    """The FAILURE_FIELDS of any exception: our code, the server's error code, HTTP status and answer (None where
    unknown)."""
    return dict(error_code=getattr(exc, 'code', None), server_error_code=getattr(exc, 'server_code', None),
                status=getattr(exc, 'status', None), json=getattr(exc, 'body', None))


# --- what every transport raises (the direct one in _http, curl inside a pod in _exec) -------------------------------

class ConnectionFailed(OpsAuthError):
    """The server could not be reached (DNS, refused, TLS, timeout) or dropped the connection."""

    code = 'connection_failed'


class InvalidResponse(OpsAuthError):
    """The server answered, but not with the JSON the API documents (an HTML error page, say)."""

    code = 'invalid_response'

    def __init__(self, message, status=None, code=None):
        super(InvalidResponse, self).__init__(message, code=code, status=status)
