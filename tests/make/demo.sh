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
# shellcheck source=../target_helpers/demo_env.sh
source "$collection/tests/target_helpers/demo_env.sh"
export ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_CALLBACK_RESULT_FORMAT=yaml

logins() {  # logins last|count SINCE: "JMS_SEQ,DEEPFLOW_SEQ" of the latest requests, or the logins answered after SINCE
    python - "$state/endpoints.json" "$@" <<'PY'
import json, sys, urllib.request
endpoints, what, since = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3].split(',')
# DeepFlow's fauths answers at /login itself and at /api/fauths/login behind the controller.
servers = (('jms_url', '/api/v1/authentication/auth/'), ('deepflow_url', '/login'))
last, count = [], []
for (name, login_path), after in zip(servers, since):
    with urllib.request.urlopen('%s/_sim/requests?since=%s' % (endpoints[name], after)) as resp:
        log = json.load(resp)['requests']
    last.append(max([int(after)] + [r['seq'] for r in log]))
    count.append(sum(1 for r in log if r['method'] == 'POST' and r['path'].endswith(login_path)))
if what == 'last':
    print('%d,%d' % tuple(last))
else:
    print('%d JumpServer login(s) and %d DeepFlow login(s)' % tuple(count))
PY
}

cd "$collection"
for playbook in $(cat playbooks/demo.list); do
  echo
  echo "================ ansible-playbook playbooks/$playbook ================"
  before=$(logins last 0,0)
  ansible-playbook "playbooks/$playbook"
  if [ "$playbook" = lookups.yml ]; then
    echo "lookups.yml: 10 hosts, each evaluating the jms_token and the deepflow_token lookup once;"
    echo "  the simulators answered $(logins count "$before") for the whole run (one per account)."
  fi
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
