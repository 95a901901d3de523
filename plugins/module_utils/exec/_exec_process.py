# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Running one process with a deadline and a cap on its output, and stopping it together with its children.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

The one place the exec transport starts a process: the runtimes (_exec_runtimes.py) only build the argv and read
what the CLI complained about. The rules kept here, whatever runs:

- No shell: the argv list goes to the program as it is.
- One deadline for the whole exchange (stdin written, stdout and stderr read), and a cap on each output stream:
  communicate() would wait without end and hold whatever the command prints.
- On a timeout or at the cap the process is killed with its whole process group, so nothing it started keeps
  running or keeps the pipes open.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import select
import selectors
import shutil
import signal
import subprocess
import time

from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_errors import ExecError, ExecOutputTooLarge


# What a command may print on stdout, and apart on stderr, before it is stopped. The jobs this collection runs print
# one JSON line (plus JumpServer's start-up log on stderr); megabytes mean a wrong command or one that never stops.
MAX_EXEC_OUTPUT = 4 * 1024 * 1024


class _OutputCapReached(Exception):
    def __init__(self, stream):
        super(_OutputCapReached, self).__init__(stream)
        self.stream = stream


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


def find_binary(name, option):
    """The full path of a CLI given as a path or a plain name (looked up on PATH)."""
    if os.sep in name:
        if not os.path.isfile(name):
            raise ExecError('%s %s does not exist; install it or give its full path in %s' % (option, name, option), code='exec_binary_not_found')
        if not os.access(name, os.X_OK):
            raise ExecError('%s %s is not executable' % (option, name), code='exec_binary_not_found')
        return name
    found = shutil.which(name)
    if not found:
        raise ExecError('%s "%s" was not found on PATH; install it or give its full path in %s' % (option, name, option), code='exec_binary_not_found')
    return found


def run_process(argv, stdin, timeout, where, binary_for_errors, max_output=MAX_EXEC_OUTPUT):
    """Run ``argv`` with ``stdin`` (text or bytes) and return an ExecResult, whatever its exit status.

    ``where`` names the target in the exec_timeout and ExecOutputTooLarge messages; ``binary_for_errors`` the program
    in the message when it cannot be started (default: argv[0]).
    """
    if isinstance(stdin, str):
        stdin = stdin.encode('utf-8')
    try:
        # No shell: the child gets our argv list as is. Its own session, so that a timeout can stop it together with
        # whatever it started (a local command's children would otherwise keep the pipes open). Not run_command:
        # it has no timeout and cannot stop a process group (ansible-test 2.21's pylint asks for it in module_utils).
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,  # pylint: disable=ansible-bad-function
                                stderr=subprocess.PIPE, close_fds=True, start_new_session=True)
    except OSError as exc:
        raise ExecError('cannot run %s: %s' % (binary_for_errors or argv[0], exc.strerror or exc), code='exec_binary_not_found')
    try:
        out, err = _communicate(proc, stdin or b'', timeout, max_output)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ExecError('the command in %s did not finish within %d s (exec_timeout); it was stopped' % (where, timeout), code='exec_timeout')
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
