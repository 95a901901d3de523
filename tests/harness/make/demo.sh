#!/usr/bin/env bash
# make demo: start the bundled simulators on 127.0.0.1, point the example playbooks at them through the
# collection's environment variables, run them, and show what a user gets.
# Usage: demo.sh COLLECTION_DIR STATE_DIR
set -euo pipefail
collection=$1 state=$2
# This script runs inside `run.py exec`, which starts the simulators around it and stops them after it.
[ "${SIM_STATE_DIR:-}" = "$(realpath -m "$state")" ] || exec python "$collection/tests/simulators/run.py" exec --state-dir "$state" -- bash "$0" "$@"
export ANSIBLE_COLLECTIONS_PATH; ANSIBLE_COLLECTIONS_PATH=$(cd "$collection/../../.." && pwd)
sims() { python "$collection/tests/simulators/run.py" "$1" --state-dir "$state" "${@:2}"; }
demo_dir="$state/demo"
# shellcheck source=../target_helpers/demo_env.sh
source "$collection/tests/harness/target_helpers/demo_env.sh"
export ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_CALLBACK_RESULT_FORMAT=yaml

logins() {  # "J D": the JumpServer and DeepFlow logins answered so far (fauths answers at /login and /api/fauths/login)
    echo "$(sims requests --sim jms --count method=POST path=/api/v1/authentication/auth/)" \
        "$(( $(sims requests --sim deepflow --count method=POST path=/login) + \
             $(sims requests --sim deepflow --count method=POST path=/api/fauths/login) ))"
}

cd "$collection"
for playbook in $(cat playbooks/demo.list); do
  echo
  echo "================ ansible-playbook playbooks/$playbook ================"
  read -r jms_before deepflow_before <<< "$(logins)"
  ansible-playbook -e "@$demo_vars" "playbooks/$playbook"
  if [ "$playbook" = lookups.yml ]; then
    read -r jms_after deepflow_after <<< "$(logins)"
    echo "lookups.yml: 10 hosts, each evaluating the jms_token and the deepflow_token lookup once;"
    echo "  the simulators answered $((jms_after - jms_before)) JumpServer login(s) and" \
        "$((deepflow_after - deepflow_before)) DeepFlow login(s) for the whole run (one per account)."
  fi
done
echo
echo "Requests the simulators answered during the demo:"
# One DeepFlow process serves fauths and fuser and keeps one log for both.
for sim in jms deepflow; do
  sims requests --sim "$sim" | python -c '
import json, sys
counts = {}
for req in json.load(sys.stdin)["requests"]:
    key = "%-6s %s %s" % (req.get("service", ""), req["method"], req["path"])
    counts[key] = counts.get(key, 0) + 1
print("  %s simulator:" % sys.argv[1])
for key, count in sorted(counts.items()):
    print("    %4d  %s" % (count, key))' "$sim"
done
