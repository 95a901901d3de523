#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The lookup cache benchmark (benchmarks/README.md): benchmarks/lookup_cache/playbook.yml on 20 local hosts, forks 5,
# 10 tasks per host each evaluating both lookups, run once with the cache and once without, against the simulators
# on 127.0.0.1. Logins are counted from the simulators' request logs (/_sim/requests), not from Ansible's output.
# Usage: benchmark.sh COLLECTION_DIR STATE_DIR   (make benchmark)
#
# Phase 1 switches the JumpServer simulator's throttle off, so that both runs do the same work and their wall times
# compare. The simulators answer a login in about a millisecond; a real server checks the password first (Django's
# PBKDF2-SHA256, 600,000 iterations: about 0.14 s of CPU on a 2-core test machine), so phase 2 makes every login
# wait LOGIN_COST seconds (a delay fault on the login paths). Phase 3 restarts the simulators with JumpServer's
# default throttle (60 anonymous requests a minute per address, the login included), which a real server applies.
set -euo pipefail
collection=$(cd "$1" && pwd)
state=$2
bench="$collection/benchmarks/lookup_cache"
results="$state/benchmark"
sims=(python "$collection/tests/simulators/run.py")
# ANSIBLE_COLLECTIONS_PATH: the directory that holds ansible_collections/opsauth/tokens.
export ANSIBLE_COLLECTIONS_PATH
ANSIBLE_COLLECTIONS_PATH=$(cd "$collection/../../.." && pwd)
export ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1

"${sims[@]}" stop --state-dir "$state" >/dev/null 2>&1 || true
trap '"${sims[@]}" stop --state-dir "$state" >/dev/null 2>&1 || true' EXIT
rm -rf "$results" && mkdir -p "$results"

start_simulators() {  # start_simulators [run.py start arguments...]
    "${sims[@]}" stop --state-dir "$state" >/dev/null 2>&1 || true
    "${sims[@]}" start --state-dir "$state" "$@" >/dev/null
    cp "$state/endpoints.json" "$results/endpoints.json"
}

endpoint() {
    python -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$results/endpoints.json" "$1"
}

reset_simulators() {  # fresh users, tokens, lockouts, throttle and request log
    for url in "$(endpoint jms_url)" "$(endpoint deepflow_url)"; do
        python - "$url" <<'EOF'
import json, sys, urllib.request
request = urllib.request.Request(sys.argv[1] + '/_sim/reset', data=b'{"state": true}', method='POST',
                                 headers={'Content-Type': 'application/json'})
urllib.request.urlopen(request, timeout=10).read()
EOF
    done
}

add_login_cost() {  # every login waits $1 seconds before it is answered, until the next reset
    python - "$(endpoint jms_url)" "$(endpoint deepflow_url)" "$1" <<'EOF'
import json, sys, urllib.request
jms_url, deepflow_url, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
for url, path in ((jms_url, '/api/v1/authentication/auth/'), (deepflow_url, '/api/fauths/login')):
    body = json.dumps({'method': 'POST', 'path': path, 'kind': 'delay', 'delay': delay, 'count': 0}).encode()
    request = urllib.request.Request(url + '/_sim/faults', data=body, method='POST',
                                     headers={'Content-Type': 'application/json'})
    urllib.request.urlopen(request, timeout=10).read()
EOF
}

measure() {  # measure NAME CACHE(true|false) [LOGIN_COST]: run the playbook once, write $results/NAME.json
    local name=$1 cache=$2 login_cost=${3:-0} started ended rc=0
    reset_simulators
    if [ "$login_cost" != 0 ]; then
        add_login_cost "$login_cost"
    fi
    started=$(python -c 'import time; print(time.time())')
    OPSAUTH_TOKENS_CACHE=$cache ansible-playbook -i "$bench/inventory.ini" -f 5 "$bench/playbook.yml" \
        -e "jms_url=$(endpoint jms_url)" -e "deepflow_url=$(endpoint deepflow_url)" >"$results/$name.log" 2>&1 || rc=$?
    ended=$(python -c 'import time; print(time.time())')
    python - "$name" "$cache" "$rc" "$started" "$ended" "$(endpoint jms_url)" "$(endpoint deepflow_url)" \
        "$results/$name.log" >"$results/$name.json" <<'EOF'
import json, re, sys, urllib.request
name, cache, rc, started, ended, jms_url, deepflow_url, log = sys.argv[1:]


def requests(url, query):
    with urllib.request.urlopen('%s/_sim/requests?%s' % (url, query), timeout=10) as answer:
        return json.load(answer)['requests']


jms = requests(jms_url, 'method=POST&path=/api/v1/authentication/auth/')
fauths = requests(deepflow_url, 'method=POST&path_prefix=/api/fauths/')
with open(log) as handle:
    recap = re.findall(r'^bench\d+\s+: ok=(\d+).*failed=(\d+)', handle.read(), re.M)
print(json.dumps({
    'name': name, 'cache': cache == 'true', 'rc': int(rc), 'seconds': round(float(ended) - float(started), 1),
    'jms_logins': len(jms), 'jms_logins_ok': sum(1 for r in jms if r['status'] == 201),
    'jms_throttled': sum(1 for r in jms if r['status'] == 429),
    'deepflow_logins': sum(1 for r in fauths if r['path'].endswith('/login')),
    'deepflow_refreshes': sum(1 for r in fauths if r['path'].endswith('/refresh_token')),
    'hosts_failed': sum(1 for ok, failed in recap if int(failed)),
    'tasks_ok': sum(int(ok) for ok, failed in recap),
}))
EOF
}

LOGIN_COST=${LOGIN_COST:-0.15}
echo "phase 1: the simulators as they are (JumpServer throttle off), with and without the cache"
start_simulators --jms-arg=--anon-rate=0
measure cached true
measure uncached false
echo "phase 2: every login costs the server ${LOGIN_COST} s"
measure costly_cached true "$LOGIN_COST"
measure costly_uncached false "$LOGIN_COST"
echo "phase 3: JumpServer's default throttle (60 anonymous requests a minute per address)"
start_simulators
measure throttled_cached true
measure throttled_uncached false

python - "$results" "$LOGIN_COST" <<'EOF'
import json, os, sys
results, login_cost = sys.argv[1], sys.argv[2]


def load(name):
    with open(os.path.join(results, name + '.json')) as handle:
        return json.load(handle)


ROWS = [
    ('JumpServer logins (POST /api/v1/authentication/auth/)', 'jms_logins'),
    ('DeepFlow logins (POST /api/fauths/login)', 'deepflow_logins'),
    ('DeepFlow refreshes', 'deepflow_refreshes'),
    ('tasks ok (of 200)', 'tasks_ok'),
    ('hosts failed (of 20)', 'hosts_failed'),
    ('wall time, seconds', 'seconds'),
]
THROTTLED = ROWS[:1] + [('JumpServer logins answered 429 (throttled)', 'jms_throttled')] + ROWS[1:]


def table(title, cached, uncached, rows):
    cached, uncached = load(cached), load(uncached)
    print('| %-54s | %10s | %13s |' % (title, 'cache', 'no cache'))
    print('|%s|%s|%s|' % ('-' * 56, '-' * 12, '-' * 15))
    for label, key in rows:
        print('| %-54s | %10s | %13s |' % (label, cached[key], uncached[key]))
    print()


print()
print('20 hosts x 10 tasks x 2 lookups = 200 evaluations per lookup and run; forks 5')
print()
table('1. the simulators as they are', 'cached', 'uncached', ROWS)
table('2. every login costs the server %s s' % login_cost, 'costly_cached', 'costly_uncached', ROWS)
table("3. JumpServer's default throttle (60/min)", 'throttled_cached', 'throttled_uncached', THROTTLED)
print('raw figures and the Ansible output: %s' % results)
EOF
