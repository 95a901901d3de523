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


class ExecOptionsError(ExecError):
    """The exec options do not name a usable target (found before anything runs)."""

    code = 'invalid_option'


class ExecBinaryNotFound(ExecError):
    """The runtime's CLI (docker, podman, kubectl) or the local program is not there or not executable."""

    code = 'exec_binary_not_found'


class ExecRuntimeUnavailable(ExecError):
    """The CLI runs but cannot reach its daemon or cluster, or is not allowed to."""

    code = 'exec_runtime_unavailable'


class ExecTargetNotFound(ExecError):
    """No such container, pod, or container in the pod."""

    code = 'exec_target_not_found'


class ExecTargetNotRunning(ExecError):
    """The container or pod exists but is stopped, paused, completed or not scheduled yet."""

    code = 'exec_target_not_running'


class NoRunningPod(ExecError):
    """A label selector found no pod in phase Running."""

    code = 'exec_no_running_pod'


class ExecTimeout(ExecError):
    """The command did not finish in time; it was killed."""

    code = 'exec_timeout'


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
