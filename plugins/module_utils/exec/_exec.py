# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Run a program inside a container or a Kubernetes pod (or on this host) and return what it printed.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Two credentials can only be made from inside the platform's own containers (JumpServer's private token,
DeepFlow's permanent token), so this is the one place that talks to docker, podman and kubectl.
Rules it keeps, whoever calls it:

- The command is always an argv list handed to the runtime's CLI, never a shell string we build: nothing a user
  types can become shell syntax on this host.
- Input and every secret travel on stdin (``exec -i``). A command line is readable by every local user through
  /proc/<pid>/cmdline and ends up in audit logs; stdin is not.
- Errors are small exception classes with one readable line; the command's stderr is quoted only after the
  caller's secrets were removed from it.

Where each part lives: ExecTarget here (the options, and run()); one class per runtime in _exec_runtimes.py; the
process itself (deadline, output cap, process-group kill) in _exec_process.py; the errors in _exec_errors.py; HTTP
through curl in the target in _exec_curl.py.
"""


from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

# How long a command in a container may run (the exec_timeout option's default, in _defaults.py with the others).
from ansible_collections.opsauth.tokens.plugins.module_utils._defaults import DEFAULT_EXEC_TIMEOUT
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_errors import ExecCommandFailed, ExecError
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_process import MAX_EXEC_OUTPUT, run_process, stderr_excerpt
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_runtimes import RUNTIMES, HostRuntime
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import redact


class ExecTarget:
    """Where a command runs: a docker or podman container, a Kubernetes pod, or this host (``runtime`` None).

    Build it from the EXEC_SPEC options with from_params(), call validate() (no process started), then run().
    What differs between runtimes is asked of the runtime's class (``cli``): ExecTarget never tests the runtime's name.
    """

    max_output = MAX_EXEC_OUTPUT  # bytes on stdout, and apart on stderr, before the command is stopped
    # The options of _options.EXEC_SPEC (the exec doc fragment), as the constructor takes them.
    OPTIONS = ('runtime', 'container', 'namespace', 'pod', 'pod_selector', 'kubeconfig', 'context', 'docker_binary',
               'podman_binary', 'kubectl_binary', 'exec_timeout')

    def __init__(self, runtime=None, container=None, namespace=None, pod=None, pod_selector=None, kubeconfig=None,
                 context=None, docker_binary='docker', podman_binary='podman', kubectl_binary='kubectl',
                 exec_timeout=DEFAULT_EXEC_TIMEOUT):
        self.runtime = runtime or None
        self.container = container or None
        self.namespace = namespace or None
        self.pod = pod or None
        self.pod_selector = pod_selector or None
        self.kubeconfig = kubeconfig or None
        self.context = context or None
        self.binaries = dict(docker=docker_binary or 'docker', podman=podman_binary or 'podman',
                             kubectl=kubectl_binary or 'kubectl')
        self.exec_timeout = exec_timeout or DEFAULT_EXEC_TIMEOUT
        self.found_pod = None  # the pod pod_selector found, looked up once per target
        self._cli = None

    @property
    def pod_name(self):
        """The pod commands run in: ``pod``, or the one ``pod_selector`` found (None until resolve_pod())."""
        return self.pod or self.found_pod

    @classmethod
    def from_params(cls, params):
        """The target the EXEC_SPEC options in ``params`` name (module.params, or any dict)."""
        return cls(**dict((name, params.get(name)) for name in cls.OPTIONS))

    @property
    def cli(self):
        """The runtime's class (_exec_runtimes) for this target; invalid_option for a runtime we do not know."""
        if self._cli is None:
            if self.runtime is None:
                self._cli = HostRuntime(self)
            elif self.runtime in RUNTIMES:
                self._cli = RUNTIMES[self.runtime](self)
            else:
                raise ExecError('runtime must be one of %s, got %r' % (', '.join(RUNTIMES), self.runtime), code='invalid_option')
        return self._cli

    def validate(self):
        """Check that the options name exactly one target; raise invalid_option with what to change."""
        self.cli.validate()
        for value, option in ((self.container, 'container'), (self.pod, 'pod')):
            # A leading dash would be read by the CLI as one of its own flags.
            if value and value.startswith('-'):
                raise ExecError('%s must not start with "-", got %r' % (option, value), code='invalid_option')

    def describe(self):
        """The target in words, for messages."""
        return self.cli.describe()

    def command_argv(self, command, binary=None):
        """The full argv that runs ``command`` (a list) in the target, stdin attached."""
        if not isinstance(command, (list, tuple)) or not command:
            raise ExecError('the command must be a non-empty argv list', code='invalid_option')
        return self.cli.argv([str(part) for part in command], binary)

    def resolve_pod(self):
        """Find the pod ``pod_selector`` names (kubectl only, once); return the pod name."""
        self.cli.resolve()
        return self.pod_name

    def run(self, command, stdin=None, secrets=(), check=True, max_output=None):
        """Run ``command`` in the target with ``stdin`` (text or bytes); return an ExecResult.

        Errors of the runtime itself (no such container, pod not running, ...) always raise. With ``check``,
        a non-zero exit of the command raises ExecCommandFailed with its stderr, ``secrets`` removed. With
        ``max_output`` (bytes), a command printing more on stdout or stderr is stopped (ExecOutputTooLarge).
        """
        self.validate()
        binary = self.cli.binary()
        self.resolve_pod()
        argv = self.command_argv(command, binary)
        result = run_process(argv, stdin, self.exec_timeout, self.describe(), argv[0] if binary else None,
                             self.max_output if max_output is None else max_output)
        if result.rc != 0:
            self.raise_for_runtime_error(result, secrets)
            if check:
                raise ExecCommandFailed('%s in %s exited with status %d: %s'
                                        % (os.path.basename(command[0]), self.describe(), result.rc,
                                           redact(stderr_excerpt(result.stderr), secrets)),
                                        rc=result.rc, stderr=redact(result.stderr, secrets))
        return result

    def raise_for_runtime_error(self, result, secrets=()):
        """Raise the matching ExecError when stderr is the runtime CLI's own complaint, not the command's."""
        self.cli.raise_for_error(result, secrets)
