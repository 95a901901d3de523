# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sample every process's command line (/proc/*/cmdline) while an exec runs; write what was seen as JSON.

Usage: proc_watch.py OUT_FILE SECONDS PATTERN...   (integration targets: {{ collection_dir }}/tests/harness/target_helpers/proc_watch.py)
Samples every 20 ms until a process whose command line contains every PATTERN has been seen and has gone again (or
SECONDS passed), then writes {"saw_pattern": bool, "samples": n, "cmdlines": [distinct command lines]} to OUT_FILE.
After its first sample it creates OUT_FILE.ready: a target waits for that file before it starts what is watched, since
an async task returns before its process runs, and on a loaded machine the sampler could start after the first exec.
Only this host's /proc is read; nothing is sent anywhere.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import sys
import time


def cmdlines():
    seen = set()
    for pid in os.listdir('/proc'):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as handle:
                raw = handle.read()
        except (IOError, OSError):
            continue  # the process ended meanwhile, or is not ours to read
        if raw:
            seen.add(' '.join(part.decode('utf-8', 'replace') for part in raw.rstrip(b'\0').split(b'\0')))
    return seen


def main(out_file, seconds, *patterns):
    deadline = time.time() + float(seconds)
    every, saw, samples = set(), False, 0
    while time.time() < deadline:
        current = cmdlines()
        samples += 1
        every |= current
        if samples == 1:
            open(out_file + '.ready', 'w').close()
        present = any(all(pattern in line for pattern in patterns) for line in current)
        if present:
            saw = True
        elif saw:
            break
        time.sleep(0.02)
    with open(out_file, 'w') as handle:
        json.dump({'saw_pattern': saw, 'samples': samples, 'cmdlines': sorted(every)}, handle)


if __name__ == '__main__':
    main(*sys.argv[1:])
