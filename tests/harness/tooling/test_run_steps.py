# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/harness/make/run_steps.py, the lanes of make test and make test-all, on a Makefile of its own."""
from __future__ import annotations

import os
import subprocess
import sys

RUN_STEPS = os.path.join(os.path.dirname(__file__), '..', 'make', 'run_steps.py')
MAKEFILE = '''
ok:
\t@echo ok-output $(WHO)
slow:
\t@sleep 1; echo slow-output
fail:
\t@echo fail-output; exit 3
after:
\t@echo must-not-run
busy:
\t@%s -c 'import time; end = time.process_time() + 1.0; all(iter(lambda: time.process_time() < end, False))'
''' % sys.executable


def run(tmp_path, *lanes):
    (tmp_path / 'Makefile').write_text(MAKEFILE)
    logs = tmp_path / 'logs'
    done = subprocess.run([sys.executable, os.path.abspath(RUN_STEPS), str(logs)] + list(lanes), cwd=str(tmp_path),
                          capture_output=True, text=True, check=False)
    return done, logs


def test_lanes_run_side_by_side_and_pass_variables(tmp_path):
    done, logs = run(tmp_path, 'slow', 'ok:WHO=lane2')
    assert done.returncode == 0, done.stdout + done.stderr
    assert (logs / 'ok.log').read_text() == 'ok-output lane2\n'
    assert (logs / 'slow.log').read_text() == 'slow-output\n'
    times = (logs / 'times.txt').read_text().splitlines()
    assert [line.split()[0] for line in times[:2]] == ['ok', 'slow'] and times[2].startswith('wall time')
    # Side by side: the fast lane finished (both its steps) before the slow one.
    assert done.stdout.index('ok ') < done.stdout.index('slow ')


def test_a_failure_stops_its_lane_shows_its_log_and_fails_the_run(tmp_path):
    done, logs = run(tmp_path, 'fail after', 'slow')
    assert done.returncode == 1
    assert 'fail         FAILED' in done.stdout and 'fail-output' in done.stdout
    assert not (logs / 'after.log').exists() and 'must-not-run' not in done.stdout
    assert 'slow         ok' in done.stdout  # the other lane finished
    assert 'FAILED: fail' in done.stderr


def test_each_step_reports_the_cpu_seconds_of_its_processes(tmp_path):
    # busy burns a second of CPU in a grandchild (make runs python); slow sleeps a second and burns next to none.
    done, logs = run(tmp_path, 'busy', 'slow')
    assert done.returncode == 0, done.stdout + done.stderr
    rows = dict((line.split()[0], line.split()) for line in (logs / 'times.txt').read_text().splitlines())
    # target, ok, seconds, "s", CPU seconds, "s", "CPU"
    assert float(rows['busy'][4]) >= 0.9
    assert float(rows['slow'][4]) < 0.5
    assert rows['busy'][5:7] == ['s', 'CPU']
