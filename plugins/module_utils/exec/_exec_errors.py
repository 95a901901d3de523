# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The errors of the exec transport (_exec*.py): one small class per way an exec can fail.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Their own file because every exec file raises them (the process runner, the runtimes, curl in a pod) and the
callers (the private token job, the modules) catch them, without needing any of the code that raises them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError


class ExecError(OpsAuthError):
    """Base of every error of the exec transport."""

    code = 'exec_failed'


class ExecOutputTooLarge(ExecError):
    """The command printed more than MAX_EXEC_OUTPUT bytes (or the caller's max_output) on one stream; it was killed."""

    code = 'exec_output_too_large'


class ExecCommandFailed(ExecError):
    """The command ran and exited non-zero. ``stderr`` is already redacted."""

    code = 'exec_command_failed'

    def __init__(self, message, rc=None, stderr=''):
        super(ExecCommandFailed, self).__init__(message)
        self.rc = rc
        self.stderr = stderr
