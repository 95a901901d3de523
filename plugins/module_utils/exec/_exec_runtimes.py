# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The runtimes a command can run in: one small class each, for this host, a docker/podman container, a kubectl pod.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

A runtime knows what only it knows: which options it needs, how its CLI's argv looks, how to name the target in a
message, and which of its CLI's complaints mean "no such target" or "not running". ExecTarget (_exec.py) holds the
options and picks the runtime; _exec_process.py runs what the runtime built.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re

from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_errors import ExecCommandFailed, ExecError
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_process import find_binary, run_process, stderr_excerpt
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import redact, strip_html

# What the real CLIs print when the target is missing or not running. Matched only on lines that start with the
# CLI's own prefix, so that a command's output mentioning "No such container" is not mistaken for the CLI's.
_DOCKER_NOT_FOUND = re.compile(r'^Error(?: response from daemon)?: No such container: ?(.*)$', re.I)
_DOCKER_NOT_RUNNING = re.compile(r'^Error response from daemon: (?:Container|container) (\S+) is (not running|paused|restarting)')
_DOCKER_UNAVAILABLE = re.compile(r'(Cannot connect to the Docker daemon|permission denied while trying to connect to the Docker daemon'
                                 r'|error during connect)', re.I)
_PODMAN_NOT_FOUND = re.compile(r'^Error: no container with (?:name or ID|ID or name) "?([^"\s]+)"? found', re.I)
_PODMAN_NOT_RUNNING = re.compile(r'^Error: can only create exec sessions on running containers', re.I)
_PODMAN_UNAVAILABLE = re.compile(r'^Error: (?:unable to connect to Podman|cannot connect to Podman)', re.I)
_OCI_NOT_FOUND = re.compile(r'OCI runtime exec failed: .*?(?:executable file not found in \$PATH|no such file or directory)')

_KUBECTL_POD_NOT_FOUND = re.compile(r'^Error from server \(NotFound\): pods "([^"]*)" not found')
_KUBECTL_NS_NOT_FOUND = re.compile(r'^Error from server \(NotFound\): namespaces "([^"]*)" not found')
_KUBECTL_COMPLETED = re.compile(r'^error: cannot exec into a container in a completed pod; current phase is (\w+)')
# kubectl >= 1.22 says "not found in pod"; older ones "is not valid for pod ... out of: a, b".
_KUBECTL_CONTAINER_NOT_FOUND = re.compile(r'^error: container (\S+) (?:not found in pod \S+|is not valid for pod .*)$')
# The kubelet answers this when the container is in the spec but not running (crash loop, still starting).
_KUBECTL_CONTAINER_NOT_RUNNING = re.compile(r'unable to upgrade connection: container not found \("([^"]*)"\)'
                                            r'|container is not created or running|pod does not exist')
_KUBECTL_NOT_SCHEDULED = re.compile(r'^Error from server \(BadRequest\): pod (\S+) does not have a host assigned')
_KUBECTL_UNAVAILABLE = re.compile(r'^(The connection to the server .* was refused|Unable to connect to the server'
                                  r'|error: You must be logged in to the server|error: context "[^"]*" does not exist'
                                  r'|error: stat .*: no such file or directory|Error in configuration'
                                  r'|Error from server \(Forbidden\))')
_KUBECTL_REMOTE_EXIT = re.compile(r'^command terminated with exit code (\d+)\s*$', re.M)


# The options that name where a command runs (the binaries and exec_timeout apply to every runtime); all but
# container are kubectl's alone.
KUBECTL_ONLY_OPTIONS = ('namespace', 'pod', 'pod_selector', 'kubeconfig', 'context')
TARGET_OPTIONS = ('container',) + KUBECTL_ONLY_OPTIONS


def _first_lines(stderr, count=3):
    return [line.strip() for line in (stderr or '').splitlines() if line.strip()][:count]


class HostRuntime:
    """No runtime: the command runs on this host (the task's target host) as it is."""

    def __init__(self, target):
        self.target = target  # the ExecTarget whose options this runtime reads

    @property
    def name(self):
        """The runtime option's value: the CLI's name in messages and in ``<name>_binary``."""
        return self.target.runtime

    def validate(self):
        given = [name for name in TARGET_OPTIONS if getattr(self.target, name)]
        if given:
            raise ExecError('%s given without runtime; set runtime to docker, podman or kubectl '
                            '(or drop them to run on the target host itself)' % ', '.join(given), code='invalid_option')

    def describe(self):
        return 'this host'

    def binary(self):
        """The full path of the runtime's CLI; None: the command is its own program."""
        return None

    def argv(self, command, binary=None):
        return command

    def resolve(self):
        """Look up what the options leave open (the pod of a selector); nothing here."""

    def raise_for_error(self, result, secrets=()):
        """A failure here is the command's own: nothing to recognise."""


class _CliRuntime(HostRuntime):
    """A runtime reached through its CLI (docker, podman or kubectl), given as ``<name>_binary``."""

    def binary(self):
        return find_binary(self.target.binaries[self.name], '%s_binary' % self.name)


class ContainerRuntime(_CliRuntime):
    """docker or podman: ``<cli> exec -i CONTAINER COMMAND...``. podman speaks docker's CLI, and a "docker" may well be
    podman (podman-docker), so both recognise either one's complaints."""

    def validate(self):
        if not self.target.container:
            raise ExecError('runtime=%s needs container (the name or id of the container, e.g. jms_core)' % self.name, code='invalid_option')
        wrong = [name for name in KUBECTL_ONLY_OPTIONS if getattr(self.target, name)]
        if wrong:
            raise ExecError('%s only apply to runtime=kubectl, not %s' % (', '.join(wrong), self.name), code='invalid_option')

    def describe(self):
        return '%s container %s' % (self.name, self.target.container)

    def argv(self, command, binary=None):
        # -i keeps stdin open; never -t: a TTY would echo stdin (our secrets) back into the output.
        return [binary or self.target.binaries[self.name], 'exec', '-i', self.target.container] + command

    def raise_for_error(self, result, secrets=()):
        stderr = result.stderr or ''
        where = self.describe()
        first = _first_lines(stderr, 1)
        line = first[0] if first else ''
        if _DOCKER_NOT_FOUND.search(line) or _PODMAN_NOT_FOUND.search(line):
            raise ExecError('%s does not exist: check the container name (%s ps -a)' % (where, self.name), code='exec_target_not_found')
        if _DOCKER_NOT_RUNNING.search(line) or _PODMAN_NOT_RUNNING.search(line):
            raise ExecError('%s is not running (%s); start it first' % (where, redact(line, secrets)), code='exec_target_not_running')
        if _DOCKER_UNAVAILABLE.search(line) or _PODMAN_UNAVAILABLE.search(line):
            raise ExecError('%s cannot reach its daemon: %s' % (self.name, redact(line, secrets)), code='exec_runtime_unavailable')
        if result.rc in (126, 127) and _OCI_NOT_FOUND.search(stderr):
            raise ExecCommandFailed('%s: the program to run was not found in the container: %s'
                                    % (where, redact(stderr_excerpt(stderr), secrets)), rc=result.rc,
                                    stderr=redact(stderr, secrets))


class KubectlRuntime(_CliRuntime):
    """kubectl: ``kubectl [--kubeconfig K] [--context C] [-n NS] exec -i POD [-c CONTAINER] -- COMMAND...``; the pod
    is named (``pod``) or found by a label selector (``pod_selector``, once per target)."""

    def validate(self):
        target = self.target
        if target.pod and target.pod_selector:
            raise ExecError('give either pod or pod_selector, not both', code='invalid_option')
        if not (target.pod or target.pod_selector):
            raise ExecError('runtime=kubectl needs pod (a pod name) or pod_selector (a label selector such as app=front-end)', code='invalid_option')

    def describe(self):
        target = self.target
        where = 'pod %s' % (target.pod_name or '(selector %s)' % target.pod_selector)
        if target.container:
            where = 'container %s of %s' % (target.container, where)
        return '%s in namespace %s' % (where, target.namespace or '(default)')

    def base(self, binary=None):
        """``kubectl [--kubeconfig K] [--context C] [-n NS]``: the part every kubectl call shares."""
        target = self.target
        argv = [binary or target.binaries['kubectl']]
        if target.kubeconfig:
            argv += ['--kubeconfig', target.kubeconfig]
        if target.context:
            argv += ['--context', target.context]
        if target.namespace:
            argv += ['-n', target.namespace]
        return argv

    def argv(self, command, binary=None):
        if not self.target.pod_name:
            raise ExecError('the pod is not known yet: call resolve_pod() first', code='invalid_option')
        argv = self.base(binary) + ['exec', '-i', self.target.pod_name]
        if self.target.container:
            argv += ['-c', self.target.container]
        # "--" ends kubectl's own flags: the command's arguments can never be read as kubectl flags.
        return argv + ['--'] + command

    def resolve(self):
        if not self.target.pod_name and self.target.pod_selector:
            self.target.found_pod = self.find_running_pod(self.target.pod_selector)

    def raise_for_error(self, result, secrets=()):
        stderr = result.stderr or ''
        where = self.describe()
        if _KUBECTL_REMOTE_EXIT.search(stderr):
            return  # the command ran in the pod and failed: that is the caller's business
        for line in _first_lines(stderr, 5):
            if _KUBECTL_POD_NOT_FOUND.search(line) or _KUBECTL_NS_NOT_FOUND.search(line):
                raise ExecError('%s does not exist: %s' % (where, line), code='exec_target_not_found')
            match = _KUBECTL_COMPLETED.search(line)
            if match:
                raise ExecError('%s has completed (phase %s); exec needs a Running pod' % (where, match.group(1)), code='exec_target_not_running')
            if _KUBECTL_CONTAINER_NOT_FOUND.search(line):
                raise ExecError('%s: %s' % (where, line[len('error: '):]), code='exec_target_not_found')
            if _KUBECTL_NOT_SCHEDULED.search(line):
                raise ExecError('%s is not scheduled on a node yet (Pending)' % where, code='exec_target_not_running')
            if _KUBECTL_CONTAINER_NOT_RUNNING.search(line):
                raise ExecError('%s is not running: %s' % (where, line), code='exec_target_not_running')
            if _KUBECTL_UNAVAILABLE.search(line):
                raise ExecError('kubectl cannot reach the cluster: %s' % redact(line, secrets), code='exec_runtime_unavailable')

    def find_running_pod(self, selector):
        """The name of a Running pod matching the label selector in ``namespace``; exec_no_running_pod when there is none.

        A pod that is being deleted keeps phase Running while it terminates, and exec into it fails halfway: skip it.
        Among the rest, a pod whose containers are all ready wins; ties go to the name, so reruns pick the same pod.
        """
        target = self.target
        binary = self.binary()
        argv = self.base(binary) + ['get', 'pods', '-l', selector, '-o', 'json']
        result = run_process(argv, None, target.exec_timeout, 'namespace %s' % (target.namespace or '(default)'), binary,
                             target.max_output)
        if result.rc != 0:
            self.raise_for_error(result)
            raise ExecError('kubectl get pods -l %s failed: %s' % (selector, stderr_excerpt(result.stderr)))
        try:
            items = json.loads(result.stdout).get('items') or []
        except (ValueError, AttributeError):
            raise ExecError('kubectl get pods -o json did not print JSON: "%s"' % strip_html(result.stdout))
        where = 'namespace %s' % (target.namespace or '(the context default)')
        if not items:
            raise ExecError('no pod in %s matches the label selector %s; check namespace and pod_selector' % (where, selector), code='exec_no_running_pod')
        candidates, seen = [], []
        for item in items:
            name = (item.get('metadata') or {}).get('name') or ''
            status = item.get('status') or {}
            phase = status.get('phase') or 'Unknown'
            terminating = bool((item.get('metadata') or {}).get('deletionTimestamp'))
            seen.append('%s (%s)' % (name, 'Terminating' if terminating else phase))
            if phase != 'Running' or terminating or not name:
                continue
            if target.container and target.container not in [c.get('name') for c in (item.get('spec') or {}).get('containers') or []]:
                continue
            statuses = status.get('containerStatuses') or []
            ready = bool(statuses) and all(cs.get('ready') for cs in statuses)
            candidates.append((0 if ready else 1, name))
        if not candidates:
            raise ExecError('no Running pod in %s matches the label selector %s%s; found: %s'
                            % (where, selector, ' with a container %s' % target.container if target.container else '',
                               ', '.join(sorted(seen))), code='exec_no_running_pod')
        return sorted(candidates)[0][1]


# The runtime option's values; without it (None) the command runs on this host (HostRuntime).
RUNTIMES = dict(docker=ContainerRuntime, podman=ContainerRuntime, kubectl=KubectlRuntime)
