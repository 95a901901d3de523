# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sample every process's command line (/proc/*/cmdline) while an exec runs; write what was seen as JSON.

Usage: proc_watch.py OUT_FILE SECONDS NAME=VALUE PATTERN...
(integration targets: {{ collection_dir }}/tests/harness/target_helpers/proc_watch.py)
Samples every 20 ms until a process whose command line contains every PATTERN, and whose environment holds NAME=VALUE,
has been seen and has gone again (or SECONDS passed), then writes {"saw_pattern": bool, "samples": n, "cmdlines":
[distinct command lines of every process]} to OUT_FILE. NAME=VALUE names the test's own processes (the fakes' state
file, OPSAUTH_FAKE_STATE=...): make test runs targets side by side, and another lane's exec of the same command
would otherwise end the watch before this test's exec began (it did, once, in CI).
After its first sample it creates OUT_FILE.ready: a target waits for that file before it starts what is watched, since
an async task returns before its process runs.
Only this host's /proc is read; nothing is sent anywhere.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import sys
import time


def _read(pid, name):
    try:
        with open('/proc/%s/%s' % (pid, name), 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return b''  # the process ended meanwhile, or is not ours to read


def processes(marker):
    """{command line: whether a process with it has ``marker`` (b'NAME=VALUE') in its environment}."""
    seen = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        raw = _read(pid, 'cmdline')
        if raw:
            line = ' '.join(part.decode('utf-8', 'replace') for part in raw.rstrip(b'\0').split(b'\0'))
            seen[line] = seen.get(line, False) or marker in _read(pid, 'environ').split(b'\0')
    return seen


def main(out_file, seconds, marker, *patterns):
    deadline = time.time() + float(seconds)
    every, saw, samples = set(), False, 0
    while time.time() < deadline:
        current = processes(marker.encode('utf-8'))
        samples += 1
        every |= set(current)
        if samples == 1:
            open(out_file + '.ready', 'w').close()
        present = any(ours and all(pattern in line for pattern in patterns) for line, ours in current.items())
        if present:
            saw = True
        elif saw:
            break
        time.sleep(0.02)
    with open(out_file, 'w') as handle:
        json.dump({'saw_pattern': saw, 'samples': samples, 'cmdlines': sorted(every)}, handle)


if __name__ == '__main__':
    main(*sys.argv[1:])
