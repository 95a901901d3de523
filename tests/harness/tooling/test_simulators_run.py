# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/simulators/run.py's subcommands, for real: exec starts the simulators around a command (their endpoints in
its environment), returns its status and stops them; endpoint, fault, requests, issued, state and reset act on the running
simulators through their /_sim API."""
from __future__ import annotations

import json
import os
import subprocess
import sys

RUN = os.path.join(os.path.dirname(__file__), '..', '..', 'simulators', 'run.py')
# The command run inside exec: what a script does with the subcommands, and what it saw, as JSON on stdout.
INSIDE = r'''
import json, os, subprocess, sys, urllib.error, urllib.request
run, state = sys.argv[1], os.environ['SIM_STATE_DIR']
def sims(*argv):
    return subprocess.run([sys.executable, run, argv[0], '--state-dir', state] + list(argv[1:]),
                          check=True, capture_output=True, text=True).stdout
def login():
    body = json.dumps({'grant_type': 'password', 'email': 'ops@example.com', 'password': 'Ops-Pass-1'}).encode()
    request = urllib.request.Request(os.environ['SIM_DEEPFLOW_URL'] + '/api/fauths/login', data=body,
                                     headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers.get('Content-Type')
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get('Content-Type')
seen = {'endpoint': sims('endpoint', 'deepflow_url').strip(), 'env': os.environ['SIM_DEEPFLOW_URL'],
        'endpoints_file': json.load(open(os.environ['SIM_ENDPOINTS']))['deepflow_url']}
sims('fault', '--sim', 'deepflow', json.dumps({'path': '/api/fauths/login', 'kind': 'html'}))
seen['faulted'] = login()
seen['then'] = login()
seen['count'] = int(sims('requests', '--sim', 'deepflow', '--count', 'method=POST', 'path=/api/fauths/login'))
seen['statuses'] = [entry['status'] for entry in json.loads(sims('requests', '--sim', 'deepflow'))['requests']]
seen['issued'] = len(sims('issued', '--sim', 'deepflow').split())
seen['users'] = json.loads(sims('state', '--sim', 'deepflow'))['users']
sims('reset', '--sim', 'deepflow')
seen['after_reset'] = int(sims('requests', '--sim', 'deepflow', '--count'))
print(json.dumps(seen))
sys.exit(7)
'''


def run(*argv, **kwargs):
    return subprocess.run([sys.executable, RUN] + list(argv), capture_output=True, text=True, timeout=120, check=False, **kwargs)


def test_exec_runs_the_command_between_start_and_stop_and_returns_its_status(tmp_path):
    state = str(tmp_path / 'sims')
    done = run('exec', '--state-dir', state, '--', sys.executable, '-c', INSIDE, RUN)
    assert done.returncode == 7, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen['endpoint'] == seen['env'] == seen['endpoints_file'] and seen['endpoint'].startswith('http://127.0.0.1:')
    # The fault's defaults are the simulator's own: an html fault is nginx's page with status 200, then it is used up.
    assert seen['faulted'] == [200, 'text/html'] and seen['then'] == [200, 'application/json']
    assert seen['count'] == 2 and seen['statuses'] == [200, 200]
    assert seen['issued'] >= 2  # the access and refresh token of the second login
    assert 'ops@example.com' in seen['users']
    assert seen['after_reset'] == 0
    status = run('status', '--state-dir', state)
    assert status.returncode == 3 and json.loads(status.stdout)['running'] is False


def test_the_control_subcommands_say_in_one_line_when_nothing_runs(tmp_path):
    for argv in (['endpoint', 'jms_url'], ['reset'], ['requests', '--sim', 'jms']):
        done = run(argv[0], '--state-dir', str(tmp_path), *argv[1:])
        assert done.returncode == 1
        assert done.stderr == 'error: no simulators running from %s: start them first\n' % tmp_path
