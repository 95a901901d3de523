#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The rotation benchmark (benchmarks/README.md): the role opsauth.tokens.credential_rotation rotates the access keys of
# USERS users (default 50) into file stores, three runs on one simulator: "first" (no key yet: each is created),
# "rotate" (no max_age: every key is rotated), "scheduled" (max_age 90d: nothing is due). For each run: wall time,
# the requests the JumpServer simulator answered (from its request log), per key and by method and path.
# The simulator runs with --anon-rate 0: a real v4 server allows 60 logins a minute per client IP, and every module
# call logs in with the password (see the figures), so 50 keys exceed it there; v3.10 has no such limit.
# Usage: benchmarks/rotation/run.sh COLLECTION_DIR STATE_DIR   (make benchmark-rotation)
set -euo pipefail
collection=$(cd "$1" && pwd)
state=$2
bench="$collection/benchmarks/rotation"
results="$state/benchmark_rotation"
# shellcheck source=../common.sh
source "$collection/benchmarks/common.sh"
# This script runs inside `run.py exec`, which starts the simulators around it and stops them after it.
[ "${SIM_STATE_DIR:-}" = "$(realpath -m "$state")" ] || exec python "$collection/tests/simulators/run.py" exec \
    --state-dir "$state" --jms-arg=--anon-rate=0 -- bash "$0" "$@"
USERS=${USERS:-50}
rm -rf "$results" && mkdir -p -m 0700 "$results/stores"
sims reset --sim jms --state >/dev/null

measure() {  # measure NAME MAX_AGE: one run of the playbook, writes $results/NAME.json
    local name=$1 max_age=$2
    sims reset --sim jms >/dev/null  # the request log only: the keys stay
    timed "$results/$name.log" ansible-playbook "$bench/playbook.yml" -e "users=$USERS" -e "bench_dir=$results/stores" \
        -e "jms_url=$SIM_JMS_URL" -e "max_age=$max_age"
    sims requests --sim jms >"$results/$name.requests.json"
    sims state --sim jms >"$results/$name.state.json"
    python - "$name" "$rc" "$seconds" "$USERS" "$results" >"$results/$name.json" <<'PY'
import json, os, sys
name, rc, seconds, users, results = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
with open(os.path.join(results, name + '.requests.json')) as handle:
    requests = json.load(handle)['requests']
with open(os.path.join(results, name + '.state.json')) as handle:
    keys = json.load(handle)['access_keys_by_user']
with open(os.path.join(results, 'stores', 'results.json')) as handle:
    done = json.load(handle)
counts = {}
for req in requests:
    path = req['path']
    if path.startswith('/api/v1/authentication/access-keys/') and len(path) > len('/api/v1/authentication/access-keys/'):
        path = '/api/v1/authentication/access-keys/<id>/'
    key = '%s %s' % (req['method'], path)
    counts[key] = counts.get(key, 0) + 1
print(json.dumps({'name': name, 'rc': rc, 'seconds': seconds, 'users': users, 'requests': len(requests),
                  'rotated': sum(1 for item in done if item['rotated']), 'failed': sum(1 for item in done if item['failed']),
                  'keys': sum(count for user, count in keys.items() if user.startswith('user')), 'counts': counts}))
PY
}

measure first ""
measure rotate ""
measure scheduled 90d

python - "$results" "$USERS" <<'PY'
import json, os, sys
results, users = sys.argv[1], int(sys.argv[2])
runs = []
for name in ('first', 'rotate', 'scheduled'):
    with open(os.path.join(results, name + '.json')) as handle:
        runs.append(json.load(handle))
for run in runs:
    assert run['rc'] == 0 and run['failed'] == 0, 'run %s failed: see %s' % (run['name'], results)
    assert run['keys'] == users, 'run %s left %d keys for %d users: see %s' % (run['name'], run['keys'], users, results)
assert [run['rotated'] for run in runs] == [users, users, 0], 'rotated: %s' % [run['rotated'] for run in runs]
print()
print('%d users, one access key each, file stores; the JumpServer simulator (v4) on 127.0.0.1' % users)
print()
print('| run        | rotated | wall time | s per key | requests | requests per key |')
print('|------------|---------|-----------|-----------|----------|------------------|')
for run in runs:
    print('| %-10s | %7d | %7.1f s | %9.2f | %8d | %16.1f |' % (run['name'], run['rotated'], run['seconds'],
          run['seconds'] / users, run['requests'], run['requests'] / float(users)))
print()
names = sorted(set(key for run in runs for key in run['counts']))
print('| %-47s | %s |' % ('request (per run, all %d keys)' % users, ' | '.join('%9s' % run['name'] for run in runs)))
print('|%s|%s|' % ('-' * 49, '|'.join('-' * 11 for run in runs)))
for key in names:
    print('| %-47s | %s |' % (key, ' | '.join('%9d' % run['counts'].get(key, 0) for run in runs)))
print()
print('raw figures, request logs and the Ansible output: %s' % results)
PY
