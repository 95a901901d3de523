#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The lookup cache benchmark (benchmarks/README.md): benchmarks/lookup_cache/playbook.yml on 20 local hosts, forks 5,
# 10 tasks per host each evaluating both lookups, run once with the cache and once without, against the simulators
# on 127.0.0.1. Logins are counted from the simulators' request logs (/_sim/requests), not from Ansible's output.
# Usage: benchmarks/lookup_cache/run.sh COLLECTION_DIR STATE_DIR   (make benchmark-cache)
#
# Phase 1 switches the JumpServer simulator's throttle off, so that both runs do the same work and their wall times
# compare. The simulators answer a login in about a millisecond; a real server checks the password first (Django's
# PBKDF2-SHA256, 600,000 iterations: about 0.14 s of CPU on a 2-core test machine), so phase 2 makes every login
# wait LOGIN_COST seconds (a delay fault on the login paths). Phase 3 restarts the simulators with JumpServer's
# default throttle (60 anonymous requests a minute per address, the login included), which a real server applies.
set -euo pipefail
collection=$(cd "$1" && pwd)
state=$2
phase=${3:-}  # set when this script runs itself inside `run.py exec`, once per simulator set-up (see the end)
bench="$collection/benchmarks/lookup_cache"
results="$state/benchmark"
# shellcheck source=../common.sh
source "$collection/benchmarks/common.sh"
LOGIN_COST=${LOGIN_COST:-0.15}

login_cost() {  # login_cost SECONDS: every login waits that long before it is answered, until the next reset
    sims fault --sim jms "{\"method\": \"POST\", \"path\": \"/api/v1/authentication/auth/\", \"kind\": \"delay\", \"delay\": $1, \"count\": 0}" >/dev/null
    sims fault --sim deepflow "{\"method\": \"POST\", \"path\": \"/api/fauths/login\", \"kind\": \"delay\", \"delay\": $1, \"count\": 0}" >/dev/null
}

measure() {  # measure NAME CACHE(true|false) [LOGIN_COST]: run the playbook once, write $results/NAME.json
    local name=$1 cache=$2 cost=${3:-0}
    sims reset --sim jms --sim deepflow --state >/dev/null  # fresh users, tokens, lockouts, throttle and request log
    [ "$cost" = 0 ] || login_cost "$cost"
    OPSAUTH_TOKENS_CACHE=$cache timed "$results/$name.log" ansible-playbook -i "$bench/inventory.ini" -f 5 \
        "$bench/playbook.yml" -e "jms_url=$SIM_JMS_URL" -e "deepflow_url=$SIM_DEEPFLOW_URL"
    sims requests --sim jms method=POST path=/api/v1/authentication/auth/ >"$results/$name.jms.json"
    sims requests --sim deepflow method=POST path_prefix=/api/fauths/ >"$results/$name.fauths.json"
    python - "$results" "$name" "$cache" "$rc" "$seconds" >"$results/$name.json" <<'EOF'
import json, os, re, sys
results, name, cache, rc, seconds = sys.argv[1:]


def read(suffix):
    with open(os.path.join(results, name + suffix)) as handle:
        return handle.read()


jms = json.loads(read('.jms.json'))['requests']
fauths = json.loads(read('.fauths.json'))['requests']
recap = re.findall(r'^bench\d+\s+: ok=(\d+).*failed=(\d+)', read('.log'), re.M)
print(json.dumps({
    'name': name, 'cache': cache == 'true', 'rc': int(rc), 'seconds': float(seconds),
    'jms_logins': len(jms), 'jms_logins_ok': sum(1 for r in jms if r['status'] == 201),
    'jms_throttled': sum(1 for r in jms if r['status'] == 429),
    'deepflow_logins': sum(1 for r in fauths if r['path'].endswith('/login')),
    'deepflow_refreshes': sum(1 for r in fauths if r['path'].endswith('/refresh_token')),
    'hosts_failed': sum(1 for ok, failed in recap if int(failed)),
    'tasks_ok': sum(int(ok) for ok, failed in recap),
}))
EOF
}

case "$phase" in
    unthrottled)
        measure cached true
        measure uncached false
        echo "phase 2: every login costs the server ${LOGIN_COST} s"
        measure costly_cached true "$LOGIN_COST"
        measure costly_uncached false "$LOGIN_COST"
        exit 0;;
    throttled)
        measure throttled_cached true
        measure throttled_uncached false
        exit 0;;
esac

rm -rf "$results" && mkdir -p "$results"
echo "phase 1: the simulators as they are (JumpServer throttle off), with and without the cache"
sims exec --jms-arg=--anon-rate=0 -- bash "$0" "$collection" "$state" unthrottled
echo "phase 3: JumpServer's default throttle (60 anonymous requests a minute per address)"
sims exec -- bash "$0" "$collection" "$state" throttled

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
