#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The load benchmark (benchmarks/README.md, "load"): benchmarks/load/playbook.yml on 50 local hosts with forks 10,
# the lookups and the modules together, against the simulators on 127.0.0.1 (JumpServer's default throttle on) and
# the fake docker of tests/harness/fakes. Everything is counted from the simulators' request logs (/_sim/requests) and state,
# and every token and cache file left behind is checked: it must be a regular file of mode 0600 holding a JSON
# object (the cache entries are read with the cache's own reader). Prints one table; exits 1 when a check fails.
# Usage: benchmarks/load/run.sh COLLECTION_DIR STATE_DIR   (make benchmark-load)
set -euo pipefail
collection=$(cd "$1" && pwd) state=$2
results="$state/load_benchmark"
# shellcheck source=../common.sh
source "$collection/benchmarks/common.sh"
# This script runs inside `run.py exec`, which starts the simulators around it and stops them after it.
[ "${SIM_STATE_DIR:-}" = "$(realpath -m "$state")" ] || exec python "$collection/tests/simulators/run.py" exec --state-dir "$state" -- bash "$0" "$@"
rm -rf "$results" && mkdir -m 0700 -p "$results/work" "$results/cache"

OPSAUTH_SIM_STATE="$state" OPSAUTH_TOKENS_CACHE_DIR="$results/cache" timed "$results/playbook.log" \
    ansible-playbook -i "$collection/benchmarks/load/inventory.ini" -f 10 "$collection/benchmarks/load/playbook.yml" \
    -e "jms_url=$SIM_JMS_URL" -e "deepflow_url=$SIM_DEEPFLOW_URL" -e "deepflow_fuser_url=$SIM_DEEPFLOW_FUSER_URL" \
    -e "work_dir=$results/work" -e "fake_bin=$collection/tests/harness/fakes"
sims requests --sim jms >"$results/jms_requests.json"
sims requests --sim deepflow >"$results/deepflow_requests.json"
sims state --sim jms >"$results/jms_state.json"

# The collection's own cache reader checks the cache files below.
PYTHONPATH="$ANSIBLE_COLLECTIONS_PATH" python - "$rc" "$seconds" "$results" <<'EOF'
import collections, json, os, re, stat, sys

from ansible_collections.opsauth.tokens.plugins.plugin_utils import _token_cache

rc, seconds, results = sys.argv[1:]


def read(name):
    with open(os.path.join(results, name + '.json')) as handle:
        return json.load(handle)


jms_log, df_log, jms_state = read('jms_requests')['requests'], read('deepflow_requests')['requests'], read('jms_state')
logins = collections.Counter()
for entry in jms_log:
    if entry['method'] == 'POST' and entry['path'] == '/api/v1/authentication/auth/':
        logins['jms ' + str((entry['body'] or {}).get('username'))] += 1
for entry in df_log:
    if entry['method'] == 'POST' and entry['path'] in ('/login', '/api/fauths/login'):
        logins['deepflow ' + str((entry['body'] or {}).get('email'))] += 1
creates = sum(1 for e in df_log if e['method'] == 'POST' and e['path'] == '/v1/user/permanent_token')
with open(os.path.join(results, 'playbook.log')) as handle:
    log = handle.read()
recap = re.findall(r'^load\d+\s+: ok=(\d+).*failed=(\d+)', log, re.M)
problems = []
files = 0
for folder, cache in ((os.path.join(results, 'work'), False), (os.path.join(results, 'cache'), True)):
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        info = os.lstat(path)
        if stat.S_ISDIR(info.st_mode) or not name.endswith('.json'):
            continue  # the cache's own key file and folders are the cache's business
        files += 1
        if not stat.S_ISREG(info.st_mode) or stat.S_IMODE(info.st_mode) != 0o600:
            problems.append('%s: not a regular 0600 file (mode %o)' % (path, stat.S_IMODE(info.st_mode)))
        try:
            data = _token_cache.read_token_file(path) if cache else json.load(open(path))
            if not isinstance(data, dict) or not data:
                problems.append('%s holds no token' % path)
        except Exception as exc:  # any failure to read is a corrupt file here
            problems.append('%s is corrupt: %s' % (path, exc))
expected = {'jms admin': 1, 'jms alice': 1, 'deepflow ops@example.com': 1, 'deepflow dev@yunshan.net.cn': 1}
if dict(logins) != expected:
    problems.append('logins per identity %s, expected %s' % (dict(logins), expected))
if creates != 1:
    problems.append('%d permanent token creates, expected 1' % creates)
if len(recap) != 50 or any(int(failed) for ok, failed in recap) or rc != '0':
    problems.append('ansible-playbook exit %s, %d hosts in the recap, %d failed'
                    % (rc, len(recap), sum(1 for ok, failed in recap if int(failed))))
print('| load: 50 hosts, forks 10, lookups and modules together | |')
print('|---|---|')
for label, value in (
        ('hosts failed (of 50)', sum(1 for ok, failed in recap if int(failed))),
        ('tasks ok', sum(int(ok) for ok, failed in recap)),
        ('JumpServer logins, per identity', ', '.join('%s %d' % (k[4:], v) for k, v in sorted(logins.items()) if k.startswith('jms'))),
        ('DeepFlow logins, per identity', ', '.join('%s %d' % (k[9:], v) for k, v in sorted(logins.items()) if k.startswith('deepflow'))),
        ('DeepFlow permanent token creates', creates),
        ('private tokens in the simulator', len(jms_state['private_tokens'])),
        ('JumpServer requests (all)', len(jms_log)),
        ('DeepFlow requests (all)', len(df_log)),
        ('JumpServer answers 429', sum(1 for e in jms_log if e['status'] == 429)),
        ('token and cache files checked (0600, JSON object)', files),
        ('wall time, seconds', float(seconds))):
    print('| %s | %s |' % (label, value))
for problem in problems:
    print('FAILED: ' + problem)
print('raw output: %s' % os.path.join(results, 'playbook.log'))
sys.exit(1 if problems else 0)
EOF
