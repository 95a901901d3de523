#!/usr/bin/env bash
# make demo: start the bundled simulators on 127.0.0.1, point the example playbooks at them through the
# collection's environment variables, run them, and show what a user gets.
# Usage: demo.sh COLLECTION_DIR STATE_DIR
set -euo pipefail
collection=$1 state=$2
export ANSIBLE_COLLECTIONS_PATH; ANSIBLE_COLLECTIONS_PATH=$(cd "$collection/../../.." && pwd)
run=("python" "$collection/tests/simulators/run.py")
"${run[@]}" stop --state-dir "$state" >/dev/null 2>&1 || true
"${run[@]}" start --state-dir "$state" >/dev/null
trap '"${run[@]}" stop --state-dir "$state" >/dev/null' EXIT
endpoint() { python -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$state/endpoints.json" "$1"; }

# The simulators' seeded demo accounts; a real user sets these in the environment or in AWX credentials.
export JMS_URL JMS_USERNAME=admin JMS_PASSWORD='Adm1n-Pass!'
JMS_URL=$(endpoint jms_url)
export DEEPFLOW_URL DEEPFLOW_FAUTHS_URL DEEPFLOW_FUSER_URL DEEPFLOW_EMAIL=admin@deepflow.local DEEPFLOW_PASSWORD=Df-Admin-Pass-1
DEEPFLOW_URL=$(endpoint deepflow_url) DEEPFLOW_FAUTHS_URL=$(endpoint deepflow_fauths_url) DEEPFLOW_FUSER_URL=$(endpoint deepflow_fuser_url)
export OPSAUTH_DEMO_DIR="$state/demo" OPSAUTH_FAKE_BIN="$collection/tests/bin" OPSAUTH_SIM_STATE="$state"
mkdir -p -m 0700 "$OPSAUTH_DEMO_DIR"
export ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

cd "$collection"
for playbook in $(cat playbooks/demo.list); do
  echo
  echo "================ ansible-playbook playbooks/$playbook ================"
  ansible-playbook "playbooks/$playbook"
done
echo
echo "Requests the simulators answered during the demo:"
python - "$state/endpoints.json" <<'PY'
import json, sys, urllib.request
endpoints = json.load(open(sys.argv[1]))
# One DeepFlow process serves fauths and fuser and keeps one log for both.
for name in ('jms_url', 'deepflow_url'):
    with urllib.request.urlopen(endpoints[name] + '/_sim/requests') as resp:
        log = json.load(resp)
    counts = {}
    for req in log['requests']:
        key = '%-6s %s %s' % (req.get('service', ''), req['method'], req['path'])
        counts[key] = counts.get(key, 0) + 1
    print('  %s simulator:' % name.split('_')[0])
    for key, count in sorted(counts.items()):
        print('    %4d  %s' % (count, key))
PY
