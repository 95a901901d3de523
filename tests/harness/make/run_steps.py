# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run make steps in lanes: the steps of a lane one after the other, the lanes side by side.

Usage: run_steps.py LOG_DIR LANE [LANE ...]   where a LANE is "STEP [STEP ...]" and a STEP a make target, optionally
with make variables after a colon: "sanity:STAGE=/path units:STAGE=/path".

`make test` and `make test-all` use it: an integration run waits on its modules' processes, its simulators and
back-off for part of its time, so lanes side by side keep both cores busy (the Makefile says which step runs where). Each step's
output goes to LOG_DIR/<step>.log; what a contributor sees is one line per step (ok or FAILED, its seconds and its CPU
seconds), the last lines of a failed step's log, and at the end a table of every step's times (also in
LOG_DIR/times.txt). A failed step stops its own lane; the other lanes finish, so one run reports every failure.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

TAIL_LINES = 150


def run_lane(steps, log_dir, results, lock):
    for step in steps:
        target, _sep, assignments = step.partition(':')
        log_path = os.path.join(log_dir, target + '.log')
        start = time.monotonic()
        with open(log_path, 'wb') as log:
            process = subprocess.Popen(['make', '--no-print-directory', target] + assignments.split(),
                                       stdout=log, stderr=subprocess.STDOUT)
            # wait4: the step's CPU seconds, its processes' and every descendant's they waited for (what a lane costs
            # the machine, beside what it takes on the clock).
            _pid, wait_status, usage = os.wait4(process.pid, 0)
            process.returncode = status = os.waitstatus_to_exitcode(wait_status)
        seconds, cpu = time.monotonic() - start, usage.ru_utime + usage.ru_stime
        with lock:
            results.append((target, status, seconds, cpu))
            print('%-12s %s %6.0f s %6.0f s CPU   (log: %s)' % (
                target, 'ok    ' if status == 0 else 'FAILED', seconds, cpu, log_path), flush=True)
            if status != 0:
                with open(log_path, 'rb') as log:
                    tail = log.read().decode('utf-8', 'replace').splitlines()[-TAIL_LINES:]
                print('--- the last %d lines of %s ---\n%s\n--- end of %s ---' % (
                    len(tail), log_path, '\n'.join(tail), target), flush=True)
        if status != 0:
            return


def main(log_dir, *lanes):
    os.makedirs(log_dir, exist_ok=True)
    results, lock = [], threading.Lock()
    start = time.monotonic()
    threads = [threading.Thread(target=run_lane, args=(lane.split(), log_dir, results, lock)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = time.monotonic() - start
    lines = ['%-12s %-6s %6.0f s %6.0f s CPU' % (target, 'ok' if status == 0 else 'FAILED', seconds, cpu)
             for target, status, seconds, cpu in results]
    lines.append('%-12s %-6s %6.0f s %6.0f s CPU   (lanes: %s)' % (
        'wall time', '', total, sum(result[3] for result in results), ' | '.join(lanes)))
    with open(os.path.join(log_dir, 'times.txt'), 'w') as handle:
        handle.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))
    planned = sum(len(lane.split()) for lane in lanes)
    failed = [result[0] for result in results if result[1] != 0]
    if failed or len(results) != planned:
        print('FAILED: %s' % ', '.join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], *sys.argv[2:]))
