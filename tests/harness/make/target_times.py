# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Copy ansible-test's output to LOG and write each integration target's seconds to TIMES.

Usage: ansible-test integration ... 2>&1 | target_times.py LOG TIMES
A target runs from its "Running NAME integration test" line to the next one (or the end of the output). The times
say which targets to move between make test's lanes (the Makefile's TEST_LANES) when one lane grows too long.
"""
import re
import sys
import time

RUNNING = re.compile(rb'^Running (\S+) integration test')


def main(log_path, times_path):
    times, current, started = [], None, time.monotonic()
    with open(log_path, 'wb') as log:
        for line in sys.stdin.buffer:
            log.write(line)
            match = RUNNING.match(line)
            if match:
                now = time.monotonic()
                if current:
                    times.append((current, now - started))
                current, started = match.group(1).decode(), now
    if current:
        times.append((current, time.monotonic() - started))
    with open(times_path, 'w') as handle:
        handle.write(''.join('%-36s %6.0f s\n' % (name, seconds) for name, seconds in times))


if __name__ == '__main__':
    main(*sys.argv[1:3])
