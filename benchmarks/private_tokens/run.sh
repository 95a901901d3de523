#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The private token benchmark (benchmarks/README.md): N users' tokens in ONE exec (jms_private_token usernames) against
# N execs (one task per user), for N = 1, 5, 20, through the fake docker of tests/harness/fakes and its fake manage.py, backed by
# the JumpServer simulator on 127.0.0.1. The execs are counted from the fakes' call log, the tokens from the simulator.
# A real `manage.py shell` boots JumpServer for about 7 s; the fake waits BOOT_COST seconds per exec (default 0.7, a
# tenth of that: half before the job, half after it, like a boot and a shutdown).
# Usage: benchmarks/private_tokens/run.sh COLLECTION_DIR STATE_DIR   (make benchmark-private-tokens)
set -euo pipefail
collection=$(cd "$1" && pwd)
state=$2
bench="$collection/benchmarks/private_tokens"
results="$state/benchmark_private_tokens"
# shellcheck source=../common.sh
source "$collection/benchmarks/common.sh"
# This script runs inside `run.py exec`, which starts the simulators around it and stops them after it.
[ "${SIM_STATE_DIR:-}" = "$(realpath -m "$state")" ] || exec python "$collection/tests/simulators/run.py" exec --state-dir "$state" -- bash "$0" "$@"
BOOT_COST=${BOOT_COST:-0.7}
rm -rf "$results" && mkdir -p "$results"

measure() {  # measure MODE N: one run of the playbook on fresh simulator state, writes $results/MODE-N.json
    local mode=$1 n=$2 users
    sims reset --sim jms --state >/dev/null
    python - "$results/world.json" "$results/$mode-$n.calls" "$SIM_JMS_URL" "$BOOT_COST" <<'PY'
import json, sys
path, log, url, cost = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
open(log, 'w').close()
with open(path, 'w') as handle:
    json.dump({'delay': cost / 2, 'log': log, 'containers': {'jms_core': {'status': 'running', 'jms_url': url}}}, handle)
PY
    users=$(python -c 'import json, sys; print(json.dumps(["user%04d" % i for i in range(1, int(sys.argv[1]) + 1)]))' "$n")
    OPSAUTH_FAKE_STATE="$results/world.json" timed "$results/$mode-$n.log" ansible-playbook "$bench/playbook.yml" \
        -e "mode=$mode" -e "{\"users\": $users}" -e "fake_bin_dir=$collection/tests/harness/fakes"
    sims state --sim jms >"$results/$mode-$n.state.json"
    python - "$mode" "$n" "$rc" "$seconds" "$results/$mode-$n.calls" "$results/$mode-$n.state.json" >"$results/$mode-$n.json" <<'PY'
import json, sys
mode, n, rc, seconds, log, state = sys.argv[1:]
with open(log) as handle:
    calls = [json.loads(line) for line in handle if line.strip()]
with open(state) as handle:
    tokens = len(json.load(handle)['private_tokens'])
print(json.dumps({'mode': mode, 'n': int(n), 'rc': int(rc), 'seconds': float(seconds),
                  'execs': sum(1 for call in calls if call.get('prog') == 'docker'),
                  'tokens': tokens - 1}))  # the simulator seeds admin's token
PY
}

for n in 1 5 20; do
    echo "N=$n"
    measure one "$n"
    measure each "$n"
done

python - "$results" "$BOOT_COST" <<'PY'
import json, os, sys
results, cost = sys.argv[1], sys.argv[2]


def load(mode, n):
    with open(os.path.join(results, '%s-%d.json' % (mode, n))) as handle:
        return json.load(handle)


print()
print('boot cost of the fake manage.py shell: %s s per exec (a real one: about 7 s)' % cost)
print()
print('| %5s | %-28s | %-28s | %13s |' % ('users', 'usernames: one exec', 'username: one exec per user', 'time ratio'))
print('|-------|------------------------------|------------------------------|---------------|')
for n in (1, 5, 20):
    one, each = load('one', n), load('each', n)
    assert one['rc'] == 0 and each['rc'] == 0, 'a run failed: see %s' % results
    assert one['tokens'] == each['tokens'] == n, 'expected %d tokens: see %s' % (n, results)
    print('| %5d | %3d exec(s), %6.1f s        | %3d exec(s), %6.1f s        | %11.1fx |'
          % (n, one['execs'], one['seconds'], each['execs'], each['seconds'], each['seconds'] / one['seconds']))
print()
print('raw figures and the Ansible output: %s' % results)
PY
