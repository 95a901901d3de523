# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the fake docker, podman and kubectl share: the state file, the call log, and running a command "in a container".

TEST ONLY. Nothing here talks to a real container runtime or cluster.

The state file (path in the environment variable OPSAUTH_FAKE_STATE, JSON) describes the world the fakes pretend
(without it, OPSAUTH_SIM_STATE, the simulators' state directory, selects the default world of fake_world.py):

    {
      "delay": 0,                      # slow mode: seconds the fake manage.py (and curl) waits before and after its job
      "noise": false,                  # the fake manage.py also prints forged OPSAUTH_RESULT= lines on stdout
      "allowed_hosts_lines": 0,        # the fake manage.py prints this many "ALLOWED_HOSTS: [...]" lines on stdout
                                       # first, as JumpServer v3.10 does (18 of them)
      "stdout_flood": 0,               # the fake manage.py prints this many bytes of log lines on stdout first
      "log": "/path/calls.jsonl",      # optional: one JSON object a line: every fake CLI call {"prog", "argv", ...}
                                       # and every username the fake models looked up {"prog": "manage.py", "lookup"}
      "containers": {                  # docker and podman
        "jms_core": {"status": "running",            # or exited, paused, restarting
                     "root": "jms_core",             # a directory in tests/harness/fakes/rootfs/, or an absolute path
                     "hide": ["/opt/py3"],           # container paths that do not exist in this container
                     "jms_url": "http://127.0.0.1:P",# the JumpServer simulator behind the fake manage.py
                     "hosts": {"fuser:20824": "http://127.0.0.1:P"},  # what the fake curl resolves
                     "env": {"K": "V"}}              # the container's environment (PATH has a default)
      },
      "kubernetes": {
        "contexts": ["kind-opsauth"], "current_context": "kind-opsauth",
        "pods": [{"name": "jms-core-1", "namespace": "jumpserver", "labels": {"app": "x"},
                  "phase": "Running",               # Pending, Succeeded, Failed
                  "terminating": false, "ready": true,
                  "containers": ["core"],           # the first is the default container
                  "stopped_containers": [],         # in the spec but not running (crash loop)
                  "context": null, "kubeconfig": null,   # when set: only visible with that --context / --kubeconfig
                  "root": "jms_core", "hide": [], "jms_url": "...", "hosts": {}, "env": {}}]
      }
    }

Running "in a container": the command runs on this host, in a fresh environment (nothing of the caller's), with the
container's root directory overlaid on the host's: an argument that is an absolute path is read inside the root when
it exists there or its top-level directory belongs to the root alone (/opt), and every PATH entry is searched in the
root first. Each rootfs has a usr/local/bin/curl that runs the fake curl, so the host's curl is never used.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time

BIN_DIR = os.path.dirname(os.path.abspath(__file__))
ROOTFS_DIR = os.path.join(BIN_DIR, 'rootfs')
DEFAULT_CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
# Top-level directories a rootfs may add files to while the host's stay visible (the host provides sh, python3, ...).
SHARED_DIRS = frozenset(['usr', 'bin', 'sbin', 'lib', 'lib64', 'etc', 'var', 'tmp'])


class Refused(Exception):
    """The fake CLI refuses the call: message for stderr and the exit status the real CLI would use."""

    def __init__(self, message, rc=1):
        super().__init__(message)
        self.message = message
        self.rc = rc


def load_state(prog):
    path = os.environ.get('OPSAUTH_FAKE_STATE')
    if path:
        with open(path, encoding='utf-8') as handle:
            return json.load(handle)
    # make demo sets only OPSAUTH_SIM_STATE (the simulators' state dir): use fake_world.py's default world for it.
    sim_state = os.environ.get('OPSAUTH_SIM_STATE')
    endpoints = os.path.join(sim_state or '', 'endpoints.json')
    if sim_state and os.path.isfile(endpoints):
        import fake_world  # pylint: disable=import-outside-toplevel
        with open(endpoints, encoding='utf-8') as handle:
            return fake_world.world(json.load(handle))
    raise Refused('fake %s: set OPSAUTH_FAKE_STATE to the JSON file describing the fake world (or OPSAUTH_SIM_STATE to '
                  'the simulators\' state directory for the default world)' % prog, 1)


def log_call(state, prog, argv):
    path = state.get('log')
    if not path:
        return
    with open(path, 'a', encoding='utf-8') as handle:
        handle.write(json.dumps({'prog': prog, 'argv': argv, 'pid': os.getpid(), 'time': time.time()}) + '\n')


def container_id(name):
    return hashlib.sha256(name.encode()).hexdigest()


def resolve_root(spec):
    root = spec.get('root') or 'jms_core'
    return root if os.path.isabs(root) else os.path.join(ROOTFS_DIR, root)


class Overlay:
    """The container's file system: its root directory first, the host's for everything else."""

    def __init__(self, spec):
        self.root = resolve_root(spec)
        if any(ch.isspace() for ch in self.root):
            raise Refused('fake runtime: the rootfs path must not contain white space: %s' % self.root, 125)
        self.hidden = [h.rstrip('/') for h in spec.get('hide') or []]
        try:
            self.top = set(os.listdir(self.root))
        except OSError:
            self.top = set()

    def _is_hidden(self, path):
        return any(path == h or path.startswith(h + '/') for h in self.hidden)

    def _owned(self, path):
        """A path whose top-level directory belongs to the container alone (/opt): the host's is never seen."""
        first = path.strip('/').split('/')[0]
        return first in self.top and first not in SHARED_DIRS

    def host_path(self, path):
        """Where the container path ``path`` lives on this host."""
        if not path.startswith('/'):
            return path
        if self._is_hidden(path):
            return os.path.join(self.root, '.hidden' + path)  # a path that does not exist
        inside = self.root + path
        if os.path.lexists(inside) or self._owned(path):
            return inside
        return path

    def rewrite_arg(self, arg):
        # Only whole arguments that are absolute paths: nothing else of the command is touched.
        if arg.startswith('/') and '\n' not in arg and ' ' not in arg:
            return self.host_path(arg)
        return arg

    def host_search_path(self, container_path):
        entries = []
        for entry in container_path.split(':'):
            if not entry.startswith('/') or self._is_hidden(entry):
                continue
            inside = self.root + entry
            if os.path.isdir(inside):
                entries.append(inside)
            if not self._owned(entry):
                entries.append(entry)
        return ':'.join(entries)

    def which(self, name, search_path):
        if '/' in name:
            host = self.host_path(name)
            return host if host and os.path.isfile(host) and os.access(host, os.X_OK) else None
        for entry in search_path.split(':'):
            candidate = os.path.join(entry, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
        return None


def container_env(spec, name, state, extra_env=()):
    env = {'PATH': DEFAULT_CONTAINER_PATH, 'HOSTNAME': name[:63], 'HOME': '/root'}
    env.update(spec.get('env') or {})
    for item in extra_env:
        key, value = item.split('=', 1) if '=' in item else (item, '')
        env[key] = value
    return env


def run_in_container(spec, name, state, command, interactive, extra_env=(), workdir=None, not_found=None):
    """Run ``command`` "in" the container described by ``spec``; return its exit status.

    ``not_found(program)`` builds the Refused the runtime raises when the program does not exist in the container.
    """
    overlay = Overlay(spec)
    env = container_env(spec, name, state, extra_env)
    search_path = overlay.host_search_path(env['PATH'])
    program = overlay.which(command[0], search_path)
    if program is None:
        raise not_found(command[0])
    argv = [program] + [overlay.rewrite_arg(arg) for arg in command[1:]]
    host_env = dict(env)
    host_env['PATH'] = search_path
    # What the stand-ins inside need to find their simulators; a real image has its own configuration instead.
    host_env['OPSAUTH_FAKE_PYTHON'] = sys.executable
    host_env['OPSAUTH_FAKE_BIN'] = BIN_DIR
    host_env['OPSAUTH_FAKE_DELAY'] = str(state.get('delay') or 0)
    host_env['OPSAUTH_FAKE_NOISE'] = '1' if state.get('noise') else ''
    host_env['OPSAUTH_FAKE_ALLOWED_HOSTS'] = str(state.get('allowed_hosts_lines') or 0)
    host_env['OPSAUTH_FAKE_STDOUT_FLOOD'] = str(state.get('stdout_flood') or 0)
    if state.get('log'):
        host_env['OPSAUTH_FAKE_LOG'] = state['log']
    if spec.get('jms_url'):
        host_env['OPSAUTH_FAKE_JMS_URL'] = spec['jms_url']
    if spec.get('hosts'):
        host_env['OPSAUTH_FAKE_HOSTS'] = json.dumps(spec['hosts'])
    cwd = overlay.host_path(workdir) if workdir else overlay.root
    if not os.path.isdir(cwd):
        raise Refused('OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd ("%s") set in '
                      'config.json failed: no such file or directory: unknown' % workdir, 126)
    stdin = None if interactive else subprocess.DEVNULL  # without -i the command gets no stdin, as with the real CLIs
    proc = subprocess.run(argv, stdin=stdin, env=host_env, cwd=cwd, check=False)
    return proc.returncode


def fail(exc):
    sys.stderr.write(exc.message if exc.message.endswith('\n') else exc.message + '\n')
    sys.stderr.flush()
    return exc.rc
