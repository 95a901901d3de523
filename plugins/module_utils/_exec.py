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
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import select
import selectors
import shutil
import signal
import subprocess
import time

from urllib.parse import urlencode

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import (
    ConnectionFailed,
    InvalidResponse,
    OpsAuthError,
)
from ansible_collections.opsauth.tokens.plugins.module_utils._transport import (
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_TIMEOUT,
    HttpResponse,
    REDIRECT_STATUSES,
    deadline_error,
    decode_body,
    join_url,
    origin,
    parse_origin,
    redact,
    redirect_error,
    strip_html,
    too_large_error,
)

RUNTIMES = ('docker', 'podman', 'kubectl')
# How long a command in a container may run (the exec_timeout option's default).
DEFAULT_EXEC_TIMEOUT = 120
# What a command may print on stdout, and apart on stderr, before it is stopped. The jobs this collection runs print
# one JSON line (plus JumpServer's start-up log on stderr); megabytes mean a wrong command or one that never stops.
MAX_EXEC_OUTPUT = 4 * 1024 * 1024


class ExecError(OpsAuthError):
    """Base of every error of the exec transport."""


class ExecOptionsError(ExecError):
    """The exec options do not name a usable target (found before anything runs)."""


class ExecBinaryNotFound(ExecError):
    """The runtime's CLI (docker, podman, kubectl) or the local program is not there or not executable."""


class ExecRuntimeUnavailable(ExecError):
    """The CLI runs but cannot reach its daemon or cluster, or is not allowed to."""


class ExecTargetNotFound(ExecError):
    """No such container, pod, or container in the pod."""


class ExecTargetNotRunning(ExecError):
    """The container or pod exists but is stopped, paused, completed or not scheduled yet."""


class NoRunningPod(ExecError):
    """A label selector found no pod in phase Running."""


class ExecTimeout(ExecError):
    """The command did not finish in time; it was killed."""


class ExecOutputTooLarge(ExecError):
    """The command printed more than MAX_EXEC_OUTPUT bytes (or the caller's max_output) on one stream; it was killed."""


class _OutputCapReached(Exception):
    def __init__(self, stream):
        super(_OutputCapReached, self).__init__(stream)
        self.stream = stream


class ExecCommandFailed(ExecError):
    """The command ran and exited non-zero. ``stderr`` is already redacted."""

    def __init__(self, message, rc=None, stderr=''):
        super(ExecCommandFailed, self).__init__(message)
        self.rc = rc
        self.stderr = stderr


class ExecResult:
    """What a command printed: ``rc``, ``stdout`` and ``stderr`` as text (stderr not redacted: use redact())."""

    def __init__(self, rc, stdout, stderr):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr


def stderr_excerpt(stderr, limit=400):
    """The end of stderr on one line: the last lines are where a CLI or a traceback says what went wrong."""
    lines = [line.strip() for line in (stderr or '').splitlines() if line.strip()]
    text = ' | '.join(lines[-4:])
    return ('...' + text[-limit:]) if len(text) > limit else (text or '(no error output)')


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


def _first_lines(stderr, count=3):
    return [line.strip() for line in (stderr or '').splitlines() if line.strip()][:count]


def find_binary(name, option):
    """The full path of a CLI given as a path or a plain name (looked up on PATH)."""
    if os.sep in name:
        if not os.path.isfile(name):
            raise ExecBinaryNotFound('%s %s does not exist; install it or give its full path in %s' % (option, name, option))
        if not os.access(name, os.X_OK):
            raise ExecBinaryNotFound('%s %s is not executable' % (option, name))
        return name
    found = shutil.which(name)
    if not found:
        raise ExecBinaryNotFound('%s "%s" was not found on PATH; install it or give its full path in %s' % (option, name, option))
    return found


class ExecTarget:
    """Where a command runs: a docker or podman container, a Kubernetes pod, or this host (``runtime`` None).

    Build it from the EXEC_SPEC options with from_params(), call validate() (no process started), then run().
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

    @property
    def pod_name(self):
        """The pod commands run in: ``pod``, or the one ``pod_selector`` found (None until resolve_pod())."""
        return self.pod or self.found_pod

    @classmethod
    def from_params(cls, params):
        """The target the OPTIONS in ``params`` name (module.params, or any dict)."""
        return cls(**dict((name, params.get(name)) for name in cls.OPTIONS))

    def validate(self):
        """Check that the options name exactly one target; raise ExecOptionsError with what to change."""
        if self.runtime is None:
            given = [name for name in ('container', 'namespace', 'pod', 'pod_selector', 'kubeconfig', 'context')
                     if getattr(self, name)]
            if given:
                raise ExecOptionsError('%s given without runtime; set runtime to docker, podman or kubectl '
                                       '(or drop them to run on the target host itself)' % ', '.join(given))
            return
        if self.runtime not in RUNTIMES:
            raise ExecOptionsError('runtime must be one of %s, got %r' % (', '.join(RUNTIMES), self.runtime))
        if self.runtime in ('docker', 'podman'):
            if not self.container:
                raise ExecOptionsError('runtime=%s needs container (the name or id of the container, e.g. jms_core)' % self.runtime)
            wrong = [name for name in ('namespace', 'pod', 'pod_selector', 'kubeconfig', 'context') if getattr(self, name)]
            if wrong:
                raise ExecOptionsError('%s only apply to runtime=kubectl, not %s' % (', '.join(wrong), self.runtime))
        else:
            if self.pod and self.pod_selector:
                raise ExecOptionsError('give either pod or pod_selector, not both')
            if not (self.pod or self.pod_selector):
                raise ExecOptionsError('runtime=kubectl needs pod (a pod name) or pod_selector (a label selector such as app=front-end)')
        for value, option in ((self.container, 'container'), (self.pod, 'pod')):
            # A leading dash would be read by the CLI as one of its own flags.
            if value and value.startswith('-'):
                raise ExecOptionsError('%s must not start with "-", got %r' % (option, value))

    @property
    def binary_option(self):
        return '%s_binary' % self.runtime

    def describe(self):
        """The target in words, for messages."""
        if self.runtime is None:
            return 'this host'
        if self.runtime in ('docker', 'podman'):
            return '%s container %s' % (self.runtime, self.container)
        where = 'pod %s' % (self.pod_name or '(selector %s)' % self.pod_selector)
        if self.container:
            where = 'container %s of %s' % (self.container, where)
        return '%s in namespace %s' % (where, self.namespace or '(default)')

    # --- argv -------------------------------------------------------------------------------------------------

    def kubectl_base(self, binary=None):
        """``kubectl [--kubeconfig K] [--context C] [-n NS]``: the part every kubectl call shares."""
        argv = [binary or self.binaries['kubectl']]
        if self.kubeconfig:
            argv += ['--kubeconfig', self.kubeconfig]
        if self.context:
            argv += ['--context', self.context]
        if self.namespace:
            argv += ['-n', self.namespace]
        return argv

    def command_argv(self, command, binary=None):
        """The full argv that runs ``command`` (a list) in the target, stdin attached."""
        if not isinstance(command, (list, tuple)) or not command:
            raise ExecOptionsError('the command must be a non-empty argv list')
        command = [str(part) for part in command]
        if self.runtime is None:
            return command
        if self.runtime in ('docker', 'podman'):
            # -i keeps stdin open; never -t: a TTY would echo stdin (our secrets) back into the output.
            return [binary or self.binaries[self.runtime], 'exec', '-i', self.container] + command
        if not self.pod_name:
            raise ExecOptionsError('the pod is not known yet: call resolve_pod() first')
        argv = self.kubectl_base(binary) + ['exec', '-i', self.pod_name]
        if self.container:
            argv += ['-c', self.container]
        # "--" ends kubectl's own flags: the command's arguments can never be read as kubectl flags.
        return argv + ['--'] + command

    # --- running ----------------------------------------------------------------------------------------------

    def _binary(self):
        if self.runtime is None:
            return None
        return find_binary(self.binaries[self.runtime], self.binary_option)

    def resolve_pod(self):
        """Find the pod ``pod_selector`` names (kubectl only, once); return the pod name."""
        if self.runtime == 'kubectl' and not self.pod_name and self.pod_selector:
            self.found_pod = self.find_running_pod(self.pod_selector)
        return self.pod_name

    def run(self, command, stdin=None, secrets=(), check=True, max_output=None):
        """Run ``command`` in the target with ``stdin`` (text or bytes); return an ExecResult.

        Errors of the runtime itself (no such container, pod not running, ...) always raise. With ``check``,
        a non-zero exit of the command raises ExecCommandFailed with its stderr, ``secrets`` removed. With
        ``max_output`` (bytes), a command printing more on stdout or stderr is stopped (ExecOutputTooLarge).
        """
        self.validate()
        binary = self._binary()
        self.resolve_pod()
        argv = self.command_argv(command, binary)
        result = _run_process(argv, stdin, self.exec_timeout, self.describe(), argv[0] if binary else None,
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
        stderr = result.stderr or ''
        where = self.describe()
        if self.runtime in ('docker', 'podman'):
            first = _first_lines(stderr, 1)
            line = first[0] if first else ''
            if _DOCKER_NOT_FOUND.search(line) or _PODMAN_NOT_FOUND.search(line):
                raise ExecTargetNotFound('%s does not exist: check the container name (%s ps -a)' % (where, self.runtime))
            if _DOCKER_NOT_RUNNING.search(line) or _PODMAN_NOT_RUNNING.search(line):
                raise ExecTargetNotRunning('%s is not running (%s); start it first' % (where, redact(line, secrets)))
            if _DOCKER_UNAVAILABLE.search(line) or _PODMAN_UNAVAILABLE.search(line):
                raise ExecRuntimeUnavailable('%s cannot reach its daemon: %s' % (self.runtime, redact(line, secrets)))
            if result.rc in (126, 127) and _OCI_NOT_FOUND.search(stderr):
                raise ExecCommandFailed('%s: the program to run was not found in the container: %s'
                                        % (where, redact(stderr_excerpt(stderr), secrets)), rc=result.rc,
                                        stderr=redact(stderr, secrets))
        elif self.runtime == 'kubectl':
            if _KUBECTL_REMOTE_EXIT.search(stderr):
                return  # the command ran in the pod and failed: that is the caller's business
            for line in _first_lines(stderr, 5):
                if _KUBECTL_POD_NOT_FOUND.search(line) or _KUBECTL_NS_NOT_FOUND.search(line):
                    raise ExecTargetNotFound('%s does not exist: %s' % (where, line))
                match = _KUBECTL_COMPLETED.search(line)
                if match:
                    raise ExecTargetNotRunning('%s has completed (phase %s); exec needs a Running pod' % (where, match.group(1)))
                if _KUBECTL_CONTAINER_NOT_FOUND.search(line):
                    raise ExecTargetNotFound('%s: %s' % (where, line[len('error: '):]))
                if _KUBECTL_NOT_SCHEDULED.search(line):
                    raise ExecTargetNotRunning('%s is not scheduled on a node yet (Pending)' % where)
                if _KUBECTL_CONTAINER_NOT_RUNNING.search(line):
                    raise ExecTargetNotRunning('%s is not running: %s' % (where, line))
                if _KUBECTL_UNAVAILABLE.search(line):
                    raise ExecRuntimeUnavailable('kubectl cannot reach the cluster: %s' % redact(line, secrets))

    def find_running_pod(self, selector):
        """The name of a Running pod matching the label selector in ``namespace``; NoRunningPod when there is none.

        A pod that is being deleted keeps phase Running while it terminates, and exec into it fails halfway: skip it.
        Among the rest, a pod whose containers are all ready wins; ties go to the name, so reruns pick the same pod.
        """
        binary = find_binary(self.binaries['kubectl'], 'kubectl_binary')
        argv = self.kubectl_base(binary) + ['get', 'pods', '-l', selector, '-o', 'json']
        result = _run_process(argv, None, self.exec_timeout, 'namespace %s' % (self.namespace or '(default)'), binary,
                              self.max_output)
        if result.rc != 0:
            self.raise_for_runtime_error(result)
            raise ExecError('kubectl get pods -l %s failed: %s' % (selector, stderr_excerpt(result.stderr)))
        try:
            items = json.loads(result.stdout).get('items') or []
        except (ValueError, AttributeError):
            raise ExecError('kubectl get pods -o json did not print JSON: "%s"' % strip_html(result.stdout))
        where = 'namespace %s' % (self.namespace or '(the context default)')
        if not items:
            raise NoRunningPod('no pod in %s matches the label selector %s; check namespace and pod_selector' % (where, selector))
        candidates, seen = [], []
        for item in items:
            name = (item.get('metadata') or {}).get('name') or ''
            status = item.get('status') or {}
            phase = status.get('phase') or 'Unknown'
            terminating = bool((item.get('metadata') or {}).get('deletionTimestamp'))
            seen.append('%s (%s)' % (name, 'Terminating' if terminating else phase))
            if phase != 'Running' or terminating or not name:
                continue
            if self.container and self.container not in [c.get('name') for c in (item.get('spec') or {}).get('containers') or []]:
                continue
            statuses = status.get('containerStatuses') or []
            ready = bool(statuses) and all(cs.get('ready') for cs in statuses)
            candidates.append((0 if ready else 1, name))
        if not candidates:
            raise NoRunningPod('no Running pod in %s matches the label selector %s%s; found: %s'
                               % (where, selector, ' with a container %s' % self.container if self.container else '',
                                  ', '.join(sorted(seen))))
        return sorted(candidates)[0][1]


def _run_process(argv, stdin, timeout, where, binary_for_errors, max_output=MAX_EXEC_OUTPUT):
    if isinstance(stdin, str):
        stdin = stdin.encode('utf-8')
    try:
        # No shell: the child gets our argv list as is. Its own session, so that a timeout can stop it together with
        # whatever it started (a local command's children would otherwise keep the pipes open). Not run_command:
        # it has no timeout and cannot stop a process group (ansible-test 2.21's pylint asks for it in module_utils).
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,  # pylint: disable=ansible-bad-function
                                stderr=subprocess.PIPE, close_fds=True, start_new_session=True)
    except OSError as exc:
        raise ExecBinaryNotFound('cannot run %s: %s' % (binary_for_errors or argv[0], exc.strerror or exc))
    try:
        out, err = _communicate(proc, stdin or b'', timeout, max_output)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ExecTimeout('the command in %s did not finish within %d s (exec_timeout); it was stopped' % (where, timeout))
    except _OutputCapReached as exc:
        _kill_group(proc)
        raise ExecOutputTooLarge('the command in %s printed more than %d bytes on %s, more than any job of this '
                                 'collection prints; it was stopped (a wrong command, or one that prints without end)'
                                 % (where, max_output, exc.stream))
    return ExecResult(proc.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace'))


def _communicate(proc, data, timeout, max_output):
    """Popen.communicate with a cap on each output stream and one deadline for the whole exchange.

    communicate() would buffer whatever the command prints, without end. This reads both pipes as they fill, stops at
    ``max_output`` bytes on either (_OutputCapReached) and at ``timeout`` seconds in all (TimeoutExpired).
    """
    deadline = time.monotonic() + timeout
    out, err = [], []
    streams = {proc.stdout.fileno(): ('stdout', out), proc.stderr.fileno(): ('stderr', err)}
    sizes = dict((fd, 0) for fd in streams)
    view, written = memoryview(data), 0
    with selectors.DefaultSelector() as selector:
        for fd in streams:
            selector.register(fd, selectors.EVENT_READ)
        if data:
            selector.register(proc.stdin.fileno(), selectors.EVENT_WRITE)
        else:
            proc.stdin.close()
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise subprocess.TimeoutExpired(proc.args, timeout)
            for key, dummy in selector.select(remaining):
                if key.fd not in streams:
                    try:
                        # At most PIPE_BUF bytes: a write the selector said is possible then never blocks.
                        written += os.write(key.fd, view[written:written + select.PIPE_BUF])
                    except BrokenPipeError:
                        written = len(data)  # the command does not read its stdin: what it prints still counts
                    if written >= len(data):
                        selector.unregister(key.fd)
                        proc.stdin.close()
                    continue
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fd)
                    continue
                sizes[key.fd] += len(chunk)
                if sizes[key.fd] > max_output:
                    raise _OutputCapReached(streams[key.fd][0])
                streams[key.fd][1].append(chunk)
    proc.wait(timeout=max(deadline - time.monotonic(), 0.01))
    for pipe in (proc.stdout, proc.stderr):
        pipe.close()
    return b''.join(out), b''.join(err)


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None and not pipe.closed:
            try:
                pipe.close()
            except OSError:  # pragma: no cover - a pipe whose other end is already gone
                pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - the kill did not take (a process in uninterruptible sleep)
        pass


# --- HTTP through curl inside a pod -----------------------------------------------------------------------------

# Header names that carry credentials: they would land on curl's command line, so we refuse them.
_SECRET_HEADER = re.compile(r'(authorization|cookie|token|secret|pass|key|csrf)', re.I)
# Room for the -w trailer (a redirect URL and the status) on top of the body.
_TRAILER_ROOM = 16 * 1024
_STATUS_TRAILER = re.compile(r'\n([^\n]*)\n(\d{3})$')


def _secret_values(body):
    if not isinstance(body, dict):
        return []
    return [str(value) for key, value in body.items() if value and _SECRET_HEADER.search(str(key))]


class CurlTransport:
    """HTTP over ``curl`` run inside the target: for services only reachable from inside a cluster (DeepFlow's fuser).

    ``request(method, path, params, json_body, headers)`` returns an HttpResponse like the direct HTTP transport, so
    a platform client does not care which one it has. The request body goes on stdin (``--data-binary @-``); the URL
    and the headers are on curl's command line, so they must not carry secrets (a secret-looking header is refused).
    """

    def __init__(self, target, base_url, timeout=DEFAULT_TIMEOUT, validate_certs=True, curl='curl', secrets=(),
                 ca_path=None, max_response_size=DEFAULT_MAX_RESPONSE_SIZE):
        if parse_origin(base_url) is None:
            raise ExecOptionsError('url must be an absolute http:// or https:// URL, got %r' % (base_url,))
        self.target = target
        self.base_url = base_url.strip().rstrip('/')
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.max_response_size = max_response_size or DEFAULT_MAX_RESPONSE_SIZE
        self.curl = curl
        self.secrets = list(secrets)
        self.attempts = 0

    def url_for(self, path, params=None):
        # The same origin rule as the direct transport: the request goes to base_url's scheme, host and port only.
        url = join_url(self.base_url, path)
        if params:
            url += ('&' if '?' in url else '?') + urlencode(sorted(params.items()) if isinstance(params, dict) else params)
        return url

    def curl_argv(self, method, url, headers=None, has_body=False):
        argv = [self.curl, '-sS', '-X', method.upper()]
        if self.timeout:
            # curl's --max-time bounds the whole transfer, body included: the deadline of the direct transport.
            argv += ['--max-time', str(int(self.timeout))]
        # The TLS precedence of _http.tls_verify, as curl spells it: -k > --cacert > curl's own CURL_CA_BUNDLE (the
        # pod's environment) > its default store. ca_path is a path inside the pod here.
        if self.validate_certs is False:
            argv.append('-k')
        elif self.ca_path:
            argv += ['--cacert', self.ca_path]
        # Stops early on a Content-Length over the cap; a chunked body is capped where its output is read.
        argv += ['--max-filesize', str(int(self.max_response_size))]
        for name, value in sorted((headers or {}).items()):
            if _SECRET_HEADER.search(name):
                raise ExecOptionsError('refusing to send header %s through curl: it would be visible on the command line' % name)
            argv += ['-H', '%s: %s' % (name, value)]
        if has_body:
            if not any(name.lower() == 'content-type' for name in (headers or {})):
                argv += ['-H', 'Content-Type: application/json']
            argv += ['--data-binary', '@-']
        # curl prints the body, then this trailer: the Location of a redirect and the status code, each after a newline,
        # which we split off again.
        return argv + ['-w', '\\n%{redirect_url}\\n%{http_code}', url]

    def request(self, method, path, params=None, json_body=None, headers=None, expect_json=True, secrets=()):
        """Send one request with curl in the target and return an HttpResponse (no retries: the caller decides).

        The positional order is the one _deepflow.PermanentTokenClient uses for its transports.
        """
        # Whatever the body holds under a secret-looking key is removed from any error text, on top of ``secrets``.
        secrets = self.secrets + list(secrets or ()) + _secret_values(json_body)
        url = self.url_for(path, params)
        body = None if json_body is None else json.dumps(json_body)
        argv = self.curl_argv(method, url, headers, has_body=body is not None)
        self.attempts += 1
        try:
            # The cap of the direct transport, on what curl prints (the body, then a short trailer): --max-filesize
            # does not stop a chunked body, and communicate() would hold all of it.
            result = self.target.run(argv, stdin=body, secrets=secrets, check=False,
                                     max_output=self.max_response_size + _TRAILER_ROOM)
        except ExecOutputTooLarge:
            raise too_large_error(origin(url), self.max_response_size)
        if result.rc != 0:
            self.target.raise_for_runtime_error(result, secrets)
            message = redact(stderr_excerpt(result.stderr), secrets)
            # curl's exit codes for "could not resolve", "could not connect", "timed out", TLS: the server was never reached
            if result.rc == 63:
                raise too_large_error(origin(url), self.max_response_size)
            if result.rc == 28:
                raise deadline_error(method.upper(), url, self.timeout)
            if result.rc in (6, 7, 35, 52, 56, 60):
                raise ConnectionFailed('%s %s from %s failed: %s' % (method.upper(), url, self.target.describe(), message))
            raise ExecCommandFailed('curl in %s exited with status %d: %s' % (self.target.describe(), result.rc, message),
                                    rc=result.rc, stderr=redact(result.stderr, secrets))
        match = _STATUS_TRAILER.search(result.stdout)
        if not match:
            raise InvalidResponse('curl in %s printed no status code: is it really curl? output: "%s"'
                                  % (self.target.describe(), strip_html(redact(result.stdout, secrets))))
        status = int(match.group(2))
        if status in REDIRECT_STATUSES:
            raise redirect_error(method.upper(), url, status, redact(match.group(1), secrets))
        parsed, text = decode_body(result.stdout[:match.start()], status, origin(url), expect_json=expect_json,
                                   secrets=secrets)
        return HttpResponse(status, {}, text, parsed, url)
