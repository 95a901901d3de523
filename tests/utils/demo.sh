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
demo_dir="$state/demo"
# shellcheck source=demo_env.sh
source "$collection/tests/utils/demo_env.sh"
export ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_CALLBACK_RESULT_FORMAT=yaml

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
